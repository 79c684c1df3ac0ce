"""Route planning, geocoding and navigation: the AMap adapter against a local server speaking AMap's
protocol, the coordinate conversion's reference vector, and a day planned through the API."""

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.field.coords import Point, navigation_links, wgs84_to_gcj02
from backend.field.gateway import MapError, map_gateway
from backend.field.gateway.amap import AMapGateway
from backend.field.routing import plan_routes
from tests.field.amap_server import DRIVING_MS, KEY, AMapDouble, amap_double
from tests.field.conftest import ADDRESSES, FieldWorld

Login = Callable[..., tuple[User, dict[str, str]]]
# Stops 1 km apart going east of the start, listed out of order.
EAST = [Point(116.30 + 0.0117 * k, 39.90) for k in (3, 1, 4, 2)]


def _gcj(point: Point) -> str:
    gcj = wgs84_to_gcj02(point)
    return f"{gcj.lon:.6f},{gcj.lat:.6f}"


@pytest.fixture()
def amap() -> Iterator[AMapDouble]:
    with amap_double(
        {address: _gcj(point) for address, point in zip(ADDRESSES, EAST, strict=True)}
    ) as double:
        yield double


def test_navigation_links_carry_the_gcj02_position_of_the_reference_vector() -> None:
    assert wgs84_to_gcj02(Point(120, 40)) == Point(120.00567568355486, 40.0013047896019)
    links = navigation_links(Point(120, 40), "张三")
    assert links["amap_web"].startswith("https://uri.amap.com/navigation?to=120.005676,40.001305,")
    assert "dlat=40.001305&dlon=120.005676" in links["amap_app"]
    assert (
        "latlng:40.001305,120.005676|name:" in links["baidu_app"] and "coord_type=gcj02" in links["baidu_app"]
    )


def test_the_amap_adapter_geocodes_to_wgs84_and_plans_the_route_in_order(amap: AMapDouble) -> None:
    gateway = map_gateway(amap.url, key=KEY)
    assert isinstance(gateway, AMapGateway)
    placed = gateway.geocode(ADDRESSES[0])
    assert (
        placed is not None and abs(placed.lon - EAST[0].lon) < 1e-5 and abs(placed.lat - EAST[0].lat) < 1e-5
    )
    assert gateway.geocode("查无此地") is None

    start = Point(116.30, 39.90)
    matrix = gateway.distance_matrix([start, *EAST])
    assert all(request.startswith(("/v3/geocode/geo?", "/v3/distance?")) for request in amap.requests)
    (route,) = plan_routes(matrix, starts=[0], stops=[1, 2, 3, 4])
    assert [EAST[i] for i in route.stops] == sorted(EAST, key=lambda p: p.lon)
    assert abs(route.length_m - 4 * 1000) < 20  # 4 legs of about 1 km each, no way back

    with pytest.raises(MapError, match="INVALID_USER_KEY"):
        map_gateway(amap.url, key="wrong").distance_matrix([start, EAST[0]])


def test_an_officers_day_is_planned_through_the_configured_map_vendor(
    client: TestClient,
    field_world: FieldWorld,
    as_role: Login,
    amap: AMapDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SONGDA_FIELD_MAP_URL", amap.url)
    monkeypatch.setenv("SONGDA_FIELD_MAP_KEY", KEY)
    monkeypatch.setenv("SONGDA_FIELD_START_LON", "116.30")
    monkeypatch.setenv("SONGDA_FIELD_START_LAT", "39.90")
    get_settings.cache_clear()
    try:
        _, supervisor = as_role(Role.supervisor)
        officer, headers = as_role(Role.field_officer)
        body = {"day": field_world.day.isoformat(), "officer_ids": [officer.id]}
        (route,) = client.post("/api/field/plan-day", json=body, headers=supervisor).json()
        assert route["stops"] == 4 and abs(route["planned_km"] - 4.0) < 0.05
        stops = client.get("/api/field/tasks", headers=headers).json()["stops"]
        assert [stop["address"] for stop in stops] == [ADDRESSES[1], ADDRESSES[3], ADDRESSES[0], ADDRESSES[2]]
        assert [stop["route_order"] for stop in stops] == [1, 2, 3, 4]
        assert all(abs(stop["leg_km"] - 1.0) < 0.02 for stop in stops)
        # planned in the vendor's driving times (1 km at the double's 20 km/h: 180 s) and 10 min at each door
        arrivals = [datetime.fromisoformat(stop["planned_arrival_at"]) for stop in stops]
        legs = [(b - a).total_seconds() - 600 for a, b in itertools.pairwise(arrivals)]
        assert all(abs(leg - 1000 / DRIVING_MS) < 5 for leg in legs), legs
        again = client.post("/api/field/plan-day", json=body, headers=supervisor).json()
        assert (
            again[0]["stops"] == 4 and again[0]["planned_km"] == route["planned_km"]
        )  # nothing new: same day
    finally:
        get_settings.cache_clear()
