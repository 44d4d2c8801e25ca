"""Every scenario can be practised to a pass: the strong transcript's trainee lines, said
one by one to each persona through the session flow, score what the transcript scores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from copilot.practice import coach
from copilot.practice.personas import personas
from copilot.practice.scenarios import scenarios
from copilot.practice.scoring import PASS_MARK
from copilot.practice.transcript import read_transcript
from copilot.state.db import StateStore

NOW = datetime(2026, 11, 25, 15, 0)
TRANSCRIPTS = Path(__file__).parents[2] / "evals" / "practice" / "transcripts"


@pytest.mark.parametrize("scenario_id", sorted(scenarios()))
def test_the_strong_lines_pass_with_every_persona(settings, scenario_id: str) -> None:
    state = StateStore.from_settings(settings)
    lines = [t.text for t in read_transcript(TRANSCRIPTS / scenario_id / "strong.txt")
             if t.speaker == "trainee"]
    for persona_id in personas():
        started = coach.begin(state, "E07", scenario_id=scenario_id, persona_id=persona_id,
                              seed=7, now=NOW)
        replies = [coach.say(state, started.session_id, line) for line in lines]
        assert all(r.text for r in replies) and not any(r.ended for r in replies), persona_id
        assert coach.finish(state, started.session_id, NOW).score >= PASS_MARK
