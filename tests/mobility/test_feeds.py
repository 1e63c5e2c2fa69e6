"""Operators and feeds: GTFS and GBFS imports with their reports, refusals that keep the
previous feed, polling over real HTTP, and the feeds published as open data."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from parvis.mobility import actions
from parvis.mobility.models import BikeStation, FeedKind, OperatorKind
from parvis.mobility.sharing import gbfs

DATA = Path(__file__).resolve().parents[2] / "parvis" / "data" / "mobility"
GTFS = DATA / "transilien_gtfs_lines.zip"
VELIB = DATA / "velib_2025-10-18"


def without(name: str) -> bytes:
    """The Transilien feed with one file left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(GTFS) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.namelist():
            if member != name:
                dst.writestr(member, src.read(member))
    return out.getvalue()


def make_gtfs_feed(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post(
        "/api/mobility/operators",
        json={"slug": "sncf-transilien", "name": "SNCF Transilien", "kind": "transit"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/api/mobility/operators/sncf-transilien"
    response = client.post(
        "/api/mobility/operators/sncf-transilien/feeds",
        json={"slug": "gtfs", "kind": "gtfs"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    feed_id: int = response.json()["id"]
    return feed_id


def test_gtfs_import_is_published_as_imported_and_a_broken_feed_keeps_the_previous(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    feed_id = make_gtfs_feed(client, headers)
    data = GTFS.read_bytes()
    response = client.post(
        f"/api/mobility/feeds/{feed_id}/imports",
        content=data,
        headers={**headers, "Content-Type": "application/zip"},
    )
    assert response.status_code == 201, response.text
    first = response.json()
    assert first["status"] == "accepted"
    assert first["summary"]["stops"] == 1007
    assert first["summary"]["trips"] == 15891
    assert first["summary"]["stop_times"] == 248940  # one single-stop trip is left out
    assert (first["summary"]["first_day"], first["summary"]["last_day"]) == (
        "2016-12-01",
        "2017-06-07",
    )
    assert first["error_count"] == 0
    assert first["sha256"] == hashlib.sha256(data).hexdigest()

    broken = client.post(
        f"/api/mobility/feeds/{feed_id}/imports",
        content=without("stops.txt"),
        headers={**headers, "Content-Type": "application/zip", "Accept-Language": "en"},
    )
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("application/problem+json")
    problem = broken.json()
    assert "refused" in problem["detail"]
    assert any(e.get("file") == "stops.txt" for e in problem["errors"])

    not_zip = client.post(
        f"/api/mobility/feeds/{feed_id}/imports",
        content=b"this is not a zip",
        headers={**headers, "Content-Type": "application/zip"},
    )
    assert not_zip.status_code == 422
    assert "zip" in json.dumps(not_zip.json()["errors"])

    operator = client.get("/api/mobility/operators/sncf-transilien").json()
    (feed,) = operator["feeds"]
    assert feed["current"]["id"] == first["id"], "a refused feed must not replace the previous"
    assert feed["last_attempt"]["status"] == "refused"
    history = client.get(f"/api/mobility/feeds/{feed_id}/imports").json()
    assert [h["status"] for h in history] == ["refused", "refused", "accepted"]

    download = client.get(first["download_url"].replace("https://parvis.test", ""))
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "application/zip"


def test_feed_writes_are_for_staff(
    client: TestClient,
    resident: User,
    staff: User,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    body = {"slug": "ratp", "name": "RATP", "kind": "transit"}
    assert client.post("/api/mobility/operators", json=body).status_code == 401
    response = client.post("/api/mobility/operators", json=body, headers=api_token(resident))
    assert response.status_code == 403
    feed_id = make_gtfs_feed(client, api_token(staff))
    response = client.post(
        f"/api/mobility/feeds/{feed_id}/imports",
        content=GTFS.read_bytes(),
        headers={**api_token(resident), "Content-Type": "application/zip"},
    )
    assert response.status_code == 403
    assert client.get(f"/api/mobility/feeds/{feed_id}/imports").json() == []


def test_operator_input_is_checked(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    bad = client.post(
        "/api/mobility/operators",
        json={"slug": "Not A Slug", "name": "X", "kind": "rocket"},
        headers=headers,
    )
    assert bad.status_code == 422
    fields = {e["loc"][-1] for e in bad.json()["errors"]}
    assert {"slug", "name", "kind"} <= fields
    make_gtfs_feed(client, headers)
    again = client.post(
        "/api/mobility/operators",
        json={"slug": "sncf-transilien", "name": "Again", "kind": "transit"},
        headers=headers,
    )
    assert again.status_code == 409
    assert client.get("/api/mobility/operators/nobody").status_code == 404
    empty = client.post(
        "/api/mobility/feeds/1/imports", headers={**headers, "Content-Type": "application/zip"}
    )
    assert empty.status_code == 422


def _gbfs_feed(app: FastAPI, url: str = "") -> int:
    with app.state.ctx.sessions() as db:
        operator = actions.ensure_operator(db, "velib", "Vélib' Métropole", OperatorKind.BIKESHARE)
        feed = actions.ensure_feed(db, operator, "gbfs", FeedKind.GBFS, source_url=url)
        return feed.id


def _velib_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in VELIB.glob("*.json")}


def test_gbfs_import_and_its_open_data_republication(app: FastAPI, client: TestClient) -> None:
    feed_id = _gbfs_feed(app)
    with app.state.ctx.sessions() as db:
        feed = actions.get_feed(db, feed_id)
        done = actions.import_gbfs(db, app.state.ctx.storage, feed, _velib_files())
        assert done.status == "accepted"
        assert done.summary["stations"] == 1495

    stations = client.get("/api/mobility/stations").json()
    assert len(stations["features"]) == 1495
    source = json.loads((VELIB / "station_status.json").read_bytes())["data"]["stations"]
    bikes = sum(s["num_bikes_available"] for s in source)
    assert sum(f["properties"]["bikes_available"] or 0 for f in stations["features"]) == bikes

    # The republished feed is standard GBFS 2.3 that our own reader takes without an error.
    files = {}
    discovery = client.get("/open-data/mobility/velib/gbfs.json").json()
    assert discovery["version"] == "2.3"
    for entry in discovery["data"]["fr"]["feeds"]:
        path = entry["url"].replace("https://parvis.test", "")
        files[f"{entry['name']}.json"] = client.get(path).content
    files["gbfs.json"] = json.dumps(discovery).encode()
    snapshot = gbfs.parse_snapshot(files)
    assert not snapshot.fatal
    assert [p for p in snapshot.problems if p.severity == "error"] == []
    assert len(snapshot.stations) == 1495
    assert sum(s.bikes_available for s in snapshot.statuses.values()) == bikes
    assert client.get("/open-data/mobility/nobody/gbfs.json").status_code == 404


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def gbfs_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback serving a GBFS feed from a folder."""
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_port}"
    for path in VELIB.glob("*.json"):
        shutil.copy(path, root / path.name)
    feeds = [
        {"name": name, "url": f"{base}/{name}.json"}
        for name in ("station_information", "station_status")
    ]
    discovery = {"last_updated": 1760778679, "ttl": 60, "data": {"fr": {"feeds": feeds}}}
    (root / "gbfs.json").write_text(json.dumps(discovery))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{base}/gbfs.json", root
    server.shutdown()
    server.server_close()


def test_gbfs_polling_over_http_keeps_the_stations_when_a_poll_fails(
    app: FastAPI, gbfs_server: tuple[str, Path]
) -> None:
    url, root = gbfs_server
    _gbfs_feed(app, url)
    ctx = app.state.ctx
    (first,) = actions.poll_gbfs_feeds(ctx)
    assert first.status == "accepted", first.problems
    assert actions.poll_gbfs_feeds(ctx) == [], "not due again before its period"

    with ctx.sessions() as db:
        before = {s.station_id: s.bikes_available for s in db.query(BikeStation)}
    assert len(before) == 1495
    (root / "station_information.json").write_text("{ broken")
    from datetime import UTC, datetime, timedelta

    later = datetime.now(UTC) + timedelta(minutes=5)
    (refused,) = actions.poll_gbfs_feeds(ctx, now=later)
    assert refused.status == "refused"
    assert refused.error_count >= 1
    with ctx.sessions() as db:
        after = {s.station_id: s.bikes_available for s in db.query(BikeStation)}
    assert after == before

    (root / "gbfs.json").unlink()
    (gone,) = actions.poll_gbfs_feeds(ctx, now=later + timedelta(minutes=5))
    assert gone.status == "refused"
    assert "could not fetch" in gone.problems[0]["message"]


def test_operators_and_stations_pages(app: FastAPI, client: TestClient) -> None:
    feed_id = _gbfs_feed(app)
    with app.state.ctx.sessions() as db:
        actions.import_gbfs(
            db, app.state.ctx.storage, actions.get_feed(db, feed_id), _velib_files()
        )
    page = client.get("/mobility/operators", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Vélib&#39; Métropole" in page.text or "Vélib' Métropole" in page.text
    assert "/open-data/mobility/velib/gbfs.json" in page.text
    stations = client.get("/mobility/stations?q=bastille")
    assert stations.status_code == 200
    source = json.loads((VELIB / "station_information.json").read_bytes())["data"]["stations"]
    expected = sum("bastille" in s["name"].lower() for s in source)
    assert expected > 0
    assert f"{expected} station" in stations.text


def test_free_floating_vehicles_are_kept_and_replaced_at_each_poll(
    app: FastAPI, client: TestClient
) -> None:
    feed_id = _gbfs_feed(app)
    folder = Path(__file__).parent / "gbfs_fixtures" / "v3.0"
    files = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    with app.state.ctx.sessions() as db:
        done = actions.import_gbfs(db, app.state.ctx.storage, actions.get_feed(db, feed_id), files)
        assert done.status == "accepted", done.problems
        assert done.summary["vehicles"] == 1  # the docked one is a station's, not free
    vehicles = client.get("/api/mobility/vehicles").json()["features"]
    assert [f["id"] for f in vehicles] == ["velib:973a5c94-c288-4a2b-afa6-de8aeb6ae2e5"]
    assert vehicles[0]["properties"]["vehicle_type_id"] == "abc123"

    status = json.loads(files["vehicle_status.json"])
    status["data"]["vehicles"] = []
    files["vehicle_status.json"] = json.dumps(status).encode()
    with app.state.ctx.sessions() as db:
        actions.import_gbfs(db, app.state.ctx.storage, actions.get_feed(db, feed_id), files)
    assert client.get("/api/mobility/vehicles").json()["features"] == []


def with_duplicate_trip() -> bytes:
    """The Transilien feed with one trip row written twice (an error: the copy is ignored)."""
    out = io.BytesIO()
    with zipfile.ZipFile(GTFS) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.namelist():
            data = src.read(member)
            if member == "trips.txt":
                lines = data.decode("utf-8-sig").splitlines()
                data = "\n".join([*lines, lines[1]]).encode()
            dst.writestr(member, data)
    return out.getvalue()


def test_a_few_bad_rows_are_reported_not_fatal_unless_strict(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = {**api_token(staff), "Content-Type": "application/zip", "Accept-Language": "en"}
    feed_id = make_gtfs_feed(client, api_token(staff))
    data = with_duplicate_trip()
    strict = client.post(
        f"/api/mobility/feeds/{feed_id}/imports?strict=true", content=data, headers=headers
    )
    assert strict.status_code == 422
    assert any("duplicate trip_id" in e.get("message", "") for e in strict.json()["errors"])
    lenient = client.post(f"/api/mobility/feeds/{feed_id}/imports", content=data, headers=headers)
    assert lenient.status_code == 201, lenient.text
    report = lenient.json()
    assert report["status"] == "accepted"
    assert report["error_count"] == 1
    assert "duplicate trip_id" in report["problems"][0]["message"]
