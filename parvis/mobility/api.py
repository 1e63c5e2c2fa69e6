"""JSON API of mobility under /api/mobility, and the operators' feeds as open data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.mobility import actions, journeys, opendata, queries
from parvis.mobility.models import FeedImport, FeedKind, ImportStatus
from parvis.mobility.network import NetworkCache
from parvis.mobility.schemas import (
    FeedCreate,
    FeedPublic,
    ImportPublic,
    OperatorCreate,
    OperatorPublic,
    StopPublic,
)

router = APIRouter(prefix="/api/mobility", tags=["mobility"], responses=PROBLEM_RESPONSES)
open_data = APIRouter(prefix="/open-data/mobility", tags=["open data"], responses=PROBLEM_RESPONSES)
MAX_UPLOAD = actions.MAX_FEED_BYTES
Slug = Annotated[str, Path(min_length=1, max_length=40)]


def network_cache(request: Request) -> NetworkCache:
    cache: NetworkCache = request.app.state.mobility_network
    return cache


def publish_import(row: FeedImport | None, base_url: str) -> ImportPublic | None:
    if row is None:
        return None
    url = f"{base_url}/open-data/mobility/imports/{row.id}" if row.file_key else None
    return ImportPublic(
        id=row.id,
        status=row.status,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        summary=row.summary,
        error_count=row.error_count,
        warning_count=row.warning_count,
        problems=row.problems,
        created_at=row.created_at,
        download_url=url,
    )


def _operators(db: Session, base_url: str, slug: str | None = None) -> list[OperatorPublic]:
    operators = queries.list_operators(db)
    if slug is not None:
        operators = [o for o in operators if o.slug == slug]
        if not operators:
            raise NotFound(_("No operator {slug}.").format(slug=slug))
    feeds = queries.feeds_of(db, operators)
    return [
        OperatorPublic(
            slug=o.slug,
            name=o.name,
            kind=o.kind,
            website=o.website,
            licence=o.licence,
            attribution=o.attribution,
            feeds=[
                FeedPublic(
                    id=v.feed.id,
                    slug=v.feed.slug,
                    kind=v.feed.kind,
                    source_url=v.feed.source_url,
                    current=publish_import(v.current, base_url),
                    last_attempt=publish_import(v.last, base_url),
                )
                for v in feeds[o.id]
            ],
        )
        for o in operators
    ]


@router.get("/operators", response_model=list[OperatorPublic], summary="Operators and feeds")
def list_operators(db: DbDep, ctx: CtxDep) -> list[OperatorPublic]:
    return _operators(db, ctx.settings.base_url)


@router.get("/operators/{slug}", response_model=OperatorPublic, summary="One operator")
def read_operator(db: DbDep, ctx: CtxDep, slug: Slug) -> OperatorPublic:
    return _operators(db, ctx.settings.base_url, slug)[0]


@router.post(
    "/operators",
    response_model=OperatorPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register an operator (staff)",
)
def create_operator(
    response: Response, db: DbDep, ctx: CtxDep, _staff: StaffDep, data: OperatorCreate
) -> OperatorPublic:
    operator = actions.create_operator(
        db,
        data.slug,
        data.name,
        data.kind,
        website=str(data.website or ""),
        licence=data.licence,
        attribution=data.attribution,
    )
    response.headers["Location"] = f"/api/mobility/operators/{operator.slug}"
    return _operators(db, ctx.settings.base_url, operator.slug)[0]


@router.post(
    "/operators/{slug}/feeds",
    response_model=FeedPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register a feed of an operator (staff)",
)
def create_feed(db: DbDep, _staff: StaffDep, slug: Slug, data: FeedCreate) -> FeedPublic:
    operator = actions.get_operator(db, slug)
    feed = actions.create_feed(
        db, operator, data.slug, data.kind, source_url=str(data.source_url or "")
    )
    feed.poll_seconds = data.poll_seconds
    db.commit()
    return FeedPublic(
        id=feed.id,
        slug=feed.slug,
        kind=feed.kind,
        source_url=feed.source_url,
        current=None,
        last_attempt=None,
    )


@router.post(
    "/feeds/{feed_id}/imports",
    response_model=ImportPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Import a feed (staff): a GTFS zip as the body, or fetch a GBFS feed's source",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def import_feed(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    staff: StaffDep,
    feed_id: Id,
    strict: Annotated[bool, Query(description="Refuse a feed with any error")] = False,
) -> ImportPublic:
    feed = actions.get_feed(db, feed_id)
    if feed.kind == FeedKind.GTFS:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD:
                raise InvalidInput(_("The feed is larger than 300 MB."))
        if not body:
            raise InvalidInput(_("Send the GTFS zip as the request body."))
        done = actions.import_gtfs(db, ctx.storage, feed, bytes(body), user=staff, strict=strict)
    else:
        if not feed.source_url:
            raise InvalidInput(_("This GBFS feed has no source URL to fetch."))
        try:
            files = actions.fetch_gbfs(feed.source_url)
        except OSError as error:
            raise InvalidInput(_("Could not fetch the feed: {error}").format(error=error)) from None
        done = actions.import_gbfs(db, ctx.storage, feed, files, user=staff)
    published = publish_import(done, ctx.settings.base_url)
    assert published is not None
    if done.status == ImportStatus.REFUSED:
        raise InvalidInput(
            _("The feed was refused ({n} errors); the previous one is kept.").format(
                n=done.error_count
            ),
            errors=[{"import_id": done.id}, *done.problems[:50]],
        )
    return published


@router.get(
    "/feeds/{feed_id}/imports", response_model=list[ImportPublic], summary="Imports of a feed"
)
def list_imports(db: DbDep, ctx: CtxDep, feed_id: Id) -> list[ImportPublic]:
    actions.get_feed(db, feed_id)
    rows = queries.imports_of(db, feed_id)
    return [p for r in rows if (p := publish_import(r, ctx.settings.base_url)) is not None]


@router.get("/stations", summary="Bike-share stations with their live status (GeoJSON)")
def stations(
    db: DbDep, feed: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None
) -> dict[str, Any]:
    return queries.stations_geojson(db, feed)


@router.get("/vehicles", summary="Free-floating shared vehicles available now (GeoJSON)")
def vehicles(db: DbDep) -> dict[str, Any]:
    return queries.vehicles_geojson(db)


@router.get("/stops", response_model=list[StopPublic], summary="Find stops by name")
def find_stops(
    request: Request, db: DbDep, q: Annotated[str, Query(min_length=2, max_length=80)]
) -> list[StopPublic]:
    network = network_cache(request).get(db)
    if network is None:
        return []
    return [journeys.stop_public(network, i) for i in network.find_stops(q)]


@router.get("/plan", summary="Plan a journey")
def plan(
    request: Request,
    db: DbDep,
    params: Annotated[journeys.PlanQuery, Query()],
) -> dict[str, Any]:
    return journeys.plan_journeys(db, network_cache(request), params.to_request())


@router.get("/isochrone", summary="Where can I be within N minutes (GeoJSON)")
def isochrone(
    request: Request,
    db: DbDep,
    params: Annotated[journeys.IsochroneQuery, Query()],
) -> dict[str, Any]:
    return journeys.reach(db, network_cache(request), params)


@open_data.get("/imports/{import_id}", summary="A feed as imported and validated")
def download_import(db: DbDep, ctx: CtxDep, import_id: Id) -> Response:
    row = queries.get_import(db, import_id)
    if row is None or row.file_key is None:
        raise NotFound(_("No such feed file."))
    data, _type = ctx.storage.load(row.file_key)
    extension = "zip" if row.file_key.endswith(".zip") else "json"
    return Response(
        data,
        media_type="application/zip" if extension == "zip" else "application/json",
        headers={
            "Content-Disposition": f'attachment; filename="feed-{row.feed_id}-{row.id}.{extension}"'
        },
    )


@open_data.get("/{slug}/gbfs.json", summary="GBFS 2.3 discovery of an operator's stations")
def gbfs_discovery(db: DbDep, ctx: CtxDep, slug: Slug) -> dict[str, Any]:
    return opendata.discovery(db, slug, ctx.settings.base_url)


@open_data.get("/{slug}/system_information.json", summary="GBFS 2.3 system information")
def gbfs_system(db: DbDep, slug: Slug) -> dict[str, Any]:
    return opendata.system_information(db, slug)


@open_data.get("/{slug}/station_information.json", summary="GBFS 2.3 station information")
def gbfs_information(db: DbDep, slug: Slug) -> dict[str, Any]:
    return opendata.station_information(db, slug)


@open_data.get("/{slug}/station_status.json", summary="GBFS 2.3 station status")
def gbfs_status(db: DbDep, slug: Slug) -> dict[str, Any]:
    return opendata.station_status(db, slug)
