"""What a worker process sends with, made on first use and never at import.

The state and member stores and the rate limiter are one per process, shared by its
threads; each thread has its own event loop and its own httpx.AsyncClient (a client
belongs to the loop it runs on), with the senders built on it. Everything is keyed by
the process id, so a worker process forked after the parent used them makes its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from copilot.campaigns.dispatch import scheduler
from copilot.campaigns.dispatch.channels.base import Sender
from copilot.campaigns.dispatch.channels.registry import senders
from copilot.campaigns.dispatch.pace import Pace
from copilot.campaigns.dispatch.run import Dispatch, Tally, send_campaign
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore

HTTP_TIMEOUT_S = 10.0
TRACK_S = 60.0  # how often the tick asks WeCom about tasks waiting for staff
log = logging.getLogger(__name__)
SendersFactory = Callable[[Settings, StateStore, httpx.AsyncClient], dict[str, Sender]]


class Runtime:
    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] | None = None,
                 make_senders: SendersFactory = senders) -> None:
        self.settings = settings
        # The stores' wall-clock time: send times and quiet hours are in it, whatever
        # zone the server runs in.
        self.clock = clock or settings.now
        # Set by the worker command to its consumer's stop flag (shared with forked
        # workers): runs stop between slices once it is set.
        self.stopping: Callable[[], bool] = lambda: False
        self._make_senders = make_senders
        self._lock = threading.Lock()
        self._dispatch: Dispatch | None = None
        self._pid = 0
        self._local = threading.local()
        self._track_at = 0.0  # when to next ask WeCom about tasks waiting for staff

    def dispatch(self) -> Dispatch:
        with self._lock:
            if self._dispatch is None or self._pid != os.getpid():
                cfg = self.settings
                self._dispatch = Dispatch(cfg, StateStore.from_settings(cfg),
                                          MemberStore.from_settings(cfg),
                                          Pace(cfg.campaign.send_rate), clock=self.clock,
                                          stopping=lambda: self.stopping())
                self._pid = os.getpid()
            return self._dispatch

    def run(self, campaign_id: str) -> Tally:
        """Send what is due of one campaign, in this thread."""
        local = self._thread()
        return local.runner.run(send_campaign(self.dispatch(), local.senders, campaign_id))

    def tick(self) -> list[str]:
        due = scheduler.tick(self.dispatch())
        if self.settings.wecom_corp_id and time.monotonic() >= self._track_at:
            self._track_at = time.monotonic() + TRACK_S
            self.track()
        return due

    def track(self) -> int:
        """Ask WeCom which staff members have confirmed their mass-send tasks since the
        last look; how many campaigns were asked about. Failures are logged: the next
        look asks again."""
        from copilot.campaigns.dispatch.channels import wecom_status, wecom_tasks

        state, local = self.dispatch().state, self._thread()
        campaigns = wecom_tasks.waiting_campaigns(state)
        for campaign_id in campaigns:
            try:
                local.runner.run(wecom_status.check_tasks(self.settings, state, local.http,
                                                          campaign_id))
            except Exception:
                log.exception("campaign %s: WeCom task status not read", campaign_id)
        return len(campaigns)

    def _thread(self) -> Any:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.runner = asyncio.Runner()
            local.http = httpx.AsyncClient(timeout=HTTP_TIMEOUT_S)
            local.senders = self._make_senders(self.settings, self.dispatch().state,
                                               local.http)
            local.pid = os.getpid()
        return local

    def close_thread(self) -> None:
        """Close this thread's client and loop (a huey worker's shutdown hook)."""
        local = self._local
        if getattr(local, "pid", None) == os.getpid():
            try:
                local.runner.run(local.http.aclose())
            finally:
                local.runner.close()
        local.pid = None

    def close(self) -> None:
        self.close_thread()
        with self._lock:
            if self._dispatch is not None and self._pid == os.getpid():
                self._dispatch.state.close()
                self._dispatch.members.close()
            self._dispatch = None
