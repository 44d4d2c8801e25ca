"""`followup_list` ("今天我该联系谁"): who to contact today, why, and what to do."""

from tools.followup.tool import TOOL, FollowupArgs, FollowupResult, followup_list

__all__ = ["TOOL", "FollowupArgs", "FollowupResult", "followup_list"]
