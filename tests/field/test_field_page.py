"""The field page may load tiles from the configured map server, and only that page, only that server; the
officer's app is installable (manifest, icons) and its service worker keeps the page's own bundles."""

import re

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


def test_the_officers_app_is_installable_and_its_service_worker_keeps_the_pages_bundles(
    client: TestClient,
) -> None:
    manifest = client.get("/field.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert (body["start_url"], body["scope"], body["display"]) == ("/field", "/field", "standalone")
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in body["icons"]:
        answer = client.get(icon["src"])
        assert answer.status_code == 200 and answer.content.startswith(b"\x89PNG")
    assert client.get("/field-icon-64.png").status_code == 404

    page = client.get("/field").text
    assert '<link rel="manifest" href="/field.webmanifest">' in page
    worker = client.get("/field-sw.js")
    assert worker.status_code == 200 and worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["content-security-policy"] == "default-src 'self'"
    assert worker.headers["cache-control"] == "no-cache"  # a new build's worker is seen at once
    bundles = re.findall(r'/assets/[^"?]+(?:\?v=[0-9a-f]+)?', page)
    assert bundles and all(bundle in worker.text for bundle in bundles)
