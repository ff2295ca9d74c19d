"""Follow-up questions made standalone, so they can be searched and answered on their own:
"What did she say about it?" -> "What did Karoline Leavitt say about the dinner at Mar-a-Lago?".

Rules where they are certain, the model where they are not:
- a question that names its own subject and has no word leaning on the conversation (a pronoun,
  unless a possessive after a name it holds, "Did Trump settle his lawsuit?"; a demonstrative
  "that"; a locative "there"; an opening "and" / "what about") is asked as is: a follow-up that
  names its own subject is a topic switch and inherits nothing. One that names nothing ("Which
  court ruled on the case?", "Why?") leans on the conversation;
- he/she/him/his/her, when they are all that leans on the conversation and the last exchange names
  exactly one person (a full name, and no lone capitalised word that might be one) the question does
  not, become that person;
- "and in 1993?", "what about 2020?" (an opener and a date alone) is the question before asked of
  that date, when it holds exactly one ("... won a Nobel prize in 1992?"); "and from Riga?" is the
  question before asked with its one phrase opened by "from" ("How far is Tallinn from Riga?"); "and
  her third album?" after "How many awards did it earn?" asks that of the album in place of "it";
- anything else ("why?", "and how many?", two people who could be "he", "it", "that") is rewritten by
  the model with prompts/followup.txt, on the same LLM as the answers. Its fixed part is a KV-cache
  snapshot (rag/llm.py), so a rewrite reads only the conversation's tokens, and the answer prompt's
  prefix is restored after it, not read again. A rewrite that still holds the follow-up's own pointing
  words (the small model often copies "Why was that a problem?" as it is) is asked for once more with
  those words forbidden (their tokens banned), which makes it name what they meant. A rewrite is
  used only if it is a question that points back less than the follow-up did, or no more but with
  words taken from the conversation, keeps
  the follow-up's figures and all but one of its words (or asks the same, wh-word and head noun, in
  the conversation's words only), and brings in no name, figure or more than two words the
  conversation does not hold. Otherwise the follow-up is answered as asked and searched
  together with the previous question.
A follow-up resolved from the conversation also carries the previous answer's cited passages to
retrieval as candidates (rag/retrieval.py).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from .errors import QuestionError
from .grounding import is_refusal
from .llm import LLM
from .prompts import PromptSet
from .question import AUXILIARIES, DETERMINERS, PREPOSITIONS, Question, analyse, office, set_aside
from .terms import (
    MONTHS,
    content_terms,
    is_noun,
    is_person,
    is_verb,
    names,
    numbers,
    proper_names,
    rank_terms,
    strip_markers,
)

log = logging.getLogger(__name__)

PERSONAL = frozenset("he she him his her hers himself herself".split())
_LEANING = frozenset("it its itself they them their theirs themselves this these those then".split())
_POSSESSIVE = frozenset("his its their hers".split())  # "her" may be an object ("told her")
_WH = frozenset("who whom whose what which when where why how".split())
_CLAUSE_START = DETERMINERS | frozenset("he she it they we i you there".split())
_OPENER = re.compile(r"^\W*(?:and|but|also|so|what about|how about)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
MAX_REWRITE_CHARS = 300  # a standalone question is a sentence, not a paragraph


class Rewrite(Protocol):
    """The model's step (`Rewriter`): the follow-up rewritten from the last exchange, without `forbid`'s words."""

    def __call__(self, question: str, exchange: Exchange, forbid: Sequence[str] = ()) -> str: ...


class Resolved(StrEnum):
    AS_ASKED = "as asked"  # stands on its own (or a topic switch)
    RULE = "rule"  # one person for he/she
    MODEL = "model"  # the model's rewrite
    GUESS = "guess"  # the model's rewrite was unusable (or no model): searched with the previous question


@dataclass(frozen=True, kw_only=True)
class Exchange:
    """The last question and the answer it got (markers stripped), with the chunks that answer cited."""

    question: str  # as resolved when it was a follow-up itself (the message's `standalone`)
    answer: str = ""
    cited: tuple[str, ...] = ()
    typed: str = ""  # the question as the user typed it, when that differs from `question`

    @property
    def as_typed(self) -> str:
        return self.typed or self.question


@dataclass(frozen=True, kw_only=True)
class Query:
    asked: str  # the question as typed
    standalone: str  # the question resolved: what the model answers
    search: str  # what retrieval sees
    carried: tuple[str, ...] = ()  # chunk ids the previous answer cited: retrieval candidates
    previous: str = ""  # the previous answer, when the question follows on from it ("" if it was refused)
    how: Resolved = Resolved.AS_ASKED
    rewrite_ms: float = 0.0  # the model's rewrite, when it ran

    @property
    def prompt(self) -> str:
        return self.standalone

    @property
    def resolved(self) -> bool:
        """The question was changed by the conversation (shown to the user as "Searching for: ...")."""
        return self.standalone != self.asked


def standalone_question(question: str, history: Sequence[Mapping[str, Any]], rewrite: Rewrite | None = None) -> Query:
    """`question` as a question that can be searched and answered on its own, from the last exchange of
    `history` ({role, content[, citations]} messages); `rewrite` is the model's step (None: rules only)."""
    exchange = last_exchange(history)
    if exchange is None or not needs_context(question):
        return Query(asked=question, standalone=question, search=question)
    pointing = leaning_words(question)
    person = (
        _only_person(question, exchange) or _person_answered(pointing, exchange) or _person_asked_of(pointing, exchange)
    )

    def resolved(standalone: str, how: Resolved, search: str = "", spent: float = 0.0) -> Query:
        """A follow-up: it carries the last exchange's citations and answer along."""
        standalone = _office_named(standalone, exchange.question)
        return Query(
            asked=question,
            standalone=standalone,
            search=search or standalone,
            carried=exchange.cited,
            previous=exchange.answer,
            how=how,
            rewrite_ms=spent,
        )

    if person and pointing and all(w.lower() in PERSONAL for w in pointing) and not _elliptical(question):
        return resolved(_substitute(question, person), Resolved.RULE)
    if redated := (
        _redated(question, exchange.question)
        or _rephrased(question, exchange.question)
        or _resubjected(question, exchange.as_typed)
    ):
        return resolved(redated, Resolved.RULE)
    spent = 0.0
    if rewrite is not None:
        started = time.perf_counter()
        text = rewrite(question, exchange)
        usable = usable_rewrite(text, question, exchange)
        if usable is None and (kept := _still_leaning(text, question)):
            # a small model often copies "Why was that a problem?" unchanged: asked again with the words
            # it had to replace forbidden, it names what they meant
            log.info("follow-up rewrite %r kept %s: rewritten without them", text, kept)
            text = rewrite(question, exchange, forbid=kept)
            usable = usable_rewrite(text, question, exchange)
        spent = (time.perf_counter() - started) * 1000
        log.info(
            "follow-up %r rewritten as %r in %.0f ms (%s)", question, text, spent, "used" if usable else "not used"
        )
        if usable is not None:
            return resolved(usable, Resolved.MODEL, spent=spent)
    return resolved(question, Resolved.GUESS, search=f"{question} {exchange.question}", spent=spent)


