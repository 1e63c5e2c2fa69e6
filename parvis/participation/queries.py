from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.db import pairs
from parvis.participation.models import Comment, CommentReport, CommentState, Follow, Support


@dataclass
class CommentView:
    id: int
    author: str | None
    body: str
    created_at: datetime
    hidden: bool
    moderation_reason: str
    parent_id: int | None
    replies: list[CommentView] = field(default_factory=list)


def comments_of(db: Session, target_type: str, target_id: int) -> list[CommentView]:
    """The threads of a target: top-level comments in order, each with its replies nested."""
    rows = db.execute(
        select(Comment, User.display_name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.target_type == target_type, Comment.target_id == target_id)
        .order_by(Comment.created_at, Comment.id)
    )
    views = {
        c.id: CommentView(
            id=c.id,
            author=name,
            body="" if c.state == CommentState.HIDDEN else c.body,
            created_at=c.created_at,
            hidden=c.state == CommentState.HIDDEN,
            moderation_reason=c.moderation_reason,
            parent_id=c.parent_id,
        )
        for c, name in rows
    }
    threads: list[CommentView] = []
    for view in views.values():
        parent = views.get(view.parent_id) if view.parent_id is not None else None
        (parent.replies if parent is not None else threads).append(view)
    return threads


def comment_count(db: Session, target_type: str, target_id: int) -> int:
    count = db.scalar(
        select(func.count()).where(
            Comment.target_type == target_type, Comment.target_id == target_id
        )
    )
    return count or 0


@dataclass(frozen=True)
class ReportedComment:
    comment_id: int
    target_type: str
    target_id: int
    body: str
    state: str
    reports: int
    reasons: list[str]


def reported_comments(db: Session) -> list[ReportedComment]:
    reports: dict[int, list[str]] = {}
    for comment_id, reason in db.execute(
        select(CommentReport.comment_id, CommentReport.reason)
        .where(CommentReport.resolved.is_(False))
        .order_by(CommentReport.id)
    ):
        reports.setdefault(comment_id, []).append(reason)
    if not reports:
        return []
    comments = db.scalars(select(Comment).where(Comment.id.in_(reports)).order_by(Comment.id))
    return [
        ReportedComment(
            c.id,
            c.target_type,
            c.target_id,
            c.body,
            str(c.state),
            len(reports[c.id]),
            reports[c.id],
        )
        for c in comments
    ]


def hidden_comments(db: Session, limit: int = 100) -> list[Comment]:
    query = (
        select(Comment)
        .where(Comment.state == CommentState.HIDDEN)
        .order_by(Comment.moderated_at.desc())
        .limit(limit)
    )
    return list(db.scalars(query))


def support_counts(db: Session, target_type: str) -> dict[int, int]:
    rows = db.execute(
        select(Support.target_id, func.count())
        .where(Support.target_type == target_type)
        .group_by(Support.target_id)
    )
    return pairs(rows)


def support_count(db: Session, target_type: str, target_id: int) -> int:
    count = db.scalar(
        select(func.count()).where(
            Support.target_type == target_type, Support.target_id == target_id
        )
    )
    return count or 0


def follower_count(db: Session, target_type: str, target_id: int) -> int:
    count = db.scalar(
        select(func.count()).where(Follow.target_type == target_type, Follow.target_id == target_id)
    )
    return count or 0


def relation_of(db: Session, user_id: int, target_type: str, target_id: int) -> tuple[bool, bool]:
    """(follows, supports) of a user for one target."""
    follows = db.scalar(
        select(Follow.id).where(
            Follow.user_id == user_id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )
    supports = db.scalar(
        select(Support.id).where(
            Support.user_id == user_id,
            Support.target_type == target_type,
            Support.target_id == target_id,
        )
    )
    return follows is not None, supports is not None


def export_participation(db: Session, user_id: int) -> dict[str, Any]:
    def rows(items: Iterable[Follow | Support]) -> list[dict[str, Any]]:
        return [
            {
                "target_type": r.target_type,
                "target_id": r.target_id,
                "created_at": r.created_at.isoformat(),
            }
            for r in items
        ]

    comments = db.scalars(select(Comment).where(Comment.author_id == user_id))
    reports = db.scalars(select(CommentReport).where(CommentReport.reporter_id == user_id))
    return {
        "comments": [
            {
                "target_type": c.target_type,
                "target_id": c.target_id,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
                "state": str(c.state),
            }
            for c in comments
        ],
        "comment_reports": [
            {"comment_id": r.comment_id, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in reports
        ],
        "follows": rows(db.scalars(select(Follow).where(Follow.user_id == user_id))),
        "supports": rows(db.scalars(select(Support).where(Support.user_id == user_id))),
    }
