"""The chat in headless Chromium, with the default model: a real cited answer, marker focus, the whole
article, an upload answered from, a malicious article shown as text, a question asked within one
article, and no request off 127.0.0.1. (Saved conversations, refusals and feedback, where the answer's
content does not matter, are in test_browser_conversations.py on the tiny model.)

One app serves the module (a private copy of the shared index; uploads go to a tmp folder).
Screenshots of each step go to test-artifacts/ (a test run changes no tracked file).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import CORPUS, DEFAULT_MODEL, make_settings
from servers import free_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "How many State Department employees took buyouts?"
ARTICLE = """Millbrook Council Votes to Paint the Water Tower Purple
date 2025-04-02

The Millbrook town council voted 5 to 2 on Monday night to paint the town's water tower purple.
Mayor Dana Quillfeather said the painting will start in June and cost 48,000 dollars.
Residents had asked for a brighter colour in a petition signed by 1,200 people.
"""
EVIL = """Harbor council notes <img src=x onerror=window.__xss=1> for April
date 2025-04-03

The harbor council met on Tuesday. <script>window.__xss=2</script> It discussed ${window.__xss=3} mooring fees.
"""


@pytest.fixture(scope="module")
def app_url(shared_index, tmp_path_factory):
    from rag.pipeline import Pipeline
    from rag.ui import build_app

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (the browser tests need Debian's chromium)")
    index = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(shared_index, index)  # uploads must not touch the shared index
    uploads = tmp_path_factory.mktemp("browser-uploads")
    shutil.copyfile(CORPUS / "examples.json", uploads / "examples.json")  # the indexed articles' example questions
    settings = make_settings(index, model=DEFAULT_MODEL, port=free_port()).with_overrides(corpus_dir=uploads)
    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True)
    yield url.rstrip("/")
    ui.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.wait_for_selector("#rag-chatbot")
    yield page
    off_host = [
        u for u in requests if not (u.startswith(app_url + "/") or u == app_url or u.startswith(("data:", "blob:")))
    ]
    assert not off_host, f"requests left 127.0.0.1: {off_host}"
    assert not errors, f"errors on the page: {errors}"
    context.close()


def _ask(page, question: str) -> None:
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")


def _wait_for_answer(page, timeout_s: float = 300) -> tuple[bool, bool]:
    """Wait for the latest answer to finish; returns (saw the placeholder, saw partial text)."""
    pending, partial = False, False
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate("""() => {
            const answers = document.querySelectorAll('#rag-chatbot .rag-answer');
            const last = answers[answers.length - 1];
            if (!last) return 'none';
            if (!last.classList.contains('rag-pending')) return 'done';
            return last.querySelector('.answer-text').textContent.trim() ? 'partial' : 'pending';
        }""")
        pending |= state in ("pending", "partial")
        partial |= state == "partial"
        if state == "done":
            return pending, partial
        time.sleep(0.05)
    raise AssertionError("no answer within the time limit")


def _upload(page, path) -> str:
    page.get_by_role("tab", name="Your articles").click()
    page.wait_for_selector("#rag-library table")
    page.evaluate("""() => { window.__sawProgress = false;
        new MutationObserver(() => {
          if (document.querySelector('#rag-upload-report progress')) window.__sawProgress = true;
        })
          .observe(document.body, {subtree: true, childList: true}); }""")
    page.set_input_files("#rag-upload input[type=file]", str(path))
    page.wait_for_selector("#rag-upload-report .up-ok", timeout=120_000)
    return page.inner_text("#rag-upload-report")


def test_streamed_answer_with_highlighted_citation_and_marker_focus(page, artifacts):
    status = page.inner_text("#rag-status")
    assert re.search(r"Loading the model|Ready|Preparing", status), status
    assert page.get_by_text(QUESTION).first.is_visible()  # example questions on the empty chat
    page.screenshot(path=str(artifacts / "chat-1-empty.png"))

    box = page.get_by_label("Your question")
    box.fill("first line")
    box.press("Shift+Enter")
    box.press_sequentially("second line")
    assert box.input_value() == "first line\nsecond line"  # Shift+Enter adds a line, sends nothing
    assert page.locator("#rag-chatbot .rag-question").count() == 0
    box.fill("   ")
    box.press("Enter")  # an empty question: a note at the box, nothing sent
    page.locator("#rag-question").get_by_text("Type a question about the articles first.").wait_for()
    assert page.locator("#rag-chatbot .rag-question").count() == 0

    _ask(page, QUESTION)
    page.wait_for_selector("#rag-chatbot .rag-pending")
    page.screenshot(path=str(artifacts / "chat-2-streaming.png"))
    saw_pending, saw_partial = _wait_for_answer(page)
    assert saw_pending and saw_partial  # streamed: a placeholder, then text growing
    answer = page.locator("#rag-chatbot .rag-answer").last
    text = answer.locator(".answer-text").inner_text()
    assert re.search(r"1,[05]00", text), text
    assert re.search(r"first token [\d.]+ s · total [\d.]+ s", answer.locator(".answer-timing").inner_text())
    mark = page.locator("#rag-evidence .ev-item mark").first
    assert mark.is_visible() and "buyouts" in mark.inner_text()
    page.screenshot(path=str(artifacts / "chat-3-answer.png"))

    marker = answer.locator("a.cite").first
    n = re.search(r"\d+", marker.inner_text()).group(0)
    marker.click()
    focused = page.locator(f"#ev-0-{n}")
    assert "focused" in (focused.get_attribute("class") or "")
    assert page.evaluate("document.activeElement.id") == f"ev-0-{n}"
    assert focused.is_visible()
    page.screenshot(path=str(artifacts / "chat-4-marker-focus.png"))  # the README's screenshot: `make screenshot`

    focused.get_by_role("button", name=re.compile("Show the whole article")).click()
    dialog = page.locator("dialog#rag-article-dialog[open]")
    dialog.wait_for()
    article_mark = dialog.locator("mark")
    assert article_mark.is_visible() and "buyouts" in article_mark.inner_text()
    box_mark, box_text = article_mark.bounding_box(), dialog.locator(".article-text").bounding_box()
    assert box_text["y"] <= box_mark["y"] <= box_text["y"] + box_text["height"]  # scrolled to the span
    page.screenshot(path=str(artifacts / "chat-5-whole-article.png"))
    page.keyboard.press("Escape")
    assert page.locator("dialog#rag-article-dialog[open]").count() == 0

    answer.get_by_role("button", name="Copy").click()
    page.wait_for_function("() => document.querySelector('#rag-chatbot .copy-answer').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"1,[05]00", copied) and "Sources:" in copied and "[1]" in copied


def test_uploaded_article_is_searchable_and_cited(page, artifacts, tmp_path):
    path = tmp_path / "millbrook-council.txt"
    path.write_text(ARTICLE)
    report = _upload(page, path)
    assert "millbrook-council.txt" in report
    assert page.evaluate("window.__sawProgress")  # the progress bar showed while indexing
    assert (
        page.locator("#rag-library").get_by_text("Millbrook Council Votes to Paint the Water Tower Purple").is_visible()
    )
    page.screenshot(path=str(artifacts / "upload-1-library.png"))

    page.get_by_role("tab", name="Chat").click()
    _ask(page, "What colour did the Millbrook town council vote to paint the water tower?")
    _wait_for_answer(page)
    answer = page.locator("#rag-chatbot .rag-answer").last
    assert "purple" in answer.locator(".answer-text").inner_text().lower()
    assert answer.locator("a.cite").count() >= 1
    files = page.locator("#rag-evidence section.ev-turn:not([hidden]) .ev-file").all_inner_texts()
    assert "millbrook-council.txt" in files
    page.screenshot(path=str(artifacts / "upload-2-cited.png"))


def test_malicious_article_shows_as_text_and_runs_nothing(page, artifacts, tmp_path):
    path = tmp_path / "harbor-notes.txt"
    path.write_text(EVIL)
    _upload(page, path)
    library = page.locator("#rag-library")
    assert library.get_by_text("<img src=x onerror=window.__xss=1>", exact=False).is_visible()
    library.get_by_role("button", name=re.compile("View the article: Harbor council")).click()
    dialog = page.locator("dialog#rag-article-dialog[open]")
    dialog.wait_for()
    assert "<script>window.__xss=2</script>" in dialog.inner_text()
    assert "${window.__xss=3}" in dialog.inner_text()
    page.screenshot(path=str(artifacts / "xss-1-article.png"))
    page.keyboard.press("Escape")

    # the library can remove it again (after a confirmation)
    page.once("dialog", lambda d: d.accept())
    library.get_by_role("button", name=re.compile("Remove from the library: Harbor council")).click()
    page.locator("#rag-upload-report").get_by_text("Removed").wait_for()
    assert library.get_by_text("harbor-notes.txt").count() == 0

    # a question is shown as typed, too (and New chat stops its answer)
    page.get_by_role("tab", name="Chat").click()
    _ask(page, "What about <img src=y onerror=window.__xss=4> harbor <b>fees</b>?")
    question = page.locator("#rag-chatbot .rag-question").last
    question.wait_for()
    assert "<img src=y onerror=window.__xss=4>" in question.inner_text()
    assert question.locator("img, b").count() == 0
    page.screenshot(path=str(artifacts / "xss-2-question.png"))
    page.get_by_role("button", name="New chat").click()
    page.wait_for_function("() => !document.querySelector('#rag-chatbot .rag-question')")
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_a_question_scoped_to_one_article_cites_only_it(page, artifacts):
    scoped = "002_a3ce7c2eb21b0992.txt"
    _ask(page, "Who is Gerald Feierstein?")  # a first conversation, for the sidebar
    _wait_for_answer(page)
    page.get_by_role("button", name="New chat").click()
    page.get_by_text("Ask within chosen articles").click()
    page.locator("#rag-scope-sources input").click()
    page.get_by_role("option", name=re.compile(re.escape(scoped))).click()
    page.keyboard.press("Escape")
    page.get_by_text("Ask within chosen articles").click()  # folded again: the line above the box stays
    line = page.locator("#rag-scope .rag-scope")
    line.wait_for()
    assert "Asking within: Trump denied any bad blood" in " ".join(line.inner_text().split())
    _ask(page, QUESTION)
    _wait_for_answer(page)
    answer = page.locator("#rag-chatbot .rag-answer").last
    assert re.search(r"1,[05]00", answer.locator(".answer-text").inner_text())
    assert answer.locator("a.cite").count() >= 1
    files = page.locator("#rag-evidence section.ev-turn:not([hidden]) .ev-file").all_inner_texts()
    assert files and set(files) == {scoped}
    # the sidebar lists the second conversation once its answer is saved (a moment after it shows)
    page.wait_for_function("() => document.querySelectorAll('#rag-history-list label').length === 2")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "history-scoped.png"), full_page=True)  # the README's: `make screenshot`
    page.get_by_role("button", name="✕ Search all articles").click()
    page.wait_for_function("() => !document.querySelector('#rag-scope .rag-scope')")  # removed in one click


def test_settings_persist_in_this_browser(page, app_url):
    page.locator("#rag-settings").get_by_role("button", name="Toggle Sidebar").click()
    page.get_by_label("Show retrieval scores").check()
    top_k = page.get_by_label("number input for Passages to search (top k)")
    top_k.fill("9")
    top_k.press("Enter")
    page.wait_for_function("() => document.body.classList.contains('rag-show-scores')")
    time.sleep(0.5)  # the browser store is written on change
    page.reload()
    page.wait_for_selector("#rag-chatbot")
    page.wait_for_function("() => document.body.classList.contains('rag-show-scores')")
    page.locator("#rag-settings").get_by_role("button", name="Toggle Sidebar").click()
    assert page.get_by_label("Show retrieval scores").is_checked()
    assert page.get_by_label("number input for Passages to search (top k)").input_value() == "9"


def test_a_follow_up_is_resolved_and_what_was_searched_is_shown(page, artifacts):
    _ask(page, "Who is Gerald Feierstein?")
    _wait_for_answer(page)
    _ask(page, "What did he say about Rubio?")  # "he": the diplomat of the last exchange
    page.wait_for_function("() => document.querySelectorAll('#rag-chatbot .rag-answer').length === 2")
    _wait_for_answer(page)
    answer = page.locator("#rag-chatbot .rag-answer").last
    searched = answer.locator(".answer-standalone")
    assert searched.is_visible()
    text = searched.inner_text()
    assert text.startswith("Searching for: ") and "Feierstein" in text and "Rubio" in text, text
    page.screenshot(path=str(artifacts / "followup-1-searching-for.png"))
    assert page.locator("#rag-chatbot .rag-answer").first.locator(".answer-standalone").count() == 0  # asked as is
