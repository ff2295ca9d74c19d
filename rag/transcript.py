"""A saved conversation as Markdown: the thing people paste into a report.

Each answer's `[n]` markers are renumbered into one list for the whole conversation (a passage cited
twice keeps one number), and the list at the end gives each source's title, file, date and the
sentence that supports the claim, quoted: the citation's highlight span, as the Sources panel marks it.
"""

from __future__ import annotations

import re
from datetime import datetime

from .answer import Citation
from .history import Conversation

_MARKER = re.compile(r"\[(\d{1,3})\]")


def to_markdown(conversation: Conversation) -> str:
    numbers: dict[tuple[str, int, int], int] = {}
    sources: list[Citation] = []
    lines = [
        f"# {_line(conversation.summary.title)}",
        "",
        f"*{when(conversation.summary.created)} · {len(conversation.turns)} question(s) · "
        "answered from the articles only*",
        "",
    ]
    for i, turn in enumerate(conversation.turns, start=1):
        lines += [f"## {i}. {_line(turn.question)}", ""]
        answer = turn.answer
        if turn.interrupted:
            lines.append("*This answer was interrupted.*")
        elif answer is None:
            lines.append(f"*No answer: {_line(turn.error)}*")
        elif answer.refused:
            lines.append("*The articles do not cover this.*")
        else:
            local: dict[str, str] = {}
            for c in answer.citations:
                key = (c.source, c.highlight_start, c.highlight_end)
                if key not in numbers:
                    numbers[key] = len(sources) + 1
                    sources.append(c)
                local[f"[{c.n}]"] = f"[{numbers[key]}]"
            lines.append(_renumber(answer.answer, local))
        lines.append("")
    if sources:
        lines += ["## Sources", ""]
        for n, c in enumerate(sources, start=1):
            where = ", ".join(filter(None, [f"`{c.source}`", c.date]))
            lines.append(f"{n}. **{_line(c.title or c.source)}**, {where}")
            lines.append(f"   > {_line(supporting_sentence(c))}")
        lines.append("")
    return "\n".join(lines)


def _renumber(text: str, numbers: dict[str, str]) -> str:
    """`[n]` markers replaced as `numbers` says ("[1]" -> "[3]"); others left as they are."""
    return _MARKER.sub(lambda m: numbers.get(m.group(0), m.group(0)), text)


def supporting_sentence(c: Citation) -> str:
    """The cited sentence (the highlight span inside the passage), or the whole passage without one."""
    hs, he = c.highlight_start - c.start, c.highlight_end - c.start
    return c.text[hs:he] if 0 <= hs < he <= len(c.text) else c.text


def file_name(conversation: Conversation) -> str:
    """A download name: the title's words, then the conversation id."""
    words = re.findall(r"[A-Za-z0-9]+", conversation.summary.title)[:8]
    return f"{'-'.join(words).lower() or 'conversation'}-{conversation.summary.id}.md"


def _line(text: str) -> str:
    return " ".join(str(text).split())


def when(stamp: float) -> str:
    """A unix time as the local date and minute."""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
