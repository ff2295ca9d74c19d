"""The `rag` command as users and the scorer call it (subprocesses, real models)."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import TINY_MODEL, rag_env
from contract import assert_answer_object

RAG = str(Path(sys.executable).with_name("rag"))


def run(args, index_dir, stdin=None, **env):
    return subprocess.run(
        [RAG, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        env=rag_env(index_dir, RAG_MODEL=TINY_MODEL, **env),
    )


def test_index_summary_and_incremental_rerun(index_copy):
    result = run(["index"], index_copy)
    assert result.returncode == 0, result.stderr
    assert "0 added, 0 updated, 5 unchanged" in result.stdout


def test_ask_json_returns_a_contract_answer(shared_index):
    result = run(["ask", "--json", "How many State Department employees took buyouts?"], shared_index)
    assert result.returncode == 0, result.stderr
    obj = json.loads(result.stdout)
    assert_answer_object(obj)
    assert obj["model"].startswith("smollm2")


def test_ask_jsonl_keeps_order_and_ids(shared_index):
    requests = [
        {"id": "b", "question": "Who is Gerald Feierstein?", "history": []},
        {"id": "a", "question": "   ", "history": []},
        {
            "id": "c",
            "question": "Who did he lead it with?",
            "history": [
                {"role": "user", "content": "Who is Vivek Ramaswamy?"},
                {"role": "assistant", "content": "He co-led DOGE with Elon Musk [1]."},
            ],
        },
    ]
    stdin = "".join(json.dumps(r) + "\n" for r in requests) + "not json\n"
    result = run(["ask", "--jsonl", "-"], shared_index, stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in lines] == ["b", "a", "c", None]
    assert_answer_object(lines[0])
    assert_answer_object(lines[2])
    assert "empty" in lines[1]["error"]
    assert "line 4" in lines[3]["error"]


def test_missing_model_is_one_clear_line(shared_index):
    result = run(["ask", "--model", "/nonexistent/model.gguf", "Who is Gerald Feierstein?"], shared_index)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "not found" in result.stderr


def test_a_bundled_model_failing_its_checksum_is_one_clear_line(shared_index, monkeypatch):
    """In-process: a bundled model whose one part (typer's __init__.py, an installed file) does not
    match its recorded sha256 must never answer (and nothing is left in the cache)."""
    from typer.testing import CliRunner

    from rag import cli
    from rag.models import BUNDLED, BundledModel

    monkeypatch.setitem(
        BUNDLED, "damaged", BundledModel("damaged", "damaged-q0", "typer", 1, "typer/__init__.py", 0, "0" * 64)
    )
    env = {k: v for k, v in rag_env(shared_index, RAG_MODEL="damaged").items() if k.startswith("RAG_")}
    result = CliRunner().invoke(cli.app, ["ask", "Who is Gerald Feierstein?"], env=env)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "failed its sha256 check" in result.stderr


def test_empty_question_is_an_error(shared_index):
    result = run(["ask", ""], shared_index)
    assert result.returncode == 2 and "give a question" in result.stderr


def test_ask_within_one_article_records_the_scope_and_searches_only_it(shared_index):
    scoped = "002_a3ce7c2eb21b0992.txt"
    result = run(
        [
            "ask",
            "--json",
            "--source",
            f"corpus/{scoped}",
            "--since",
            "2025-03-01",
            "How many State Department employees took buyouts?",
        ],
        shared_index,
    )
    assert result.returncode == 0, result.stderr
    obj = json.loads(result.stdout)
    assert_answer_object(obj)
    assert obj["scope"] == {"sources": [scoped], "since": "2025-03-01", "until": None}
    assert {c["source"] for c in obj["citations"]} <= {scoped}
    assert {s["source"] for s in obj.get("searched", [])} <= {scoped}


def test_a_scope_no_article_matches_is_one_clear_line(shared_index):
    for args, message in (
        (["--source", "nope.txt"], "not in the library: nope.txt"),
        (["--until", "2001-01-01"], "no article in the library is dated until 2001-01-01"),
        (["--since", "March"], "the since date 'March' is not a date"),
    ):
        result = run(["ask", *args, "Who is Gerald Feierstein?"], shared_index)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert result.stderr.strip().count("\n") == 0


def test_a_refusal_under_v_prints_the_nearest_passages(shared_index):
    result = run(["ask", "-v", "Who won the 2025 Super Bowl?"], shared_index)
    assert result.returncode == 0, result.stderr
    assert "Nearest passages searched (none of them answers the question):" in result.stdout
    assert result.stdout.count("similarity") >= 3
