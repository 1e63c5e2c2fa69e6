"""Every write on accounts: sign-up, confirmation, sign-in/out, reset, roles, deletion."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parvis.kernel.auth.models import (
    ApiToken,
    OneTimeToken,
    Role,
    SigninFailure,
    User,
    WebSession,
)
from parvis.kernel.auth.passwords import (
    DUMMY_HASH,
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from parvis.kernel.auth.tokens import hash_token, new_token
from parvis.kernel.context import Context
from parvis.kernel.db import utcnow
from parvis.kernel.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from parvis.kernel.i18n import gettext as _

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONFIRM, RESET = "confirm", "reset"
TOKEN_LIFETIME = {CONFIRM: timedelta(days=3), RESET: timedelta(hours=2)}


class AccountDeleted:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidInput(_("Enter a valid email address."))
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(_("The password must have at least 10 characters."))
    if len(password) > 1024:
        raise InvalidInput(_("The password is too long."))


def sign_up(
    ctx: Context,
    db: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    arrondissement: int | None = None,
    locale: str = "fr",
    role: Role = Role.RESIDENT,
    confirmed: bool = False,
) -> User:
    email = normalise_email(email)
    check_password(password)
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 80:
        raise InvalidInput(_("Enter a name of 1 to 80 characters."))
    if arrondissement is not None and not 1 <= arrondissement <= 20:
        raise InvalidInput(_("The arrondissement is a number from 1 to 20."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        arrondissement=arrondissement,
        locale=locale,
        role=role,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    try:
        with db.begin_nested():
            db.add(user)
    except IntegrityError:
        raise Conflict(_("An account already uses this email address.")) from None
    token = None if confirmed else _issue_token(db, user, CONFIRM)
    db.commit()
    if token:
        link = f"{ctx.settings.base_url}/account/confirm/{token}"
        ctx.send_mail(
            user.email,
            _("Confirm your Parvis account"),
            _("Welcome to Parvis! Open this link to confirm your address:") + f"\n{link}\n",
        )
    return user


def _issue_token(db: Session, user: User, purpose: str) -> str:
    token, token_hash = new_token()
    db.add(
        OneTimeToken(
            token_hash=token_hash,
            user_id=user.id,
            purpose=purpose,
            expires_at=utcnow() + TOKEN_LIFETIME[purpose],
        )
    )
    return token


def _use_token(db: Session, token: str, purpose: str) -> User:
    record = db.get(OneTimeToken, hash_token(token))
    if (
        record is None
        or record.purpose != purpose
        or record.used_at is not None
        or record.expires_at < utcnow()
    ):
        raise InvalidInput(_("This link is invalid or has expired."))
    record.used_at = utcnow()
    user = db.get(User, record.user_id)
    if user is None:
        raise InvalidInput(_("This link is invalid or has expired."))
    return user


def confirm_email(db: Session, token: str) -> User:
    user = _use_token(db, token, CONFIRM)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.commit()
    return user


def _recent_failures(db: Session, key: str, since_seconds: int) -> int:
    since = utcnow() - timedelta(seconds=since_seconds)
    count = db.scalar(
        select(func.count()).where(SigninFailure.key == key, SigninFailure.at >= since)
    )
    return count or 0


def authenticate(ctx: Context, db: Session, *, email: str, password: str, client: str) -> User:
    """Check the credentials, counting failures per account and per client address."""
    settings = ctx.settings
    email = email.strip().lower()[:254]
    keys = [f"email:{email}", f"client:{client}"]
    for key in keys:
        if _recent_failures(db, key, settings.signin_window_seconds) >= settings.signin_attempts:
            raise TooManyRequests(_("Too many failed sign-ins. Try again in a few minutes."))
    user = db.scalar(select(User).where(User.email == email))
    valid = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not valid:
        db.add_all(SigninFailure(key=key) for key in keys)
        db.commit()
        raise InvalidInput(_("Wrong email address or password."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.execute(delete(SigninFailure).where(SigninFailure.key == f"email:{email}"))
    db.commit()
    return user


def open_session(ctx: Context, db: Session, user: User) -> str:
    token, token_hash = new_token()
    expires = utcnow() + timedelta(days=ctx.settings.session_days)
    db.add(WebSession(token_hash=token_hash, user_id=user.id, expires_at=expires))
    db.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    db.commit()
    return token


def close_session(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))
    db.commit()


def request_password_reset(ctx: Context, db: Session, email: str) -> None:
    """Always looks the same from outside, so that it does not reveal who has an account."""
    user = db.scalar(select(User).where(User.email == email.strip().lower()[:254]))
    if user is None:
        return
    token = _issue_token(db, user, RESET)
    db.commit()
    link = f"{ctx.settings.base_url}/account/reset/{token}"
    ctx.send_mail(
        user.email,
        _("Reset your Parvis password"),
        _("Open this link within two hours to choose a new password:") + f"\n{link}\n",
    )


def reset_password(db: Session, token: str, password: str) -> User:
    check_password(password)
    user = _use_token(db, token, RESET)
    user.password_hash = hash_password(password)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    db.commit()
    return user


def change_profile(
    db: Session, user: User, *, display_name: str, arrondissement: int | None, locale: str
) -> User:
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 80:
        raise InvalidInput(_("Enter a name of 1 to 80 characters."))
    if arrondissement is not None and not 1 <= arrondissement <= 20:
        raise InvalidInput(_("The arrondissement is a number from 1 to 20."))
    user.display_name = display_name
    user.arrondissement = arrondissement
    user.locale = locale if locale in ("fr", "en") else "fr"
    db.commit()
    return user


def grant_role(db: Session, user_id: int, role: Role) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    user.role = role
    db.commit()
    return user


def create_api_token(db: Session, user: User, name: str) -> str:
    name = name.strip() or "API"
    token, token_hash = new_token()
    db.add(ApiToken(token_hash=token_hash, user_id=user.id, name=name[:80]))
    db.commit()
    return f"pv_{token}"


def delete_account(ctx: Context, db: Session, user: User) -> None:
    """GDPR erasure: the account goes; other domains erase or anonymise on the event."""
    user_id = user.id
    db.delete(user)
    db.commit()
    ctx.events.publish(AccountDeleted(user_id))
