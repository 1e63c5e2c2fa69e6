"""Notifications to residents: a row they see on the site, and a mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from parvis.kernel.auth.models import User
from parvis.kernel.context import Context
from parvis.kernel.db import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(400))
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


def notify(ctx: Context, db: Session, user_ids: list[int], message: str, link: str) -> None:
    if not user_ids:
        return
    db.add_all(Notification(user_id=uid, message=message, link=link) for uid in user_ids)
    emails = list(db.scalars(select(User.email).where(User.id.in_(user_ids))))
    db.commit()
    for email in emails:
        ctx.send_mail(email, message, f"{message}\n{ctx.settings.base_url}{link}\n")


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
