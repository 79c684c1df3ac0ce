"""The field page may load tiles from the configured map server, and only that page, only that server."""

import pytest
from fastapi.testclient import TestClient

from agent_desk.web import tile_origin
from backend.config import get_settings


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://{s}.tiles.example.cn/{z}/{x}/{y}.png", "https://*.tiles.example.cn"),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
        ("", None),
        ("javascript:alert(1)", None),
    ],
)
def test_the_tile_servers_origin_is_read_from_its_template(template: str, origin: str | None) -> None:
    assert tile_origin(template) == origin


def test_only_the_field_page_may_show_the_configured_tiles(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "field_tile_url", "https://{s}.tiles.example.cn/{z}/{x}/{y}.png")
    field = client.get("/field").headers["content-security-policy"]
    assert "img-src 'self' data: https://*.tiles.example.cn;" in field
    assert "tiles.example.cn" not in client.get("/wall").headers["content-security-policy"]
    monkeypatch.setattr(get_settings(), "field_tile_url", "")
    assert "img-src 'self' data:;" in client.get("/field").headers["content-security-policy"]
