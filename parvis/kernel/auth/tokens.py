import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A random URL-safe token and the SHA-256 that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
