"""The command line's error contract: a problem the user can fix is one line and exit code 2; a bug is
one line saying so and exit code 1, with its traceback under -v. In-process, no model is loaded."""

from __future__ import annotations

import json
import os

import pytest
from servers import free_port
from typer.testing import CliRunner

from rag import cli


@pytest.fixture
def run(monkeypatch, tmp_path):
    """`rag ARGS...` with RAG_* taken only from `env`, an empty index folder and no corpus."""
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    runner = CliRunner()

    def invoke(*args: str, **env: str):
        base = {"RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_CORPUS_DIR": str(tmp_path / "no-corpus")}
        return runner.invoke(cli.app, list(args), env={**base, **env})

    return invoke


def one_error_line(result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_bad_setting(run):
    line = one_error_line(run("ask", "Who?", RAG_K="six"), 2)
    assert line.startswith("error: setting k (RAG_K): cannot read 'six' as int")


def test_no_index_yet(run):
    line = one_error_line(run("ask", "Who?"), 2)
    assert "no index yet" in line and "rag index" in line


def test_a_corrupt_index(run, tmp_path):
    (tmp_path / "index" / "chroma").mkdir(parents=True)
    (tmp_path / "index" / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 200)
    line = one_error_line(run("ask", "Who?"), 2)
    assert "corrupt" in line and "rag index --rebuild" in line


def test_an_unreachable_chroma_server(run):
    line = one_error_line(run("ask", "Who?", "--chroma-url", f"http://127.0.0.1:{free_port()}"), 2)
    assert "cannot reach the Chroma server" in line


def test_a_wrong_option_value(run):
    assert "--jsonl takes '-'" in one_error_line(run("ask", "--jsonl", "requests.jsonl"), 2)
    assert "give a question" in one_error_line(run("ask"), 2)


def test_bench_outside_a_checkout_says_where_it_lives(run, monkeypatch):
    monkeypatch.setattr(cli, "CHECKOUT", None)
    assert "from a checkout" in one_error_line(run("bench", "--quick"), 2)


def bug(**_: object) -> None:
    raise ZeroDivisionError("an injected bug")


def test_a_bug_is_one_line_and_exit_code_1(run, monkeypatch):
    monkeypatch.setattr(cli, "_settings", bug)
    line = one_error_line(run("ask", "Who?"), 1)
    assert line.startswith("internal error: ZeroDivisionError: an injected bug") and "-v" in line


def test_a_bug_shows_its_traceback_with_v(run, monkeypatch):
    monkeypatch.setattr(cli, "_settings", bug)
    result = run("ask", "-v", "Who?")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise ZeroDivisionError("an injected bug")' in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("internal error: ZeroDivisionError")


def test_history_from_answer_objects_or_messages(tmp_path):
    previous = {
        "question": "Who chairs it?",
        "answer": "Rosa Diaz [1].",
        "refused": False,
        "citations": [{"n": 1, "chunk_id": "h.txt#2"}],
    }
    lines = tmp_path / "answers.jsonl"
    lines.write_text(json.dumps(previous) + "\n" + json.dumps({**previous, "question": "When?"}) + "\n")
    turns = cli.read_history(lines)
    assert [t["role"] for t in turns] == ["user", "assistant"] * 2 and turns[2]["content"] == "When?"
    assert turns[1]["citations"] == previous["citations"]
    messages = tmp_path / "messages.json"
    messages.write_text(json.dumps([{"role": "user", "content": "Who?"}, {"role": "assistant", "content": "Ann."}]))
    assert cli.read_history(messages)[1] == {"role": "assistant", "content": "Ann."}


def test_a_bad_history_file_is_one_line_before_any_model_loads(run, tmp_path):
    bad = tmp_path / "history.json"
    bad.write_text('[{"role": "robot"}]')
    assert "--history" in one_error_line(run("ask", "Why?", "--history", str(bad)), 2)
    bad.write_text("{not json")
    assert "not JSON" in one_error_line(run("ask", "Why?", "--history", str(bad)), 2)
    assert "cannot read" in one_error_line(run("ask", "Why?", "--history", str(tmp_path / "none.json")), 2)


def test_a_resolved_follow_up_is_shown_in_the_streaming_output(run, tmp_path, monkeypatch):
    from .toy_app import CITED, QUESTION, toy_pipeline

    pipeline = toy_pipeline(tmp_path, [CITED, "When does the lighthouse work start?", "Work starts in May [1]."])
    first = pipeline.ask(QUESTION)
    history = tmp_path / "first.jsonl"
    history.write_text(json.dumps(first.to_json()) + "\n")
    monkeypatch.setattr(cli, "_pipeline", lambda settings, ensure_index=True: pipeline)
    result = run("ask", "When does it start?", "--history", str(history))
    assert result.exit_code == 0, result.stderr
    assert "Searching for: When does the lighthouse work start?" in result.stdout and "May" in result.stdout


def test_piped_output_puts_the_answer_and_each_source_on_lines_of_their_own(run, tmp_path, monkeypatch):
    from .toy_app import CITED, QUESTION, toy_pipeline

    monkeypatch.setattr(cli, "_pipeline", lambda settings, ensure_index=True: toy_pipeline(tmp_path, [CITED]))
    result = run("ask", QUESTION)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[1].") and lines[1].startswith("[1] "), result.stdout
