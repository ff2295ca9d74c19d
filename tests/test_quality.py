"""Quality gates with the default model (slow: `make test-slow`, also run by CI after `make test`).

Each gate is the reference scorer (or `rag eval`) on a tuning set, with floors a little under what
was measured at the calibrated defaults (README "Quality"), so a change that makes answers less
grounded or refusals less calibrated fails here. The sealed set (tests/data/sealed) is not a gate:
it is measured once, by hand, and never fixed against."""

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
RAG = Path(sys.executable).parent / "rag"
needs_shared = pytest.mark.skipif(not SCORER.exists(), reason="../shared/eval is not beside this checkout")


def score(index_dir: Path, *files: Path) -> dict:
    """The reference scorer's summary for `files`, asking `rag ask --jsonl -` over `index_dir`."""
    done = subprocess.run(
        [sys.executable, str(SCORER), *map(str, files), "--cmd", f"{RAG} ask --jsonl -"],
        cwd=PROJECT_ROOT,
        env=rag_env(index_dir, RAG_MODEL=DEFAULT_MODEL),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["missing"] == 0, done.stdout
    return summary


@needs_shared
def test_dev_set_stays_at_the_acceptance_targets(shared_index):
    evals = SCORER.parent
    summary = score(shared_index, evals / "dev.jsonl", evals / "dev_conversations.jsonl")
    # measured: 0.938, 1.0, 1.0, 1.0, 0.0; with 16 answerable questions one answer is 0.0625, and
    # llama.cpp built for another CPU may flip one near-tie: the gate allows exactly one such flip on
    # the answerable side and none on refusals
    assert summary["accuracy"] >= 0.87 and summary["cite_hit"] >= 0.93, summary
    assert summary["cite_precision"] >= 0.90 and summary["refusal_ok"] == 1.0, summary
    assert summary["false_refusal"] <= 0.07, summary


@needs_shared
@pytest.mark.timeout(2400)  # 200 questions: ~10 min on 2 quiet cores, twice that on a busy box
def test_encyclopedia_set_answers_and_refuses_as_calibrated(tmp_path):
    """SQuAD 2.0 (20 articles, 150 answerable and 50 adversarial unanswerable questions): the set the
    answer-or-refuse decision was fitted on, so its floors guard the calibration itself."""
    squad = SCORER.parent / "squad"
    Pipeline(make_settings(tmp_path / "index", corpus_dir=squad / "corpus")).index([squad / "corpus"])
    summary = score(tmp_path / "index", squad / "questions.jsonl")
    # measured: this scorer 0.787 / cite precision 0.965 / refused 0.58 / false refusals 0.087 before question
    # terms were weighed by rarity in evidence selection; rag eval's scoring 0.80 / 0.966 / 0.56 / 0.053
    # before, 0.807 / 0.959 / 0.50 / 0.06 after. One answerable question is 0.0067, one unanswerable 0.02.
    assert summary["accuracy"] >= 0.72 and summary["cite_precision"] >= 0.95, summary
    assert summary["refusal_ok"] >= 0.44 and summary["false_refusal"] <= 0.14, summary


def test_own_tuning_set_stays_grounded(shared_index):
    """tests/data/heldout*.jsonl: paraphrased questions and conversations of our own over the bundled
    news. Not held out (rules were fitted while it existed): tuning data that guards citations and
    refusals on questions worded unlike the dev set's."""
    pipeline = Pipeline(make_settings(shared_index, model=DEFAULT_MODEL))
    report = run_eval(pipeline, DATA / "heldout.jsonl", DATA / "heldout_conversations.jsonl")
    overall = report["overall"]
    # measured: accuracy 0.633, refusal accuracy 0.727 (8 of 11), false refusals 0.224, citation
    # precision 1.0; the floors allow one flip among the unanswerable and two among the answerable
    assert overall["refusal_accuracy"] >= 0.63, overall
    assert overall["citation_precision"] >= 0.95, overall  # citations support their sentences
    assert overall["accuracy"] >= 0.59 and overall["false_refusal"] <= 0.27, overall
