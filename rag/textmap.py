"""Offsets between an article as loaded and its cleaned text.

Cleaning (rag/cleaning.py) removes web noise such as footnote digits and menu lines. Chunks, the
keyword index and prompts read the clean text, but a citation's start/end must be offsets in the
article as loaded (CONTRACT.md), and the article view highlights the original. An edit list records
what was removed and where, so any clean offset maps back and the original text can be restored.

An edit is `(clean_offset, removed)`: the original text `removed` stood just before clean character
`clean_offset`. Edits are sorted by offset. A span's edits are kept relative to the span's own start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

Edit = tuple[int, str]
Edits = tuple[Edit, ...]


def to_original(clean_offset: int, edits: Edits, *, end: bool = False) -> int:
    """The original offset of a clean one. A start offset (`end=False`) lands after text removed
    right before it ("15" in "dramatically15. Next" is skipped by the start of "Next"); an end
    offset lands before text removed right after it (the sentence "end." in "end.12" stops at ".")."""
    shift = 0
    for at, removed in edits:
        if at > clean_offset or (end and at == clean_offset):
            break
        shift += len(removed)
    return clean_offset + shift


def to_clean(original_offset: int, edits: Edits) -> int:
    """The clean offset of an original one; an offset inside removed text maps to where it was."""
    shift = 0
    for at, removed in edits:
        origin = at + shift  # where the removed text starts in the original
        if original_offset <= origin:
            break
        if original_offset < origin + len(removed):
            return at
        shift += len(removed)
    return original_offset - shift


def restore(clean: str, edits: Edits) -> str:
    """The original text: the clean text with the removed pieces put back."""
    parts: list[str] = []
    last = 0
    for at, removed in edits:
        parts.append(clean[last:at])
        parts.append(removed)
        last = at
    parts.append(clean[last:])
    return "".join(parts)


def remove(text: str, ranges: Iterable[tuple[int, int]]) -> tuple[str, Edits]:
    """Cut the given [start, end) ranges (any order, may overlap) out of `text`."""
    merged: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[str] = []
    edits: list[Edit] = []
    last = 0
    length = 0
    for start, end in merged:
        parts.append(text[last:start])
        length += start - last
        edits.append((length, text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts), tuple(edits)


def within(edits: Edits, start: int, end: int, *, inclusive: bool = False) -> Edits:
    """The edits of the clean span [start, end), relative to `start`. A chunk keeps only the edits
    strictly inside it (its start and end offsets already account for the ones at its edges); the
    whitespace between two chunks keeps those at both edges (`inclusive`)."""
    if inclusive:
        return tuple((at - start, removed) for at, removed in edits if start <= at <= end)
    return tuple((at - start, removed) for at, removed in edits if start < at < end)


def shifted(edits: Edits, by: int) -> Edits:
    return tuple((at + by, removed) for at, removed in edits)


def dumps(edits: Edits) -> str:
    """Edits as a compact string for index metadata ("" when there are none)."""
    return json.dumps([list(e) for e in edits], ensure_ascii=False, separators=(",", ":")) if edits else ""


def loads(data: object) -> Edits:
    if not data:
        return ()
    return tuple((int(at), str(removed)) for at, removed in json.loads(str(data)))
