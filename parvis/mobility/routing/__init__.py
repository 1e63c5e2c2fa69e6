"""Public-transport routing core: GTFS in, Pareto-optimal journeys out (no database, no HTTP).

    from parvis.mobility.routing import load_timetable, query

    tt = load_timetable("gtfs.zip", date_range=(date(2017, 1, 9), date(2017, 1, 15)))
    journeys = query(tt, "StopArea:DUA8727605", "StopArea:DUA8738400",
                     datetime(2017, 1, 12, 8, 0))
    for j in journeys:          # the Pareto set over (arrival, transfers); [] = no journey
        print(j.arrival_time, j.transfers, [leg.kind for leg in j.legs])

`earliest_arrivals` is the one-to-all search, `merge_feeds` joins several operators' feeds
(ids prefixed) and `load_timetable(..., wheelchair=True)` keeps what wheelchair users can use.
The timetable is flat numpy arrays (`timetable.py`), RAPTOR is compiled with numba
(`raptor.py`), `reference.py` is a plain connection scan the tests compare it with. The
semantics (footpaths, change times, service days, midnight) are in docs/mobility-routing.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from parvis.mobility.routing.gtfs import Feed, GtfsError, Problem, merge_feeds, read_gtfs
from parvis.mobility.routing.raptor import (
    DEFAULT_MAX_TRANSFERS,
    DEFAULT_MAX_TRAVEL_TIME,
    Journey,
    Leg,
    earliest_arrivals,
    range_search,
    search,
)
from parvis.mobility.routing.timetable import (
    DEFAULT_CHANGE_TIME,
    Timetable,
    WalkLinks,
    build_timetable,
)

__all__ = [
    "DEFAULT_CHANGE_TIME",
    "DEFAULT_MAX_TRANSFERS",
    "DEFAULT_MAX_TRAVEL_TIME",
    "Feed",
    "GtfsError",
    "Journey",
    "Leg",
    "Problem",
    "Timetable",
    "WalkLinks",
    "build_timetable",
    "earliest_arrivals",
    "load_timetable",
    "merge_feeds",
    "query",
    "range_search",
    "read_gtfs",
    "search",
]

Places = str | Sequence[str]


def load_timetable(
    path: str | Path,
    date_range: tuple[date, date] | None = None,
    *,
    strict: bool = False,
    change_time: int = DEFAULT_CHANGE_TIME,
    walk_links: WalkLinks | None = None,
    wheelchair: bool = False,
) -> Timetable:
    """Read a GTFS zip (or folder) and build the timetable for queries on the days of
    `date_range` (inclusive; default: the feed's whole calendar). Problems found in the feed
    are in `Timetable.problems`; with `strict=True` any error raises `GtfsError`.
    `walk_links` adds walking links between nearby stops (off: the timetable-only mode);
    `wheelchair=True` keeps only what a wheelchair user may use (see `build_timetable`)."""
    feed = read_gtfs(path)
    if strict and feed.errors:
        raise GtfsError(feed.errors)
    return build_timetable(
        feed, date_range, change_time=change_time, walk_links=walk_links, wheelchair=wheelchair
    )


def _stops(tt: Timetable, places: Places) -> list[tuple[int, int]]:
    ids = [places] if isinstance(places, str) else list(places)
    out: list[tuple[int, int]] = []
    for place in ids:
        try:
            out += [(s, 0) for s in tt.stops_of(place)]
        except KeyError:
            raise KeyError(f"unknown stop or station {place!r}") from None
    return out


def query(
    tt: Timetable,
    origin: Places,
    destination: Places,
    when: datetime | tuple[date, int],
    *,
    window: int | timedelta | None = None,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    max_travel_time: int = DEFAULT_MAX_TRAVEL_TIME,
) -> list[Journey]:
    """Journeys from `origin` to `destination` (stop or station ids of the feed; a station
    means all its stops) leaving at `when` (local time of the feed, or (date, seconds after
    midnight)). Without `window`: the Pareto set over (arrival, transfers) for that departure
    time. With `window` (seconds or a timedelta): every journey leaving in
    [when, when + window] that is Pareto-optimal over (departure, arrival, transfers). An empty
    list means no journey."""
    if isinstance(when, datetime):
        day = when.date()
        seconds = when.hour * 3600 + when.minute * 60 + when.second
    else:
        day, seconds = when
    origins = _stops(tt, origin)
    destinations = _stops(tt, destination)
    if window is None:
        return search(
            tt,
            origins,
            destinations,
            day,
            seconds,
            max_transfers=max_transfers,
            max_travel_time=max_travel_time,
        )
    span = int(window.total_seconds()) if isinstance(window, timedelta) else int(window)
    return range_search(
        tt,
        origins,
        destinations,
        day,
        seconds,
        seconds + span,
        max_transfers=max_transfers,
        max_travel_time=max_travel_time,
    )
