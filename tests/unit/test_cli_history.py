"""`rag history` and `rag feedback` on a real history file, in-process (no model is loaded)."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from rag import cli
from rag.history import History

from .test_history import answer


@pytest.fixture
def index_dir(tmp_path, monkeypatch):
    """RAG_* from nothing but an index folder in tmp (the history file's default is inside it)."""
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path / "index"


@pytest.fixture
def history(index_dir) -> History:
    return History(index_dir / "history.sqlite3")


def test_history_list_and_export_a_conversation_as_markdown(history, tmp_path):
    alice = history.of("browser:alice")
    ref = alice.ask(None, "What budget was approved?")
    alice.finish(ref, answer())
    listed = CliRunner().invoke(cli.app, ["history", "list"])
    assert listed.exit_code == 0 and ref.conversation_id in listed.stdout
    assert "What budget was approved?" in listed.stdout
    shown = CliRunner().invoke(cli.app, ["history", "export", ref.conversation_id])
    assert shown.exit_code == 0 and shown.stdout.startswith("# What budget was approved?")
    out = tmp_path / "report.md"
    saved = CliRunner().invoke(cli.app, ["history", "export", ref.conversation_id, "--out", str(out)])
    assert saved.exit_code == 0 and out.read_text() == shown.stdout
    missing = CliRunner().invoke(cli.app, ["history", "export", "nope"])
    assert missing.exit_code == 2 and "no conversation 'nope'" in missing.stderr


def test_feedback_export_writes_eval_jsonl(history, tmp_path):
    alice = history.of("browser:alice")
    for vote in (1, -1):
        ref = alice.ask(None, "What budget was approved?")
        alice.finish(ref, answer())
        alice.vote(ref.turn_id, vote, "wrong" if vote < 0 else "")
    out = tmp_path / "feedback.jsonl"
    done = CliRunner().invoke(cli.app, ["feedback", "export", "--out", str(out)])
    assert done.exit_code == 0 and "2 item(s) written, 1 to review" in done.stderr
    assert [json.loads(line)["kind"] for line in out.read_text().splitlines()] == ["factoid", "review"]


def test_no_history_yet_is_a_clear_error(index_dir):
    result = CliRunner().invoke(cli.app, ["feedback", "export"])
    assert result.exit_code == 2 and "no chat history at" in result.stderr and "rag chat" in result.stderr
