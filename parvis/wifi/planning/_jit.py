"""The one place numba is imported: a typed `jit` decorator (compiled once, cached on disk)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def jit(func: F) -> F:
    """numba.njit with an on-disk cache (the first call of a fresh checkout compiles, a few
    seconds; later processes load the machine code)."""
    return cast(F, numba.njit(cache=True, nogil=True)(func))
