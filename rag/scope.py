"""Asking within chosen articles: a scope (article files and/or a date range) and the articles it allows.

A scope is resolved against the library's file records (each file's chunk #0 holds its title and
date), so it works the same on an embedded index and on a Chroma server, and on indexes built
before scopes existed: retrieval then searches only the chunks of the allowed files (a Chroma
`where` on `source`, a mask on the keyword scores). An article without a date is outside any date
range. A scope that allows nothing is the user's to fix and says why (ScopeError), rather than
giving an empty answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any

from .errors import ScopeError
from .store import FileRecord

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T][\d:.]*)?")


@dataclass(frozen=True, kw_only=True)
class Scope:
    sources: tuple[str, ...] = ()  # article file names; empty: every article
    since: date | None = None  # first day included
    until: date | None = None  # last day included

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ScopeError(f"the date range is empty: {self.since} is after {self.until}")

    @classmethod
    def of(cls, sources: Iterable[str] = (), since: Any = None, until: Any = None) -> Scope | None:
        """A scope from outside (CLI options, the page, a stored answer); None when it limits nothing.
        A source may be given as a path: the file name is what the index knows it by."""
        names = tuple(dict.fromkeys(PurePath(str(s).strip()).name for s in sources if str(s).strip()))
        scope = cls(sources=names, since=parse_date(since, "since"), until=parse_date(until, "until"))
        return None if scope.is_everything else scope

    @property
    def is_everything(self) -> bool:
        return not self.sources and self.since is None and self.until is None

    def allows(self, record: FileRecord) -> bool:
        if self.sources and record.source not in self.sources:
            return False
        if self.since is None and self.until is None:
            return True
        day = _day(record.date)
        return day is not None and (self.since or day) <= day <= (self.until or day)

    def select(self, records: Iterable[FileRecord]) -> frozenset[str]:
        """The file names of the indexed articles inside the scope; ScopeError when none is (or a
        chosen file is not in the library: a typo should not quietly search less)."""
        records = list(records)
        known = {r.source for r in records}
        unknown = [s for s in self.sources if s not in known]
        if unknown:
            raise ScopeError(f"not in the library: {', '.join(unknown)} (see `rag index` or the articles tab)")
        allowed = frozenset(r.source for r in records if self.allows(r))
        if not allowed:
            chosen = f"of the {len(self.sources)} chosen article(s), none" if self.sources else "no article"
            raise ScopeError(f"{chosen} in the library is dated {self.dates()}: widen the dates or remove the scope")
        return allowed

    def dates(self) -> str:
        """The date range in words ("from 2025-03-01 to 2025-03-31", "until 2025-03-31")."""
        if self.since and self.until:
            return f"from {self.since} to {self.until}"
        if self.since:
            return f"from {self.since} on"
        return f"until {self.until}" if self.until else "any date"

    def to_json(self) -> dict[str, Any]:
        return {"sources": list(self.sources), "since": _iso(self.since), "until": _iso(self.until)}


def scope_from_json(data: Any) -> Scope | None:
    """A scope as `to_json` wrote it (None for none, or for anything that is not a scope)."""
    if not isinstance(data, dict):
        return None
    return Scope.of(data.get("sources") or (), data.get("since"), data.get("until"))


def parse_date(value: Any, name: str) -> date | None:
    """YYYY-MM-DD, a time after it ignored (a date picker may add one); empty is none; anything else
    is a ScopeError naming the field ("since", "until")."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    raise ScopeError(f"the {name} date {text[:40]!r} is not a date: write it as YYYY-MM-DD")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
