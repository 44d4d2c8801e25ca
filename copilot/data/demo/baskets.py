"""What is in each ticket: line items whose quantities and amounts add up exactly.

A ticket's units are spread over 1..units lines; each line gets a SKU picked by month and
popularity. The ticket is discounted as a whole, like a POS order discount, and the
discounted total is spread back over the lines in cents, the last line taking the rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.data.demo.products import Assortment

FULL_PRICE_SHARE = 0.4  # tickets on ordinary days that pay full price


@dataclass(frozen=True)
class Lines:
    """Line items in ticket order; `ticket` indexes the sorted tickets."""

    ticket: np.ndarray
    line_no: np.ndarray
    sku: np.ndarray  # product row
    qty: np.ndarray
    cents: np.ndarray


def _spread(
    rng: np.random.Generator, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ticket, line number and quantity of each line; 1..units lines summing to the units."""
    n_lines = 1 + rng.binomial(units - 1, 0.55)
    ticket = np.repeat(np.arange(len(units)), n_lines)
    offset = np.concatenate(([0], np.cumsum(n_lines)[:-1]))
    extra = units - n_lines
    extra_ticket = np.repeat(np.arange(len(units)), extra)
    target = offset[extra_ticket] + np.floor(
        rng.random(len(extra_ticket)) * n_lines[extra_ticket]).astype(np.int64)
    qty = 1 + np.bincount(target, minlength=len(ticket))
    return ticket, np.arange(len(ticket)) - offset[ticket] + 1, qty


def ticket_discount(
    rng: np.random.Generator, day_discount: np.ndarray
) -> np.ndarray:
    """Each ticket's price factor: the day's typical discount, varied, often full price."""
    d = np.clip(day_discount + rng.normal(0.0, 0.03, len(day_discount)), 0.5, 1.0)
    full = (day_discount >= 0.95) & (rng.random(len(d)) < FULL_PRICE_SHARE)
    return np.where(full, 1.0, np.round(d, 2))


def make_lines(
    rng: np.random.Generator, units: np.ndarray, month: np.ndarray, discount: np.ndarray,
    assortment: Assortment,
) -> tuple[Lines, np.ndarray]:
    """Line items for tickets in order, and each ticket's amount in cents."""
    ticket, line_no, qty = _spread(rng, units)
    sku = assortment.pick(rng, month[ticket])
    list_cents = assortment.price_cents[sku] * qty
    list_total = np.bincount(ticket, weights=list_cents, minlength=len(units)).astype(np.int64)
    total = np.round(list_total * discount).astype(np.int64)
    cents = list_cents * total[ticket] // list_total[ticket]
    last = np.r_[ticket[1:] != ticket[:-1], True]
    allocated = np.bincount(ticket, weights=np.where(last, 0, cents), minlength=len(units))
    cents[last] = total - allocated.astype(np.int64)
    return Lines(ticket, line_no, sku, qty, cents), total
