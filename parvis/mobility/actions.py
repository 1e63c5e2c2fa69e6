"""Every write of the mobility domain: operators, feeds, imports of GTFS and GBFS feeds."""

from __future__ import annotations

import hashlib
import json
import tempfile
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.kernel.db import utcnow
from parvis.kernel.errors import Conflict, InvalidInput, NotFound
from parvis.kernel.i18n import gettext as _
from parvis.kernel.storage import Storage
from parvis.mobility.models import (
    BikeStation,
    Feed,
    FeedImport,
    FeedKind,
    ImportStatus,
    Operator,
    OperatorKind,
    SharedVehicle,
)
from parvis.mobility.routing import GtfsError, build_timetable, read_gtfs
from parvis.mobility.sharing import gbfs

MAX_FEED_BYTES = 300 * 1024 * 1024
MAX_GBFS_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS_KEPT = 500
# A feed with more of its rows in error than this is refused, not just reported.
MAX_ERROR_SHARE = 0.01
Progress = Callable[[str], None]


def _quiet(_step: str) -> None:
    return None


def get_operator(db: Session, slug: str) -> Operator:
    operator = db.scalar(select(Operator).where(Operator.slug == slug))
    if operator is None:
        raise NotFound(_("No operator {slug}.").format(slug=slug))
    return operator


def get_feed(db: Session, feed_id: int) -> Feed:
    feed = db.get(Feed, feed_id)
    if feed is None:
        raise NotFound(_("No feed {id}.").format(id=feed_id))
    return feed


def create_operator(
    db: Session,
    slug: str,
    name: str,
    kind: OperatorKind,
    *,
    website: str = "",
    licence: str = "",
    attribution: str = "",
) -> Operator:
    operator = Operator(
        slug=slug, name=name, kind=kind, website=website, licence=licence, attribution=attribution
    )
    try:
        with db.begin_nested():
            db.add(operator)
    except IntegrityError:
        raise Conflict(_("An operator {slug} already exists.").format(slug=slug)) from None
    db.commit()
    return operator


def ensure_operator(db: Session, slug: str, name: str, kind: OperatorKind, **more: str) -> Operator:
    """The operator `slug`, created when it does not exist yet (imports name operators)."""
    found = db.scalar(select(Operator).where(Operator.slug == slug))
    return found or create_operator(db, slug, name, kind, **more)


def create_feed(
    db: Session, operator: Operator, slug: str, kind: FeedKind, *, source_url: str = ""
) -> Feed:
    if source_url and not source_url.startswith(("http://", "https://")):
        raise InvalidInput(_("A feed's source must be an http or https URL."))
    feed = Feed(operator_id=operator.id, slug=slug, kind=kind, source_url=source_url)
    try:
        with db.begin_nested():
            db.add(feed)
    except IntegrityError:
        raise Conflict(_("This operator already has a feed {slug}.").format(slug=slug)) from None
    db.commit()
    return feed


def ensure_feed(
    db: Session, operator: Operator, slug: str, kind: FeedKind, *, source_url: str = ""
) -> Feed:
    found = db.scalar(select(Feed).where(Feed.operator_id == operator.id, Feed.slug == slug))
    if found is not None and found.kind != kind:
        raise Conflict(_("The feed {slug} is not a {kind} feed.").format(slug=slug, kind=kind))
    return found or create_feed(db, operator, slug, kind, source_url=source_url)


def _record(
    db: Session,
    feed: Feed,
    data: bytes,
    problems: list[dict[str, Any]],
    summary: dict[str, Any],
    *,
    refuse: bool,
    key: str | None,
    user: User | None,
) -> FeedImport:
    errors = sum(1 for p in problems if p["severity"] == "error")
    imported = FeedImport(
        feed_id=feed.id,
        status=ImportStatus.REFUSED if refuse else ImportStatus.ACCEPTED,
        file_key=None if refuse else key,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        summary=summary,
        problems=problems[:MAX_PROBLEMS_KEPT],
        error_count=errors,
        warning_count=len(problems) - errors,
        imported_by=user.id if user else None,
    )
    db.add(imported)
    db.flush()
    if not refuse:
        feed.current_import_id = imported.id
    db.commit()
    return imported


