"""SMS through the outbox: nothing leaves the machine here.

`send` only checks that the member has a mobile number; `record` writes one row per
message to `sms_outbox` in the transaction that marks the recipients sent, keyed by the
recipient's idempotency key. A worker that dies before that commit leaves no row and its
claim is taken again; after it the recipient is no longer due. So every message is in the
outbox exactly once, and a provider's connector takes them from there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from copilot.campaigns.dispatch.channels.base import Content, Outcome, Recipient

NO_PHONE = "会员资料里没有手机号,发不了短信"
# The primary key already makes a second row impossible; DO NOTHING keeps a recipient
# someone put back to pending by hand from failing on every try.
_INSERT = text("INSERT INTO sms_outbox (key, campaign_id, member_id, phone, text, "
               "created_at) VALUES (:k, :c, :m, :p, :t, :at) ON CONFLICT (key) DO NOTHING")


class SmsOutbox:
    channel = "sms"

    async def send(self, content: Content, batch: list[Recipient]) -> list[Outcome]:
        return [Outcome(r.member_id, True) if r.phone
                else Outcome(r.member_id, False, NO_PHONE, skip=True) for r in batch]

    def record(self, conn: Connection, content: Content, sent: list[Recipient]) -> None:
        at = datetime.now()
        rows = [{"k": r.key, "c": r.campaign_id, "m": r.member_id, "p": r.phone,
                 "t": content.text, "at": at} for r in sent]
        if rows:
            conn.execute(_INSERT, rows)
