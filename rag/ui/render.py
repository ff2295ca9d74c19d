"""HTML for the page, from Jinja2 templates with autoescape on: article, upload and user text is text.

Every value reaching a template is escaped unless a template says otherwise, and none does, so an
article containing `<script>` or `<img onerror=…>` shows those characters and runs nothing. Python
here only shapes data (which passage part is highlighted, where a `[n]` marker is); the markup lives
in `templates/`. Line breaks and indentation in a template are for its reader: they are removed
when it is loaded (see `_compact`), so what the page gets has no stray spaces or line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import jinja2

from ..answer import Answer, Citation
from ..library import Article, Rejected
from ..store import FileRecord
from .conversation import Turn

_MARKER = re.compile(r"\[(\d{1,3})\]")
_TAG_END = (">", "%}", "#}")
_TAG_START = ("<", "{%", "{#")


class StatusKind(StrEnum):
    INFO = "info"
    BUSY = "busy"
    READY = "ready"
    ERROR = "error"


@dataclass(frozen=True, kw_only=True)
class Part:
    """A piece of answer text: plain text, a line break, or a `[n]` marker (linked once verified)."""

    kind: str  # text | br | cite | pending
    text: str = ""
    n: int = 0
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class Span:
    """Article offsets to show: the cited passage and, inside it, its supporting sentence."""

    start: int | None = None
    end: int | None = None
    hs: int | None = None
    he: int | None = None


@dataclass(frozen=True, kw_only=True)
class Section:
    """One answer's part of the Sources panel."""

    turn: int
    item: Turn
    hidden: bool
    question: str  # shortened, for the heading
    clipboard: str  # what "Copy" takes: the answer and its sources


# -- chat ----------------------------------------------------------------------------------------


def chat_messages(turns: Sequence[Turn], pending: tuple[str, str, str] | None = None) -> list[dict[str, str]]:
    """The Chatbot value: our HTML per message. `pending` is (question, partial answer, status)."""
    chat = _macros("chat.html")
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": str(chat.question(_lines(turn.question)))})
        messages.append({"role": "assistant", "content": str(chat.answer(i, turn, _answer_parts(turn)))})
    if pending is not None:
        question, text, status = pending
        messages.append({"role": "user", "content": str(chat.question(_lines(question)))})
        parts = answer_parts(text, None) if text else []
        messages.append({"role": "assistant", "content": str(chat.pending(len(turns), parts, status))})
    return messages


def answer_parts(text: str, citations: dict[int, Citation] | None) -> list[Part]:
    """`text` split into parts; `[n]` becomes a marker. While streaming (`citations` is None) markers
    show but are not linked yet; a number with no citation stays plain text (an article may contain
    "[3]" of its own)."""
    parts: list[Part] = []
    for i, line in enumerate(_lines(text)):
        if i:
            parts.append(Part(kind="br"))
        last = 0
        for match in _MARKER.finditer(line):
            n = int(match.group(1))
            cite = None if citations is None else citations.get(n)
            if citations is not None and cite is None:
                continue
            parts.append(Part(kind="text", text=line[last : match.start()]))
            if cite is None:
                parts.append(Part(kind="pending", n=n))
            else:
                parts.append(Part(kind="cite", n=n, title=cite.title or cite.source))
            last = match.end()
        parts.append(Part(kind="text", text=line[last:]))
    return [p for p in parts if p.kind != "text" or p.text]


def _answer_parts(turn: Turn) -> list[Part]:
    if turn.answer is None or turn.answer.refused:
        return []
    return answer_parts(turn.answer.answer, {c.n: c for c in turn.answer.citations})


def timing_parts(answer: Answer) -> list[str]:
    """The small print under an answer: time to first token, total time, the model that wrote it."""
    t = answer.timings or {}
    parts = []
    if t.get("first_token_ms"):
        parts.append(f"first token {_seconds(t['first_token_ms'])}")
    if t.get("total_ms") is not None:
        parts.append(f"total {_seconds(t['total_ms'])}")
    if answer.model:
        parts.append(answer.model)
    return parts