class Rewriter:
    """The model's step: prompts/followup.txt on the answering LLM, greedy, one line."""

    def __init__(self, llm: Callable[[], LLM], prompts: PromptSet, max_tokens: int) -> None:
        self._llm = llm
        self._prompts = prompts
        self._max_tokens = max_tokens

    def __call__(self, question: str, exchange: Exchange, forbid: Sequence[str] = ()) -> str:
        llm = self._llm()
        llm.warm(self._prompts.followup_prefix())  # evaluated once, then restored from its snapshot
        messages = self._prompts.followup_messages(_without_conjunction(question), exchange.question, exchange.answer)
        return "".join(llm.stream(messages, self._max_tokens, 0.0, stop=["\n"], forbid=forbid)).strip()


_THAT_OFFICE = re.compile(r"\bthat\s+(?:office|post|position)\b", re.I)


def _office_named(question: str, before: str) -> str:
    """ "that office" named by the office the question before asked of: "Until when did he hold that
    office?" after "In what year did he become president of Yugoslavia?" asks of the presidency, not of
    another office the last answer's sentence gives."""
    held = office(before)
    return _THAT_OFFICE.sub(f"the office of {held}", question) if held else question


def _without_conjunction(question: str) -> str:
    """ "And on which network was it?" as "On which network was it?": the opening conjunction only says
    that the question follows on, and the small model copies a question that opens with one instead
    of resolving it."""
    rest = re.sub(r"^\W*(?:and|but|also|so)\s+(?=\w)", "", question, flags=re.I)
    return rest[:1].upper() + rest[1:]


