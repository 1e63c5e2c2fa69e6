"""Co-construction writes: comments and their moderation, follows, supports."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.kernel.db import utcnow
from parvis.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from parvis.kernel.events import TargetChanged
from parvis.kernel.i18n import gettext as _
from parvis.kernel.notifications import notify
from parvis.participation.models import (
    Comment,
    CommentReport,
    CommentState,
    Follow,
    Support,
)

MAX_COMMENT = 5000


def _insert_once(db: Session, row: object) -> bool:
    """Insert in a savepoint: a unique violation leaves the rest of the session untouched."""
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        return False
    db.commit()
    return True


def _require_confirmed(user: User) -> None:
    if not user.is_confirmed:
        raise Forbidden(_("Confirm your email address first: we sent you a link."))


def add_comment(
    db: Session,
    user: User,
    target_type: str,
    target_id: int,
    body: str,
    parent_id: int | None = None,
) -> Comment:
    """A comment, or a reply to another comment on the same target (threads)."""
    _require_confirmed(user)
    body = body.strip()
    if not body:
        raise InvalidInput(_("The comment is empty."))
    if len(body) > MAX_COMMENT:
        raise InvalidInput(_("The comment is too long (5,000 characters at most)."))
    if parent_id is not None:
        parent = db.get(Comment, parent_id)
        if parent is None or (parent.target_type, parent.target_id) != (target_type, target_id):
            raise InvalidInput(_("You can only reply to a comment of the same page."))
    comment = Comment(
        target_type=target_type,
        target_id=target_id,
        author_id=user.id,
        body=body,
        parent_id=parent_id,
    )
    db.add(comment)
    db.commit()
    return comment


def _comment(db: Session, comment_id: int) -> Comment:
    comment = db.get(Comment, comment_id)
    if comment is None:
        raise NotFound(_("No such comment."))
    return comment


def report_comment(db: Session, user: User, comment_id: int, reason: str) -> Comment:
    comment = _comment(db, comment_id)
    reason = reason.strip()
    if not 3 <= len(reason) <= 400:
        raise InvalidInput(_("Say in a few words why you report this comment."))
    if not _insert_once(
        db, CommentReport(comment_id=comment.id, reporter_id=user.id, reason=reason)
    ):
        raise Conflict(_("You have already reported this comment."))
    return comment


def moderate_comment(
    db: Session, moderator: User, comment_id: int, *, hide: bool, reason: str
) -> Comment:
    comment = _comment(db, comment_id)
    reason = reason.strip()
    if hide and not 3 <= len(reason) <= 400:
        raise InvalidInput(_("Give the reason shown to readers in place of the comment."))
    comment.state = CommentState.HIDDEN if hide else CommentState.VISIBLE
    comment.moderation_reason = reason if hide else ""
    comment.moderated_by = moderator.id
    comment.moderated_at = utcnow()
    for report in db.scalars(select(CommentReport).where(CommentReport.comment_id == comment.id)):
        report.resolved = True
    db.commit()
    return comment


def follow(db: Session, user: User, target_type: str, target_id: int) -> None:
    exists = db.scalar(
        select(Follow.id).where(
            Follow.user_id == user.id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )
    if exists is None:  # a concurrent request may follow first: same outcome
        _insert_once(db, Follow(user_id=user.id, target_type=target_type, target_id=target_id))


def unfollow(db: Session, user: User, target_type: str, target_id: int) -> None:
    db.execute(
        delete(Follow).where(
            Follow.user_id == user.id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )
    db.commit()


def support(db: Session, user: User, target_type: str, target_id: int) -> bool:
    """Support once; True when this call added the support."""
    _require_confirmed(user)
    return _insert_once(db, Support(user_id=user.id, target_type=target_type, target_id=target_id))


def withdraw_support(db: Session, user: User, target_type: str, target_id: int) -> bool:
    result = db.execute(
        delete(Support).where(
            Support.user_id == user.id,
            Support.target_type == target_type,
            Support.target_id == target_id,
        )
    )
    db.commit()
    return bool(getattr(result, "rowcount", 0))


def notify_followers(ctx: Context, event: TargetChanged) -> None:
    with ctx.sessions() as db:
        followers = list(
            db.scalars(
                select(Follow.user_id).where(
                    Follow.target_type == event.target_type, Follow.target_id == event.target_id
                )
            )
        )
        notify(ctx, db, followers, event.message_id, event.params, event.link)
