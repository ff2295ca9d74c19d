"""bench.replay's recorded model (scripted model, no model files): a call seen before is answered from
the record, with the reply's certainty, and never reaches the model; a new one does, once."""

from __future__ import annotations

import pytest
from fakes import Reply, ScriptedLLM

from bench import replay
from rag.llm import GenerationStats

PROMPT = [{"role": "user", "content": "When does the ferry run?"}]


def recorded(tmp_path, model: ScriptedLLM | None) -> replay.RecordedLLM:
    def load():
        if model is None:
            raise AssertionError("a recorded call reached the model")
        return model

    return replay.RecordedLLM(tmp_path / "replies.sqlite", load)


def test_a_recorded_call_is_answered_from_the_record_with_its_certainty(tmp_path):
    first = recorded(tmp_path, ScriptedLLM([Reply("On Mondays [1].", certainty=-1.25)], judge=0.75))
    stats = GenerationStats()
    assert "".join(first.stream(PROMPT, 64, 0.0, stats)) == "On Mondays [1]."
    assert first.yes_probability(PROMPT, "Found:") == 0.75
    assert (first.asked, first.seen, first.name) == (2, 0, "scripted")

    again = recorded(tmp_path, None)  # the model would fail the test if it were asked
    stats = GenerationStats()
    assert "".join(again.stream(PROMPT, 64, 0.0, stats)) == "On Mondays [1]."
    assert stats.lowest_logprob == -1.25 and stats.tokens == 3
    assert again.yes_probability(PROMPT, "Found:") == 0.75
    assert (again.asked, again.seen) == (0, 2)


def test_a_call_that_differs_in_anything_that_decides_the_reply_reaches_the_model(tmp_path):
    model = ScriptedLLM(["On Mondays.", "On Sundays.", "Mondays."])
    llm = recorded(tmp_path, model)
    "".join(llm.stream(PROMPT, 64, 0.0))
    "".join(llm.stream(PROMPT, 64, 0.0, forbid=["Mondays"]))
    "".join(llm.stream(PROMPT, 64, 0.0, prefix="Found: yes\n"))
    "".join(llm.stream(PROMPT, 64, 0.0))
    assert llm.asked == 3 and llm.seen == 1 and not model.outputs


def test_changes_marks_what_a_run_gained_and_lost():
    # id: (answerable, (answer, correct, refused) before, the same after)
    runs = {
        "a": (True, ("x", False, False), ("x2", True, False)),  # now right
        "b": (True, ("y", True, False), ("y2", False, False)),  # now wrong
        "c": (False, ("z", False, False), ("no", False, True)),  # an unanswerable question now refused
        "d": (True, ("w", True, False), ("w", True, False)),  # unchanged: not listed
    }

    def report(when: int) -> dict:
        keys = ("answer", "correct", "refused")
        return {
            "items": [
                {"id": i, "question": "q", "answerable": a, **dict(zip(keys, run[when]))}
                for i, (a, *run) in runs.items()
            ]
        }

    marks = [line.split()[0] + line.split()[1] for line in replay.changes(report(0), report(1)) if line[0] != " "]
    assert marks == ["+a", "-b", "+c"]


def test_an_unknown_set_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        replay.main(["tag", "nosuchset"])
    assert "no such set: nosuchset" in capsys.readouterr().err