# -- reading the history ---------------------------------------------------------------------------


def last_exchange(history: Sequence[Mapping[str, Any]]) -> Exchange | None:
    """The last user question (its `standalone` form when the history gives one: "Where did she work?"
    is read as "Where did Harper Lee work?") and the answer after it; None when nothing was asked."""
    answer: Mapping[str, Any] | None = None
    for message in reversed(history):
        role = message.get("role")
        if role == "assistant" and answer is None:
            answer = message
        elif role == "user":
            typed = str(message.get("content") or "").strip()
            question = str(message.get("standalone") or "").strip() or typed
            if not question:
                continue
            text = strip_markers(str(answer.get("content") or "")).strip() if answer else ""
            text = "" if is_refusal(text) else text  # "The articles do not say." names nothing to point at
            cited = cited_chunks(answer) if answer else ()
            return Exchange(question=question, answer=text, cited=cited, typed=typed if typed != question else "")
    return None


def cited_chunks(message: Mapping[str, Any]) -> tuple[str, ...]:
    """The chunk ids an assistant message's optional `citations` name: citation objects (as in the
    answer object, with `chunk_id`) or plain chunk ids."""
    cited = message.get("citations") or []
    if not isinstance(cited, list):
        raise QuestionError("citations in the history must be a list of citations (each with a chunk_id)")
    ids = []
    for citation in cited:
        chunk_id = citation.get("chunk_id") if isinstance(citation, Mapping) else citation
        if not isinstance(chunk_id, str) or not chunk_id.strip():
            raise QuestionError("each citation in the history needs a chunk_id (as in the answer object)")
        ids.append(chunk_id.strip())
    return tuple(dict.fromkeys(ids))


# -- rules -----------------------------------------------------------------------------------------


def needs_context(question: str) -> bool:
    """Whether the question leans on the conversation (see the module docstring)."""
    return _pointers(question) > 0


def _pointers(text: str) -> int:
    """How many things in `text` point back into the conversation: its leaning words, its being a
    fragment, and its naming nothing of its own ("Which court ruled on the case?": a question about
    the articles names its subject, unless the conversation already has)."""
    return len(leaning_words(text)) + _elliptical(text) + (not analyse(text).names)


def _elliptical(question: str) -> bool:
    """ "and in 2024?", "What about Rubio?", "Why?": a fragment of the question before."""
    short = len(question.split()) <= 3 and not proper_names(question)
    return bool(_OPENER.match(question)) or short


