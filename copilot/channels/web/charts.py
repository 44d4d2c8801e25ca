"""Chart images for the console, served from data_dir/charts to signed-in staff only.

Tools save each chart as a PNG whose name carries a digest of what it draws; the console
links to it by that bare name. Anything that is not a plain `*.png` name of a file in that
folder (a path, `..`, a link leading elsewhere) is answered 404, the same as a missing file,
so the route says nothing about what else lies on the disk.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from copilot.channels.web.auth import signed_in
from copilot.errors import UserError

router = APIRouter(include_in_schema=False)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,150}\.png$")


class ChartNotFound(UserError):
    status = 404

    def __init__(self) -> None:
        super().__init__("找不到这张图(可能已被清理),请重新提问生成。",
                         "Chart not found (it may have been cleaned up); ask again.")


def chart_url(path: str | Path) -> str:
    return f"/console/charts/{Path(path).name}"


def chart_file(data_dir: Path, name: str) -> Path:
    """The chart called `name`, or ChartNotFound."""
    if not _NAME.match(name):
        raise ChartNotFound
    folder = (data_dir / "charts").resolve()
    path = folder / name
    if not path.is_file() or path.resolve().parent != folder:
        raise ChartNotFound
    return path


@router.get("/console/charts/{name}", dependencies=[Depends(signed_in)])
def chart(name: str, request: Request) -> FileResponse:
    path = chart_file(request.app.state.settings.data_dir, name)
    return FileResponse(path, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=3600",
                                 "X-Content-Type-Options": "nosniff"})
