"""What reaches a page or a log line from an error: no logins, secrets, paths or server addresses."""

from __future__ import annotations

import logging

from conftest import make_settings

from rag.errors import IndexStoreError, ModelError
from rag.examples import load_examples
from rag.pipeline import Pipeline
from rag.redaction import redact, scrub
from rag.ui.messages import GENERIC, PageMessages


def test_redact_removes_url_logins_only():
    assert redact("see https://bob:pw@host:8/x and ftp://anon@h/") == "see https://host:8/x and ftp://h/"
    assert redact("mail bob@example.com about http://host/") == "mail bob@example.com about http://host/"


def test_scrub_masks_secrets_names_folders_and_cuts_other_paths():
    text = scrub(
        "key sk-1 failed at /srv/index/chroma and /home/me/x/notes.txt",
        secrets=["sk-1"],
        folders={"/srv/index": "the index folder"},
    )
    assert text == "key ••• failed at the index folder/chroma and notes.txt"


def test_page_messages_show_our_errors_cleaned_and_bugs_as_one_generic_line(tmp_path, caplog):
    settings = make_settings(
        tmp_path / "index",
        llm_url="http://bob:hunter2@10.1.2.3:8080",
        llm_api_key="sk-9",
        chroma_url="db.internal:8000",
    )
    messages = PageMessages(Pipeline(settings))
    shown = messages.failure(
        ModelError("the LLM server at http://bob:hunter2@10.1.2.3:8080/v1/chat answered 500 (key sk-9)"), "answering"
    )
    shown += messages.failure(
        IndexStoreError(f"the Chroma server at db.internal:8000 is gone; see {tmp_path}/log"), "listing"
    )
    assert shown == "the LLM server answered 500 (key •••)the Chroma server is gone; see log"
    with caplog.at_level(logging.ERROR):
        assert messages.failure(KeyError("internal detail"), "rendering") == GENERIC
    assert caplog.records[-1].exc_info[0] is KeyError and "rendering failed" in caplog.text


def test_example_questions_file(tmp_path):
    assert load_examples(tmp_path) == {}
    (tmp_path / "examples.json").write_text('{"a.txt": [" Who? ", ""], "b.txt": []}')
    assert load_examples(tmp_path) == {"a.txt": ["Who?"], "b.txt": []}
