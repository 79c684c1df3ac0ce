"""Routes in time: a party found at home only in the afternoon is visited in the afternoon, each officer sets
off from their own point within their hours, and a visit that fits nobody's day is left unplanned."""

from collections.abc import Callable
from datetime import datetime, time

from fastapi.testclient import TestClient

from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.field.coords import Point
from backend.field.gateway.fake import FakeMapGateway
from backend.field.routing import Span, plan_routes
from tests.field.conftest import FieldWorld

Login = Callable[..., tuple[User, dict[str, str]]]
HOUR = 3600
# Stops 1 km apart going east of the start, in order: at 25 km/h a leg takes 2.4 minutes.
EAST = [Point(116.30 + 0.0117 * k, 39.90) for k in range(5)]
SECONDS_PER_M = 3.6 / 25


def test_a_party_at_home_only_in_the_afternoon_is_visited_in_the_afternoon() -> None:
    matrix = FakeMapGateway(detour_factor=1.0).distance_matrix(EAST)
    afternoon = Span(14 * HOUR, 18 * HOUR)
    # without a window the nearest stop comes first
    (free,) = plan_routes(
        matrix,
        starts=[0],
        stops=[1, 2, 3, 4],
        shifts=[Span(9 * HOUR, 18 * HOUR)],
        seconds_per_m=SECONDS_PER_M,
    )
    assert free.stops == [0, 1, 2, 3] and free.arrivals_s[0] < 10 * HOUR
    (route,) = plan_routes(
        matrix,
        starts=[0],
        stops=[1, 2, 3, 4],
        shifts=[Span(9 * HOUR, 18 * HOUR)],
        windows=[afternoon, None, None, None],
        seconds_per_m=SECONDS_PER_M,
        service_s=600,
    )
    first_stop_arrival = route.arrivals_s[route.stops.index(0)]
    assert sorted(route.stops) == [0, 1, 2, 3]
    assert afternoon.begins_s <= first_stop_arrival <= afternoon.ends_s
    assert all(
        later > earlier for earlier, later in zip(route.arrivals_s, route.arrivals_s[1:], strict=False)
    )


def test_officers_keep_to_their_hours_and_a_visit_that_fits_no_one_is_left_out() -> None:
    points = [EAST[0], EAST[4], *EAST[1:4], EAST[4]]  # officers at the west and east ends
    matrix = FakeMapGateway(detour_factor=1.0).distance_matrix(points)
    west, east = plan_routes(
        matrix,
        starts=[0, 1],
        stops=[2, 3, 4, 5],
        shifts=[Span(9 * HOUR, 12 * HOUR), Span(13 * HOUR, 17 * HOUR)],
        windows=[None, None, None, Span(9 * HOUR, 10 * HOUR)],  # the east end, only at 9-10
        seconds_per_m=SECONDS_PER_M,
        service_s=600,
    )
    assert all(arrival >= 13 * HOUR for arrival in east.arrivals_s)
    assert all(arrival <= 12 * HOUR for arrival in west.arrivals_s)
    visited = sorted(west.stops + east.stops)
    assert 3 in visited  # 4 km from the west officer: reached by 9:10 when it is first
    # a window closing before both officers' hours begin fits no one: left out, not forced in
    west_only, east_only = plan_routes(
        matrix,
        starts=[0, 1],
        stops=[2, 3],
        shifts=[Span(9 * HOUR, 12 * HOUR), Span(13 * HOUR, 17 * HOUR)],
        windows=[Span(7 * HOUR, 8 * HOUR), None],
        seconds_per_m=SECONDS_PER_M,
    )
    assert 0 not in west_only.stops + east_only.stops and 1 in west_only.stops + east_only.stops


def test_the_supervisor_sets_windows_and_officers_days_and_plan_the_day_keeps_to_them(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    first, first_headers = as_role(Role.field_officer)
    second, _ = as_role(Role.field_officer)
    window = {"available_from": "14:00", "available_until": "17:00", "note": "当事人电话告知下午在家"}
    attempt_id = field_world.attempt_ids[2]
    set_window = client.put(f"/api/field/attempts/{attempt_id}/window", json=window, headers=supervisor)
    assert set_window.status_code == 200, set_window.text
    assert (set_window.json()["available_from"], set_window.json()["available_until"]) == ("14:00", "17:00")
    bad = {"available_from": "17:00", "available_until": "14:00"}
    assert (
        client.put(f"/api/field/attempts/{attempt_id}/window", json=bad, headers=supervisor).status_code
        == 422
    )
    assert (
        client.put(f"/api/field/attempts/{attempt_id}/window", json=window, headers=first_headers).status_code
        == 403
    )

    home = {
        "start": {"lon": 116.43, "lat": 39.94},
        "start_label": "东直门派出所旁",
        "works_from": "08:00",
        "works_until": "18:00",
    }
    answer = client.put(f"/api/field/officers/{second.id}/day", json=home, headers=supervisor)
    assert answer.status_code == 200 and answer.json()["own"] is True
    assert answer.json()["works_from"] == "08:00"
    assert client.get(f"/api/field/officers/{first.id}/day", headers=supervisor).json()["own"] is False

    day = "2031-03-04"  # a day ahead: today's planning would start from now
    body = {"day": day, "officer_ids": [first.id, second.id]}
    routes = client.post("/api/field/plan-day", json=body, headers=supervisor).json()
    assert sum(route["stops"] for route in routes) == 4
    assert routes[1]["start"] == {"lon": 116.43, "lat": 39.94}
    stops = client.get("/api/field/attempts", headers=supervisor).json()
    afternoon = next(stop for stop in stops if stop["attempt_id"] == attempt_id)
    arrival = datetime.fromisoformat(afternoon["planned_arrival_at"]).astimezone(BEIJING).time()
    assert time(14, 0) <= arrival <= time(17, 0)
    for stop in stops:
        local = datetime.fromisoformat(stop["planned_arrival_at"]).astimezone(BEIJING)
        assert local.date().isoformat() == day and local.time() >= time(8, 0)
