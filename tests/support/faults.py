"""Failures a loopback API mock can be told to inject, per API path.

Two kinds, because a client must treat them differently: an answer given instead of
doing the work (the provider refused: nothing happened), and a reply dropped after doing
it (the caller cannot tell whether it happened, the window idempotency has to cover).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]


class Faults:
    def __init__(self, prefix: str, error: Callable[[int, str], JSON]) -> None:
        self.prefix, self.error = prefix, error  # path prefix ("/cgi-bin/"), errcode body
        self._lock = threading.Lock()
        self._answers: dict[str, list[JSON]] = {}
        self._lost: dict[str, int] = {}

    def fail_next(self, endpoint: str, errcode: int, errmsg: str = "error", times: int = 1
                  ) -> None:
        """The next `times` calls to `endpoint` answer this errcode and do nothing."""
        with self._lock:
            self._answers.setdefault(self.prefix + endpoint, []).extend(
                [self.error(errcode, errmsg)] * times)

    def lose_reply(self, endpoint: str, times: int = 1) -> None:
        """The next `times` calls to `endpoint` do their work, then the connection closes
        without an answer."""
        with self._lock:
            self._lost[self.prefix + endpoint] = times

    def answer_instead(self, path: str) -> JSON | None:
        with self._lock:
            queued = self._answers.get(path)
            return queued.pop(0) if queued else None

    def drop_reply(self, path: str) -> bool:
        with self._lock:
            if not self._lost.get(path):
                return False
            self._lost[path] -= 1
            return True
