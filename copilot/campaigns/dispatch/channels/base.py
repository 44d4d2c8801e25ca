"""What the dispatcher hands a channel adapter, and what it gets back.

An adapter sends one batch of one campaign and reports, per recipient, whether it went
out. Sending must be safe to repeat for the same `key`: a worker that dies between the
send and the mark leaves the claim to expire, and the next worker sends the same batch
again with the same keys. Adapters make that repeat harmless their own way (a provider's
idempotency key, a row written in the same transaction as the mark, or looking up what
was already sent before sending again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection


@dataclass(frozen=True)
class Content:
    campaign_id: str
    name: str
    text: str
    created_by: str


@dataclass(frozen=True)
class Recipient:
    campaign_id: str
    member_id: str
    channel: str
    store_id: str
    staff_id: str | None  # the owning staff
    attempts: int  # tries before this one; > 0 means a send may already have gone out
    # Looked up in member data at send time, never stored with the campaign.
    phone: str | None = None
    wecom_external_id: str | None = None

    @property
    def key(self) -> str:
        """The idempotency key of this one message."""
        return f"{self.campaign_id}:{self.member_id}:{self.channel}"


@dataclass(frozen=True)
class Outcome:
    member_id: str
    ok: bool
    reason: str | None = None  # Chinese, shown in `copilot campaign show`
    retry: bool = False  # a passing failure (timeout, rate limit): try again later
    # The member cannot be reached on this channel at all (no mobile number, no WeCom
    # contact): marked skipped with the reason, not failed, and never tried again.
    skip: bool = False


class Sender(Protocol):
    channel: str

    async def send(self, content: Content, batch: list[Recipient]) -> list[Outcome]:
        """Send one batch; one outcome per recipient, in any order."""
        ...

    def record(self, conn: Connection, content: Content, sent: list[Recipient]) -> None:
        """Write what must commit together with the "sent" marks (the SMS outbox rows);
        most adapters write nothing."""
        ...


def no_record(conn: Connection, content: Content, sent: list[Recipient]) -> None:
    """For adapters whose send is complete once the provider answered."""
    del conn, content, sent


JSON = dict[str, Any]
