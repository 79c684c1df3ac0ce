"""The day's route for field officers: a vehicle-routing problem over a road-distance matrix (OR-Tools).

Each officer starts at their own point and ends wherever the last visit is (an open route: the way home
is not planned). With several officers, a span cost spreads the visits so no one drives all day alone.
"""

from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

SEARCH_SECONDS = 1


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """One officer's visits in order (indices into the stops given) and the planned length in metres."""

    stops: list[int]
    length_m: int


def plan_routes(matrix: list[list[int]], *, starts: list[int], stops: list[int]) -> list[PlannedRoute]:
    """Order STOPS (row indices of MATRIX) among officers starting at STARTS (row indices); one route each."""
    if not stops:
        return [PlannedRoute([], 0) for _ in starts]
    nodes = [*starts, *stops]
    end = len(nodes)  # a free end shared by every officer: arriving there costs nothing

    def cost(a: int, b: int) -> int:
        return 0 if b == end or a == end else matrix[nodes[a]][nodes[b]]

    manager = pywrapcp.RoutingIndexManager(
        end + 1, len(starts), list(range(len(starts))), [end] * len(starts)
    )
    model = pywrapcp.RoutingModel(manager)
    callback = model.RegisterTransitCallback(
        lambda i, j: cost(manager.IndexToNode(i), manager.IndexToNode(j))
    )
    model.SetArcCostEvaluatorOfAllVehicles(callback)
    if len(starts) > 1:
        model.AddDimension(callback, 0, 10_000_000, True, "distance")
        model.GetDimensionOrDie("distance").SetGlobalSpanCostCoefficient(20)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(SEARCH_SECONDS * 1000 if len(stops) > 8 else 200)
    solution = model.SolveWithParameters(parameters)
    if solution is None:
        raise RuntimeError("route planning found no solution")
    return [
        _route(model, manager, solution, vehicle, nodes, len(starts), cost) for vehicle in range(len(starts))
    ]


def _route(model, manager, solution, vehicle: int, nodes: list[int], n_starts: int, cost) -> PlannedRoute:  # type: ignore[no-untyped-def]
    order: list[int] = []
    length = 0
    index = model.Start(vehicle)
    while not model.IsEnd(index):
        following = solution.Value(model.NextVar(index))
        node, next_node = manager.IndexToNode(index), manager.IndexToNode(following)
        length += cost(node, next_node)
        if node >= n_starts:
            order.append(node - n_starts)
        index = following
    return PlannedRoute(order, length)
