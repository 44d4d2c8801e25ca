"""Chart files the tools hand to channels: rendered once per distinct content.

A diagnosis asked twice over the same data draws the same picture (a few milliseconds,
but a file to upload each time), so the file name carries a digest of what is drawn and
an existing file is reused. Files are written under a temporary name and renamed, so a
channel uploading one never reads half a PNG.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from copilot.charts import ChartImage
from tools.base import ToolContext


def save_chart(ctx: ToolContext, stem: str, content: object,
               render: Callable[[], ChartImage]) -> tuple[Path, list[str]]:
    """(path, warnings) of the chart for `content`; `render` runs only for new content."""
    folder = ctx.settings.data_dir / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    blob = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    path = folder / f"{stem}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}.png"
    notes = path.with_suffix(".warnings.json")  # what the first drawing reported
    if path.is_file():
        return path, json.loads(notes.read_text(encoding="utf-8")) if notes.is_file() else []
    image = render()
    if image.warnings:
        notes.write_text(json.dumps(image.warnings, ensure_ascii=False), encoding="utf-8")
    tmp = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex}")
    tmp.write_bytes(image.png)
    os.replace(tmp, path)
    return path, image.warnings
