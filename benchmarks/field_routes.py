"""Field route planning and mileage, measured.

    .venv/bin/python benchmarks/field_routes.py [--seeds 3]

1. Route planning (backend/field/routing.py, OR-Tools) over the offline map's road distances (great circle
   x 1.3) between stops spread over central Beijing, officers setting off from the court at 08:30 and
   working until 17:30, 25 km/h, 10 minutes at each door, and one party in four at home only in the
   afternoon (14:00-18:00) or only in the morning (09:00-12:00). For each size it prints the seconds to
   plan, the total planned kilometres, visits left out (fitting nobody's day), windows kept, and the
   length of a nearest-neighbour plan of the same stops (each officer in turn drives to the nearest stop
   left, ignoring windows: the plan a dispatcher would make by hand). Goal (issue 17): 60 stops for 5
   officers with windows in under 2 s and at least 15 % shorter than nearest-neighbour.
2. Mileage (backend/field/mileage.py) of a synthetic day's GPS track: a 40 km drive through a grid of
   streets, one fix every 5 s with 6 m of noise, one fix in 20 of poor accuracy (150-400 m) and one in 100
   a jump of 2-5 km; the filtered length against the true length. Goal: within 3 %.
"""

import argparse
import itertools
import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.field.coords import Point, great_circle_m
from backend.field.gateway.fake import EAST, NORTH, SOUTH, WEST, FakeMapGateway
from backend.field.mileage import Fix, track_length_m
from backend.field.routing import Span, plan_routes

HOUR = 3600
COURT = Point(116.3665, 39.9123)
SHIFT = Span(8 * HOUR + 30 * 60, 17 * HOUR + 30 * 60)
SECONDS_PER_M = 3.6 / 25
AT_DOOR_S = 600
WINDOWS = (Span(14 * HOUR, 18 * HOUR), Span(9 * HOUR, 12 * HOUR))


def _stops(rng: random.Random, count: int) -> list[Point]:
    return [Point(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)) for _ in range(count)]


def _nearest_neighbour_m(matrix: list[list[int]], officers: int, stops: list[int]) -> int:
    """Officers take turns driving to the nearest stop left (an open route each, as planned)."""
    at = [0] * officers  # every officer starts at row 0, the court
    left, total, turn = set(stops), 0, 0
    while left:
        here = at[turn % officers]
        nearest = min(left, key=lambda row: matrix[here][row])
        total += matrix[here][nearest]
        at[turn % officers] = nearest
        left.remove(nearest)
        turn += 1
    return total


def plan(rng: random.Random, officers: int, count: int) -> None:
    points = [COURT, *_stops(rng, count)]
    matrix = FakeMapGateway().distance_matrix(points)
    windows = [rng.choice(WINDOWS) if rng.random() < 0.25 else None for _ in range(count)]
    stops = list(range(1, count + 1))
    started = time.perf_counter()
    routes = plan_routes(
        matrix,
        starts=[0] * officers,
        stops=stops,
        shifts=[SHIFT] * officers,
        windows=windows,
        seconds_per_m=SECONDS_PER_M,
        service_s=AT_DOOR_S,
    )
    seconds = time.perf_counter() - started
    planned = sum(route.length_m for route in routes)
    visited = [
        (stop, arrival)
        for route in routes
        for stop, arrival in zip(route.stops, route.arrivals_s, strict=True)
    ]
    kept = sum(
        1
        for stop, arrival in visited
        if windows[stop] is None or windows[stop].begins_s <= arrival <= windows[stop].ends_s
    )
    windowed = sum(1 for stop, _ in visited if windows[stop] is not None)
    greedy = _nearest_neighbour_m(matrix, officers, stops)
    print(
        f"{officers:>3} officers x {count:>4} stops ({sum(w is not None for w in windows)} with windows): "
        f"planned in {seconds:5.2f} s, {planned / 1000:7.1f} km; nearest-neighbour {greedy / 1000:7.1f} km "
        f"({100 * (greedy - planned) / greedy:+.1f} % shorter); {count - len(visited)} left out; "
        f"windows kept {kept - (len(visited) - windowed)}/{windowed}; "
        f"last visit {max(a for _, a in visited) // HOUR:02d}:{max(a for _, a in visited) % HOUR // 60:02d}"
    )


def _drive(rng: random.Random) -> list[Point]:
    """A 40 km drive along a street grid (blocks of 300-900 m, turning at corners)."""
    here, heading, path, length = COURT, 0, [COURT], 0.0
    while length < 40_000:
        block = rng.uniform(300, 900)
        heading = (heading + rng.choice((-1, 0, 0, 1))) % 4
        d_lat = block / 111_195 * (1 if heading == 0 else -1 if heading == 2 else 0)
        d_lon = (
            block
            / (111_195 * math.cos(math.radians(here.lat)))
            * (1 if heading == 1 else -1 if heading == 3 else 0)
        )
        step = Point(here.lon + d_lon, here.lat + d_lat)
        length += great_circle_m(here, step)
        path.append(step)
        here = step
    return path


def mileage(rng: random.Random) -> None:
    path = _drive(rng)
    true_m = sum(great_circle_m(a, b) for a, b in itertools.pairwise(path))
    fixes, at, speed = [], datetime(2026, 3, 2, 1, 0, tzinfo=UTC), 25 / 3.6
    for a, b in itertools.pairwise(path):
        leg = great_circle_m(a, b)
        samples = max(1, int(leg / (speed * 5)))
        for k in range(samples):
            f = k / samples
            exact = Point(a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f)
            noise, accuracy = 6.0, rng.uniform(5, 15)
            if rng.random() < 0.05:
                noise = accuracy = rng.uniform(150, 400)
            elif rng.random() < 0.01:
                noise = rng.uniform(2000, 5000)
            angle = rng.uniform(0, 2 * math.pi)
            dx, dy = rng.gauss(0, noise) * math.cos(angle), rng.gauss(0, noise) * math.sin(angle)
            seen = Point(
                exact.lon + dx / (111_195 * math.cos(math.radians(exact.lat))), exact.lat + dy / 111_195
            )
            fixes.append(Fix(at, seen, accuracy))
            at += timedelta(seconds=5)
    started = time.perf_counter()
    measured = track_length_m(fixes)
    seconds = time.perf_counter() - started
    print(
        f"mileage: {len(fixes)} fixes, true {true_m / 1000:.2f} km, measured {measured / 1000:.2f} km "
        f"({100 * (measured - true_m) / true_m:+.2f} %), in {seconds * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="days drawn per size")
    args = parser.parse_args()
    for officers, count in ((5, 60), (10, 150)):
        for seed in range(1, args.seeds + 1):
            plan(random.Random(seed), officers, count)
    for seed in range(1, args.seeds + 1):
        mileage(random.Random(seed))


if __name__ == "__main__":
    main()
