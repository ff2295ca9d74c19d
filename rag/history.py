"""Saved conversations and feedback: one SQLite file (stdlib sqlite3, WAL), beside the index by default.

Every conversation has an owner (a browser's random id, or the logged-in user name) and every read
or write a page can make goes through `OwnerHistory`, whose queries all filter by that owner, so
nothing one person asked can be shown to another. The operator's reads (the CLI's `rag history`,
`rag feedback export`) are the `History` methods that name no owner.

A turn is written as `unfinished` when its question is asked and completed when its answer is done,
each in its own transaction: a server killed mid-answer (even with `kill -9`) leaves the question
and the mark, and the reopened conversation says the answer was interrupted. The whole answer
object is stored as JSON (citations with their highlight spans, the passages a refusal searched),
so a reopened conversation redraws its Sources panel as it was.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .answer import Answer
from .errors import HistoryError

SCHEMA_VERSION = 1
TITLE_CHARS = 120
COMMENT_CHARS = 2000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,             -- the first question
    renamed TEXT,                    -- the owner's own title, when given
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT,                     -- the answer object as JSON (Answer.to_json); NULL until complete
    error TEXT NOT NULL DEFAULT '',  -- why there is no answer, when there is none
    state TEXT NOT NULL CHECK (state IN ('complete', 'unfinished')),
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    turn_id INTEGER UNIQUE,          -- NULL once its conversation is deleted: the copy below stays
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,            -- the answer object as JSON, as it was voted on
    created REAL NOT NULL,
    updated REAL NOT NULL,
    FOREIGN KEY (turn_id) REFERENCES turns (id) ON DELETE SET NULL
);
"""


class TurnState(StrEnum):
    COMPLETE = "complete"
    UNFINISHED = "unfinished"  # asked, never answered: the server stopped mid-answer


@dataclass(frozen=True, kw_only=True)
class Summary:
    """A conversation as the sidebar lists it."""

    id: str
    owner: str
    title: str  # the owner's title, or the first question
    created: float  # unix time
    updated: float


@dataclass(frozen=True, kw_only=True)
class SavedTurn:
    id: int
    question: str
    answer: Answer | None
    error: str
    state: TurnState

    @property
    def interrupted(self) -> bool:
        return self.state is TurnState.UNFINISHED


@dataclass(frozen=True, kw_only=True)
class Conversation:
    summary: Summary
    turns: tuple[SavedTurn, ...]


@dataclass(frozen=True, kw_only=True)
class TurnRef:
    """Where a turn being answered was written, to complete it later."""

    conversation_id: str
    turn_id: int


@dataclass(frozen=True, kw_only=True)
class Feedback:
    """A thumbs up or down on one answer, with the question and the answer as they were."""

    id: int
    owner: str
    vote: int  # 1 up, -1 down
    comment: str
    question: str
    answer: Answer
    created: float


class History:
    """The history file. Pages get an `OwnerHistory` (`of`); the other methods are the operator's."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False
        self._lock = threading.Lock()

    def of(self, owner: str) -> OwnerHistory:
        if not owner:
            raise HistoryError("a conversation needs an owner")
        return OwnerHistory(self, owner)

    # -- the operator's reads ------------------------------------------------------------------
    def summaries(self) -> list[Summary]:
        """Every owner's conversations, newest first."""
        with self.connect() as db:
            rows = db.execute(f"SELECT {_SUMMARY} FROM conversations ORDER BY updated DESC, rowid DESC").fetchall()
        return [_summary(r) for r in rows]

    def owner_of(self, conversation_id: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row[0] if row else None

    def feedback(self) -> list[Feedback]:
        """All feedback, oldest first."""
        with self.connect() as db:
            rows = db.execute("SELECT id, owner, vote, comment, question, answer, created FROM feedback ORDER BY id")
            return [
                Feedback(
                    id=r[0],
                    owner=r[1],
                    vote=r[2],
                    comment=r[3],
                    question=r[4],
                    answer=Answer.from_json(json.loads(r[5])),
                    created=r[6],
                )
                for r in rows
            ]

    # -- the file ------------------------------------------------------------------------------
    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (committed when the block ends), closed afterwards. One per
        call: handlers run on many threads, and opening SQLite costs microseconds."""
        self._prepare()
        db = self._open()
        try:
            with db:
                yield db
        except sqlite3.Error as exc:
            raise self._failure(exc) from exc
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=10)
            db.execute("PRAGMA foreign_keys = ON")
            return db
        except sqlite3.Error as exc:
            raise self._failure(exc) from exc

    def _prepare(self) -> None:
        """Create the file and its tables once (WAL: readers never wait for the writer, and a killed
        writer loses at most the transaction it was in)."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(
                    f"cannot create the folder for the chat history {self.path}: "
                    f"{exc.strerror or exc}; set RAG_HISTORY_PATH to a writable file"
                ) from exc
            db = self._open()
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise HistoryError(f"the chat history {self.path} was written by a newer version of this tool")
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
            except sqlite3.Error as exc:
                raise self._failure(exc) from exc
            finally:
                db.close()
            self._ready = True

    def _failure(self, exc: sqlite3.Error) -> HistoryError:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            return HistoryError(
                f"the chat history {self.path} is damaged ({text}): move it aside and a new one is started"
            )
        if "readonly" in text or "unable to open" in text:
            return HistoryError(
                f"the chat history {self.path} cannot be written ({text}): make it writable, or set RAG_HISTORY_PATH"
            )
        return HistoryError(f"the chat history {self.path} could not be read or written ({text})")


