"""The journey planner's view of every operator: one timetable merged from the GTFS feeds in
use, kept in memory per process and rebuilt when a feed changes."""

from __future__ import annotations

import tempfile
import threading
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.kernel.context import Context
from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.mobility.models import BikeStation, Feed, FeedImport, FeedKind, Operator
from parvis.mobility.routing import (
    Feed as GtfsFeed,
)
from parvis.mobility.routing import (
    Timetable,
    WalkLinks,
    build_timetable,
    merge_feeds,
    read_gtfs,
)

# Walking links between nearby stops of the multimodal timetable (off in timetable-only).
WALK_LINKS = WalkLinks(max_distance_m=400.0, speed_m_s=1.25, max_seconds=600)


class Network:
    """The feeds in use merged into one (stop ids prefixed with the operator's slug), and
    their timetables, each built on first use: `timetable` the multimodal one (walking links
    between nearby stops, also across operators), `plain` the timetable-only one (footpaths
    from transfers.txt only), `step_free` the multimodal one without the trips and stops the
    feeds mark inaccessible. A timetable-only query never pays for the multimodal one."""

    def __init__(
        self, key: tuple[tuple[str, str], ...], feed: GtfsFeed, prefixes: dict[str, str]
    ) -> None:
        self.key = key  # (prefix, sha256) of each feed
        self.feed = feed
        self.prefixes = prefixes  # prefix -> operator name
        self.stop_index = {s: i for i, s in enumerate(feed.stop_ids)}
        days = feed.date_range()
        today = date.today()
        self.query_days: tuple[date, date] = days or (today, today)
        self._built: dict[str, Timetable] = {}
        self._marked = bool((feed.trip_wheelchair == 2).any() or (feed.stop_wheelchair == 2).any())
        self._lock = threading.Lock()

    def _get(self, name: str) -> Timetable:
        if name == "step_free" and not self._marked:
            name = "timetable"  # nothing is marked inaccessible: the same timetable
        with self._lock:
            built = self._built.get(name)
            if built is None:
                links = None if name == "plain" else WALK_LINKS
                built = build_timetable(self.feed, walk_links=links, wheelchair=name == "step_free")
                self._built[name] = built
            return built

    @property
    def timetable(self) -> Timetable:
        return self._get("timetable")

    @property
    def plain(self) -> Timetable:
        return self._get("plain")

    @property
    def step_free(self) -> Timetable:
        return self._get("step_free")

    def resolve_stop(self, text: str) -> str:
        """A stop id of the merged timetable from the id a rider gives: the merged id itself,
        or a feed's own id when exactly one feed has it."""
        if text in self.stop_index:
            return text
        found = [p for p in self.prefixes if f"{p}:{text}" in self.stop_index]
        if len(found) == 1:
            return f"{found[0]}:{text}"
        if found:
            raise InvalidInput(
                _("Several operators have a stop {id}: prefix it with one of {ops}.").format(
                    id=text, ops=", ".join(sorted(found))
                )
            )
        raise InvalidInput(_("No stop {id} in the timetables.").format(id=text))

    def find_stops(self, text: str, limit: int = 10) -> list[int]:
        """Stations (or stops without a station) whose name contains `text`, accents and
        case ignored; stations whose name starts with it come first."""
        wanted = fold(text)
        if not wanted:
            return []
        tt = self.feed
        hits: list[tuple[int, str, int]] = []
        for i, name in enumerate(tt.stop_names):
            if tt.stop_parent[i] >= 0 or tt.stop_type[i] not in (0, 1):
                continue
            folded = fold(name)
            if wanted in folded:
                hits.append((0 if folded.startswith(wanted) else 1, folded, i))
        return [i for _rank, _name, i in sorted(hits)[:limit]]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class NetworkCache:
    """The network of the imports in use, rebuilt (once, under a lock) when they change.
    Built networks are shared by every cache of the process, keyed by the feeds' contents,
    so that several apps of one process (workers, tests) build a timetable once."""

    _built: ClassVar[dict[tuple[tuple[str, str], ...], Network]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def get(self, db: Session) -> Network | None:
        """The network of the GTFS feeds in use; None when no GTFS feed was imported."""
        rows = db.execute(
            select(FeedImport.file_key, FeedImport.sha256, Operator.slug, Operator.name, Feed.slug)
            .join(Feed, Feed.current_import_id == FeedImport.id)
            .join(Operator, Operator.id == Feed.operator_id)
            .where(Feed.kind == FeedKind.GTFS, FeedImport.file_key.is_not(None))
            .order_by(Operator.slug, Feed.slug)
        ).all()
        if not rows:
            return None
        per_operator = Counter(r[2] for r in rows)
        feeds = [
            (str(r[0]), r[1], r[2] if per_operator[r[2]] == 1 else f"{r[2]}-{r[4]}", r[3])
            for r in rows
        ]
        key = tuple((prefix, sha) for _file, sha, prefix, _name in feeds)
        network = self._built.get(key)
        if network is not None:
            return network
        with self._lock:
            network = self._built.get(key)
            if network is None:
                network = self._build(key, feeds)
                if len(self._built) >= 2:
                    self._built.clear()
                self._built[key] = network
            return network

    def _build(
        self, key: tuple[tuple[str, str], ...], feeds: list[tuple[str, str, str, str]]
    ) -> Network:
        parsed = []
        prefixes: dict[str, str] = {}
        with tempfile.TemporaryDirectory() as folder:
            for n, (file_key, _sha, prefix, name) in enumerate(feeds):
                data, _type = self.ctx.storage.load(file_key)
                path = Path(folder) / f"{n}.zip"
                path.write_bytes(data)
                parsed.append((prefix, read_gtfs(path)))
                prefixes[prefix] = name
        return Network(key, merge_feeds(parsed), prefixes)


def load_stations(db: Session) -> list[BikeStation]:
    """Every bike-share station with its last status (ordered, so results are stable)."""
    return list(db.scalars(select(BikeStation).order_by(BikeStation.feed_id, BikeStation.id)))
