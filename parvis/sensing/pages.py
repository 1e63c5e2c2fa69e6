"""HTML pages of the sensing domain: the city's public sensors and actuators on a map and in a
table, one Thing with its Datastreams and tasks, and a Datastream's observations over a period
the visitor picks, drawn on the server as SVG (the same points as a table, the raw observations
as CSV). Every page works without JavaScript; the maps are an enhancement."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Final
from urllib.parse import quote

from babel.dates import format_skeleton
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.i18n import PARIS, current_locale, format_date, format_datetime, format_number
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, check_csrf_form
from parvis.kernel.web.templating import render
from parvis.sensing import overview
from parvis.sensing.codec import format_time, value_text
from parvis.sensing.labels import (
    describe_parameters,
    describe_task,
    format_result,
    kind_label,
    status_label,
    unit_symbol,
)
from parvis.sensing.models import Datastream, Task, Thing

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)

STA: Final = "/sta/v1.1"
DEFAULT_DAYS: Final = 7
MAX_DAYS: Final = 731  # two years
FIRST_YEAR: Final = 1970
LAST_YEAR: Final = 2100
# Marker colours of the map, one per group of sensors (by what they observe); actuators have
# their own. Every marker has a dark outline, so that it stands out whatever its fill.
PALETTE: Final = ("#1d3f72", "#1f7a3a", "#6a1b9a", "#b3261e", "#00695c", "#5b6470", "#8a5a00")
ACTUATOR_COLOUR: Final = "#e39b1b"


# -- the map and the list ----------------------------------------------------------------------


@dataclass(frozen=True)
class StreamLine:
    id: int
    name: str
    observed: str
    unit: str
    latest: tuple[datetime, object] | None


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class ThingLine:
    thing: overview.ThingSummary
    streams: list[StreamLine]
    capabilities: list[str]
    latest_task: Task | None
    group: str


def _things(db: Session) -> tuple[list[ThingLine], list[Group]]:
    things = overview.public_things(db)
    ids = [t.id for t in things]
    pairs = overview.datastreams_of_things(db, ids)
    latest = overview.latest_observations(db, [ds.id for ds, _op in pairs])
    streams: dict[int, list[StreamLine]] = {}
    for ds, op in pairs:
        streams.setdefault(ds.thing_id, []).append(
            StreamLine(
                ds.id, ds.name, op.name, unit_symbol(ds.unit_of_measurement), latest.get(ds.id)
            )
        )
    actuators = [t.id for t in things if t.kind == "actuator"]
    capabilities = overview.capabilities_of_things(db, actuators)
    tasks = overview.latest_tasks(db, actuators)
    lines = []
    for t in things:
        mine = streams.get(t.id, [])
        if t.kind == "actuator":
            group = "actuator"
        else:
            group = " + ".join(sorted({s.observed for s in mine}, key=str.casefold)) or "-"
        lines.append(
            ThingLine(t, mine, [c.name for c in capabilities.get(t.id, [])], tasks.get(t.id), group)
        )
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.group] = counts.get(line.group, 0) + 1
    sensor_groups = sorted((k for k in counts if k != "actuator"), key=str.casefold)
    groups = [
        Group(
            key,
            _("Other sensors") if key == "-" else _("Sensors of %(what)s") % {"what": key},
            PALETTE[n % len(PALETTE)],
            counts[key],
        )
        for n, key in enumerate(sensor_groups)
    ]
    if "actuator" in counts:
        groups.append(Group("actuator", _("Actuators"), ACTUATOR_COLOUR, counts["actuator"]))
    return lines, groups


def _has_airparif(properties: object) -> bool:
    return isinstance(properties, Mapping) and str(properties.get("source", "")) == "Airparif"


@router.get("/sensing", response_class=HTMLResponse)
def things_page(request: Request, db: DbDep) -> Response:
    lines, groups = _things(db)
    return render(
        request,
        "sensing/things.html",
        lines=lines,
        groups=groups,
        sensors=sum(1 for line in lines if line.thing.kind == "sensor"),
        actuators=sum(1 for line in lines if line.thing.kind == "actuator"),
        airparif=any(_has_airparif(line.thing.properties) for line in lines),
        kind_label=kind_label,
        status_label=status_label,
        format_result=format_result,
    )


@router.get("/sensing/things.geojson")
def things_geojson(db: DbDep) -> Response:
    """The public Things as GeoJSON points for the map, with their group and its colour."""
    lines, groups = _things(db)
    colours = {g.key: (g.label, g.colour) for g in groups}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [line.thing.lon, line.thing.lat]},
            "properties": {
                "id": line.thing.id,
                "name": line.thing.name,
                "kind": line.thing.kind,
                "kind_label": kind_label(line.thing.kind),
                "group": colours[line.group][0],
                "colour": colours[line.group][1],
                "measures": [s.observed for s in line.streams],
                "latest": [
                    _("%(label)s: %(value)s")
                    % {"label": s.observed, "value": format_result(s.latest[1], s.unit)}
                    for s in line.streams
                    if s.latest is not None
                ],
                "url": f"/sensing/things/{line.thing.id}",
            },
        }
        for line in lines
        if line.thing.lat is not None and line.thing.lon is not None
    ]
    return JSONResponse(
        {"type": "FeatureCollection", "features": features},
        media_type="application/geo+json",
    )


# -- one Thing ---------------------------------------------------------------------------------


def _public_thing(db: Session, thing_id: int) -> Thing:
    try:
        return overview.public_thing(db, thing_id)
    except NotFound:
        raise NotFound(_("There is no public sensor or actuator with this number.")) from None


@router.get("/sensing/things/{thing_id}", response_class=HTMLResponse)
def thing_page(request: Request, db: DbDep, thing_id: Id) -> Response:
    thing = _public_thing(db, thing_id)
    pairs = overview.datastreams_of(db, thing.id)
    latest = overview.latest_observations(db, [ds.id for ds, _op in pairs])
    capabilities = [
        (cap, describe_parameters(cap.tasking_parameters))
        for cap in overview.capabilities_of(db, thing.id)
    ]
    tasks = [
        (task, cap, describe_task(task.tasking_parameters, cap.tasking_parameters))
        for task, cap in overview.tasks_of_thing(db, thing.id, limit=20)
    ]
    places = overview.places_of(db, thing.id)
    point = next((p for _loc, p in places if p is not None), None)
    return render(
        request,
        "sensing/thing.html",
        thing=thing,
        kind="actuator" if capabilities else "sensor",
        streams=[
            StreamLine(
                ds.id, ds.name, op.name, unit_symbol(ds.unit_of_measurement), latest.get(ds.id)
            )
            for ds, op in pairs
        ],
        places=places,
        point=point,
        capabilities=capabilities,
        tasks=tasks,
        airparif=_has_airparif(thing.properties),
        kind_label=kind_label,
        status_label=status_label,
        format_result=format_result,
    )


# -- a Datastream's observations over a period -------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days of Paris time, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: midnight in Paris of the first day and of the day after the last."""
        return _midnight(self.start), _midnight(self.end + timedelta(days=1))

    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=PARIS).astimezone(UTC)


