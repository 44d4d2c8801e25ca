"""The one list of tools. The agent, the CLI and the evals all read it from here."""

from __future__ import annotations

from functools import cache

from copilot.errors import UserError
from tools.base import Tool


@cache
def all_tools() -> tuple[Tool, ...]:
    # Imported here, not at module import, so importing one tool never drags in the rest.
    from tools import followup, member_metrics, query_members, region_overview, search_playbooks
    from tools.campaigns import manage as campaigns
    from tools.campaigns import review, schedule
    from tools.diagnose import tool as diagnose
    from tools.drafts import tool as drafts
    from tools.practice import tool as practice
    from tools.segments import tool as segments

    return (
        query_members.TOOL,
        member_metrics.TOOL,
        *segments.TOOLS,
        followup.TOOL,
        diagnose.TOOL,
        region_overview.TOOL,
        search_playbooks.TOOL,
        drafts.TOOL,
        schedule.TOOL,
        *campaigns.TOOLS,
        review.TOOL,
        *practice.TOOLS,
    )


def get_tool(name: str) -> Tool:
    for tool in all_tools():
        if tool.name == name:
            return tool
    names = "、".join(t.name for t in all_tools())
    raise UserError(f"没有名为 {name!r} 的工具;可用:{names}。",
                    f"No tool {name!r}; available: {names}.")
