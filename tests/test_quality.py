"""Quality gates with the default model (slow: `make test-slow`, also run by CI after `make test`).

The dev set through the reference scorer must meet the grounding issue's acceptance targets; our own
harder held-out set must stay above floors set a little under what `rag eval` measured (0.714
accuracy, 1.0 refusal accuracy, 1.0 citation precision, 0.14 false refusals), so a change that makes
answers less grounded or refusals less calibrated fails here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEFAULT_MODEL, PROJECT_ROOT, make_settings, rag_env

from rag.evaluation import run_eval
from rag.pipeline import Pipeline

pytestmark = pytest.mark.slow

SCORER = PROJECT_ROOT.parent / "shared" / "eval" / "score.py"
DATA = Path(__file__).parent / "data"


@pytest.mark.skipif(not SCORER.exists(), reason="../shared/eval is not beside this checkout")
def test_dev_set_stays_at_the_acceptance_targets(shared_index):
    evals = SCORER.parent
    done = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            str(evals / "dev.jsonl"),
            str(evals / "dev_conversations.jsonl"),
            "--cmd",
            f"{Path(sys.executable).parent / 'rag'} ask --jsonl -",
        ],
        cwd=PROJECT_ROOT,
        env=rag_env(shared_index, RAG_MODEL=DEFAULT_MODEL),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["missing"] == 0, done.stdout
    # the targets are accuracy >= 0.90, cite_hit >= 0.95, cite_precision >= 0.90, refusal_ok 1.0,
    # false_refusal <= 0.05 (measured here: 0.938, 1.0, 1.0, 1.0, 0.0); with 16 answerable questions
    # one answer is 0.0625, and llama.cpp built for another CPU may flip one near-tie: the gate allows
    # exactly one such flip on the answerable side and none on refusals
    assert summary["accuracy"] >= 0.87 and summary["cite_hit"] >= 0.93, done.stdout
    assert summary["cite_precision"] >= 0.90 and summary["refusal_ok"] == 1.0, done.stdout
    assert summary["false_refusal"] <= 0.07, done.stdout


def test_held_out_questions_stay_grounded(shared_index):
    pipeline = Pipeline(make_settings(shared_index, model=DEFAULT_MODEL))
    report = run_eval(pipeline, DATA / "heldout.jsonl", DATA / "heldout_conversations.jsonl")
    overall = report["overall"]
    assert overall["refusal_accuracy"] >= 0.9, overall  # unanswerable questions are refused
    assert overall["citation_precision"] >= 0.95, overall  # citations support their sentences
    assert overall["accuracy"] >= 0.65 and overall["false_refusal"] <= 0.2, overall
