from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.kernel.auth.models import ApiToken, User, WebSession
from parvis.kernel.auth.tokens import hash_token
from parvis.kernel.db import utcnow


def user_for_session(db: Session, token: str) -> User | None:
    record = db.get(WebSession, hash_token(token))
    if record is None or record.expires_at < utcnow():
        return None
    return db.get(User, record.user_id)


def user_for_api_token(db: Session, token: str) -> User | None:
    if not token.startswith("pv_"):
        return None
    user_id = db.scalar(
        select(ApiToken.user_id).where(ApiToken.token_hash == hash_token(token[3:]))
    )
    return db.get(User, user_id) if user_id is not None else None


def list_users(db: Session, search: str = "", limit: int = 200) -> list[User]:
    query = select(User).order_by(User.id).limit(limit)
    if search:
        query = query.where(User.email.contains(search.lower()))
    return list(db.scalars(query))


def export_account(db: Session, user: User) -> dict[str, Any]:
    tokens = db.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": str(user.role),
        "arrondissement": user.arrondissement,
        "locale": user.locale,
        "email_confirmed_at": user.email_confirmed_at.isoformat()
        if user.email_confirmed_at
        else None,
        "created_at": user.created_at.isoformat(),
        "api_tokens": [{"name": t.name, "created_at": t.created_at.isoformat()} for t in tokens],
    }
