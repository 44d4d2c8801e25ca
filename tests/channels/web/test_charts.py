"""Chart files: plain PNG names under data_dir/charts, for signed-in staff only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.config import Settings
from tests.channels.web.conftest import SignIn

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.fixture
def charts(settings: Settings) -> None:
    folder = settings.data_dir / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ranking-repurchase_rate-0123456789ab.png").write_bytes(PNG)
    (folder / "ranking-repurchase_rate-0123456789ab.warnings.json").write_text("[]")
    (settings.data_dir / "secret.png").write_bytes(PNG)  # outside the charts folder
    (folder / "linked-0123456789ab.png").symlink_to(settings.data_dir / "secret.png")


def test_a_chart_is_served_to_signed_in_staff(client: TestClient, sign_in: SignIn,
                                              charts: None) -> None:
    url = "/console/charts/ranking-repurchase_rate-0123456789ab.png"
    assert client.get(url).status_code == 401
    sign_in("E01")
    r = client.get(url)
    assert r.status_code == 200 and r.content == PNG
    assert r.headers["content-type"] == "image/png"
    missing = client.get("/console/charts/missing-0123456789ab.png")
    assert missing.status_code == 404
    assert missing.json()["error"] == "找不到这张图(可能已被清理),请重新提问生成。"


@pytest.mark.parametrize("name", [
    "../secret.png", "..%2Fsecret.png", "%2e%2e%2fsecret.png", "..%5Csecret.png",
    "ranking-repurchase_rate-0123456789ab.warnings.json", "missing-0123456789ab.png",
    "linked-0123456789ab.png", ".png", "%00.png", "a" * 300 + ".png",
])
def test_anything_but_a_chart_in_the_folder_is_not_found(client: TestClient, sign_in: SignIn,
                                                         charts: None, name: str) -> None:
    sign_in("E06")
    r = client.get(f"/console/charts/{name}")
    assert r.status_code == 404 and b"PNG" not in r.content
