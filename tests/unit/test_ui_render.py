"""HTML from the templates: escaped by default, no stray whitespace, markers linked only when real."""

from __future__ import annotations

import re

import pytest

from rag.answer import Answer, Citation
from rag.library import Article, Rejected
from rag.store import FileRecord
from rag.ui import render
from rag.ui.conversation import Turn

QUOTE = 'He said "no" & <left>'


def cite(n: int = 1, **fields) -> Citation:
    base = dict(
        n=n,
        source="a.txt",
        title=QUOTE,
        chunk_id="a.txt#0",
        text="Before. The sentence. After.",
        start=10,
        end=38,
        score=0.5,
        date="2025-01-02",
        highlight_start=18,
        highlight_end=31,
    )
    return Citation(**{**base, **fields})


def test_answer_parts_link_real_markers_keep_others_as_text_and_break_lines():
    parts = render.answer_parts("One [1].\nTwo [2] [x]", {1: cite()})
    assert [p.kind for p in parts] == ["text", "cite", "text", "br", "text"]
    assert parts[1].n == 1 and parts[1].title == QUOTE and parts[-1].text == "Two [2] [x]"
    assert [p.kind for p in render.answer_parts("Soon [3]", None)] == ["text", "pending"]


def test_every_fragment_escapes_text_and_attributes():
    answer = Answer(
        question=QUOTE,
        answer=f"{QUOTE} [1]",
        refused=False,
        citations=[cite()],
        model=QUOTE,
        timings={"total_ms": 1500.0},
        notice=QUOTE,
    )
    turn = Turn(question=QUOTE, answer=answer)
    record = FileRecord("a.txt", "/x/a.txt", QUOTE, "", "h", 1)
    page = "".join(m["content"] for m in render.chat_messages([turn, Turn(question="q", error=QUOTE)]))
    page += render.evidence([turn]) + render.library([record], note=QUOTE) + render.status(QUOTE)
    page += render.article(Article(record=record, text=QUOTE * 3)) + render.progress(1, 2, QUOTE)
    page += render.upload_report([QUOTE], [Rejected(name=QUOTE, reason=QUOTE)], [QUOTE])
    assert "<left>" not in page and '"no"' not in page
    assert "He said &#34;no&#34; &amp; &lt;left&gt;" in page
    assert 'title="Source 1: He said &#34;no&#34; &amp; &lt;left&gt;"' in page  # inside an attribute too


def test_templates_add_no_line_breaks_or_indentation():
    turn = Turn(
        question="q",
        answer=Answer(
            question="q",
            answer="a [1]",
            refused=False,
            citations=[cite()],
            model="m",
            timings={"first_token_ms": 500.0, "total_ms": 2000.0},
        ),
    )
    html = render.evidence([turn]) + render.chat_messages([turn])[1]["content"] + render.library([])
    html = re.sub(r'data-copy="[^"]*"', "", html)  # the clipboard text has its own line breaks
    assert "\n" not in html and "  <" not in html and ">  " not in html
    assert "first token 0.5 s · total 2.0 s · m" in html
    assert '<div class="ev-passage">Before. <mark>The sentence.</mark> After.</div>' in html


def test_the_article_outlines_the_passage_and_marks_its_sentence_or_shows_plain_text():
    record = FileRecord("a.txt", "/x/a.txt", "", "2025-01-02", "h", 1)
    article = Article(record=record, text="0123456789abcdefghij")
    marked = render.article(article, span=render.Span(start=2, end=12, hs=4, he=8))
    assert '01<span class="article-passage">23<mark id="article-mark">4567</mark>89ab</span>cdefghij' in marked
    assert '<h2 id="rag-article-title">a.txt</h2>' in marked and "2025-01-02 · a.txt" in marked
    for span in (render.Span(start=5, end=99), render.Span(start=9, end=3), render.Span()):
        assert "<mark" not in render.article(article, span=span)
    odd_sentence = render.article(article, span=render.Span(start=2, end=12, hs=0, he=30))
    assert '<mark id="article-mark">23456789ab</mark>' in odd_sentence  # the whole passage instead


@pytest.mark.parametrize(
    "answer,expected",
    [
        (
            Answer(
                question="q",
                answer="No.",
                refused=True,
                citations=[],
                model="m",
                timings={},
                search_query="tolls 2024",
                searched=[{"source": "b.txt", "title": "", "score": 0.3, "text": " passage ", "date": "2025-02-03"}],
            ),
            [
                "do not cover this question",
                "Searched for: <q",
                "tolls 2024",
                "similarity 0.30",
                "None of them answers",
                '<time datetime="2025-02-03">',
                '<blockquote class="ev-passage ev-closest">passage</blockquote>',
            ],
        ),
        (
            Answer(question="q", answer="Plain.", refused=False, citations=[], model="m", timings={}),
            ["This answer cites no passage."],
        ),
    ],
)
def test_sources_for_a_refusal_and_for_an_answer_without_citations(answer, expected):
    html = render.evidence([Turn(question="q", answer=answer)])
    assert all(words in html for words in expected), html


def test_only_the_selected_answers_sources_show():
    turns = [Turn(question=f"q{i}", error="x") for i in range(3)]
    html = render.evidence(turns, selected=1)
    assert html.count(" hidden>") == 2 and 'data-turn="1" data-copy="" aria-label="Sources for answer 2">' in html


def test_copy_text_lists_the_sources():
    answer = Answer(question="q", answer="A [1].", refused=False, citations=[cite()], model="m", timings={})
    assert render.copy_text(answer) == f"A [1].\n\nSources:\n[1] {QUOTE} (a.txt, 2025-01-02)"
