"""A tiny scenario, written to a temp folder, so these tests do not depend on shipped content."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = '''
id = "tiny"
title = "小练习"
skill = "邀约"
playbook = "phone-invitation-scripts"
goal = "请顾客周六来店。"
context = "老会员。"
opening = "喂?"

[[checks]]
id = "greet"
name = "问候"
kind = "said"
patterns = ['您好']
better = "您好,我是小李。"

[[checks]]
id = "ask_need"
name = "问需要"
kind = "asked"
patterns = ['想(买|看)']
better = "您最近想看点什么?"

[[checks]]
id = "no_promise"
name = "不乱承诺"
kind = "not_said"
patterns = ['保证', '最低价']
better = "优惠以当天为准。"
'''


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    return folder
