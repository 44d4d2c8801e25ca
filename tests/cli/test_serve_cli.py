"""`copilot serve` starts a real HTTP server (loopback) and answers until stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_chat(settings, chain_store) -> None:
    port = _free_port()
    exe = str(Path(sys.executable).with_name("copilot"))
    env = {**os.environ, "COPILOT_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(proc.stdout.read().decode() if proc.stdout else "no output")
        assert health.json()["status"] == "ok"
        turn = httpx.post(f"{base}/api/chat", timeout=30, json={
            "message": "朝阳店上个月复购率", "staff_id": "E03", "today": "2026-11-25"}).json()
        assert turn["tool_calls"][0]["ok"] and "复购率" in turn["answer"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
