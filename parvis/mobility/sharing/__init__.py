"""Shared mobility (bike share, free-floating vehicles): a pure GBFS reader (no database, no web).

    from parvis.mobility.sharing import read_snapshot, parse_station_status

    snap = read_snapshot(Path("gbfs_velib/2025-10-18"))   # whichever GBFS files are there
    if snap.fatal:                                           # a file was refused as a whole
        ...
    for p in snap.problems:                                  # file, row, message, severity
        print(p)

    snap = parse_snapshot({"station_information.json": body1,   # as fetched over HTTP
                           "station_status.json": body2})
    snap.stations, snap.statuses["42"], snap.last_updated

    status = parse_station_status(http_body)                 # bytes, JSON text or a dict
    status.items, status.last_updated, status.problems

GBFS 1.0 to 3.x are read (see `gbfs.py` for the version differences, the Vélib' quirks and
which problems are fatal).
"""

from __future__ import annotations

from parvis.mobility.sharing.gbfs import (
    BikeKind,
    Discovery,
    FeedResult,
    Problem,
    Raw,
    Snapshot,
    Station,
    StationStatus,
    Vehicle,
    VehicleType,
    bike_kinds,
    cross_check,
    parse_discovery,
    parse_snapshot,
    parse_station_information,
    parse_station_status,
    parse_vehicle_status,
    parse_vehicle_types,
    read_snapshot,
)

__all__ = [
    "BikeKind",
    "Discovery",
    "FeedResult",
    "Problem",
    "Raw",
    "Snapshot",
    "Station",
    "StationStatus",
    "Vehicle",
    "VehicleType",
    "bike_kinds",
    "cross_check",
    "parse_discovery",
    "parse_snapshot",
    "parse_station_information",
    "parse_station_status",
    "parse_vehicle_status",
    "parse_vehicle_types",
    "read_snapshot",
]
