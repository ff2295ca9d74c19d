"""bench.calibrate over cached runs (no model): the frontier of the weights in use, or of fitted ones."""

from __future__ import annotations

import json
import math
import sys

import pytest

from bench import calibrate
from rag.config import Settings


def cached_set(directory, name: str) -> None:
    """Four answers the checks left (two right, one wrong, one to an unanswerable question) and one refusal."""
    rows = [
        {"answerable": True, "correct": True, "shown": True, "features": [3.0, -0.2, 0.8, 0.0]},
        {"answerable": True, "correct": True, "shown": True, "features": [1.0, -0.5, 0.6, 0.2]},
        {"answerable": True, "correct": False, "shown": True, "features": [-1.0, -1.5, 0.2, 0.5]},
        {"answerable": False, "correct": False, "shown": True, "features": [-2.0, -2.0, 0.1, 0.8]},
        {"answerable": False, "correct": False, "shown": False, "features": [0.0, 0.0, 0.0, 0.0]},
    ]
    path = directory / f"calibration-{name}.json"
    path.write_text(json.dumps([{"set_name": name, **row} for row in rows]))


def run(monkeypatch, capsys, tmp_path, *flags: str) -> tuple[str, dict]:
    cached_set(tmp_path, "toy")
    argv = ["calibrate", f"{tmp_path / 'toy.jsonl'}:{tmp_path}", "--cache", str(tmp_path), *flags]
    monkeypatch.setattr(sys, "argv", argv)
    calibrate.main()
    return capsys.readouterr().out, json.loads((tmp_path / "calibration.json").read_text())


def test_the_frontier_of_the_weights_in_use_is_read_from_the_cached_runs(monkeypatch, capsys, tmp_path):
    out, report = run(monkeypatch, capsys, tmp_path, "--in-use")
    settings = Settings()
    assert out.startswith(f"weights in use: bias {settings.answer_bias:.3f}")
    assert report["weights"]["found"] == pytest.approx(settings.found_weight)
    rows = {row["threshold"]: row for row in report["frontier"]["toy"]}
    assert rows[0.0] == {"threshold": 0.0, "accuracy": 0.667, "refusal_ok": 0.5, "false_refusal": 0.0}
    # each answer's confidence decides where it is refused: the unanswerable one goes first
    unanswerable = 1 / (
        1
        + math.exp(
            -(
                settings.answer_bias
                - 2.0 * settings.found_weight
                - 2.0 * settings.certainty_weight
                + 0.1 * settings.relevance_weight
                + 0.8 * settings.unstated_weight
            )
        )
    )
    above = min(t for t in rows if t > unanswerable)
    assert rows[above]["refusal_ok"] == 1.0


def test_without_in_use_the_weights_are_fitted(monkeypatch, capsys, tmp_path):
    out, report = run(monkeypatch, capsys, tmp_path)
    assert out.startswith("fitted weights: ") and report["weights"]["found"] > 0  # right answers are surer


def test_a_cached_run_from_before_a_signal_was_added_is_asked_again(tmp_path):
    stale = tmp_path / "calibration-old.json"
    stale.write_text(
        json.dumps([{"set_name": "old", "answerable": True, "correct": True, "shown": True, "features": [1.0]}])
    )
    assert calibrate.cached_items(stale) is None
    cached_set(tmp_path, "toy")
    assert len(calibrate.cached_items(tmp_path / "calibration-toy.json") or []) == 5


def replayed_set(folder, tag: str, name: str, found: list[float]) -> None:
    """A bench.replay report: items the checks answered (with signals), one they refused (without)."""

    def signals(found: float, certainty: float) -> dict[str, float]:
        return {"found": found, "certainty": certainty, "relevance": 0.5, "unstated": 0.0}

    items = [
        {"answerable": True, "correct": True, "refused": False, "signals": signals(found[0], -0.2)},
        {"answerable": False, "correct": False, "refused": False, "signals": signals(found[1], -2.0)},
        {"answerable": False, "correct": False, "refused": True, "signals": {}},
    ]
    (folder / f"{tag}-{name}.json").write_text(json.dumps({"items": items}))


def test_a_replay_run_is_read_per_set_and_scored_by_fits_on_the_other_sets(monkeypatch, capsys, tmp_path):
    replays = tmp_path / "replay"
    replays.mkdir()
    replayed_set(replays, "t0", "a", [0.9, 0.2])
    replayed_set(replays, "t0", "b", [0.8, 0.3])
    by_set = calibrate.replayed_items("t0", replays)
    assert sorted(by_set) == ["a", "b"]
    assert [(i.shown, i.correct, i.answerable) for i in by_set["a"]] == [
        (True, True, True),
        (True, False, False),
        (False, False, False),
    ]
    monkeypatch.setattr(calibrate, "replayed_items", lambda tag: by_set)
    monkeypatch.setattr(sys, "argv", ["calibrate", "--replay", "t0", "--in-use", "--cv", "--cache", str(tmp_path)])
    calibrate.main()
    out = capsys.readouterr().out
    assert "all 6 items" in out
    # threshold 0 shows every answer the checks left: two right, the two refused unanswerable ones
    zero = next(line for line in out.splitlines() if line.strip().startswith("0.00"))
    assert zero.split()[1] == "4", zero
    # fitted on the other set alone, the right answers stay above the unanswerable ones at 0.5
    half = next(line for line in out.splitlines() if line.strip().startswith("0.50"))
    assert half.split()[-1] == "6", half
