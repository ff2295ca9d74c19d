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
    def item(id_, answer, correct, answerable=True, refused=False):
        return {
            "id": id_,
            "question": "q",
            "answer": answer,
            "correct": correct,
            "answerable": answerable,
            "refused": refused,
        }

    before = {
        "items": [
            item("a", "x", False),
            item("b", "y", True),
            item("c", "z", False, False, False),
            item("d", "w", True),
        ]
    }
    after = {
        "items": [
            item("a", "x2", True),
            item("b", "y2", False),
            item("c", "no", False, False, True),
            item("d", "w", True),
        ]
    }
    marks = [line.split()[0] + line.split()[1] for line in replay.changes(before, after) if not line.startswith(" ")]
    assert marks == ["+a", "-b", "+c"]


def test_an_unknown_set_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        replay.main(["tag", "nosuchset"])
    assert "no such set: nosuchset" in capsys.readouterr().err
