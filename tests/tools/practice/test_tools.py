"""start_practice and practice_progress as tools: who sees whose progress, and a practice
that cannot start outside a conversation."""

from __future__ import annotations

from datetime import datetime

from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.practice import coach
from copilot.state.db import StateStore
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool

NOW = datetime(2026, 11, 25, 15, 0)


def _scored(settings: Settings, staff: str) -> None:
    state = StateStore.from_settings(settings)
    started = coach.begin(state, staff, scenario_id="phone_invitation", seed=1, now=NOW)
    coach.say(state, started.session_id, "王姐您好,我是朝阳大悦城店的小李")
    coach.finish(state, started.session_id, NOW)


def test_progress_is_ones_own_or_ones_trainees(settings: Settings,
                                               chain_store: MemberStore) -> None:
    _scored(settings, "E07")  # the trainee of S001
    own = run_tool(make_ctx(settings, chain_store, "E07"), "practice_progress", {})
    assert own.ok and own.result.who == ["E07"] and own.result.rows[0].skill == "邀约"
    manager = run_tool(make_ctx(settings, chain_store, "E03"), "practice_progress", {})
    assert manager.ok and manager.result.who == ["E07"]  # S001's store manager
    south = run_tool(make_ctx(settings, chain_store, "E08"), "practice_progress",
                     {"staff": "E07"})  # 华南's supervisor
    assert not south.ok and "不是你名下的培训生" in south.error
    peer = run_tool(make_ctx(settings, chain_store, "E01"), "practice_progress",
                    {"staff": "E07"})  # a staff member looking at a colleague
    assert not peer.ok and "只能看自己的练习进度" in peer.error


def test_practice_starts_only_inside_a_conversation(settings: Settings,
                                                    chain_store: MemberStore) -> None:
    ctx = make_ctx(settings, chain_store, "E07")
    out = run_tool(ctx, "start_practice", {"scenario": "电话邀约"})
    assert not out.ok and "copilot practice" in out.error
    ctx.conversation = "test:t1"
    started = run_tool(ctx, "start_practice", {"scenario": "电话邀约", "persona": "宝妈"})
    assert started.ok and started.result.scenario == "phone_invitation"
    assert started.result.persona == "price_sensitive_mother"
    unknown = run_tool(ctx, "start_practice", {"scenario": "开飞机"})
    assert not unknown.ok and "没找到对应" in unknown.error
