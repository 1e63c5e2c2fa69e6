"""The app factory: everything is built here from the settings, nothing at import time."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import event
from sqlalchemy.orm import Session

from parvis import __version__, participation
from parvis.indicators import actions as indicator_actions
from parvis.indicators import pillar_label
from parvis.indicators.models import Pillar
from parvis.indicators.schemas import MeasurementCreate, ObjectiveCreate
from parvis.kernel.auth import User
from parvis.kernel.auth.actions import AccountDeleted
from parvis.kernel.context import Context
from parvis.kernel.db import REQUEST_THREADS, make_engine, make_session_factory
from parvis.kernel.events import EventBus, TargetChanged
from parvis.kernel.i18n import ordinal
from parvis.kernel.jobs import Jobs
from parvis.kernel.mail import send_mail
from parvis.kernel.settings import Settings
from parvis.kernel.storage import make_storage
from parvis.kernel.web.errors import install_error_handlers
from parvis.kernel.web.middleware import RefuseNul, RequestContextMiddleware, RequestSlots
from parvis.kernel.web.templating import make_environment
from parvis.mobility.api import open_data as mobility_open_data
from parvis.mobility.api import router as mobility_api
from parvis.mobility.network import NetworkCache
from parvis.mobility.pages import router as mobility_pages
from parvis.participation.budgets import actions as budget_actions
from parvis.participation.budgets import queries as budget_queries
from parvis.participation.budgets.api import router as budgets_api
from parvis.participation.budgets.counting import WinnersPublished
from parvis.participation.budgets.pages import router as budgets_pages
from parvis.participation.consultations.api import router as consultations_api
from parvis.participation.consultations.pages import router as consultations_pages
from parvis.participation.proposals import actions as proposal_actions
from parvis.participation.proposals.actions import ProposalBecameProject
from parvis.participation.proposals.api import router as proposals_api
from parvis.participation.proposals.pages import router as proposals_pages
from parvis.projects import actions as project_actions
from parvis.projects.api import router as projects_api
from parvis.projects.labels import status_label
from parvis.projects.pages import router as projects_pages
from parvis.projects.schemas import ProjectCreate
from parvis.projects.tools import ConnectedAsset, ToolRegistry
from parvis.sensing import overview as sensing_overview
from parvis.sensing.api import router as sensing_api
from parvis.sensing.pages import router as sensing_pages
from parvis.sensing.runtime import SensingRuntime
from parvis.sensing.sqlfilter import install_sqlite_functions
from parvis.sensing.staff import router as sensing_staff_api
from parvis.territory.api import router as territory_api
from parvis.web import account, admin, home, media
from parvis.wifi import queries as wifi_queries
from parvis.wifi.actions import PlanWasAttached
from parvis.wifi.api import router as wifi_api
from parvis.wifi.pages import router as wifi_pages

PACKAGE = Path(__file__).resolve().parent
TEMPLATE_DIRS = [
    PACKAGE / "web" / "templates",
    PACKAGE / "projects" / "templates",
    PACKAGE / "participation" / "proposals" / "templates",
    PACKAGE / "participation" / "budgets" / "templates",
    PACKAGE / "participation" / "consultations" / "templates",
    PACKAGE / "mobility" / "templates",
    PACKAGE / "wifi" / "templates",
    PACKAGE / "sensing" / "templates",
]
DESCRIPTION = """The open API of Parvis: city projects, their objectives and supports.

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) `application/problem+json`.
Writes need a personal token (`Authorization: Bearer pv_...`, created on your account page)
or a session cookie with the `X-CSRF-Token` header."""


def build_context(settings: Settings) -> Context:
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        # SQLite lacks the spatial functions of SensorThings filters: shapely provides them.
        event.listen(engine, "connect", lambda conn, _record: install_sqlite_functions(conn))
    ctx = Context(
        settings,
        engine,
        make_session_factory(engine),
        Jobs(settings),
        EventBus(),
        make_storage(settings),
    )
    ctx.jobs.register("send_mail", lambda to, subject, body: send_mail(settings, to, subject, body))
    ctx.jobs.register(
        "notify_followers",
        lambda **event: participation.notify_followers(ctx, TargetChanged(**event)),
    )
    ctx.events.subscribe(
        TargetChanged,
        lambda e: ctx.jobs.defer("notify_followers", **dataclasses.asdict(e)),
    )
    ctx.events.subscribe(AccountDeleted, lambda e: project_actions.forget_author(ctx, e.user_id))
    ctx.events.subscribe(ProposalBecameProject, lambda e: make_project_of_proposal(ctx, e))
    ctx.events.subscribe(WinnersPublished, lambda e: make_projects_of_winners(ctx, e))
    ctx.events.subscribe(PlanWasAttached, lambda e: make_objective_of_wifi_plan(ctx, e))
    ctx.events.subscribe(sensing_overview.FeedMeasured, lambda e: record_feed(ctx, e))
    return ctx


def make_objective_of_wifi_plan(ctx: Context, event: PlanWasAttached) -> None:
    """A Wi-Fi plan attached to a project gives it an objective: the share of residents
    within reach of the public Wi-Fi, from today's to the plan's (measured today)."""
    baseline, target = round(100 * event.baseline_share, 1), round(100 * event.target_share, 1)
    if baseline == target:
        return
    with ctx.sessions() as db:
        objective = indicator_actions.add_objective(
            db,
            event.project_id,
            ObjectiveCreate(
                pillar=Pillar.SOCIAL,
                indicator=f"Habitants à portée du Wi-Fi public ({event.title})"[:160],
                unit="%",
                baseline=baseline,
                target=target,
            ),
        )
        indicator_actions.record_measurement(
            db,
            objective.id,
            MeasurementCreate(value=baseline, measured_on=date.today()),
            user_id=None,
        )


def record_feed(ctx: Context, event: sensing_overview.FeedMeasured) -> None:
    """A Datastream that measures a project objective gives it a measurement."""
    with ctx.sessions() as db:
        indicator_actions.record_measurement(
            db,
            event.objective_id,
            MeasurementCreate(value=event.value, measured_on=event.measured_on),
            user_id=None,
            source="sensor",
        )


class SensingTools:
    """The public Things serving a project (its sensors and actuators) are among its tools."""

    def assets_for_project(self, db: Session, project_id: int) -> list[ConnectedAsset]:
        return [
            ConnectedAsset(
                kind=thing.kind,
                name=thing.name,
                url=f"/sensing/things/{thing.id}",
                status=f"{thing.datastreams} datastreams" if thing.kind == "sensor" else "",
            )
            for thing in sensing_overview.public_things(db, project_id=project_id)
        ]


class WifiTools:
    """The Wi-Fi plans attached to a project are among its connected-city tools."""

    def assets_for_project(self, db: Session, project_id: int) -> list[ConnectedAsset]:
        return [
            ConnectedAsset(
                kind="wifi-plan",
                name=plan.title,
                url=f"/wifi/plans/{plan.id}",
                status=f"{plan.summary.get('new_sites', 0)} new sites",
            )
            for plan in wifi_queries.plans_of_project(db, project_id)
        ]


def make_project_of_proposal(ctx: Context, event: ProposalBecameProject) -> None:
    """The projects domain takes up a proposal that staff turned into a city project."""
    with ctx.sessions() as db:
        staff = db.get(User, event.staff_id)
        if staff is None:
            return
        data = ProjectCreate.model_validate(
            {
                "title": event.title,
                "summary": event.summary,
                "description": event.description,
                "department": "Ville de Paris",
                "arrondissements": [event.arrondissement] if event.arrondissement else [],
                "geometry": event.geometry,
            }
        )
        project = project_actions.create_project(db, staff, data)
        proposal_actions.link_city_project(db, event.proposal_id, project.id)


def make_projects_of_winners(ctx: Context, event: WinnersPublished) -> None:
    """Each winning budget project becomes a city project that residents can follow."""
    with ctx.sessions() as db:
        for winner in budget_queries.winners_to_build(db, event.budget_project_ids):
            data = ProjectCreate.model_validate(
                {
                    "title": winner.title,
                    "summary": winner.summary,
                    "description": winner.description,
                    "department": "Budget participatif",
                    "arrondissements": [winner.arrondissement] if winner.arrondissement else [],
                    "budget_eur": winner.cost_eur,
                    "geometry": winner.geometry,
                }
            )
            project = project_actions.create_project(db, None, data)
            budget_actions.link_city_project(db, winner.id, project.id)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    ctx = build_context(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        app.state.sensing.start()
        yield
        app.state.sensing.stop()
        ctx.jobs.close()
        ctx.engine.dispose()

    app = FastAPI(
        title="Parvis API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        license_info={"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    )
    app.state.ctx = ctx
    app.state.tools = ToolRegistry()
    app.state.tools.register(WifiTools())
    app.state.tools.register(SensingTools())
    app.state.mobility_network = NetworkCache(ctx)
    app.state.sensing = SensingRuntime(ctx)
    app.state.jinja = make_environment(
        TEMPLATE_DIRS,
        {
            "version": __version__,
            "status_label": status_label,
            "pillar_label": pillar_label,
            "ordinal": ordinal,
        },
    )
    for router in (
        home.router,
        media.router,
        account.router,
        admin.router,
        projects_pages,
        projects_api,
        proposals_api,
        proposals_pages,
        budgets_api,
        budgets_pages,
        territory_api,
        consultations_pages,
        consultations_api,
        mobility_pages,
        mobility_api,
        mobility_open_data,
        wifi_pages,
        wifi_api,
        sensing_api,
        sensing_pages,
        sensing_staff_api,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=PACKAGE / "web" / "static"), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Parvis API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        default_locale=settings.default_locale,
        secure_cookies=settings.cookies_secure,
    )
    app.add_middleware(RefuseNul)
    app.add_middleware(RequestSlots, slots=REQUEST_THREADS)
    logging.getLogger("parvis").setLevel(logging.INFO)
    return app
