"""AMap (高德) Web Service API: geocoding (/v3/geocode/geo) and driving distances (/v3/distance).

AMap speaks GCJ-02: positions go out converted from WGS-84 and come back converted to it. Answers are
HTTP 200 with `status` "1" (success) or "0" with `info`/`infocode`; /v3/distance takes up to 100 origins
(`lon,lat|lon,lat`) and one destination per request, and answers one result per origin
(`origin_id` counting from 1, `distance` in metres and `duration` in seconds, as text).
"""

from typing import Any

import httpx

from backend.field.coords import Point, gcj02_to_wgs84, wgs84_to_gcj02
from backend.field.gateway.base import MapError, MapGateway, TravelMatrix

MAX_ORIGINS = 100


def _lonlat(point: Point) -> str:
    gcj = wgs84_to_gcj02(point)
    return f"{gcj.lon:.6f},{gcj.lat:.6f}"


class AMapGateway(MapGateway):
    def __init__(self, *, base_url: str, key: str, transport: httpx.BaseTransport | None = None) -> None:
        self.key = key
        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=10.0, transport=transport)

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = self.client.get(path, params={"key": self.key, "output": "JSON", **params})
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise MapError(f"地图服务无法访问：{error}") from error
        if body.get("status") != "1":
            raise MapError(f"地图服务拒绝请求：{body.get('info', '未知错误')}（{body.get('infocode', '')}）")
        return body

    def geocode(self, address: str) -> Point | None:
        body = self._get("/v3/geocode/geo", {"address": address})
        geocodes = body.get("geocodes") or []
        if not geocodes or not geocodes[0].get("location"):
            return None
        lon, lat = (float(part) for part in str(geocodes[0]["location"]).split(","))
        wgs = gcj02_to_wgs84(Point(lon, lat))
        return Point(round(wgs.lon, 6), round(wgs.lat, 6))

    def distance_matrix(self, points: list[Point]) -> list[list[int]]:
        return self.travel_matrix(points).metres

    def travel_matrix(self, points: list[Point]) -> TravelMatrix:
        """Driving distance (metres) and duration (seconds) between every two points, as AMap plans them."""
        size = len(points)
        metres = [[0] * size for _ in range(size)]
        seconds = [[0] * size for _ in range(size)]
        for column, destination in enumerate(points):
            for first in range(0, size, MAX_ORIGINS):
                origins = points[first : first + MAX_ORIGINS]
                params = {
                    "origins": "|".join(_lonlat(point) for point in origins),
                    "destination": _lonlat(destination),
                    "type": "1",
                }
                for result in self._get("/v3/distance", params).get("results") or []:
                    row = first + int(result["origin_id"]) - 1
                    if row != column:
                        metres[row][column] = int(float(result["distance"]))
                        seconds[row][column] = int(float(result.get("duration") or 0))
        return TravelMatrix(metres, seconds)
