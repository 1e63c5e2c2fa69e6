"""What actions need beyond a database session: settings, jobs and the event bus."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from parvis.kernel.events import EventBus
from parvis.kernel.jobs import Jobs
from parvis.kernel.settings import Settings
from parvis.kernel.storage import Storage


@dataclass
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    jobs: Jobs
    events: EventBus
    storage: Storage

    def send_mail(self, to: str, subject: str, body: str) -> None:
        self.jobs.defer("send_mail", to=to, subject=subject, body=body)
