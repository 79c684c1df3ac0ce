"""The day's route for field officers: a vehicle-routing problem over a road-distance matrix (OR-Tools).

Each officer starts at their own point and ends wherever the last visit is (an open route: the way home
is not planned). With several officers, a span cost spreads the visits so no one drives all day alone.
With a travel speed, time counts too: each officer works within their hours (SHIFTS), a party may be in
only part of the day (WINDOWS: the visit must begin inside it), and each visit takes SERVICE_S at the
door; a visit that fits nobody's day is left out of every route (the caller sees it unplanned).
"""

import math
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

SEARCH_SECONDS = 1  # per 50 visits, at most 3 s (guided local search uses all of it)
DAY_S = 24 * 3600
DROP_PENALTY = 10_000_000  # metres: leaving a visit out costs more than any detour that could make it


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the day in seconds since midnight (court time): an officer's hours, a party's window."""

    begins_s: int
    ends_s: int


ALL_DAY = Span(0, DAY_S)


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """One officer's visits in order (indices into the stops given), the planned length in metres and,
    when time was planned, the moment each visit begins (seconds since midnight)."""

    stops: list[int]
    length_m: int
    arrivals_s: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Nodes:
    rows: list[int]  # node -> matrix row (starts first, then stops); the free end is node len(rows)
    n_starts: int

    @property
    def end(self) -> int:
        return len(self.rows)

    def is_stop(self, node: int) -> bool:
        return self.n_starts <= node < self.end


def _arc_matrices(
    matrix: list[list[int]],
    nodes: _Nodes,
    seconds_per_m: float,
    service_s: int,
    driving_s: list[list[int]] | None,
) -> tuple[list[list[int]], list[list[int]]]:
    """Metres and seconds between every two nodes (driving seconds from the vendor, else metres at the
    average speed); reaching the free end costs nothing but the last visit's time at the door."""
    size = nodes.end + 1
    metres = [[0] * size for _ in range(size)]
    seconds = [[0] * size for _ in range(size)]
    for a in range(nodes.end):
        at_door = service_s if nodes.is_stop(a) else 0
        for b in range(nodes.end):
            if a != b:
                row, column = nodes.rows[a], nodes.rows[b]
                metres[a][b] = matrix[row][column]
                driving = driving_s[row][column] if driving_s else math.ceil(metres[a][b] * seconds_per_m)
                seconds[a][b] = at_door + driving
        seconds[a][nodes.end] = at_door
    return metres, seconds


def search_ms(visits: int) -> int:
    if visits <= 8:
        return 200
    return int(1000 * SEARCH_SECONDS * min(3.0, max(1.0, visits / 50)))


def plan_routes(
    matrix: list[list[int]],
    *,
    starts: list[int],
    stops: list[int],
    shifts: list[Span] | None = None,
    windows: list[Span | None] | None = None,
    seconds_per_m: float = 0.0,
    service_s: int = 0,
    driving_s: list[list[int]] | None = None,
) -> list[PlannedRoute]:
    """Order STOPS (row indices of MATRIX) among officers starting at STARTS (row indices); one route each.
    With SECONDS_PER_M > 0 (or the vendor's DRIVING_S seconds beside MATRIX), SHIFTS (one per officer) and
    WINDOWS (one per stop, None: any time) bind."""
    if not stops:
        return [PlannedRoute([], 0) for _ in starts]
    nodes = _Nodes(rows=[*starts, *stops], n_starts=len(starts))
    timed = seconds_per_m > 0 or driving_s is not None
    metres, seconds = _arc_matrices(matrix, nodes, seconds_per_m, service_s, driving_s)
    officers = len(starts)
    ends = [nodes.end] * officers  # one free end shared by every officer
    manager = pywrapcp.RoutingIndexManager(nodes.end + 1, officers, list(range(officers)), ends)
    model = pywrapcp.RoutingModel(manager)
    distance = model.RegisterTransitMatrix(metres)
    model.SetArcCostEvaluatorOfAllVehicles(distance)
    if len(starts) > 1:
        model.AddDimension(distance, 0, 10_000_000, True, "distance")
        model.GetDimensionOrDie("distance").SetGlobalSpanCostCoefficient(1)
    time = None
    if timed:
        time = _time_dimension(model, manager, model.RegisterTransitMatrix(seconds), nodes, shifts, windows)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(search_ms(len(stops)))
    solution = model.SolveWithParameters(parameters)
    if solution is None:
        raise RuntimeError("route planning found no solution")
    return [_route(model, manager, solution, v, nodes, metres, time) for v in range(len(starts))]


def _time_dimension(  # type: ignore[no-untyped-def]
    model, manager, transit: int, nodes: _Nodes, shifts: list[Span] | None, windows: list[Span | None] | None
):
    """Time of day as a dimension: waiting is allowed (slack), officers' hours and parties' windows bind,
    and a visit that fits nowhere may be dropped at DROP_PENALTY."""
    model.AddDimension(transit, DAY_S, 2 * DAY_S, False, "time")  # overtime may run past midnight
    time = model.GetDimensionOrDie("time")
    hours = shifts or [ALL_DAY] * nodes.n_starts
    for vehicle, shift in enumerate(hours):
        time.CumulVar(model.Start(vehicle)).SetRange(shift.begins_s, shift.ends_s)
        time.CumulVar(model.End(vehicle)).SetRange(shift.begins_s, shift.ends_s)
        model.AddVariableMinimizedByFinalizer(time.CumulVar(model.Start(vehicle)))
        model.AddVariableMinimizedByFinalizer(time.CumulVar(model.End(vehicle)))
    earliest, latest = min(s.begins_s for s in hours), max(s.ends_s for s in hours)
    for position, window in enumerate(windows or [None] * (nodes.end - nodes.n_starts)):
        index = manager.NodeToIndex(nodes.n_starts + position)
        span = window or Span(0, 2 * DAY_S)
        begins, ends = max(span.begins_s, earliest), min(span.ends_s, latest)
        model.AddDisjunction([index], DROP_PENALTY)
        if begins > ends:
            model.ActiveVar(index).SetValue(0)  # outside everyone's hours
            continue
        time.CumulVar(index).SetRange(begins, ends)
        model.AddVariableMinimizedByFinalizer(time.CumulVar(index))
    return time


def _route(  # type: ignore[no-untyped-def]
    model, manager, solution, vehicle: int, nodes: _Nodes, metres: list[list[int]], time
) -> PlannedRoute:
    order: list[int] = []
    arrivals: list[int] = []
    length = 0
    index = model.Start(vehicle)
    while not model.IsEnd(index):
        following = solution.Value(model.NextVar(index))
        node, next_node = manager.IndexToNode(index), manager.IndexToNode(following)
        length += metres[node][next_node]
        if nodes.is_stop(node):
            order.append(node - nodes.n_starts)
            if time is not None:
                arrivals.append(solution.Min(time.CumulVar(index)))
        index = following
    return PlannedRoute(order, length, arrivals)