def _paris_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).date()


class PeriodError(ValueError):
    """A period the visitor asked for that cannot be shown (the message is for them)."""


def _parse_day(text: str) -> date:
    text = text.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            _("Give the dates as YYYY-MM-DD, for example %(example)s.") % {"example": "2025-01-31"}
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PeriodError(
            _("Give dates between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return day


def read_period(params: Mapping[str, str], default_end: date) -> Period:
    """The period of the `start` and `end` parameters; either may be left out (a week before
    the end, a week from the start; by default the week ending on `default_end`)."""
    start_text, end_text = params.get("start", "").strip(), params.get("end", "").strip()
    week = timedelta(days=DEFAULT_DAYS - 1)
    end = _parse_day(end_text) if end_text else None
    start = _parse_day(start_text) if start_text else None
    if start is None and end is None:
        end = default_end
    if start is None:
        assert end is not None
        start = end - week
    if end is None:
        end = start + week
    if end < start:
        raise PeriodError(_("The end of the period is before its start."))
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError(_("A period is at most two years long."))
    return Period(start, end)


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    length = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, length))


@dataclass(frozen=True)
class Link:
    label: str
    period: Period
    current: bool = False


def period_links(
    period: Period, first: date | None, last: date | None
) -> tuple[list[Link], list[Link]]:
    """Quick periods ending on the period's last day, and moves: previous, next, zoom."""
    end, n = period.end, period.days
    spans = [
        (_("Day"), Period(end, end)),
        (_("Week"), Period(end - timedelta(days=6), end)),
        (_("Month"), Period(_months_before(end, 1) + timedelta(days=1), end)),
        (_("Year"), Period(_months_before(end, 12) + timedelta(days=1), end)),
    ]
    quick = [Link(label, p, p == period) for label, p in spans]
    moves = []
    if first is None or period.start > first:
        moves.append(
            Link(
                _("Previous period"),
                Period(period.start - timedelta(days=n), period.start - timedelta(days=1)),
            )
        )
    if last is None or period.end < last:
        moves.append(
            Link(
                _("Next period"),
                Period(period.end + timedelta(days=1), period.end + timedelta(days=n)),
            )
        )
    if n > 1:
        m = n // 2
        start = period.start + timedelta(days=(n - m) // 2)
        moves.append(Link(_("Zoom in"), Period(start, start + timedelta(days=m - 1))))
    if n < MAX_DAYS:
        m = min(2 * n, MAX_DAYS)
        start = period.start - timedelta(days=(m - n) // 2)
        moves.append(Link(_("Zoom out"), Period(start, start + timedelta(days=m - 1))))
    return quick, moves


# The chart: a fixed viewBox that scales with the page.
WIDTH: Final = 720
HEIGHT: Final = 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 46


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    segments: list[str]  # polyline points, one per run of points without a gap
    dots: list[tuple[float, float]]  # isolated points (and every point when they are few)
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / count if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _value_ticks(low: float, high: float) -> list[float]:
    if low >= 0 and low <= high / 2:
        low = 0.0  # amounts read best from zero
    if high == low:
        high, low = high + 1, low - 1 if low != 0 else 0.0
    step = _nice_step(high - low)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    return [round(first + k * step, 10) for k in range(count + 1)]


# Steps of the time axis: (unit, how many, skeleton of the label).
_TIME_STEPS: Final = (
    ("hour", 1, "Hm"),
    ("hour", 3, "Hm"),
    ("hour", 6, "Hm"),
    ("hour", 12, "Hm"),
    ("day", 1, "MMMd"),
    ("day", 2, "MMMd"),
    ("week", 1, "MMMd"),
    ("week", 2, "MMMd"),
    ("month", 1, "yMMM"),
    ("month", 2, "yMMM"),
    ("month", 3, "yMMM"),
    ("month", 6, "yMMM"),
    ("year", 1, "y"),
)
_APPROX_HOURS: Final = {"hour": 1, "day": 24, "week": 168, "month": 730, "year": 8760}


def _time_ticks(start: datetime, end: datetime, most: int = 8) -> list[tuple[datetime, str]]:
    hours = (end - start).total_seconds() / 3600
    unit, k, skeleton = next(
        (s for s in _TIME_STEPS if hours / (_APPROX_HOURS[s[0]] * s[1]) <= most), _TIME_STEPS[-1]
    )
    local_start = start.astimezone(PARIS).replace(tzinfo=None)
    local_end = end.astimezone(PARIS).replace(tzinfo=None)
    day = local_start.date()
    moments: list[datetime] = []
    if unit == "hour":
        moment = datetime.combine(day, time())
        while moment < local_end:
            if moment >= local_start and moment.hour % k == 0:
                moments.append(moment)
            moment += timedelta(hours=1)
    elif unit in ("day", "week"):
        if unit == "week":
            day -= timedelta(days=day.weekday())  # Mondays
        step = timedelta(days=k * (7 if unit == "week" else 1))
        moment = datetime.combine(day, time())
        while moment < local_end:
            if moment >= local_start:
                moments.append(moment)
            moment += step
    else:
        months = 12 if unit == "year" else k
        year, month = day.year, 1
        while True:
            moment = datetime(year, month, 1)
            if moment >= local_end:
                break
            if moment >= local_start:
                moments.append(moment)
            month += months
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    locale = current_locale.get()
    out = []
    for moment in moments:
        aware = moment.replace(tzinfo=PARIS)
        label_skeleton = "MMMd" if unit == "hour" and moment.hour == 0 else skeleton
        out.append((aware, format_skeleton(label_skeleton, aware, tzinfo=PARIS, locale=locale)))
    return out


def build_chart(points: list[tuple[datetime, float]], start: datetime, end: datetime) -> Chart:
    """The geometry of a line chart of `points` over [start, end): lines break across gaps
    longer than three times the usual step between points."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for _t, v in points]
    ticks = _value_ticks(min(values), max(values)) if values else [0.0, 1.0]
    low, high = ticks[0], ticks[-1]
    span = (end - start).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        return round(LEFT + plot_w * (moment - start).total_seconds() / span, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - (value - low) / (high - low)), 1)

    steps = sorted((b[0] - a[0]).total_seconds() for a, b in pairwise(points))
    gap = 3 * steps[len(steps) // 2] if steps else 0.0
    runs: list[list[tuple[datetime, float]]] = []
    for point in points:
        if runs and (point[0] - runs[-1][-1][0]).total_seconds() <= gap:
            runs[-1].append(point)
        else:
            runs.append([point])
    segments = [" ".join(f"{x(t)},{y(v)}" for t, v in run) for run in runs if len(run) > 1]
    few = len(points) <= 60
    dots = [(x(t), y(v)) for run in runs for t, v in run if few or len(run) == 1]
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        RIGHT,
        TOP,
        BOTTOM,
        segments,
        dots,
        [(x(t), label) for t, label in _time_ticks(start, end)],
        [(y(v), format_number(v)) for v in ticks],
    )


def _tidy(value: float) -> float:
    """Three significant digits (whole numbers stay whole): for means, not measurements."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, max(0, 2 - math.floor(math.log10(abs(value)))))


def _summary(
    points: list[tuple[datetime, float]], unit: str, averaged: bool
) -> dict[str, str] | None:
    """Minimum, maximum (with when) and mean of the points of a chart; the points of an
    averaged series are the middles of intervals, so only their day is told."""
    if not points:
        return None
    low = min(points, key=lambda p: p[1])
    high = max(points, key=lambda p: p[1])
    mean = sum(v for _t, v in points) / len(points)
    when = (lambda t: format_date(t.astimezone(PARIS))) if averaged else format_datetime
    value = _tidy if averaged else (lambda v: round(v, 3))
    return {
        "min": format_result(value(low[1]), unit),
        "min_time": when(low[0]),
        "max": format_result(value(high[1]), unit),
        "max_time": when(high[0]),
        "mean": format_result(_tidy(mean), unit),
    }


def _period_text(period: Period) -> str:
    if period.start == period.end:
        return _("on %(day)s") % {"day": format_date(period.start)}
    return _("from %(start)s to %(end)s") % {
        "start": format_date(period.start),
        "end": format_date(period.end),
    }


def _sta_link(datastream_id: int, period: Period) -> str:
    start, end = period.bounds
    where = f"phenomenonTime ge {format_time(start)} and phenomenonTime lt {format_time(end)}"
    return (
        f"{STA}/Datastreams({datastream_id})/Observations"
        f"?$filter={quote(where, safe=':')}&$orderby={quote('phenomenonTime asc')}"
    )


def _data_days(db: Session, ds: Datastream) -> tuple[date | None, date | None]:
    """The first and last days (Paris time) that have observations."""
    first = ds.phenomenon_time_start
    last = ds.phenomenon_time_end
    if last is None:
        latest = overview.latest_observation(db, ds.id)
        last = latest[0] if latest else None
    return (
        _paris_day(first) if first is not None else None,
        _paris_day(last) if last is not None else None,
    )


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value_text(value)


@router.get("/sensing/datastreams/{datastream_id}.csv")
def datastream_csv(request: Request, db: DbDep, ctx: CtxDep, datastream_id: Id) -> Response:
    """The raw observations of a period, in time order (UTC times as in the SensorThings API)."""
    ds, _thing = overview.public_datastream(db, datastream_id)
    _first, last = _data_days(db, ds)
    try:
        period = read_period(request.query_params, last or datetime.now(UTC).date())
    except PeriodError as bad:
        raise InvalidInput(str(bad)) from None
    start, end = period.bounds
    unit = unit_symbol(ds.unit_of_measurement)
    ds_id = ds.id

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["phenomenon_time_start", "phenomenon_time_end", "result_time", "result", "unit"]
        )
        with ctx.sessions() as session:
            for n, (t0, t1, result_time, value) in enumerate(
                overview.observations_between(session, ds_id, start, end), 1
            ):
                writer.writerow(
                    [
                        format_time(t0),
                        format_time(t1),
                        format_time(result_time) if result_time else "",
                        _csv_value(value),
                        unit,
                    ]
                )
                if n % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    name = f"datastream-{ds.id}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/sensing/datastreams/{datastream_id}", response_class=HTMLResponse)
