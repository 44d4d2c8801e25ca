"""Messages a second per channel, so a platform's rate limit is never hit.

The rate (`COPILOT_CAMPAIGN_SEND_RATE`) holds per worker process: the threads of one
`copilot worker` share it, but each process, and each machine, sends at the full rate on
its own. With N worker processes on a channel whose provider allows R a second, set the
rate to R / N.
"""

from __future__ import annotations

import math
import threading
import time

from copilot.campaigns.dispatch.channels.base import Recipient

SLICE_S = 0.5  # a batch goes out in slices of this many seconds' worth of messages
# WeCom mass-sends are tasks, one per staff member (who confirms each in WeCom), each
# reaching up to 10,000 customers: their rate counts API calls, and a batch goes out whole
# rather than cut into slices (which would give a staff member many tasks to confirm).
TASK_CHANNELS = ("wecom_customer", "wecom_group")


class Pace:
    def __init__(self, rates: dict[str, float]) -> None:
        self._rates = dict(rates)
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def rate(self, channel: str) -> float | None:
        return self._rates.get(channel)

    def reserve(self, channel: str, n: int) -> float:
        """Book `n` messages on `channel`; seconds to wait before sending them. Slots are
        booked back to back, so over any stretch the channel averages its rate."""
        rate = self._rates.get(channel)
        if not rate:
            return 0.0
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(channel, now))
            self._next[channel] = start + n / rate
        return start - now

    def slice_size(self, channel: str) -> int:
        rate = self._rates.get(channel)
        if not rate or channel in TASK_CHANNELS:
            return 1_000_000
        return max(1, math.floor(rate * SLICE_S))

    def units(self, channel: str, part: list[Recipient]) -> int:
        """What the channel's rate counts in `part`: messages, or WeCom tasks (staff)."""
        if channel in TASK_CHANNELS:
            return len({r.staff_id for r in part})
        return len(part)

    def claim_size(self, channel: str, batch_size: int, lease_s: float) -> int:
        """A batch this worker can send in half a claim's lease at the channel's rate, so
        the lease does not run out while it is still sending."""
        rate = self._rates.get(channel)
        if not rate or channel in TASK_CHANNELS:
            return batch_size
        return max(1, min(batch_size, math.floor(rate * lease_s / 2)))
