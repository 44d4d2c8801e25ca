"""How big each demo chain is: one named preset per use (tests, demos, benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

DAYS = 730  # two years of data, ending on the chosen last day


@dataclass(frozen=True)
class DemoSize:
    """A demo preset; `transactions` is a target the generator lands near, not exactly on."""

    name: str
    stores: int
    regions: tuple[str, ...]
    members: int
    transactions: int
    products: int
    days: int = DAYS


SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", 6, ("华北", "华东"), 2_000, 20_000, 160),
    "demo": DemoSize("demo", 30, ("华北", "华东", "华南"), 50_000, 500_000, 200),
    "bench": DemoSize(
        "bench", 200, ("华北", "华东", "华南", "华中", "西南"), 1_000_000, 10_000_000, 240
    ),
}
