"""Who writes to the SensorThings API: staff (an API token, or e-mail and password over Basic,
as frost-sta-client and QGIS send them) or a device with its own credential."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from parvis.kernel.auth import Role, User
from parvis.kernel.auth.actions import authenticate
from parvis.kernel.auth.queries import user_for_api_token
from parvis.kernel.context import Context
from parvis.kernel.db import utcnow
from parvis.kernel.errors import InvalidInput, TooManyRequests
from parvis.sensing.models import DeviceCredential, Thing
from parvis.sensing.mqtt.mosquitto import hash_password as mosquitto_hash
from parvis.sensing.queries import ANONYMOUS, StaError, Viewer

_CACHE_SECONDS: Final = 300.0


@dataclass(frozen=True)
class IssuedCredential:
    username: str
    secret: str  # shown once, never stored


def issue_credential(db: Session, thing_id: int, label: str = "") -> IssuedCredential:
    """A new credential for a device of `thing_id`; the secret is only returned here."""
    if db.get(Thing, thing_id) is None:
        raise InvalidInput(f"no Thing with id {thing_id}")
    username = f"device-{thing_id}-{secrets.token_hex(4)}"
    secret = secrets.token_urlsafe(32)
    db.add(
        DeviceCredential(
            thing_id=thing_id,
            username=username,
            token_hash=hash_secret(secret),
            mqtt_hash=mosquitto_hash(secret),
            label=label,
        )
    )
    db.commit()
    return IssuedCredential(username, secret)


def revoke_credential(db: Session, username: str) -> None:
    db.execute(
        update(DeviceCredential)
        .where(DeviceCredential.username == username)
        .values(revoked_at=utcnow())
    )
    db.commit()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_viewer(conn: Connection, *, username: str | None, secret: str) -> Viewer | None:
    """The device whose secret this is (and whose name, if given), or None."""
    table = DeviceCredential.__table__
    row = conn.execute(
        select(table.c.username, table.c.thing_id).where(
            table.c.token_hash == hash_secret(secret), table.c.revoked_at.is_(None)
        )
    ).one_or_none()
    if row is None or (username is not None and row.username != username):
        return None
    return Viewer(staff=False, things=frozenset({row.thing_id}), username=row.username)


class StaffBasicCache:
    """Accounts signing in with Basic on every request: argon2 once, then a short in-process
    memory of the SHA-256 of what was accepted (a request must not cost 50 ms of hashing)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, Viewer]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Viewer | None:
        with self._lock:
            hit = self._seen.get(key)
            if hit is None or hit[0] < time.monotonic():
                self._seen.pop(key, None)
                return None
            return hit[1]

    def put(self, key: str, viewer: Viewer) -> None:
        with self._lock:
            self._seen[key] = (time.monotonic() + _CACHE_SECONDS, viewer)


def account_viewer(user: User) -> Viewer:
    """Staff write; any other account reads like everyone (a write is then a 403, not a 401:
    the credentials are right, the account lacks the right)."""
    return Viewer(staff=user.has_role(Role.STAFF), username=user.email)


def viewer_for(
    ctx: Context, authorization: str | None, client: str, cache: StaffBasicCache
) -> Viewer:
    """The viewer of a request from its Authorization header; bad credentials are a 401."""
    if not authorization:
        return ANONYMOUS
    scheme, _sep, value = authorization.partition(" ")
    value = value.strip()
    scheme = scheme.lower()
    if scheme == "bearer" and value:
        with ctx.engine.connect() as conn:
            device = device_viewer(conn, username=None, secret=value)
        if device is not None:
            return device
        with ctx.sessions() as db:
            user = user_for_api_token(db, value)
            if user is not None:
                return account_viewer(user)
        raise StaError(401, "unknown or revoked token")
    if scheme == "basic" and value:
        try:
            name, _s, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise StaError(401, "malformed Basic credentials") from None
        return basic_viewer(ctx, name, secret, client, cache)
    raise StaError(401, "use Basic or Bearer authorization")


def basic_viewer(
    ctx: Context, name: str, secret: str, client: str, cache: StaffBasicCache
) -> Viewer:
    with ctx.engine.connect() as conn:
        device = device_viewer(conn, username=name, secret=secret)
    if device is not None:
        return device
    key = hashlib.sha256(f"{name}\0{secret}".encode()).hexdigest()
    if (known := cache.get(key)) is not None:
        return known
    with ctx.sessions() as db:
        try:
            user = authenticate(ctx, db, email=name, password=secret, client=client)
        except TooManyRequests as e:
            raise StaError(429, str(e)) from None
        except InvalidInput:
            raise StaError(401, "wrong user name or password") from None
        viewer = account_viewer(user)
        cache.put(key, viewer)
        return viewer


def insert_credential(conn: Connection, thing_id: int, username: str, secret: str) -> None:
    """For the demo and benchmarks: a credential with a chosen secret."""
    conn.execute(
        insert(DeviceCredential).values(
            thing_id=thing_id,
            username=username,
            token_hash=hash_secret(secret),
            mqtt_hash=mosquitto_hash(secret),
            label="",
            created_at=utcnow(),
        )
    )
