"""A deterministic demo retail chain (stores, staff, members, two years of sales).

`generate` is pure and returns DataFrames; `build_demo` loads them into a MemberStore.
"""

from copilot.data.demo.build import DemoFrames, DemoSummary, build_demo, generate
from copilot.data.demo.sizes import SIZES, DemoSize

__all__ = ["SIZES", "DemoFrames", "DemoSize", "DemoSummary", "build_demo", "generate"]
