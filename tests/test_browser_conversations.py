"""Saved conversations in headless Chromium, on the tiny model (the answers' content does not matter
here): two browsers never see each other's history, a refusal shows the nearest passages, a thumbs
down comes out of `rag feedback export`, and history survives a restart after a `kill -9` mid-answer.

The browser fixtures and helpers are test_browser.py's. The restart test runs `rag chat` as a real
subprocess on a fixed port (a browser's local storage, which holds its owner id, is per origin).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3

import pytest
from conftest import CORPUS, TINY_MODEL, make_settings, rag_env
from servers import RAG, Server, free_port, run_rag, wait_until
from test_browser import CHROMIUM, _ask, _wait_for_answer, browser  # noqa: F401 - `browser` is a fixture

pytestmark = pytest.mark.browser

OFF_TOPIC = "Who won the 2025 Super Bowl?"


@pytest.fixture(scope="module")
def served(shared_index, tmp_path_factory):
    """The app on the tiny model, its history in a tmp file."""
    from rag.pipeline import Pipeline
    from rag.ui import build_app

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (the browser tests need Debian's chromium)")
    folder = tmp_path_factory.mktemp("conversations")
    shutil.copytree(shared_index, folder / "index")
    settings = make_settings(
        folder / "index",
        model=TINY_MODEL,
        port=free_port(),
        max_tokens=24,
        history_path=str(folder / "history.sqlite3"),
    )
    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True)
    yield url.rstrip("/"), settings
    ui.close()


def open_page(browser, url: str, errors: list[str]):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    return context, new_tab(context, url, errors)


def new_tab(context, url: str, errors: list[str]):
    """A tab of the same browser (its storage, so its conversations) opened on `url`."""
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#rag-chatbot")
    return page


def sidebar(page) -> list[str]:
    return page.locator("#rag-history-list label").all_inner_texts()


def test_two_browsers_never_see_each_others_conversations(browser, served):  # noqa: F811
    url, _ = served
    errors: list[str] = []
    first_context, first = open_page(browser, url, errors)
    second_context, second = open_page(browser, url, errors)
    _ask(first, "Asked in browser one: what is DOGE?")  # words in no example question or article title
    _wait_for_answer(first)
    _ask(second, "Asked in browser two: who is Marco Rubio?")
    _wait_for_answer(second)
    first.wait_for_function("() => document.querySelectorAll('#rag-history-list label').length === 1")
    second.wait_for_function("() => document.querySelectorAll('#rag-history-list label').length === 1")
    assert sidebar(first)[0].startswith("Asked in browser one: what is DOGE? · ")
    assert sidebar(second)[0].startswith("Asked in browser two: who is Marco Rubio? · ")
    for page in (first, second):
        page.reload()
        page.wait_for_selector("#rag-history-list label")
    assert len(sidebar(first)) == 1 and "browser two" not in first.content()  # kept per browser, across reloads
    assert len(sidebar(second)) == 1 and "browser one" not in second.content()
    first_context.close()
    second_context.close()
    assert not errors, errors


def refused_in_a_new_browser(browser, url: str, errors: list[str]):  # noqa: F811
    """A fresh browser that has asked the off-topic question and got its refusal: (context, page)."""
    context, page = open_page(browser, url, errors)
    _ask(page, OFF_TOPIC)
    _wait_for_answer(page)
    return context, page


def test_a_refusal_shows_the_nearest_passages_it_searched(browser, served, artifacts):  # noqa: F811
    errors: list[str] = []
    context, page = refused_in_a_new_browser(browser, served[0], errors)
    assert "The articles do not cover this." in page.locator("#rag-chatbot .rag-answer").last.inner_text()
    panel = page.locator("#rag-evidence section.ev-turn:not([hidden])")
    assert "The nearest passages it found" in panel.inner_text() and "None of them answers" in panel.inner_text()
    passages = panel.locator(".ev-searched > li")
    assert passages.count() >= 3
    articles = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    for i in range(passages.count()):
        item = passages.nth(i)
        source = item.locator(".ev-file").inner_text()
        closest = item.locator("blockquote.ev-closest").inner_text().strip()
        assert item.locator(".ev-title").inner_text() and closest
        assert closest in " ".join(articles[source].split())  # a sentence of that article, not a cut-off prefix
    page.screenshot(path=str(artifacts / "refusal-nearest.png"))
    context.close()
    assert not errors, errors


def test_a_thumbs_down_comes_out_of_rag_feedback_export_as_a_review_item(browser, served, tmp_path):  # noqa: F811
    url, settings = served
    errors: list[str] = []
    context, page = refused_in_a_new_browser(browser, url, errors)
    page.locator("#rag-chatbot button[aria-label='Dislike']").last.click()
    comment = page.locator("#rag-feedback-comment textarea")
    comment.fill("The Philadelphia Eagles won it; an article should say so.")
    page.get_by_role("button", name="Send comment").click()
    page.locator("#rag-feedback-note").get_by_text("comment was saved").wait_for()
    context.close()

    out = tmp_path / "feedback.jsonl"
    env = rag_env(settings.index_dir, RAG_HISTORY_PATH=settings.history_path)
    exported = run_rag(["feedback", "export", "--out", str(out)], env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    items = [json.loads(line) for line in out.read_text().splitlines()]
    [item] = [i for i in items if i["question"] == OFF_TOPIC]
    assert item["kind"] == "review" and item["answers"] == []
    assert item["comment"] == "The Philadelphia Eagles won it; an article should say so."
    assert {"id", "question", "answers", "sources", "kind"} <= set(item)
    evaluated = run_rag(["eval", str(out)], env, timeout=120)  # nothing to score until a person fixes it
    assert evaluated.returncode == 2 and "only `review` items" in evaluated.stderr
    assert not errors, errors


def test_history_survives_a_kill_9_mid_answer_and_a_restart(browser, shared_index, tmp_path):  # noqa: F811
    index = tmp_path / "index"
    shutil.copytree(shared_index, index)
    history = tmp_path / "history.sqlite3"
    port = free_port()
    env = rag_env(index, RAG_MODEL=TINY_MODEL, RAG_HISTORY_PATH=str(history), RAG_MAX_TOKENS="300", RAG_N_THREADS="1")

    def start() -> Server:
        return Server([RAG, "chat", "--port", str(port)], port, tmp_path / "chat.log", "/", env=env).start()

    errors: list[str] = []
    server = start()
    try:
        context, page = open_page(browser, server.url, errors)
        _ask(page, "Who is Gerald Feierstein?")
        _wait_for_answer(page)
        _ask(page, "Describe in detail everything the articles say about Elon Musk and Donald Trump.")

        def unfinished() -> bool:
            with sqlite3.connect(history) as db:
                return db.execute("SELECT count(*) FROM turns WHERE state = 'unfinished'").fetchone()[0] == 1

        assert wait_until(unfinished, 120, step=0.01), server.tail()
        os.killpg(server.proc.pid, signal.SIGKILL)  # mid-answer: the turn is written, its answer is not
        server.proc.wait(10)
        errors.clear()  # the page may complain that its server went away: that is the point
    finally:
        server.stop()

    server = start()
    try:
        # the same browser comes back in a new tab: the old one watched its server die, and the browser
        # may have detached it (reloading it failed so once in CI)
        page = new_tab(context, server.url, errors)
        page.wait_for_selector("#rag-history-list label")
        [listed] = sidebar(page)
        assert listed.startswith("Who is Gerald Feierstein? · ")
        page.locator("#rag-history-list label").first.click()
        page.wait_for_selector("#rag-chatbot .rag-interrupted")
        answers = page.locator("#rag-chatbot .rag-answer")
        assert answers.count() == 2 and "This answer was interrupted." in answers.nth(1).inner_text()
        answers.nth(0).click()  # the first answer's sources come back with it
        shown = page.locator("#rag-evidence section.ev-turn:not([hidden])")
        assert "Gerald Feierstein" in shown.inner_text() and shown.locator(".ev-file").count() >= 1
        assert page.locator("#rag-evidence section.ev-turn").count() == 2
        page.locator("#rag-history-title input").fill("Feierstein and the crash")
        page.get_by_role("button", name="Rename").click()
        page.wait_for_function("() => document.querySelector('#rag-history-list').innerText.includes('Feierstein and')")
        with page.expect_download() as download:
            page.get_by_role("button", name="Export as Markdown").click()
        markdown = open(download.value.path(), encoding="utf-8").read()
        assert markdown.startswith("# Feierstein and the crash") and "*This answer was interrupted.*" in markdown
        context.close()
    finally:
        server.stop()
    assert not errors, errors