def import_gtfs(
    db: Session,
    storage: Storage,
    feed: Feed,
    data: bytes,
    *,
    user: User | None = None,
    progress: Progress = _quiet,
    strict: bool = False,
) -> FeedImport:
    """Check a GTFS zip and make it the feed's timetable. A broken feed — unreadable, a
    required file missing, no trip that runs, or rows in error beyond `MAX_ERROR_SHARE` of
    its rows (any error with `strict`) — is refused and recorded with its problems; the
    previous import stays in use. A feed with a few bad rows (ignored) is accepted, and its
    report lists them: real operators' feeds often have some, and riders still need them."""
    if feed.kind != FeedKind.GTFS:
        raise InvalidInput(_("This feed is not a GTFS feed."))
    if len(data) > MAX_FEED_BYTES:
        raise InvalidInput(_("The feed is larger than 300 MB."))
    progress("read")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gtfs.zip"
        path.write_bytes(data)
        try:
            parsed = read_gtfs(path)
        except GtfsError as error:  # the feed cannot be read at all
            problems = [asdict(p) for p in error.problems]
            for p in problems:
                p["file"] = p["file"].replace("gtfs.zip", "(the zip)")
            return _record(db, feed, data, problems, {}, refuse=True, key=None, user=user)
    problems = [asdict(p) for p in parsed.problems]
    days = parsed.date_range()
    summary: dict[str, Any] = {
        "stops": len(parsed.stop_ids),
        "routes": len(parsed.route_ids),
        "trips": len(parsed.trip_ids),
        "stop_times": len(parsed.st_stop),
        "transfers": len(parsed.tr_from),
        "first_day": days[0].isoformat() if days else None,
        "last_day": days[1].isoformat() if days else None,
        "problem_count": parsed.problem_count,
    }
    errors = sum(1 for p in parsed.problems if p.severity == "error")
    if parsed.problem_count > len(parsed.problems):  # the list is capped; count the rest too
        errors += parsed.problem_count - len(parsed.problems)
    rows = len(parsed.stop_ids) + len(parsed.trip_ids) + len(parsed.st_stop) + 1
    refuse = bool(errors) and (strict or errors / rows > MAX_ERROR_SHARE)
    if refuse and not strict:
        message = f"{errors} rows in error: more than {MAX_ERROR_SHARE:.0%} of the feed"
        problems.append(_problem("(feed)", 0, message))
    if not refuse and days is None:
        problems.append(_problem("calendar.txt", 0, "no service runs on any day"))
        refuse = True
    if not refuse:
        progress("check")
        timetable = build_timetable(parsed, (days[0], days[0])) if days else None
        if timetable is None or timetable.n_trips == 0:
            problems.append(_problem("trips.txt", 0, "no trip with two stop times runs"))
            refuse = True
    key = None
    if not refuse:
        progress("store")
        key = f"mobility/feeds/{feed.id}/{uuid.uuid4().hex}.zip"
        storage.save(key, data, "application/zip")
    return _record(db, feed, data, problems, summary, refuse=refuse, key=key, user=user)


def _problem(file: str, line: int, message: str) -> dict[str, Any]:
    return {"file": file, "line": line, "message": message, "severity": "error"}


def import_gbfs(
    db: Session,
    storage: Storage,
    feed: Feed,
    files: dict[str, bytes],
    *,
    user: User | None = None,
) -> FeedImport:
    """Check a GBFS snapshot (file name -> content: station_information.json,
    station_status.json, ...) and replace the feed's stations and their status. A snapshot
    with a fatal problem is refused and the stations already known stay as they were."""
    if feed.kind != FeedKind.GBFS:
        raise InvalidInput(_("This feed is not a GBFS feed."))
    snapshot = gbfs.parse_snapshot(files)
    problems = [_gbfs_problem(p) for p in snapshot.problems]
    data = json.dumps(
        {name: json.loads(raw) for name, raw in sorted(files.items()) if _is_json(raw)}
    ).encode()
    summary: dict[str, Any] = {
        "version": snapshot.version,
        "stations": len(snapshot.stations),
        "bikes_available": sum(s.bikes_available for s in snapshot.statuses.values()),
        "docks_available": sum(s.docks_available or 0 for s in snapshot.statuses.values()),
        "vehicles": len(snapshot.vehicles),
        "last_updated": snapshot.last_updated.isoformat() if snapshot.last_updated else None,
    }
    if snapshot.fatal:
        return _record(db, feed, data, problems, summary, refuse=True, key=None, user=user)
    _replace_stations(db, feed, snapshot)
    key = f"mobility/feeds/{feed.id}/{uuid.uuid4().hex}.json"
    storage.save(key, data, "application/json")
    feed.last_polled_at = utcnow()
    return _record(db, feed, data, problems, summary, refuse=False, key=key, user=user)


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def _gbfs_problem(p: gbfs.Problem) -> dict[str, Any]:
    return {
        "file": p.file,
        "line": 0,
        "where": p.where,
        "message": p.message,
        "severity": p.severity,
    }


