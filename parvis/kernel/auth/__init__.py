"""Accounts, roles, server-side sessions, one-time tokens and API tokens."""

from parvis.kernel.auth.models import Role, User

__all__ = ["Role", "User"]
