"""Background jobs: procrastinate (a PostgreSQL queue, run by `parvis worker`) in production,
a thread in the web process in the embedded default. Jobs are registered by name."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

import procrastinate

from parvis.kernel.settings import Settings

log = logging.getLogger("parvis.jobs")
JobFunction = Callable[..., None]


def conninfo(database_url: str) -> str:
    """procrastinate speaks libpq: drop SQLAlchemy's driver suffix."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


class Jobs:
    """Defer named jobs; where they run depends on the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.functions: dict[str, JobFunction] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []
        self._queue: procrastinate.App | None = None

    def register(self, name: str, function: JobFunction) -> None:
        self.functions[name] = function

    def defer(self, name: str, **kwargs: Any) -> None:
        if name not in self.functions:
            raise KeyError(f"unknown job {name!r}")
        if self.settings.run_jobs_in_process:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")
            self._futures.append(self._executor.submit(self._run, name, kwargs))
            return
        self.queue(sync=True).configure_task(name=name).defer(**kwargs)

    def _run(self, name: str, kwargs: dict[str, Any]) -> None:
        try:
            self.functions[name](**kwargs)
        except Exception:
            log.exception("job %s failed", name)

    def drain(self) -> None:
        """Wait for the in-process jobs deferred so far (used at shutdown and by tests)."""
        while self._futures:  # a job may defer more jobs
            futures, self._futures = self._futures, []
            wait(futures)

    def queue(self, *, sync: bool) -> procrastinate.App:
        if self._queue is None:
            connector: procrastinate.BaseConnector
            if sync:
                connector = procrastinate.SyncPsycopgConnector(
                    conninfo=conninfo(self.settings.database_url)
                )
            else:
                connector = procrastinate.PsycopgConnector(
                    conninfo=conninfo(self.settings.database_url)
                )
            app = procrastinate.App(connector=connector)
            for name, function in self.functions.items():
                app.task(name=name, retry=3, pass_context=False)(function)
            self._queue = app.open() if sync else app
        return self._queue

    def close(self) -> None:
        self.drain()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._queue is not None and isinstance(
            self._queue.connector, procrastinate.SyncPsycopgConnector
        ):
            self._queue.close()

    def run_worker(self) -> None:
        """Run the procrastinate worker until interrupted (`parvis worker`)."""
        self.queue(sync=False).run_worker(wait=True, install_signal_handlers=True)

    def apply_schema(self) -> bool:
        """Create procrastinate's tables on PostgreSQL once; True when it did."""
        import psycopg

        with psycopg.connect(conninfo(self.settings.database_url), autocommit=True) as conn:
            exists = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if exists and exists[0]:
                return False
        app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(
                conninfo=conninfo(self.settings.database_url)
            )
        )
        with app.open():
            app.schema_manager.apply_schema()
        return True