class OwnerHistory:
    """One owner's conversations: every query here is filtered by `owner`."""

    def __init__(self, history: History, owner: str) -> None:
        self.history = history
        self.owner = owner

    def conversations(self) -> list[Summary]:
        """Newest first."""
        with self.history.connect() as db:
            rows = db.execute(
                f"SELECT {_SUMMARY} FROM conversations WHERE owner = ? ORDER BY updated DESC, rowid DESC", (self.owner,)
            ).fetchall()
        return [_summary(r) for r in rows]

    def open(self, conversation_id: str) -> Conversation | None:
        """The conversation with its turns in order, or None when it is not this owner's."""
        with self.history.connect() as db:
            row = db.execute(
                f"SELECT {_SUMMARY} FROM conversations WHERE id = ? AND owner = ?", (conversation_id, self.owner)
            ).fetchone()
            if row is None:
                return None
            turns = db.execute(
                "SELECT id, question, answer, error, state FROM turns WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
        return Conversation(
            summary=_summary(row),
            turns=tuple(
                SavedTurn(id=t[0], question=t[1], answer=_answer(t[2]), error=t[3], state=TurnState(t[4]))
                for t in turns
            ),
        )

    def ask(self, conversation_id: str | None, question: str) -> TurnRef:
        """Write a question as an unfinished turn, in a new conversation when `conversation_id` is None
        (or is not this owner's: a page never adds to someone else's)."""
        now = time.time()
        with self.history.connect() as db:
            known = (
                conversation_id is not None
                and db.execute(
                    "SELECT 1 FROM conversations WHERE id = ? AND owner = ?", (conversation_id, self.owner)
                ).fetchone()
            )
            if not known:
                conversation_id = secrets.token_hex(6)
                db.execute(
                    "INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, self.owner, _title(question), now, now),
                )
            else:
                db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            cursor = db.execute(
                "INSERT INTO turns (conversation_id, question, state, created, updated) "
                "VALUES (?, ?, 'unfinished', ?, ?)",
                (conversation_id, question, now, now),
            )
        assert conversation_id is not None and cursor.lastrowid is not None
        return TurnRef(conversation_id=conversation_id, turn_id=cursor.lastrowid)

    def finish(self, ref: TurnRef, answer: Answer | None, error: str = "") -> bool:
        """Complete a turn with its answer (or the reason there is none). False when it is not this owner's."""
        now = time.time()
        data = json.dumps(answer.to_json(), ensure_ascii=False) if answer is not None else None
        with self.history.connect() as db:
            done = db.execute(
                "UPDATE turns SET answer = ?, error = ?, state = 'complete', updated = ? WHERE id = ? AND "
                "conversation_id IN (SELECT id FROM conversations WHERE id = ? AND owner = ?)",
                (data, error, now, ref.turn_id, ref.conversation_id, self.owner),
            ).rowcount
            if done:
                db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, ref.conversation_id))
        return bool(done)

    def rename(self, conversation_id: str, title: str) -> bool:
        """Give a conversation its own title; an empty one goes back to the first question."""
        title = " ".join(str(title or "").split())[:TITLE_CHARS]
        with self.history.connect() as db:
            return bool(
                db.execute(
                    "UPDATE conversations SET renamed = ? WHERE id = ? AND owner = ?",
                    (title or None, conversation_id, self.owner),
                ).rowcount
            )

    def delete(self, conversation_id: str) -> bool:
        """Delete a conversation and its turns (feedback given on them stays: it is its own copy)."""
        with self.history.connect() as db:
            return bool(
                db.execute(
                    "DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation_id, self.owner)
                ).rowcount
            )

    def vote(self, turn_id: int, vote: int, comment: str | None = None) -> int | None:
        """Record a thumbs up (1) or down (-1) on one of this owner's answered turns, replacing an earlier
        vote on it; `comment` None keeps the comment given before. Returns the feedback id, or None when
        the turn is not this owner's or has no answer."""
        if vote not in (1, -1):
            raise ValueError(f"a vote is 1 or -1, not {vote!r}")
        now = time.time()
        with self.history.connect() as db:
            row = db.execute(
                "SELECT t.question, t.answer FROM turns t JOIN conversations c ON c.id = t.conversation_id "
                "WHERE t.id = ? AND c.owner = ? AND t.answer IS NOT NULL",
                (turn_id, self.owner),
            ).fetchone()
            if row is None:
                return None
            text = None if comment is None else str(comment).strip()[:COMMENT_CHARS]
            db.execute(
                "INSERT INTO feedback (owner, turn_id, vote, comment, question, answer, created, updated) "
                "VALUES (?, ?, ?, COALESCE(?, ''), ?, ?, ?, ?) ON CONFLICT (turn_id) DO UPDATE SET "
                "vote = excluded.vote, comment = COALESCE(?, comment), updated = excluded.updated",
                (self.owner, turn_id, vote, text, row[0], row[1], now, now, text),
            )
            found = db.execute("SELECT id FROM feedback WHERE turn_id = ?", (turn_id,)).fetchone()
        return int(found[0])


_SUMMARY = "id, owner, COALESCE(renamed, title), created, updated"


def _summary(row: Any) -> Summary:
    return Summary(id=row[0], owner=row[1], title=row[2], created=row[3], updated=row[4])


def _answer(data: str | None) -> Answer | None:
    return Answer.from_json(json.loads(data)) if data else None


def _title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
