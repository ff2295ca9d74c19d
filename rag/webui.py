"""HTML for the browser chat, built by hand: every piece of article, upload or user text is escaped.

Nothing here imports Gradio. The chat messages, the evidence panel, the article view and the library
are plain strings composed with `esc()` around every untrusted value, so an article containing
`<script>` or `<img onerror=…>` shows those characters and runs nothing. The only markup is ours.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .answer import Answer, Citation

_MARKER = re.compile(r"\[(\d{1,3})\]")
_URL_LOGIN = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")
_ABS_PATH = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[\"'(=]))(?:[A-Za-z]:\\|/)(?:[^\s\"'()<>,;:]+[/\\])+([^\s\"'()<>,;:]*)")


def esc(value: Any) -> str:
    """Text as HTML text (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def esc_text(value: Any) -> str:
    """Escaped text with line breaks kept (for places rendered without `white-space: pre-wrap`)."""
    return esc(value).replace("\r\n", "\n").replace("\n", "<br>")


@dataclass
class Turn:
    """One question of a conversation and what came of it: an answer, or a friendly error."""

    question: str
    answer: Answer | None = None
    error: str = ""


# -- file names and messages --------------------------------------------------------------------

def safe_filename(name: str, default_suffix: str = ".txt") -> str:
    """A browser-supplied file name reduced to a harmless basename: no folders, no `..`, no control or
    shell-special characters, no leading dot, at most 120 characters, the extension kept."""
    base = re.split(r"[/\\]", str(name or ""))[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE)
    base = re.sub(r"\s+", " ", base).strip(" ._")
    base = re.sub(r"\.{2,}", ".", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()[:8]
    stem = stem.strip(" ._")[:110] or "article"
    return f"{stem}.{suffix}" if suffix else f"{stem}{default_suffix}"


def scrub(message: str, secrets: Iterable[str] = (), folders: dict[str, str] | None = None) -> str:
    """A message fit for the page: known secrets removed, known folders replaced by a short name
    (e.g. their last part), other absolute paths reduced to their last part (`/home/me/x/y.txt` -> `y.txt`)."""
    text = str(message or "")
    for secret in secrets:
        if secret:
            text = text.replace(secret, "•••")
    text = _URL_LOGIN.sub(r"\1", text)  # http://user:password@host -> http://host
    for folder, label in sorted((folders or {}).items(), key=lambda kv: -len(kv[0])):
        folder = folder.rstrip("/\\")
        if folder and folder != ".":
            text = text.replace(folder, label)
    return _ABS_PATH.sub(lambda m: m.group(1) or "(folder)", text)


def fmt_seconds(ms: float | None) -> str:
    if ms is None:
        return ""
    seconds = float(ms) / 1000
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


# -- chat messages -----------------------------------------------------------------------------

def render_question(question: str) -> str:
    return f'<div class="rag-question">{esc_text(question)}</div>'


def link_markers(escaped: str, turn: int, citations: dict[int, Citation] | None) -> str:
    """Turn `[n]` in already-escaped answer text into links that focus source n of this answer.
    While streaming (`citations` is None) markers are shown but not yet linked; a number with no
    citation stays plain text (an article may contain "[3]" of its own)."""

    def sub(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if citations is None:
            return f'<span class="cite cite-pending">[{n}]</span>'
        cite = citations.get(n)
        if cite is None:
            return match.group(0)
        label = f"Source {n}: {cite.title or cite.source}"
        return f'<a class="cite" href="#ev-{turn}-{n}" title="{esc(label)}">[{n}]</a>'

    return _MARKER.sub(sub, escaped)


def render_pending(turn: int, text: str, status: str) -> str:
    body = link_markers(esc_text(text), turn, None) if text else ""
    status_html = f'<p class="rag-status"><span class="rag-spinner" aria-hidden="true"></span>{esc(status)}</p>' if status else ""
    return f'<div class="rag-answer rag-pending" id="ans-{turn}"><p class="answer-text">{body}</p>{status_html}</div>'


def render_turn(turn: int, item: Turn) -> str:
    if item.answer is None:
        return (f'<div class="rag-answer rag-error" id="ans-{turn}"><p class="answer-text">'
                f'<strong>Sorry, no answer this time.</strong> {esc(item.error)}</p></div>')
    answer = item.answer
    t = answer.timings or {}
    meta = []
    if t.get("first_token_ms"):
        meta.append(f"first token {fmt_seconds(t['first_token_ms'])}")
    if t.get("total_ms") is not None:
        meta.append(f"total {fmt_seconds(t.get('total_ms'))}")
    if answer.model:
        meta.append(esc(answer.model))
    notice = f'<p class="answer-notice">{esc(answer.notice)}</p>' if answer.notice else ""
    copy = '<button type="button" class="copy-answer" title="Copy this answer and its sources">Copy</button>'
    timing = f'<small class="answer-timing">{" · ".join(meta)}</small>'
    if answer.refused:
        text = ('<p class="answer-text"><strong>The articles do not cover this.</strong></p>'
                '<p class="answer-refusal">No passage in the library supports an answer, so none was given. '
                'What was searched is listed under Sources.</p>')
        return f'<div class="rag-answer rag-refused" id="ans-{turn}">{text}{notice}<div class="answer-meta">{timing}{copy}</div></div>'
    by_n = {c.n: c for c in answer.citations}
    text = f'<p class="answer-text">{link_markers(esc_text(answer.answer), turn, by_n)}</p>'
    return f'<div class="rag-answer" id="ans-{turn}">{text}{notice}<div class="answer-meta">{timing}{copy}</div></div>'


def chat_messages(turns: Sequence[Turn], pending: tuple[str, str, str] | None = None) -> list[dict[str, str]]:
    """The Chatbot value: our HTML per message. `pending` is (question, partial answer, status)."""
    messages: list[dict[str, str]] = []
    for i, item in enumerate(turns):
        messages.append({"role": "user", "content": render_question(item.question)})
        messages.append({"role": "assistant", "content": render_turn(i, item)})
    if pending is not None:
        question, text, status = pending
        messages.append({"role": "user", "content": render_question(question)})
        messages.append({"role": "assistant", "content": render_pending(len(turns), text, status)})
    return messages


def copy_text(answer: Answer) -> str:
    """What "Copy" puts on the clipboard: the answer, then its sources."""
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            date = f", {c.date}" if c.date else ""
            lines.append(f"[{c.n}] {c.title or c.source} ({c.source}{date})")
    return "\n".join(lines)


# -- evidence panel ----------------------------------------------------------------------------

EVIDENCE_EMPTY = (
    '<div class="ev-empty"><p><strong>Sources</strong> appear here with each answer: the cited passage, '
    'its article, date and file, with the supporting sentence highlighted.</p>'
    '<p>Click a marker such as <span class="cite">[1]</span> in an answer to jump to its passage.</p></div>'
)


def _passage_html(c: Citation) -> str:
    """The passage with its supporting sentence in <mark> (offsets are article offsets)."""
    text = c.text or ""
    hs, he = c.highlight_start - c.start, c.highlight_end - c.start
    if not (0 <= hs < he <= len(text)):
        hs, he = 0, len(text)
    return f"{esc(text[:hs].lstrip())}<mark>{esc(text[hs:he])}</mark>{esc(text[he:].rstrip())}"


def _meta(title: str, date: str, source: str, score: float | None, score_label: str) -> str:
    parts = []
    if date:
        parts.append(f'<time datetime="{esc(date)}">{esc(date)}</time>')
    parts.append(f'<span class="ev-file">{esc(source)}</span>')
    sep = ' <span aria-hidden="true">·</span> '
    score_html = (f'<span class="ev-score">{sep}{esc(score_label)} {float(score):.2f}</span>'
                  if score is not None else "")
    return '<p class="ev-meta">' + sep.join(parts) + score_html + "</p>"


def _citation_html(turn: int, c: Citation) -> str:
    title = c.title or c.source
    button = (
        f'<button type="button" class="show-article" data-source="{esc(c.source)}" data-start="{int(c.start)}" '
        f'data-end="{int(c.end)}" data-hs="{int(c.highlight_start)}" data-he="{int(c.highlight_end)}" '
        f'aria-label="Show the whole article: {esc(title)}">Show whole article</button>'
    )
    return (
        f'<li><article class="ev-item" id="ev-{turn}-{c.n}" tabindex="-1" aria-label="Source {c.n}: {esc(title)}">'
        f'<h4 class="ev-title"><span class="ev-n">[{c.n}]</span> {esc(title)}</h4>'
        f'{_meta(title, c.date, c.source, c.score, "relevance")}'
        f'<div class="ev-passage">{_passage_html(c)}</div>{button}</article></li>'
    )


def _searched_html(answer: Answer) -> str:
    query = answer.search_query or answer.question
    items = []
    for s in answer.searched or []:
        title = s.get("title") or s.get("source", "")
        score = s.get("score")
        items.append(
            f'<li><h4 class="ev-title">{esc(title)}</h4>'
            f'{_meta(title, "", s.get("source", ""), score if isinstance(score, (int, float)) else None, "similarity")}'
            f'<div class="ev-passage">{esc(str(s.get("text", "")).strip())}…</div></li>'
        )
    listing = (f'<h4 class="ev-sub">Closest passages looked at</h4><ol class="ev-searched">{"".join(items)}</ol>'
               if items else '<p>No passage came close.</p>')
    return (
        '<div class="ev-refusal" role="note">'
        '<p><strong>The articles do not cover this question.</strong> Nothing in them supports an answer.</p>'
        f'<p>Searched the library for: <q class="ev-query">{esc(query)}</q></p>{listing}</div>'
    )


def render_evidence(turns: Sequence[Turn], selected: int | None = None) -> str:
    """All answers' sources, one section each; only the selected one (default: the latest) is shown.
    Clicking a marker of another answer switches sections in the browser, without a round trip."""
    heading = '<h2 class="sr-only">Sources</h2>'
    if not turns:
        return f'<div class="rag-evidence">{heading}{EVIDENCE_EMPTY}</div>'
    selected = len(turns) - 1 if selected is None else selected
    sections = []
    for i, item in enumerate(turns):
        hidden = "" if i == selected else " hidden"
        head = f'<h3 class="ev-heading">Sources for answer {i + 1}: <q>{esc(_short(item.question))}</q></h3>'
        copy = ""
        if item.answer is None:
            body = f'<p class="ev-none">No sources: {esc(item.error)}</p>'
        elif item.answer.refused:
            body = _searched_html(item.answer)
            copy = copy_text(item.answer)
        elif not item.answer.citations:
            body = '<p class="ev-none">This answer cites no passage.</p>'
            copy = copy_text(item.answer)
        else:
            body = '<ol class="ev-list">' + "".join(_citation_html(i, c) for c in item.answer.citations) + "</ol>"
            copy = copy_text(item.answer)
        sections.append(
            f'<section class="ev-turn" data-turn="{i}" data-copy="{esc(copy)}" aria-label="Sources for answer {i + 1}"{hidden}>'
            f"{head}{body}</section>"
        )
    return f'<div class="rag-evidence">{heading}' + "".join(sections) + "</div>"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# -- the whole article -------------------------------------------------------------------------

def render_article(title: str, date: str, source: str, text: str, start: int | None = None, end: int | None = None,
                   hs: int | None = None, he: int | None = None) -> str:
    """The article as indexed, escaped, with the cited passage outlined and its supporting sentence in
    <mark>; the browser scrolls the <mark> into view."""
    n = len(text)
    body: str
    if start is not None and end is not None and 0 <= start < end <= n:
        if hs is None or he is None or not (start <= hs < he <= end):
            hs, he = start, end
        body = (
            f"{esc(text[:start])}<span class=\"article-passage\">{esc(text[start:hs])}<mark id=\"article-mark\">"
            f"{esc(text[hs:he])}</mark>{esc(text[he:end])}</span>{esc(text[end:])}"
        )
    else:
        body = esc(text)
    meta = " · ".join(esc(x) for x in (date, source) if x)
    return (
        '<div class="article-view">'
        f'<header class="article-head"><h2 id="rag-article-title">{esc(title or source)}</h2>'
        f'<p class="ev-meta">{meta}</p>'
        '<button type="button" class="close-article" aria-label="Close the article">Close</button></header>'
        f'<div class="article-text" tabindex="0" aria-label="Article text">{body}</div></div>'
    )


def render_article_missing(source: str) -> str:
    return (
        '<div class="article-view"><header class="article-head"><h2 id="rag-article-title">Article not found</h2>'
        '<button type="button" class="close-article" aria-label="Close">Close</button></header>'
        f'<p>{esc(source)} is no longer in the library.</p></div>'
    )


# -- library and uploads -----------------------------------------------------------------------

def render_library(records: Sequence[Any], note: str = "") -> str:
    """The indexed articles (FileRecord-like: source, title, date, chunks) with View/Remove buttons."""
    note_html = f'<p class="lib-note" role="status">{esc(note)}</p>' if note else ""
    if not records:
        return f'<div class="rag-library">{note_html}<p>The library is empty: add articles above.</p></div>'
    rows = []
    for r in records:
        title = r.title or r.source
        rows.append(
            f'<tr><td class="lib-title">{esc(title)}</td><td>{esc(r.date or "—")}</td>'
            f'<td><code>{esc(r.source)}</code></td><td class="lib-num">{int(r.chunks)}</td>'
            f'<td class="lib-actions"><button type="button" class="view-article" data-source="{esc(r.source)}" '
            f'aria-label="View the article: {esc(title)}">View</button> '
            f'<button type="button" class="remove-article" data-source="{esc(r.source)}" data-title="{esc(title)}" '
            f'aria-label="Remove from the library: {esc(title)}">Remove</button></td></tr>'
        )
    count = len(records)
    return (
        f'<div class="rag-library">{note_html}<table class="lib-table">'
        f'<caption>{count} article{"s" if count != 1 else ""} in the library</caption>'
        '<thead><tr><th scope="col">Title</th><th scope="col">Date</th><th scope="col">File</th>'
        '<th scope="col">Passages</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def render_progress(done: int, total: int, message: str) -> str:
    pct = int(100 * done / total) if total else 0
    bar = (f'<progress class="rag-progress" max="{max(total, 1)}" value="{min(done, max(total, 1))}" '
           f'aria-label="Indexing progress">{pct}%</progress>')
    return f'<div class="rag-upload" role="status" aria-live="polite">{bar}<p>{esc(message)}</p></div>'


def render_upload_report(added: Sequence[str], rejected: Sequence[tuple[str, str]], notes: Sequence[str] = ()) -> str:
    parts = ['<div class="rag-upload" role="status" aria-live="polite">']
    if added:
        names = ", ".join(f"<code>{esc(a)}</code>" for a in added)
        parts.append(f'<p class="up-ok">Indexed and searchable now: {names}</p>')
    for note in notes:
        parts.append(f"<p>{esc(note)}</p>")
    if rejected:
        items = "".join(f"<li><code>{esc(name)}</code>: {esc(reason)}</li>" for name, reason in rejected)
        parts.append(f'<div class="up-rejected"><p><strong>Not added:</strong></p><ul>{items}</ul></div>')
    if not added and not rejected and not notes:
        parts.append("<p>Nothing to add.</p>")
    parts.append("</div>")
    return "".join(parts)


def render_status(text: str, kind: str = "info") -> str:
    kind = kind if kind in ("info", "busy", "ready", "error") else "info"
    spinner = '<span class="rag-spinner" aria-hidden="true"></span>' if kind == "busy" else ""
    return f'<div class="rag-model-status rag-{kind}" role="status" aria-live="polite">{spinner}{esc(text)}</div>'


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.ext`, `-3`, … when taken."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    i = 2
    while path.exists():
        path = folder / f"{stem}-{i}{suffix}"
        i += 1
    return path


# -- page assets -------------------------------------------------------------------------------

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans",
                "Liberation Sans", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "DejaVu Sans Mono", "monospace"]

CSS = """
.sr-only { position:absolute; width:1px; height:1px; padding:0; margin:-1px; overflow:hidden; clip:rect(0,0,0,0); border:0; }
#rag-header h1 { margin: 0.2em 0 0; font-size: 1.5rem; }
#rag-header p { margin: 0.1em 0 0.4em; color: var(--body-text-color-subdued); }
.rag-question { white-space: normal; }
.rag-answer .answer-text { margin: 0; }
.rag-answer .answer-meta { display:flex; align-items:center; gap:0.6em; margin-top:0.4em; }
.rag-answer .answer-timing { color: var(--body-text-color-subdued); font-size: 0.78em; }
.rag-answer .answer-notice, .rag-answer .answer-refusal { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0.3em 0 0; }
.rag-refused .answer-text strong { color: var(--color-accent); }
.copy-answer { font-size: 0.75em; padding: 0.1em 0.6em; border: 1px solid var(--border-color-primary); border-radius: 6px;
  background: var(--background-fill-primary); color: var(--body-text-color); cursor: pointer; }
.copy-answer:hover, .copy-answer:focus-visible { border-color: var(--color-accent); }
a.cite, span.cite { font-weight: 600; text-decoration: none; color: var(--color-accent); padding: 0 1px; border-radius: 3px; }
a.cite:hover, a.cite:focus-visible { text-decoration: underline; outline: 2px solid var(--color-accent); outline-offset: 1px; }
.cite-pending { opacity: 0.7; }
.rag-status { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0.3em 0 0; display:flex; align-items:center; gap:0.4em; }
.rag-status .rag-spinner, .rag-model-status .rag-spinner { display:inline-block; flex: none; width:0.8em; height:0.8em;
  border-width: 2px; border-style: solid; border-color: #cbd5e1; border-top-color: var(--color-accent, #3b82f6);
  border-radius:50%; animation: rag-spin 0.9s linear infinite; }
@keyframes rag-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .rag-status .rag-spinner, .rag-model-status .rag-spinner { animation: none; } }
.rag-model-status { font-size: 0.85em; color: var(--body-text-color-subdued); display:flex; align-items:center; gap:0.4em; min-height:1.4em; }
.rag-model-status.rag-error { color: var(--error-text-color, #b91c1c); }
.rag-evidence { font-size: 0.92em; }
.rag-evidence .ev-heading { font-size: 1em; margin: 0 0 0.5em; }
.rag-evidence .ev-list, .rag-evidence .ev-searched { list-style: none; padding: 0; margin: 0; }
.rag-evidence .ev-item, .rag-evidence .ev-searched > li { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.6em 0.8em; margin: 0 0 0.6em; background: var(--background-fill-primary); }
.rag-evidence .ev-item.focused, .rag-evidence .ev-item:focus { outline: 3px solid var(--color-accent); outline-offset: 1px; }
.rag-evidence .ev-title { font-size: 0.98em; margin: 0 0 0.2em; }
.rag-evidence .ev-n { color: var(--color-accent); }
.ev-meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin: 0 0 0.4em; }
.ev-file { font-family: var(--font-mono); }
.ev-score { display: none; }
body.rag-show-scores .ev-score { display: inline; }
.rag-evidence .ev-passage { margin: 0.2em 0 0.5em; padding: 0 0 0 0.7em; border-left: 3px solid var(--border-color-primary);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.rag-evidence mark, .article-text mark { background: #fde68a; color: #111827; padding: 0 1px; border-radius: 2px; }
.show-article, .view-article, .remove-article { font-size: 0.8em; padding: 0.15em 0.7em; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); color: var(--body-text-color); }
.show-article:hover, .view-article:hover, .remove-article:hover { border-color: var(--color-accent); }
.remove-article:hover { color: var(--error-text-color, #b91c1c); }
.ev-refusal strong { color: var(--color-accent); }
.ev-empty { color: var(--body-text-color-subdued); }
dialog#rag-article-dialog { width: min(900px, 94vw); max-height: 88vh; padding: 0; border: 1px solid var(--border-color-primary, #ccc);
  border-radius: 10px; background: var(--background-fill-primary, #fff); color: var(--body-text-color, #111); }
dialog#rag-article-dialog::backdrop { background: rgba(0,0,0,0.45); }
.article-view { display:flex; flex-direction:column; max-height: 86vh; }
.article-head { display:flex; flex-wrap: wrap; align-items: baseline; gap: 0.2em 1em; padding: 0.8em 1em; border-bottom: 1px solid var(--border-color-primary, #ddd); }
.article-head h2 { margin: 0; font-size: 1.15rem; flex: 1 1 60%; }
.article-head .ev-meta { margin: 0; }
.article-head .close-article { margin-left: auto; padding: 0.2em 0.9em; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary, #ccc); background: var(--background-fill-secondary, #f4f4f5); color: inherit; }
.article-text { padding: 1em; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.55; }
.article-passage { background: rgba(253, 230, 138, 0.25); border-radius: 2px; }
#rag-library .lib-table { width: 100%; border-collapse: collapse; font-size: 0.9em; border: none; }
.rag-library caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
#rag-library .lib-table tr { border: none; }
#rag-library .lib-table th, #rag-library .lib-table td { border: none; text-align: left; padding: 0.35em 0.5em; border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
#rag-library .lib-table .lib-num { text-align: right; }
.rag-library .lib-actions { white-space: nowrap; }
.rag-library code { font-size: 0.85em; overflow-wrap: anywhere; }
.rag-upload progress { width: 100%; height: 1.1em; accent-color: var(--color-accent); }
.rag-upload .up-rejected { color: var(--error-text-color, #b91c1c); }
.rag-upload .up-ok { color: var(--body-text-color); }
"""

# Document-level behaviour: marker clicks focus their source, "Copy", and the whole-article dialog.
HEAD_JS = """
<script>
(() => {
  if (window.ragChat) return;
  const evidenceRoot = () => document.querySelector('#rag-evidence .rag-evidence');
  function showTurn(turn) {
    const root = evidenceRoot();
    if (!root) return null;
    let found = null;
    root.querySelectorAll('section.ev-turn').forEach((s) => {
      const on = s.dataset.turn === String(turn);
      s.hidden = !on;
      if (on) found = s;
    });
    return found;
  }
  function focusCitation(turn, n) {
    const section = showTurn(turn);
    if (!section) return false;
    const item = document.getElementById('ev-' + turn + '-' + n);
    if (!item) return false;
    document.querySelectorAll('.ev-item.focused').forEach((e) => e.classList.remove('focused'));
    item.classList.add('focused');
    item.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    item.focus({preventScroll: true});
    return true;
  }
  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
    } catch (e) { /* fall back below */ }
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  let opener = null;
  function dialog() {
    let dlg = document.getElementById('rag-article-dialog');
    if (!dlg) {
      dlg = document.createElement('dialog');
      dlg.id = 'rag-article-dialog';
      dlg.setAttribute('aria-labelledby', 'rag-article-title');
      dlg.addEventListener('click', (e) => {
        if (e.target === dlg || e.target.closest('.close-article')) dlg.close();
      });
      dlg.addEventListener('close', () => { if (opener && opener.isConnected) opener.focus(); opener = null; });
      document.body.appendChild(dlg);
    }
    return dlg;
  }
  function showArticle(html, from) {
    const dlg = dialog();
    opener = from || document.activeElement;
    dlg.innerHTML = html;  // built and escaped by the server (rag/webui.py)
    if (!dlg.open) dlg.showModal();
    const mark = dlg.querySelector('mark');
    const text = dlg.querySelector('.article-text');
    if (mark) { mark.scrollIntoView({block: 'center'}); } else if (text) { text.scrollTop = 0; }
    const close = dlg.querySelector('.close-article');
    if (close) close.focus({preventScroll: true});
  }
  async function openArticle(server, request, from) {
    if (from) from.setAttribute('aria-busy', 'true');
    try {
      showArticle(await server.article_view(request), from);
    } catch (e) {
      showArticle('<div class="article-view"><header class="article-head"><h2 id="rag-article-title">Could not open the article</h2>' +
        '<button type="button" class="close-article">Close</button></header><p>Please try again.</p></div>', from);
    } finally { if (from) from.removeAttribute('aria-busy'); }
  }
  document.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    const cite = target.closest('a.cite');
    if (cite) {
      const m = /^#ev-(\\d+)-(\\d+)$/.exec(cite.getAttribute('href') || '');
      if (m) { e.preventDefault(); e.stopPropagation(); focusCitation(m[1], m[2]); }
      return;
    }
    const copy = target.closest('.copy-answer');
    if (copy) {
      e.preventDefault(); e.stopPropagation();
      const answer = copy.closest('.rag-answer');
      const turn = answer ? answer.id.replace('ans-', '') : '';
      const root = evidenceRoot();
      const section = root && root.querySelector('section.ev-turn[data-turn="' + turn + '"]');
      const text = (section && section.dataset.copy) || (answer ? answer.querySelector('.answer-text').innerText : '');
      copyText(text).then((ok) => {
        copy.textContent = ok ? 'Copied' : 'Copy failed';
        setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      });
      return;
    }
    const answer = target.closest('.rag-answer');
    if (answer && answer.id) showTurn(answer.id.replace('ans-', ''));
  }, true);
  // Gradio labels each message with its raw HTML; give screen readers the text instead.
  let labelPending = false;
  function fixLabels() {
    labelPending = false;
    document.querySelectorAll('#rag-chatbot [data-testid="bot"], #rag-chatbot [data-testid="user"]').forEach((el) => {
      const part = el.querySelector('.answer-text, .rag-question') || el.querySelector('.message-content') || el;
      const who = el.dataset.testid === 'bot' ? 'Answer' : 'Question';
      const label = who + ': ' + (part.innerText || part.textContent || '').replace(/\\s+/g, ' ').trim();
      if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    });
  }
  new MutationObserver(() => {
    if (!labelPending) { labelPending = true; requestAnimationFrame(fixLabels); }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
                                        attributes: true, attributeFilter: ['aria-label']});
  window.ragChat = {showTurn, focusCitation, showArticle, openArticle, copyText};
})();
</script>
"""

EVIDENCE_JS = """
element.addEventListener('click', (e) => {
  const btn = e.target instanceof Element ? e.target.closest('.show-article') : null;
  if (!btn) return;
  e.preventDefault();
  const d = btn.dataset;
  window.ragChat.openArticle(server, {source: d.source, start: +d.start, end: +d.end, hs: +d.hs, he: +d.he}, btn);
});
"""

LIBRARY_JS = """
element.addEventListener('click', (e) => {
  const t = e.target instanceof Element ? e.target : null;
  if (!t) return;
  const view = t.closest('.view-article');
  if (view) { e.preventDefault(); window.ragChat.openArticle(server, {source: view.dataset.source}, view); return; }
  const remove = t.closest('.remove-article');
  if (remove) {
    e.preventDefault();
    if (window.confirm('Remove "' + remove.dataset.title + '" from the library?')) {
      trigger('click', {action: 'remove', source: remove.dataset.source});
    }
  }
});
"""

SHOW_SCORES_JS = "(show) => { document.body.classList.toggle('rag-show-scores', !!show); }"