def datastream_page(request: Request, db: DbDep, datastream_id: Id) -> Response:
    try:
        ds, thing = overview.public_datastream(db, datastream_id)
    except NotFound:
        raise NotFound(_("There is no public datastream with this number.")) from None
    observed, sensor = overview.datastream_parts(db, ds)
    unit = unit_symbol(ds.unit_of_measurement)
    first, last = _data_days(db, ds)
    default_end = last or datetime.now(UTC).date()
    form = {
        "start": request.query_params.get("start", "")[:10],
        "end": request.query_params.get("end", "")[:10],
    }
    context: dict[str, Any] = {
        "ds": ds,
        "thing": thing,
        "observed": observed,
        "sensor": sensor,
        "unit": unit,
        "unit_name": (
            str(ds.unit_of_measurement.get("name", ""))
            if isinstance(ds.unit_of_measurement, dict)
            else ""
        ),
        "first": first,
        "last": last,
        "latest": overview.latest_observation(db, ds.id),
        "airparif": _has_airparif(ds.properties),
        "licence": ds.properties.get("licence") if isinstance(ds.properties, dict) else None,
        "format_result": format_result,
        "latest_period": Period(default_end - timedelta(days=DEFAULT_DAYS - 1), default_end),
    }
    try:
        period = read_period(request.query_params, default_end)
    except PeriodError as bad:
        return render(
            request,
            "sensing/datastream.html",
            400,
            form=form,
            error=str(bad),
            period=None,
            **context,
        )
    start, end = period.bounds
    points = overview.series(db, ds.id, start, end)
    counted = overview.count_numeric(db, ds.id, start, end) if points else 0
    quick, moves = period_links(period, first, last)
    return render(
        request,
        "sensing/datastream.html",
        form={"start": period.start.isoformat(), "end": period.end.isoformat()},
        error=None,
        period=period,
        points=points,
        counted=counted,
        averaged=counted > len(points),
        chart=build_chart(points, start, end) if points else None,
        summary=_summary(points, unit, counted > len(points)),
        quick=quick,
        moves=moves,
        sta_link=_sta_link(ds.id, period),
        csv_link=f"/sensing/datastreams/{ds.id}.csv?{period.query()}",
        period_text=_period_text(period),
        **context,
    )
