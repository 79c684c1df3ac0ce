"""A local server speaking AMap's Web Service protocol (/v3/geocode/geo, /v3/distance) as its public
documentation describes: HTTP 200, `status` "1"/"0" with `info`/`infocode`, GCJ-02 `lon,lat` text,
up to 100 origins joined by `|` and one destination, one result per origin with `origin_id` from 1 and
`distance` in metres and `duration` in seconds as text. Its road distance is the great-circle distance of
what it is sent, driven at DRIVING_MS."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from backend.field.coords import Point, great_circle_m

KEY = "test-amap-key"
DRIVING_MS = 20 / 3.6  # the double's traffic: 20 km/h


@dataclass
class AMapDouble:
    places: dict[str, str]  # address -> GCJ-02 "lon,lat"
    requests: list[str] = field(default_factory=list)
    url: str = ""


def _point(text: str) -> Point:
    lon, lat = (float(part) for part in text.split(","))
    return Point(lon, lat)


def _answer(double: AMapDouble, path: str, query: dict[str, str]) -> dict[str, object]:
    if query.get("key") != KEY:
        return {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}
    if path == "/v3/geocode/geo":
        location = double.places.get(query.get("address", ""))
        geocodes = [{"formatted_address": query["address"], "location": location}] if location else []
        return {
            "status": "1",
            "info": "OK",
            "infocode": "10000",
            "count": str(len(geocodes)),
            "geocodes": geocodes,
        }
    if path == "/v3/distance":
        origins = [_point(text) for text in query["origins"].split("|")]
        if len(origins) > 100:
            return {"status": "0", "info": "OVER_DIRECTION_RANGE", "infocode": "20803"}
        destination = _point(query["destination"])
        results = [
            {
                "origin_id": str(i),
                "dest_id": "1",
                "distance": str(round(great_circle_m(o, destination))),
                "duration": str(round(great_circle_m(o, destination) / DRIVING_MS)),
            }
            for i, o in enumerate(origins, start=1)
        ]
        return {
            "status": "1",
            "info": "OK",
            "infocode": "10000",
            "count": str(len(results)),
            "results": results,
        }
    return {"status": "0", "info": "INVALID_REQUEST", "infocode": "20000"}


@contextmanager
def amap_double(places: dict[str, str]) -> Iterator[AMapDouble]:
    double = AMapDouble(places=places)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            double.requests.append(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            body = json.dumps(_answer(double, url.path, query), ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
