"""The campaign queue (huey): it carries only "send campaign X" and the scheduler's tick.

An SQLite file under the data dir by default (one machine, no server), Redis when
COPILOT_QUEUE_URL is redis://… (workers on several machines). Built by `build_queue`
with its tasks registered there, never at import. A message is a hint, not a promise:
who is sent what is decided by the claims, so a task delivered twice, or dropped with a
worker that died, costs nothing — the next tick finds the work again.

The tick queues a campaign only when no earlier "send X" waits unstarted (a marker a
worker clears when it starts X, trusted for a minute): while a long campaign sends, each
tick adds one more task, which brings an idle worker in, instead of piling up hundreds.

The queue is named after the state database it carries work for, so two installations
sharing one Redis (staging and production) never take each other's messages.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from copilot.campaigns.dispatch.runtime import Runtime
from copilot.config import Settings
from copilot.errors import UserError

log = logging.getLogger(__name__)
QUEUE_PREFIX = "copilot_campaigns"
QUEUED_TTL_S = 60.0


def queue_name(settings: Settings) -> str:
    digest = hashlib.sha256(settings.state_db_url.encode()).hexdigest()[:12]
    return f"{QUEUE_PREFIX}_{digest}"


def make_huey(settings: Settings, name: str | None = None) -> Huey:
    name = name or queue_name(settings)
    url = settings.queue_url
    if not url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name=name, filename=str(settings.data_dir / "queue.db"),
                          results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name=name, url=url, results=False)
    raise UserError(f"COPILOT_QUEUE_URL 只支持 redis://…(留空则用本机的 SQLite 文件),"
                    f"现在是 {url!r}。",
                    f"COPILOT_QUEUE_URL must be redis://… (or empty for a local SQLite "
                    f"file), not {url!r}.")


@dataclass
class CampaignQueue:
    huey: Huey
    runtime: Runtime
    send: TaskWrapper  # send(campaign_id) enqueues "send campaign X"
    periodic_tick: TaskWrapper

    def tick(self) -> list[str]:
        """Run the scheduler's tick here and queue the campaigns it names."""
        names = self.runtime.tick()
        for campaign_id in names:
            self.enqueue(campaign_id)
        return names

    def enqueue(self, campaign_id: str) -> bool:
        """Queue "send campaign X" unless one is already waiting; whether it queued."""
        key = _marker(campaign_id)
        queued_at = self.huey.get(key, peek=True)
        if queued_at is not None and time.time() - float(queued_at) < QUEUED_TTL_S:
            return False
        self.huey.put(key, time.time())
        self.send(campaign_id)
        return True


def _marker(campaign_id: str) -> str:
    return f"queued:{campaign_id}"


def build_queue(settings: Settings, *, name: str | None = None,
                runtime: Runtime | None = None) -> CampaignQueue:
    huey = make_huey(settings, name)
    rt = runtime or Runtime(settings)

    @huey.task(name="send_campaign")
    def send_campaign(campaign_id: str) -> None:
        huey.delete(_marker(campaign_id))  # the next tick may bring another worker in
        tally = rt.run(campaign_id)
        log.info("campaign %s: %s (sent %d, skipped %d, failed %d, retry later %d)",
                 campaign_id, tally.outcome, tally.sent, tally.skipped, tally.failed,
                 tally.retried)

    @huey.periodic_task(crontab(), name="tick")
    def tick() -> None:
        queue.tick()

    huey.on_shutdown(name="close_dispatch")(rt.close_thread)
    queue = CampaignQueue(huey, rt, send_campaign, tick)
    return queue