def copy_text(answer: Answer) -> str:
    """What "Copy" puts on the clipboard: the answer, then its sources."""
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            date = f", {c.date}" if c.date else ""
            lines.append(f"[{c.n}] {c.title or c.source} ({c.source}{date})")
    return "\n".join(lines)


# -- sources -------------------------------------------------------------------------------------


def evidence(turns: Sequence[Turn], selected: int | None = None) -> str:
    """All answers' sources, one section each; only the selected one (default: the latest) shows.
    Clicking a marker of another answer switches sections in the browser, without a round trip."""
    selected = len(turns) - 1 if selected is None else selected
    sections = [
        Section(
            turn=i,
            item=turn,
            hidden=i != selected,
            question=_short(turn.question),
            clipboard=copy_text(turn.answer) if turn.answer is not None else "",
        )
        for i, turn in enumerate(turns)
    ]
    return _render("evidence.html", sections=sections)


def passage_parts(c: Citation) -> tuple[str, str, str]:
    """(before, supporting sentence, after) of a cited passage (highlight offsets are article offsets)."""
    text = c.text or ""
    hs, he = c.highlight_start - c.start, c.highlight_end - c.start
    if not 0 <= hs < he <= len(text):
        hs, he = 0, len(text)
    return text[:hs].lstrip(), text[hs:he], text[he:].rstrip()


def article(found: Article | None, source: str = "", span: Span = Span()) -> str:
    """The article as indexed, with the cited passage outlined and its supporting sentence marked;
    the browser scrolls the mark into view. `found` None: the article is no longer in the library."""
    if found is None:
        return _render("article.html", record=None, source=source)
    text, pieces = found.text, None
    start, end, hs, he = span.start, span.end, span.hs, span.he
    if start is not None and end is not None and 0 <= start < end <= len(text):
        if hs is None or he is None or not start <= hs < he <= end:
            hs, he = start, end
        pieces = (text[:start], text[start:hs], text[hs:he], text[he:end], text[end:])
    return _render("article.html", record=found.record, text=text, pieces=pieces)


# -- library and status --------------------------------------------------------------------------


def library(records: Sequence[FileRecord], note: str = "") -> str:
    return _render("library.html", records=records, note=note)


def progress(done: int, total: int, message: str) -> str:
    return _render(
        "progress.html",
        done=min(done, max(total, 1)),
        total=max(total, 1),
        pct=int(100 * done / total) if total else 0,
        message=message,
    )


def upload_report(added: Sequence[str], rejected: Sequence[Rejected], notes: Sequence[str] = ()) -> str:
    return _render("upload_report.html", added=added, rejected=rejected, notes=notes)


def scope_line(titles: Sequence[str], dates: str = "", error: str = "") -> str:
    """The scope above the question box: the chosen articles' titles and the date range, or why the
    scope cannot be used; empty when every article is searched."""
    return _render("scope.html", titles=titles, dates=dates, error=error)


def status(text: str, kind: StatusKind = StatusKind.INFO) -> str:
    return _render("status.html", text=text, kind=StatusKind(kind).value)


def note(text: str) -> str:
    """A one-line note under a control (saved, deleted, could not save); empty text, no note."""
    return status(text) if text else ""


# -- the template environment --------------------------------------------------------------------


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)


def _macros(name: str) -> Any:
    return _environment().get_template(name).module


class _CompactLoader(jinja2.PackageLoader):
    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        return _compact(source), filename, uptodate


def _compact(source: str) -> str:
    """A template's line breaks and indentation removed: dropped next to a tag (`<p>`, `{% if %}`),
    one space between two words, as HTML would have shown them."""

    def join(match: re.Match[str]) -> str:
        at_tag = source.endswith(_TAG_END, 0, match.start()) or source.startswith(_TAG_START, match.end())
        return "" if at_tag else " "

    return re.sub(r"[ \t]*\n\s*", join, source)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_CompactLoader("rag.ui", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.globals.update(passage_parts=passage_parts, timing_parts=timing_parts)
    return env


def _seconds(ms: float | None) -> str:
    if ms is None:
        return ""
    seconds = float(ms) / 1000
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


def _lines(text: str) -> list[str]:
    return str(text or "").replace("\r\n", "\n").split("\n")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
