"""The offline map: great-circle distance times a detour factor; addresses placed deterministically in
central Beijing (the same address always lands on the same spot), so demos and tests need no vendor."""

import hashlib

from backend.field.coords import Point, great_circle_m
from backend.field.gateway.base import MapGateway

# Central Beijing (WGS-84): where the fake geocoder places addresses.
WEST, EAST, SOUTH, NORTH = 116.28, 116.46, 39.86, 39.97


class FakeMapGateway(MapGateway):
    def __init__(self, *, detour_factor: float = 1.3) -> None:
        self.detour_factor = detour_factor

    def geocode(self, address: str) -> Point | None:
        text = address.strip()
        if not text:
            return None
        digest = hashlib.sha256(text.encode()).digest()
        x = int.from_bytes(digest[:4], "big") / 2**32
        y = int.from_bytes(digest[4:8], "big") / 2**32
        return Point(round(WEST + x * (EAST - WEST), 6), round(SOUTH + y * (NORTH - SOUTH), 6))

    def distance_matrix(self, points: list[Point]) -> list[list[int]]:
        return [[round(great_circle_m(a, b) * self.detour_factor) for b in points] for a in points]
