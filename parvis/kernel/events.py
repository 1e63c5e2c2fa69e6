"""In-process domain events, published after commit; handlers are wired by the app factory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type, handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def publish(self, event: object) -> None:
        for handler in self._handlers[type(event)]:
            handler(event)


@dataclass(frozen=True)
class TargetChanged:
    """Something people can follow changed (a project's status, a journal entry, ...).

    The message is a message id and its parameters, translated for each reader.
    """

    target_type: str
    target_id: int
    message_id: str
    params: dict[str, Any]
    link: str
