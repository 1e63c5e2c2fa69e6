"""The demo's operators: SNCF Transilien (GTFS, December 2016) and Vélib' Métropole (a GBFS
snapshot of 18 October 2025), both real and shipped in parvis/data/mobility/."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from parvis.kernel.context import Context
from parvis.mobility import actions
from parvis.mobility.models import FeedImport, FeedKind, OperatorKind

DATA = Path(__file__).parent / "data" / "mobility"
GTFS = DATA / "transilien_gtfs_lines.zip"
VELIB = DATA / "velib_2025-10-18"
VELIB_URL = "https://velib-metropole-opendata.smoove.pro/opendata/Velib_Metropole/gbfs.json"


def load_mobility(ctx: Context, db: Session) -> str:
    """Import the demo feeds (again only when a file changed); returns a short summary."""
    sncf = actions.ensure_operator(
        db,
        "sncf-transilien",
        "SNCF Transilien",
        OperatorKind.TRANSIT,
        website="https://www.transilien.com",
        licence="ODbL 1.0",
        attribution="Source : SNCF (open data, GTFS Transilien, décembre 2016)",
    )
    timetable = actions.ensure_feed(db, sncf, "gtfs", FeedKind.GTFS)
    data = GTFS.read_bytes()
    current = db.get(FeedImport, timetable.current_import_id or 0)
    if current is None or current.sha256 != hashlib.sha256(data).hexdigest():
        current = actions.import_gtfs(db, ctx.storage, timetable, data)
    velib = actions.ensure_operator(
        db,
        "velib",
        "Vélib' Métropole",
        OperatorKind.BIKESHARE,
        website="https://www.velib-metropole.fr",
        licence="ODbL 1.0",
        attribution="Source : Vélib' Métropole (GBFS, 18 octobre 2025)",
    )
    # The demo keeps the snapshot: a source URL would make `parvis mobility poll-gbfs` fetch
    # live data, which staff may set with `parvis mobility import-gbfs URL`.
    stations = actions.ensure_feed(db, velib, "gbfs", FeedKind.GBFS)
    if stations.current_import_id is None:
        files = {p.name: p.read_bytes() for p in sorted(VELIB.glob("*.json"))}
        actions.import_gbfs(db, ctx.storage, stations, files)
    trips = current.summary.get("trips", 0)
    return f"{trips} Transilien trips, Vélib' stations"
