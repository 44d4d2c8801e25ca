"""Small playbooks for index tests, and a real Chroma server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

SECTIONS = ("什么时候用", "步骤", "时间节点", "话术示例", "看什么指标", "常见错误")


def write_playbook(folder: Path, pid: str, title: str, body: str, extra: str = "") -> Path:
    sections = "\n\n".join(f"## {s}\n{body}({s})" for s in SECTIONS)
    text = (f"---\nid: {pid}\ntitle: {title}\naudience: [staff]\nscenes: [复购]\n"
            f"metrics: []\nseeds: [\"001\"]\n---\n# {title}\n\n{sections}\n{extra}")
    path = folder / f"{pid}.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def playbook_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    write_playbook(folder, "sleeping", "沉睡会员激活",
                   "对 91 到 180 天没有消费的沉睡会员发专属券并电话邀约。")
    write_playbook(folder, "birthday", "生日关怀",
                   "生日前七天送上祝福和生日礼,当月到店双倍积分。")
    write_playbook(folder, "member-day", "会员日活动",
                   "每月八号会员日,提前三天在社群和朋友圈预热。")
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on loopback, as a deployment would run it."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma server did not start")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
