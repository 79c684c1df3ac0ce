"""Coordinates: phones report WGS-84, Chinese map apps and vendors use GCJ-02. Songda stores WGS-84 and
converts only at the edge (navigation links, the map vendor's API); great-circle distances in metres."""

import math
from dataclasses import dataclass
from urllib.parse import quote

_A = 6378245.0  # the Krasovsky ellipsoid GCJ-02 is defined on
_EE = 0.00669342162296594323
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS-84 position: longitude, latitude (degrees)."""

    lon: float
    lat: float


def _outside_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(point: Point) -> Point:
    """WGS-84 -> GCJ-02 (unchanged outside China)."""
    if _outside_china(point.lon, point.lat):
        return point
    d_lat = _shift_lat(point.lon - 105.0, point.lat - 35.0)
    d_lon = _shift_lon(point.lon - 105.0, point.lat - 35.0)
    rad_lat = point.lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return Point(point.lon + d_lon, point.lat + d_lat)


def gcj02_to_wgs84(point: Point) -> Point:
    """GCJ-02 -> WGS-84 by fixed-point iteration (well under a metre)."""
    guess = point
    for _ in range(10):
        shifted = wgs84_to_gcj02(guess)
        guess = Point(guess.lon - (shifted.lon - point.lon), guess.lat - (shifted.lat - point.lat))
    return guess


def great_circle_m(a: Point, b: Point) -> float:
    """Haversine distance in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    d_lat, d_lon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def navigation_links(point: Point, name: str) -> dict[str, str]:
    """Links that hand a stop to AMap (web and app) or Baidu Maps, in GCJ-02 as the vendors document."""
    gcj = wgs84_to_gcj02(point)
    lon, lat, label = f"{gcj.lon:.6f}", f"{gcj.lat:.6f}", quote(name, safe="")
    return {
        "amap_web": f"https://uri.amap.com/navigation?to={lon},{lat},{label}&mode=car&callnative=1",
        "amap_app": f"amapuri://route/plan/?dlat={lat}&dlon={lon}&dname={label}&dev=0&t=0",
        "baidu_app": (
            f"baidumap://map/direction?destination=latlng:{lat},{lon}|name:{label}"
            "&coord_type=gcj02&mode=driving"
        ),
    }