def leaning_words(question: str, personal: bool = True) -> list[str]:
    """The words that point into the conversation: pronouns (he/she... only with `personal`), a
    demonstrative "that" (not the conjunction of "warned that Musk ..."), a locative "there" (not
    the existential "was there a vote")."""
    matches = list(_WORD.finditer(question))
    tokens = [m.group(0) for m in matches]
    lower = [t.lower() for t in tokens]
    found = []
    for i, word in enumerate(lower):
        before = lower[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in _POSSESSIVE and any(not n.isupper() for n in proper_names(question[: matches[i].start()])):
            continue  # "Did Trump settle his lawsuit?": "his" is Trump (an initialism, "Which CEO ...", is no name)
        if (
            word in _LEANING
            or (personal and word in PERSONAL)
            or (
                word == "that"
                and (not before or before in AUXILIARIES | PREPOSITIONS | _WH or not _starts_clause(after))
            )
            or (word == "there" and not (after.lower() in AUXILIARIES or (before in AUXILIARIES and after)))
        ):
            found.append(tokens[i])
    return found


def _starts_clause(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit() or word.lower() in _CLAUSE_START)


def _only_person(question: str, exchange: Exchange) -> str | None:
    """The one person's full name in the last exchange that the question does not name; None when the
    previous question itself points further back, or the exchange names none, several, or a lone
    capitalised word (a place? a surname?) beside it."""
    if any(w.lower() in PERSONAL for w in leaning_words(exchange.question)):
        return None
    said = question.lower()
    named = _named(exchange.question) + _named(exchange.answer)
    found = [re.sub(r"['’]s$", "", n) for n in named]  # "Harper Lee's manuscript" names Harper Lee
    found = [n for n in found if n.lower() not in said]
    maybe = [n for n in dict.fromkeys(found) if is_person(n, single=True)]
    whole = [n for n in maybe if len(n.split()) > 1]
    return whole[0] if len(maybe) == len(whole) == 1 else None


_PERIOD_PREPOSITIONS = "in|on|at|during|by|before|after|since|until|from|for|of"
_DATED = re.compile(
    rf"(?:\b(?:{_PERIOD_PREPOSITIONS})\s+)?(?:(?:{MONTHS})\s+(?:\d{{1,2}},?\s+)?)?\b(?:1\d{{3}}|20\d{{2}})\b", re.I
)
# "and ...?", "what about ...?": a follow-up that is the question before, asked of something else
_FOLLOWING_ON = r"^\W*(?:and|but|what about|how about)\s+"
_ANOTHER_DATE = re.compile(rf"{_FOLLOWING_ON}(?P<date>{_DATED.pattern})\W*$", re.I)


_SPAN = re.compile(r"\b(?:from|between)\s+(?:1\d{3}|20\d{2})\s+(?:to|and|until)\s+(?:1\d{3}|20\d{2})\b", re.I)
_ANOTHER_SPAN = re.compile(rf"{_FOLLOWING_ON}(?P<date>{_SPAN.pattern})\W*$", re.I)


def _redated(question: str, before: str) -> str | None:
    """ "And in 1993?" after "Which of Friedman's students won a Nobel prize in 1992?": the question
    before, asked of the other date, when it holds exactly one (with its preposition, unless the
    follow-up gives none: "What about 2020?"); "And from 1991 to 1997?" after a question with one span
    of years, asked of the other span. None for anything else."""
    spans = list(_SPAN.finditer(before))
    if (span := _ANOTHER_SPAN.match(question)) and len(spans) == 1:
        return before[: spans[0].start()] + span.group("date") + before[spans[0].end() :]
    match = _ANOTHER_DATE.match(question)
    dates = list(_DATED.finditer(before))
    if not match or len(dates) != 1:
        return None
    date, old = match.group("date"), dates[0].group(0)
    if not re.match(rf"(?:{_PERIOD_PREPOSITIONS})\s", date, re.I) and (
        prep := re.match(rf"(?:{_PERIOD_PREPOSITIONS})\s+", old, re.I)
    ):
        date = prep.group(0) + date  # "What about 2020?" keeps "in" of "in November 2025"
    return before[: dates[0].start()] + date + before[dates[0].end() :]


_ANOTHER_PHRASE = re.compile(
    rf"{_FOLLOWING_ON}(?P<preposition>{'|'.join(PREPOSITIONS)})\s+(?P<rest>[^?!.]+?)\W*$", re.I
)


def _rephrased(question: str, before: str) -> str | None:
    """ "And from Riga?" after "How far is Tallinn from Stockholm?": the question before with its one
    phrase opened by the same preposition given the follow-up's words ("... from Riga?"). None when the
    question before has no such phrase or several, or the follow-up's phrase asks (a wh-word), points
    back or holds a verb: that is another question, the model's; a date is `_redated`'s."""
    match = _ANOTHER_PHRASE.match(question)
    if not match or _DATED.search(match.group("rest")):
        return None
    phrase = _WORD.findall(match.group("rest"))
    headed = _THOSE_OF.match(match.group("rest"))  # "those of all states": a head, not a word pointing back
    if any(w.lower() in _WH or w.lower() in _LEANING for w in phrase[2 if headed else 0 :]) or _verbs(phrase):
        return None
    opened = list(re.finditer(rf"\b{match.group('preposition')}\s+", before, re.I))
    if len(opened) != 1:
        return None
    start = end = opened[0].end()
    tokens = list(re.finditer(r"[\w'’-]+|[^\w\s]", before[start:]))
    skip = 2 if _THOSE_OF.match(before[start:]) else 0  # "among those of British monarchs": one phrase
    for i, token in enumerate(tokens):
        word, following = token.group(0), tokens[i + 1].group(0).lower() if i + 1 < len(tokens) else ""
        if i >= skip and (not word[0].isalnum() or _ends_phrase(word, following)):
            break
        end = start + token.end()
    if end == start:
        return None
    return before[:start] + match.group("rest") + before[end:]


_THOSE_OF = re.compile(r"(?:those|that)\s+of\s+", re.I)
_ANOTHER_THING = re.compile(rf"{_FOLLOWING_ON}(?P<thing>[^?!.]+?)\W*$", re.I)


def _resubjected(question: str, before: str) -> str | None:
    """ "And her third album?" after "How many Grammy Awards did it earn?": the question before as the
    user typed it, asked of the follow-up's thing in place of the one word that pointed back ("How many
    Grammy Awards did her third album earn?"). None unless the question before pointed back by that one
    word ("it", "they", "them") and the follow-up is a thing alone: no wh-word, preposition or verb."""
    match = _ANOTHER_THING.match(question)
    if not match:
        return None
    thing = _WORD.findall(match.group("thing"))
    if not thing or len(thing) > 5 or thing[0].lower() in PREPOSITIONS:
        return None
    if any(w.lower() in _WH for w in thing) or _verbs(thing):
        return None
    pointing = leaning_words(before)
    if len(pointing) != 1 or pointing[0].lower() not in ("it", "they", "them"):
        return None
    return re.sub(rf"\b{pointing[0]}\b", match.group("thing"), before, count=1)


def _verbs(words: list[str]) -> list[str]:
    """The words English has as verbs only (not names, nouns or ranks: "third" is no act)."""
    return [w for w in words if is_verb(w) and not is_noun(w) and not w[0].isupper() and not rank_terms(w)]


def _ends_phrase(word: str, following: str) -> bool:
    """Whether `word` no longer belongs to the phrase before it: a preposition, an auxiliary or wh-word
    opens the next part; so does a verb ("... urban employment [comes] from the private sector", a verb
    that English also has as a noun when a preposition or determiner follows it as it follows a verb)."""
    low = word.lower()
    if low in PREPOSITIONS or low in AUXILIARIES or low in _WH or low in ("and", "or", "but"):
        return True
    return (
        not word[0].isupper()
        and is_verb(word)
        and (not is_noun(word) or (low.endswith("s") and (following in PREPOSITIONS or following in DETERMINERS)))
    )


def _person_answered(pointing: list[str], exchange: Exchange) -> str | None:
    """The person the last answer gave for "Who signed the treaty?" ("Sadat and Menachem Begin signed
    it with Jimmy Carter": the one named right before the question's own verb), when the follow-up
    points at one person, as its subject ("What office did he hold?"): the one just asked for; after
    "Whose work ...?", the one person the answer names. Not after "Who did Trump fire?", whose "he" may
    be either."""
    if len({w.lower() for w in pointing}) != 1 or pointing[0].lower() not in ("he", "she"):
        return None  # "What did the secretary say to him?" asks of someone else too: the model's
    asked = analyse(exchange.question)
    if set_aside(asked):  # "Who, apart from Linus Pauling, won ...?": "he" may be either: the model's
        return None
    said = exchange.question.lower()
    new = [n for n in dict.fromkeys(_named(exchange.answer)) if n.lower() not in said and is_person(n)]
    if asked.wh == "whose":  # "Whose work is recognised ...?": the one person the answer gives is the owner
        owners = list(dict.fromkeys(re.sub(r"['’]s?$", "", n) for n in new))
        return owners[0] if len(owners) == 1 else None
    after_wh = exchange.question.split()[1:2]
    if asked.wh != "who" or not asked.acts or not after_wh or after_wh[0].lower() in ("did", "does", "do"):
        return None
    # "Steven Paul Jobs was an American businessman ... Jobs co-founded Apple": named in full, then by
    # surname; the person is called as the answer calls the one who did it
    doing = {n: [m for m, after in _mentions(exchange.answer, n) if content_terms(after) & asked.acts] for n in new}
    doers = [called[0] for called in doing.values() if called]
    return doers[0] if len(doers) == 1 else None


def _person_asked_of(pointing: list[str], exchange: Exchange) -> str | None:
    """The one person the last question asked about, for a follow-up's "his" ("Since what year has his
    son been president?" after "Why was Ferdinand Marcos deposed?"), where the answer named others too
    ("succeeded by Aquino's widow, Corazon Aquino"): the conversation is about the one it asked of. Not
    after a "who" question (its answer is the one asked for), and not for "he" or "her", which may be
    another of the people the answer named."""
    if {w.lower() for w in pointing} != {"his"}:
        return None
    asked = analyse(exchange.question)
    if asked.wh == "who" or any(w.lower() in PERSONAL for w in leaning_words(exchange.question)):
        return None
    # "Milton Friedman's Chicago students": the owner is the person
    named = [part for n in _named(exchange.question) for part in re.split(r"['’]s?\s+", n)]
    people = [n for n in dict.fromkeys(named) if is_person(n)]
    return people[0] if len(people) == 1 else None


def _named(text: str) -> list[str]:
    """The proper names of `text`, "Sadat and Menachem Begin" read as two."""
    return [part for n in proper_names(text) for part in re.split(r"\s+and\s+", n)]


def _mentions(text: str, person: str) -> list[tuple[str, str]]:
    """Each mention of `person` in `text`, in full or by surname, with the word after it."""
    surname = person.split()[-1]
    mentions = re.finditer(rf"\b(?:{re.escape(person)}|{re.escape(surname)})\b", text)
    return [(m.group(0), following.group(1)) for m in mentions if (following := _NEXT_WORD.match(text, m.end()))]


_NEXT_WORD = re.compile(r"\W*?([\w'’-]+)")  # "co-founded" whole


def _substitute(question: str, person: str) -> str:
    """he/she/him/his/her as `person` ("his" and a possessive "her" as "person's")."""

    def swap(match: re.Match[str]) -> str:
        low = match.group(0).lower()
        following = re.match(r"[A-Za-z]+", question[match.end() :].lstrip())
        next_word = following.group(0).lower() if following else ""
        possessive = low in ("his", "hers") or (
            low == "her"
            and bool(next_word)
            and next_word not in PREPOSITIONS
            and next_word not in ("and", "that", "than", "as")
        )
        return f"{person}'s" if possessive else person

    return re.sub(r"\b(?:he|she|him|his|her|hers)\b", swap, question, flags=re.I)


# -- checking the model's rewrite ------------------------------------------------------------------


def usable_rewrite(text: str, question: str, exchange: Exchange) -> str | None:
    """The rewrite, when it can stand for the follow-up: one question, not the previous one again, the
    follow-up's figures and all but one of its words kept (or the same asked in the conversation's
    words), and nothing the conversation does not hold (no new name or figure, at most two new words).
    The model answering instead of rewriting, or inventing a referent, fails these."""
    rewrite = " ".join(text.split())
    if not rewrite or len(rewrite) > MAX_REWRITE_CHARS or not rewrite.endswith("?"):
        return None
    said = f"{question} {exchange.question} {exchange.answer}"
    own, kept, heard = content_terms(question), content_terms(rewrite), content_terms(said)
    asks = analyse(rewrite)
    borrowed = (kept - own) & heard
    still = len(leaning_words(rewrite)) + _elliptical(rewrite) + (not asks.names and not borrowed)
    before = _pointers(question)
    if rewrite.lower() == exchange.question.lower().strip() or still > before or (still == before and not borrowed):
        return None  # the previous question again, or nothing resolved (the follow-up kept as asked)
    if not kept - own:
        return None  # "From 1991 to 1997?" for "And from 1991 to 1997?": a word dropped, nothing resolved
    # one word may give way to a name ("the secretary" -> "Rubio"); more is another question, unless
    # the question still asks the same (wh-word and head noun) and all it says is the conversation's
    # ("On what day did that interview take place?" -> "On what day did Bret Baier ask Musk ...?")
    retold = _asks_alike(asks, analyse(question)) and kept <= heard
    if (len(own - kept) > max(1, len(own) // 3) and not retold) or not numbers(question) <= numbers(rewrite):
        return None
    if not numbers(rewrite) <= numbers(said) or not names(rewrite) <= names(said, initial=True) | heard:
        return None
    return rewrite if len(kept - heard) <= 2 else None


def _still_leaning(rewrite: str, question: str) -> list[str]:
    """The follow-up's own words pointing into the conversation that its rewrite still holds."""
    held = {w.lower() for w in leaning_words(rewrite)}
    return list(dict.fromkeys(w.lower() for w in leaning_words(question) if w.lower() in held))


def _asks_alike(a: Question, b: Question) -> bool:
    """Both ask for the same thing: the same wh-word, head noun and kind of answer."""
    return bool(b.wh) and (a.wh, a.head, a.kind) == (b.wh, b.head, b.kind)