def _replace_stations(db: Session, feed: Feed, snapshot: gbfs.Snapshot) -> None:
    known = {
        s.station_id: s
        for s in db.scalars(select(BikeStation).where(BikeStation.feed_id == feed.id))
    }
    seen = set()
    for station in snapshot.stations:
        row = known.get(station.station_id) or BikeStation(
            feed_id=feed.id, station_id=station.station_id
        )
        row.name = station.name[:200]
        row.lat, row.lon = station.lat, station.lon
        row.capacity = station.capacity
        row.address = (station.address or "")[:300]
        status = snapshot.statuses.get(station.station_id)
        _apply_status(row, status)
        if row.id is None:
            db.add(row)
        seen.add(station.station_id)
    for station_id, row in known.items():
        if station_id not in seen:
            db.delete(row)
    # Free-floating vehicles move and vanish between polls: replace them all.
    db.execute(delete(SharedVehicle).where(SharedVehicle.feed_id == feed.id))
    db.add_all(
        SharedVehicle(
            feed_id=feed.id,
            vehicle_id=v.vehicle_id[:120],
            vehicle_type_id=(v.vehicle_type_id or "")[:80],
            lat=v.lat,
            lon=v.lon,
            is_reserved=v.is_reserved,
            is_disabled=v.is_disabled,
            current_range_meters=v.current_range_meters,
            last_reported=v.last_reported,
        )
        for v in snapshot.vehicles
    )


def _apply_status(row: BikeStation, status: gbfs.StationStatus | None) -> None:
    if status is None:
        row.bikes_available = row.docks_available = row.mechanical = row.ebike = None
        row.is_renting = row.is_returning = False
        return
    row.bikes_available = status.bikes_available
    row.docks_available = status.docks_available
    row.mechanical, row.ebike = status.mechanical, status.ebike
    row.is_installed = status.is_installed
    row.is_renting, row.is_returning = status.is_renting, status.is_returning
    row.last_reported = status.last_reported


def fetch_gbfs(url: str, *, timeout: float = 10.0) -> dict[str, bytes]:
    """Fetch a GBFS feed over HTTP from its `gbfs.json` discovery URL (or a folder URL ending
    in `/`): the discovery file, station information and status, and free vehicles."""
    files: dict[str, bytes] = {}
    wanted = ("station_information", "station_status", "free_bike_status", "vehicle_status")
    if url.endswith("/"):
        urls = {name: f"{url}{name}.json" for name in wanted[:2]}
    else:
        files["gbfs.json"] = _get(url, timeout)
        discovery = gbfs.parse_discovery(files["gbfs.json"])
        if discovery.fatal:
            return files
        urls = {name: u for name, u in discovery.feeds.items() if name in wanted}
    for name, feed_url in urls.items():
        files[f"{name}.json"] = _get(feed_url, timeout)
    return files


def _get(url: str, timeout: float) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(_("A feed's source must be an http or https URL."))
    request = urllib.request.Request(url, headers={"User-Agent": "Parvis (GBFS client)"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data: bytes = response.read(MAX_GBFS_BYTES + 1)
    if len(data) > MAX_GBFS_BYTES:
        raise InvalidInput(_("A GBFS file is larger than 20 MB."))
    return data


def poll_gbfs_feeds(ctx: Context, *, now: datetime | None = None) -> list[FeedImport]:
    """Fetch every GBFS feed with a source URL whose last poll is older than its period.
    A feed that cannot be fetched is recorded as a refused import; the others go on."""
    now = now or datetime.now(UTC)
    done: list[FeedImport] = []
    with ctx.sessions() as db:
        feeds = db.scalars(
            select(Feed).where(Feed.kind == FeedKind.GBFS, Feed.source_url != "")
        ).all()
        for feed in feeds:
            due = (
                feed.last_polled_at is None
                or feed.last_polled_at + timedelta(seconds=feed.poll_seconds) <= now
            )
            if not due:
                continue
            try:
                files = fetch_gbfs(feed.source_url)
            except (OSError, InvalidInput) as error:
                feed.last_polled_at = now
                message = f"could not fetch {feed.source_url}: {error}"
                done.append(
                    _record(
                        db,
                        feed,
                        b"",
                        [_problem("gbfs.json", 0, message)],
                        {},
                        refuse=True,
                        key=None,
                        user=None,
                    )
                )
                continue
            done.append(import_gbfs(db, ctx.storage, feed, files))
    return done
