"""Prose lint: each kind found in invented answers, clean answers left alone, the per-1,000 report and
the standalone command over answer objects."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT

from rag.prose import KINDS, lint, lint_report, main

QUESTION = "Who co-led the efficiency office with the tycoon?"


@pytest.mark.parametrize(
    "answer, kind",
    [
        ("Ramaswamy is an ally of the U. S [1].", "broken_abbreviation"),
        ("Ramaswamy moved to the U.S [1].", "broken_abbreviation"),
        ("Ramaswamy crossed the Vistula River,, [1].", "doubled_punctuation"),
        ("Ramaswamy crossed the river [1]..", "doubled_punctuation"),
        ("Ramaswamy crossed the river, [1].", "doubled_punctuation"),
        ("Ramaswamy raised his support dramatically15 [1].", "glued_digits"),
        ("Ramaswamy said “no to the plan [1].", "unbalanced_quotes"),
        ("Ramaswamy said no to the plan) [1].", "unbalanced_quotes"),
        ("Ramaswamy co-led it. [1]", "marker_after_punctuation"),
        ("Ramaswamy co-led it. [1] He left later [2].", "marker_after_punctuation"),
        ("Ramas[1]wamy co-led it.", "marker_in_word"),
        ("Ramaswamy , a businessman, co-led it [1].", "space_before_punctuation"),
        ("Ramaswamy co-led it [1] .", "space_before_punctuation"),
        ("Ramaswamy co-led it [1]. The sources agree that this is true [1].", "filler"),
        ("The tycoon co-led the efficiency office [1].", "filler"),
        ("Ramaswamy co-led the office [1]. The office was co-led by Ramaswamy [1].", "repetition"),
    ],
)
def test_each_kind_is_found(answer, kind):
    kinds = [f.kind for f in lint(answer, QUESTION)]
    assert kind in kinds, kinds
    found = next(f for f in lint(answer, QUESTION) if f.kind == kind)
    assert 0 <= found.start < found.end <= len(answer) and found.text


@pytest.mark.parametrize(
    "answer",
    [
        "Vivek Ramaswamy co-led it with Musk [1].",
        "Ramaswamy, an ally of the U.S. [1], co-led it in 2024 with $1.2 billion at 3.5 percent [2].",
        "Ramaswamy said “no” [1]. Musk asked “why?” [2].",
        "Ramaswamy paused... then agreed to co-lead it [1].",
        "The COVID-19 rules, the F-35 jets and GPT-4 were named by Ramaswamy [1][2].",
        "Ramaswamy (a businessman) co-led it [1].",
    ],
)
def test_clean_answers_have_no_findings(answer):
    assert lint(answer, QUESTION) == []


def test_a_denial_in_the_questions_own_words_is_an_answer_not_filler():
    question = "What did Trump say about the alleged clash between Rubio and Musk?"
    assert lint('Trump said, "there is no clash" [1].', question) == []
    assert [f.kind for f in lint("Trump said so about the alleged clash [1].", question)] == ["filler"]


def test_a_refusal_restates_the_question_on_purpose():
    refusal = "The articles do not say who co-led the efficiency office with the tycoon."
    assert [f.kind for f in lint(refusal, QUESTION)] == ["filler"]
    assert lint(refusal, QUESTION, refused=True) == []


def test_report_counts_per_thousand_answers():
    report = lint_report(
        [
            (QUESTION, "Ramaswamy co-led it [1]."),
            (QUESTION, "Ramaswamy moved to the U.S [1].."),
            (QUESTION, "The articles do not say.", True),
            (QUESTION, "Ramaswamy grew it dramatically15 [1]."),
        ]
    )
    assert report["answers"] == 4
    assert report["counts"]["broken_abbreviation"] == 1 and report["counts"]["glued_digits"] == 1
    assert report["per_1000"]["broken_abbreviation"] == 250.0
    assert report["findings"] == sum(report["counts"].values()) == 3
    assert set(report["counts"]) == set(KINDS)
    assert "U.S [1]" in report["examples"]["broken_abbreviation"][0]
    assert lint_report([])["per_1000"]["filler"] == 0.0


def test_command_lints_answer_objects(tmp_path, capsys):
    run = tmp_path / "answers.jsonl"
    objects = [
        {"id": "a", "question": QUESTION, "answer": "Ramaswamy co-led it [1].", "refused": False},
        {"id": "b", "question": QUESTION, "answer": "Ramaswamy crossed the river,, [1].", "refused": False},
    ]
    run.write_text("\n".join(json.dumps(o) for o in objects) + "\n\n", encoding="utf-8")
    assert main([str(run)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["answers"] == 2 and report["counts"]["doubled_punctuation"] == 1


def test_command_refuses_bad_input_with_a_reason(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q"}\n', encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "line 1: not an answer object" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert main([]) == 2


def test_module_runs_as_a_command_on_stdin():
    line = json.dumps({"question": QUESTION, "answer": "Ramaswamy co-led it. [1]"})
    done = subprocess.run(
        [sys.executable, "-m", "rag.prose", "-"],
        input=line,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["marker_after_punctuation"] == 1
