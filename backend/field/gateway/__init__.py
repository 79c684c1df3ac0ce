"""The map vendor behind field delivery: geocoding and road distances, chosen by SONGDA_FIELD_MAP_URL."""

from backend.field.gateway.base import MapError, MapGateway


def map_gateway(url: str, *, key: str = "", detour_factor: float = 1.3) -> MapGateway:
    """`fake://` (offline: great-circle distance times a detour factor) or an AMap-compatible base URL."""
    if url.startswith("fake://"):
        from backend.field.gateway.fake import FakeMapGateway

        return FakeMapGateway(detour_factor=detour_factor)
    if url.startswith(("http://", "https://")):
        from backend.field.gateway.amap import AMapGateway

        return AMapGateway(base_url=url, key=key)
    raise MapError(f"无法识别的地图服务地址：{url}")


__all__ = ["MapError", "MapGateway", "map_gateway"]
