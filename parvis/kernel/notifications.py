"""Notifications to residents: a row they see on the site, and a mail, each in their language.

A notification stores a message id and its parameters, not a text: it is translated when it is
shown or sent, in the language of the person who reads it. Parameters whose name ends in
`_label` are message ids themselves (a stage, a pillar) and are translated too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from parvis.kernel.auth.models import User
from parvis.kernel.context import Context
from parvis.kernel.db import Base, utcnow
from parvis.kernel.i18n import current_locale, gettext


def render_message(message_id: str, params: dict[str, Any]) -> str:
    values = {k: gettext(v) if k.endswith("_label") else v for k, v in params.items()}
    return gettext(message_id) % values


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def message(self) -> str:
        return render_message(self.message_id, self.params)


def notify(
    ctx: Context,
    db: Session,
    user_ids: list[int],
    message_id: str,
    params: dict[str, Any],
    link: str,
) -> None:
    if not user_ids:
        return
    db.add_all(
        Notification(user_id=uid, message_id=message_id, params=params, link=link)
        for uid in user_ids
    )
    recipients = list(db.execute(select(User.email, User.locale).where(User.id.in_(user_ids))))
    db.commit()
    for email, locale in recipients:
        token = current_locale.set(locale)
        try:
            text = render_message(message_id, params)
        finally:
            current_locale.reset(token)
        ctx.send_mail(email, text, f"{text}\n{ctx.settings.base_url}{link}\n")


def notifications_of(db: Session, user_id: int, limit: int = 50) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(db.scalars(query))


def mark_read(db: Session, user_id: int) -> None:
    db.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.commit()
