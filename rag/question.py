"""The question, analysed once from its grammar into one record that every later step reads.

English questions are regular: a wh-word (or a preposition and one), an optional head noun ("which
architect", "what year"), then the rest. The expected kind of answer follows from the wh-word and, for
what/which, from whether the head noun names a time or a quantity (closed classes of English, not
nouns collected from question sets). Whether an answer is of the right kind beyond that is for the
judge to say, not for word lists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .terms import (
    ORDINALS,
    PREPOSITIONS,
    STOPWORDS,
    abbreviates,
    content_terms,
    figure_units,
    is_noun,
    is_person,
    is_verb,
    names,
    names_event,
    new_forms,
    numbers,
    ordinary_word,
    proper_names,
    rank_terms,
    stated,
    verb_lemma,
    words,
    years,
)


class AnswerKind(StrEnum):
    PERSON = "person"  # who, whom
    OWNER = "owner"  # whose
    FIGURE = "figure"  # how many / how much / how long ..., what number / percentage ...
    DATE = "date"  # when, what year / day / month ...
    PLACE = "place"  # where
    REASON = "reason"  # why
    MANNER = "manner"  # how did ...
    THING = "thing"  # what / which + head noun, or a bare what
    UNKNOWN = "unknown"  # no wh-word (a command, a yes/no question)


# kinds whose answer is no one figure, date or name, so a sentence cannot be seen to hold it
OPEN_KINDS = frozenset({AnswerKind.THING, AnswerKind.REASON, AnswerKind.MANNER, AnswerKind.UNKNOWN})


AUXILIARIES = frozenset(
    "is are was were be been being am do does did has have had can could will would shall should may might must".split()
)
BE = frozenset("is are was were".split())  # the finite be-forms: a copula, or a passive's auxiliary
_CONDITIONAL_MODALS = frozenset("can could may might must should".split())
DETERMINERS = frozenset("the a an this that these those his her its their our my your some any".split())
_FUNCTION_WORDS = STOPWORDS | PREPOSITIONS | DETERMINERS | AUXILIARIES | frozenset("besides despite".split())
# closed classes: units of time, and nouns whose value is a quantity
TIME_NOUNS = frozenset("year years date day days month months week decade century era season time weekday".split())
QUANTITY_NOUNS = frozenset(
    "number amount percentage percent share proportion fraction rate total sum count price cost figure margin".split()
)
PLACE_NOUNS = frozenset("city cities town towns village country countries state province county region place".split())
# "what kind of X" / "which type of X" / "what is the name of X": the head is X
_HEAD_SKIP = frozenset("kind kinds type types sort sorts name names form forms part parts".split())
_NOT_HEAD = frozenset("first last also most ever still later recently currently often".split())  # adverbs
_IDENTITY = re.compile(r"^\W*(?i:who\s+(?:is|was|are|were))\s+[A-Z]")
_POSSESSIVE = re.compile(r"(['’]s|s['’])$")
_OWNED = re.compile(r"\w(?:['’]s|s['’])\s+\w")  # "Nixon's vice president"
_WH = ("who", "whom", "whose", "what", "which", "when", "where", "why", "how")


@dataclass(frozen=True, kw_only=True)
class Question:
    """What a question asks: read by retrieval, evidence selection, checking and the judge."""

    text: str  # the question as asked (cleaned), the first question when several are run together
    wh: str = ""  # the wh-word, lower case ("" when there is none)
    head: str = ""  # the head noun of a what/which question ("architect", "year"), lower case
    kind: AnswerKind = AnswerKind.UNKNOWN
    owned: str = ""  # what a whose question asks the owner of ("deal" of "whose spending deal"), lower case
    terms: frozenset[str] = field(default_factory=frozenset)  # stemmed content words, wh-words and head aside
    names: tuple[str, ...] = ()  # proper names the question mentions ("Super Bowl", "Marco Rubio")
    figures: frozenset[str] = field(default_factory=frozenset)  # canonical numbers in the question
    ranks: frozenset[str] = field(default_factory=frozenset)  # its superlatives and ordinals ("snowiest", "third")
    # the figures the user typed: a follow-up's rewrite may carry one over from the last answer as context
    premise_figures: frozenset[str] = field(default_factory=frozenset)
    typed_names: tuple[str, ...] = ()  # the names the user typed, of `names`: the rest a rewrite carried over
    acts: frozenset[str] = field(default_factory=frozenset)  # its verbs' stems ("manag" of "Who managed ...?")
    named: bool = False  # it asks what something is named: "What was the name of ...?", "What is her sister's name?"
    counted: frozenset[str] = field(default_factory=frozenset)  # what "how many" counts ("major" of "how many majors")
    role: frozenset[str] = field(default_factory=frozenset)  # the office held ("presid" of "become president")

    @property
    def premise_names(self) -> tuple[str, ...]:
        """The names an answer must be about: all but a lone word opening the question that English
        also has as an ordinary word ("Hostile spirits are known as what?", "Based on ..."): as far as
        anyone can tell, it is capitalised only because the sentence starts there."""
        opening = self.text.lstrip()
        return tuple(n for n in self.names if " " in n or not opening.startswith(n) or not ordinary_word(n))

    @property
    def placed_names(self) -> tuple[str, ...]:
        """The lone names the question sets something in, at or near ("founded in Shenzhen?"): a place,
        not an adjective ("in Polish history"), so one the passages never state rules them out alone."""
        return tuple(
            n
            for n in self.premise_names
            if " " not in n and re.search(rf"\b(?:in|at|near)\s+{re.escape(n)}\b(?!\s+[a-z])", self.text)
        )

    @property
    def asks_for_name(self) -> bool:
        """Answered by a proper name the question does not already hold (a person, an owner, a name)."""
        return self.kind in (AnswerKind.PERSON, AnswerKind.OWNER) or self.named


def first_question(text: str) -> str:
    return re.split(r"(?<=\?)\s+", text.strip(), maxsplit=1)[0]


def analyse(text: str, typed: str | None = None) -> Question:
    """One pass over the question's words: wh-word, head noun, expected kind, names, figures. `typed`:
    what the user typed, when `text` is a follow-up's rewrite."""
    text = first_question(text)
    figures = frozenset(numbers(text))
    tokens = [w.lower() for w in words(text)]
    wh_at = next((i for i, w in enumerate(tokens[:4]) if w in _WH and all(t in PREPOSITIONS for t in tokens[:i])), None)
    if wh_at is None:  # "Bedau notes that protests may serve as what purpose?": a wh-word later on
        wh_at = next((i for i, w in enumerate(tokens) if w in ("what", "which", "who", "whom", "when", "where")), None)
    wh = tokens[wh_at] if wh_at is not None else ""
    after = tokens[wh_at + 1 :] if wh_at is not None else []
    head = _head_noun(after) if wh in ("what", "which") else ""
    kind = _kind(wh, after, head)
    owned = ""
    if wh == "whose" or (wh in ("what", "which") and after and _POSSESSIVE.search(after[0])):
        # "which company's disk drive": a possessive wh-phrase asks for an owner, as "whose" does
        owned = next((w for w in after[0 if wh == "whose" else 1 :] if w not in DETERMINERS), "")
        kind, head = AnswerKind.OWNER, "" if wh == "whose" else _POSSESSIVE.sub("", after[0])
    # "Who is Gerald Feierstein?" asks what he is; "Who was Nixon's vice president?" asks for a person
    if kind is AnswerKind.PERSON and _IDENTITY.match(text) and not _OWNED.search(text):
        kind = AnswerKind.THING
    # "what was the name of ...", "what is her sister's name": the thing asked for is a name
    lead = [w for w in after if w not in AUXILIARIES and w not in DETERMINERS][:1]
    named = wh in ("what", "which") and bool({*lead, *tokens[-1:]} & {"name", "names"})
    names = _names(text)
    skip = content_terms(" ".join(_WH)) | content_terms(head if kind in (AnswerKind.FIGURE, AnswerKind.DATE) else "")
    # "which two countries": a count in the wh-phrase says how many to name, not what the articles must state
    premise = figures - (numbers(after[0]) if wh in ("what", "which") and after else set())
    return Question(
        text=text,
        wh=wh,
        head=head,
        kind=kind,
        owned=owned,
        terms=frozenset(content_terms(text) - skip),
        names=names,
        figures=figures,
        ranks=frozenset(rank_terms(text)),
        premise_figures=premise if typed is None else premise & numbers(typed),
        typed_names=names if typed is None else tuple(n for n in names if n in typed),
        acts=frozenset(_acts(text)),
        role=frozenset(_role(text) if kind in (AnswerKind.DATE, AnswerKind.PERSON) else ()),
        named=named,
        counted=frozenset(_counted(wh, after)),
    )


def _counted(wh: str, after: list[str]) -> set[str]:
    """The stems of what a "how many" question counts: the words after "many" up to the verb
    ("how many [Grand Slam tournaments] has he won", "how many [times] did"), or with no noun there, the
    verb itself ("how many were [injured]", "how many [died]")."""
    if wh != "how" or not after or after[0] not in ("many", "much"):
        return set()
    counted: set[str] = set()
    for word in after[1:]:
        if word in _FUNCTION_WORDS or is_verb(word) and not is_noun(word):
            break
        counted |= content_terms(word)
    if not counted:
        done = next((w for w in after[1:] if w not in _BE_HAVE), "")
        if done and done not in _FUNCTION_WORDS and is_verb(done):
            counted = content_terms(done)
    return counted


_BE_HAVE = frozenset("is are was were be been being has have had".split())


# verbs that say little of what happened: an answer says "became", "had", "made" in other words
_LIGHT_VERBS = frozenset("be have do make get take give go come become say happen occur".split())


def _acts(text: str) -> set[str]:
    """The stems of what the question says was done ("managed", "guided"): words English has as verbs
    and not as nouns ("form", "deal" may be either), light verbs and capitalised words (names) aside."""
    acts: set[str] = set()
    for i, word in enumerate(words(text)):
        lemma = verb_lemma(word)
        if lemma and lemma not in _LIGHT_VERBS and not is_noun(word) and not (i and word[0].isupper()):
            acts |= content_terms(word)
    return acts


# "become president of Finland", "serve as prime minister": the office, up to its preposition
_ROLE = re.compile(
    r"\b(?:become|became|becomes|turn(?:ed|s)? into|(?:serve|served|serves|serving|elected|appointed)\s+as|"
    r"(?:hold|held|holds|holding)\s+the\s+(?:office|post|position)\s+of)\s+"
    r"(?:(?:the|a|an|its|his|her|their)\s+)?([A-Za-z][\w -]*?)"
    r"(?=\s+(?:of|in|for|at|from|to|under|until|during|between|after|before|when|while)\b|[?,]|$)"
)
_SUBORDINATORS = frozenset("before after when while since until once".split())


def _role(text: str) -> set[str]:
    """The stems of the office the question says someone held ("presid" of "When did he become
    president of Finland?"): an answer that gives another office answers another question."""
    found = _ROLE.search(text)
    if not found or len(found.group(1).split()) > 5:
        return set()
    # "before he became president" dates something else by the office
    clause = [w.lower() for w in words(text[: found.start()])][-3:]
    # the office is its last words: "the first female [prime minister]"
    return set() if _SUBORDINATORS.intersection(clause) else content_terms(" ".join(found.group(1).split()[-2:]))


_OF_PLACE = re.compile(r"\s+of\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")


def office(text: str) -> str:
    """The office the question says someone held, as written, with the place it is of: "president of
    Yugoslavia" of "In what year did he become president of Yugoslavia?"; "" when it says none."""
    found = _ROLE.search(text)
    if not found or len(found.group(1).split()) > 5:
        return ""
    place = _OF_PLACE.match(text, found.end(1))
    return found.group(1) + (place.group(0) if place else "")


def _head_noun(after: list[str]) -> str:
    """The noun a what/which question is about: "which [Republican senator] warned", "what [year] did",
    "what kind of [music]", "what is the [percentage] of". A time or quantity noun right after the
    wh-word decides the kind; otherwise the last word before a verb, an auxiliary or a preposition."""
    if len(after) > 2 and after[0] in BE and after[1] in DETERMINERS:
        after = after[2:]  # "what was the percentage of ...", "what is the name of ..."
    # "what did the Chicago school favour ...": the subject follows "did", and the thing asked for is
    # the verb's object, which the question never names
    picked: list[str] = []
    i = 0
    while i < len(after):
        word = after[i]
        if word in AUXILIARIES or word in DETERMINERS or word in _NOT_HEAD:
            break
        if word in PREPOSITIONS:
            if picked and picked[-1] in _HEAD_SKIP and word == "of":  # "kind of music": look past it
                picked = []
                i += 1
                continue
            break
        if picked and (picked[0] in TIME_NOUNS or picked[0] in QUANTITY_NOUNS):
            break
        # "which senator warned ...", "which election made him ...": the verb ends the phrase
        if picked and (re.search(r"ed$", word) or (is_verb(word) and not is_noun(word))):
            break
        # "which company makes ...": a verb's -s after a singular noun agrees with it; "which news outlets"
        if picked and is_verb(word) and word.endswith("s") and not picked[-1].endswith("s"):
            break
        picked.append(word)
        if len(picked) == 3:
            break
        i += 1
    return picked[-1] if picked else ""


def _names(text: str) -> tuple[str, ...]:
    """Proper names in the question, without a capitalised function word that opens it ("With whom",
    "Besides Alexandre Yersin") and without names that carry no content word."""
    out = []
    for name in proper_names(text):
        parts = name.split()
        while parts and parts[0].lower() in _FUNCTION_WORDS:
            parts = parts[1:]
        if parts and content_terms(" ".join(parts)):
            out.append(" ".join(parts))
    return tuple(dict.fromkeys(out))


def _kind(wh: str, after: list[str], head: str) -> AnswerKind:
    if wh in ("who", "whom"):
        return AnswerKind.PERSON
    if wh == "whose":
        return AnswerKind.OWNER
    if wh == "when":
        # "When can the court step in?" asks under what conditions, not on what date
        return AnswerKind.UNKNOWN if after[:1] and after[0] in _CONDITIONAL_MODALS else AnswerKind.DATE
    if wh == "where":
        return AnswerKind.PLACE
    if wh == "why":
        return AnswerKind.REASON
    if wh == "how":
        nxt = after[0] if after else ""
        return AnswerKind.MANNER if not nxt or nxt in AUXILIARIES else AnswerKind.FIGURE
    if wh in ("what", "which"):
        if head in TIME_NOUNS:
            return AnswerKind.DATE
        if head in QUANTITY_NOUNS:
            return AnswerKind.FIGURE
        if head in PLACE_NOUNS and after[:1] == [head]:  # "in which city", not "which city's mayor"
            return AnswerKind.PLACE
        return AnswerKind.THING
    return AnswerKind.UNKNOWN


_DATE_TEXT = re.compile(
    r"\b(1\d{3}|20\d{2})s?\b|\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?)\b\.?|"
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|tonight)\b|"
    r"\b(\d{1,2}(st|nd|rd|th)|first|second|third|\w+teenth|\w+tieth) century\b|\b(spring|summer|autumn|fall|winter)\b|"
    # "in AD 537", "560 BC": a year of any length, told by its era
    r"(?-i:\b(?:AD|BC|BCE|CE)\s+\d{1,4}\b|\b\d{1,4}\s+(?:AD|BC|BCE|CE)\b)|"
    # a time of day: "at 03:42:55", "at 9 p.m.", "at noon"
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d{1,2}\s*[ap]\.?m\b\.?|\b(?:noon|midnight)\b",
    re.I,
)
# "in 821", "by 560 BC", "the treaty in 821 fixed": a year of under four digits, after a preposition and
# not followed by what it counts (a word that may be a noun: "in 300 homes")
_EARLY_YEAR = re.compile(r"\b(?:in|by|from|since|until|around)\s+(\d{3})\b(?![.,]?\d)(?:\s+([A-Za-z]+))?")


def _counts_nothing(word: str | None) -> bool:
    """The word after a bare number is no noun it could count: none, an era ("BC"), a function word
    ("and"), a verb ("fixed")."""
    if not word or word.upper() in ("AD", "BC", "CE", "BCE") or word.lower() in STOPWORDS:
        return True
    return is_verb(word) and not is_noun(word)


_NUMBER_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|(?:hundred|thousand|million|billion|trillion|dozen)s?|half|quarter|once|twice|"
    # an ordinal counts too ("his fourth performance": four times)
    rf"{ORDINALS})\b",
    re.I,
)


_NEGATION = re.compile(r"\b(no|not|never|none|nothing|nobody|neither|nor|without)\b|n't\b", re.I)


def denies(question: Question, text: str) -> bool:
    """`text` negates where the question does not: "there is no clash" says something new."""
    return bool(_NEGATION.search(text)) and not _NEGATION.search(question.text)


def new_content(question: Question, text: str) -> set[str]:
    """What `text` says beyond the question's own words: content terms, names and figures."""
    return (
        (content_terms(text) | numbers(text))
        - set(question.terms)
        - set(question.figures)
        - content_terms(question.text)
    )


def fills_whom(question: Question, text: str) -> bool:
    """`text` puts words of its own where "whom" stood: after the preposition that came before it ("by
    whom was it dominated?": "dominated ... by the white minority"), or after the question's verb ("Whom
    does UNICEF treat?": "treats children and mothers"). People by what they are, not by name."""
    tokens = [w.lower() for w in words(question.text)]
    at = tokens.index("whom") if "whom" in tokens else -1
    said = [w.lower() for w in words(text)]
    own = content_terms(question.text)
    if tokens[:1] == ["who"] and len(tokens) > 1 and tokens[1] not in AUXILIARIES:
        # "Who operated most of the restaurants?": "... of which were operated by franchisees", the doer
        done = content_terms(tokens[1])
        starts = [i + 2 for i, w in enumerate(said[:-1]) if done and content_terms(w) == done and said[i + 1] == "by"]
    elif at < 0:
        return False
    elif at and tokens[at - 1] in PREPOSITIONS:
        starts = [i + 1 for i, w in enumerate(said) if w == tokens[at - 1]]
    else:  # "Whom does UNICEF treat ...?": the object of its verb
        verbs = [content_terms(w) for w in tokens[at + 1 :] if is_verb(w) and w not in AUXILIARIES]
        starts = [i + 1 for i, w in enumerate(said) if content_terms(w) and content_terms(w) in verbs]
    for i in starts:
        following = [w for w in said[i : i + 3] if w not in DETERMINERS]
        if following and content_terms(following[0]) and not content_terms(following[0]) & own:
            return True
    return False


def tells_how(question: Question, text: str) -> bool:
    """`text` says something beyond the question's words other than when: "How did his second term
    come to an end?" is not answered by "It came to an end in 1954", but by "... until his suicide in 1954"."""
    dated = {t for m in _DATE_TEXT.finditer(text) for t in content_terms(m.group(0)) | numbers(m.group(0))}
    return bool(new_content(question, text) - dated - numbers(text))


_TOKEN = re.compile(r"\d[\d,.]*|[^\W\d_][\w'’-]*")


def counts(question: Question, text: str) -> bool:
    """Does `text` give a figure for what the question counts: "a record 24 majors", "eight times" for
    "How many majors ...?", "How many times ...?" (a word or two may come between)."""
    tokens = [w.lower() for w in _TOKEN.findall(text)]
    for i, token in enumerate(tokens):
        if token[0].isdigit() or numbers(token):
            following = [t for w in tokens[i + 1 : i + 4] if w not in _FUNCTION_WORDS for t in content_terms(w)]
            if question.counted & set(following[:2]):
                return True
    return False


def fits_another_figure(question: Question, answer: str, sentence: str) -> bool:
    """`sentence` gives the answer's figure and another whose words fit the question better, read off the
    words right after each: "How many people died in Sichuan?" answered "69,197 people died in Sichuan"
    from "69,197 were confirmed dead, including 68,636 in Sichuan province"."""
    given = numbers(answer)
    fits = [(len(unit & question.terms), figure) for figure, unit in figure_units(sentence, reach=4)]
    best = max((fit for fit, _ in fits), default=0)
    return (
        best > 0
        and any(figure in given for _, figure in fits)
        and not any(fit == best and figure in given for fit, figure in fits)
    )


def head_names(question: Question, text: str) -> list[str]:
    """The names in `text` made with the question's own noun: "the Second Anglo-Dutch War" for "After
    which war did England gain New York?", or the year that names one ("the 1990 election" for "Which
    election made him president?"); none for a question without such a noun."""
    head = content_terms(question.head)
    if not head:
        return []
    dated = [f"{m.group(1)} {m.group(2)}" for m in _DATED.finditer(text) if head & content_terms(m.group(2))]
    return [n for n in proper_names(text) if head & content_terms(n)] + dated


_DATED = re.compile(r"\b(?:the|a|an|its|his|her|their)\s+((?:1\d|20)\d\d)\s+([a-z]+)\b")  # "the 1990 election"


def supplies(question: Question, text: str, answer: bool = False) -> bool:
    """Does `text` hold a new thing of the kind asked for? A figure for "how many", a date for "when",
    a name for "who"; for other questions, anything the question does not already say. In an `answer`
    to a date question, "in 821" is a year too; in a passage, any bare number would rank as a date."""
    kind = question.kind
    if kind is AnswerKind.FIGURE:
        return bool(numbers(text) - question.figures) or bool(_NUMBER_WORD.search(text))
    if kind is AnswerKind.DATE:
        asked = {m.group(0).lower() for m in _DATE_TEXT.finditer(question.text)}
        dates = [m.group(0).lower() for m in _DATE_TEXT.finditer(text)]
        if answer:
            dates += [
                m.group(1)
                for m in _EARLY_YEAR.finditer(text)
                if m.group(1) not in question.figures and _counts_nothing(m.group(2))
            ]
        return any(d not in asked for d in dates)
    if question.wh in ("who", "whom") and fills_whom(question, text):
        return True  # "Whom does UNICEF treat?": "children and mothers" names no one, and answers
    if question.asks_for_name:
        new = new_names(question, text)
        if question.named:  # a name may be a term in quotes: 'the "eolomelodicon"', or one stemming merges
            new |= {q for q in _QUOTED.findall(text) if q.lower() not in question.text.lower()}
            new |= new_forms(text, question.text)  # with the question's ("Thatcherism" of "Thatcher")
        return bool(new) and names_owner(question, text)
    return bool(new_content(question, text)) or denies(question, text)


_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")
# "the regime of Salazar", "the regime he created": whose it is comes after it
_OWNER_AFTER = frozenset("of by between among from he she they".split())


def names_owner(question: Question, text: str) -> bool:
    """Does `text` say whose the owned thing is, where it mentions it? "The disk drive had been
    discovered by Rubinstein" for "Which company's disk drive ...?" does not: only a determiner stands
    before "disk", and no "of"/"by" follows it ("the Toshiba disk drive", "competition between
    employers", "the regime he created" do). A text that never mentions the owned thing is not judged here."""
    if not question.owned:
        return True
    tokens = [w.lower() for w in words(text)]
    owned = content_terms(question.owned)
    at = [i for i, w in enumerate(tokens) if content_terms(w) == owned]
    for i in at:
        if i == 0 or tokens[i - 1] not in DETERMINERS:
            return True
        following = [w for w in tokens[i + 1 : i + 4] if w not in DETERMINERS]
        for w in following:
            if w in _OWNER_AFTER:
                return True
            if w in AUXILIARIES or w in PREPOSITIONS:
                break
    return not at


_SET_IN_YEAR = re.compile(r"\b(?:in|during)\s+((?:1\d|20)\d\d)\b(?!\s*[-–])", re.I)
_YEAR_OF_EVENT = re.compile(r"\bthe\s+((?:1\d|20)\d\d)\s+[A-Z]")  # "the 1982 Asian Games"
_YEARS = re.compile(r"\b((?:1\d|20)\d\d)\s*(?:-|–|to|until|till|and)\s*((?:1\d|20)\d\d)\b")  # "from 1989 to 1992"


def moves_the_year(question: Question, text: str, rested: Sequence[str] = ()) -> bool:
    """The question sets its event in a year ("In what month was their research published in 1998?",
    "Which city hosted the 1982 Games?") and `text` dates it in other years only ("The research was
    published in October 2010"), or, when it gives no year, the sentences it rests on do: an answer
    about another event, or one that takes the question's false premise for its own. A span of years
    holds the years within it ("led it as president in 1990": "from 1989 to 1992")."""
    typed = {y for y in _SET_IN_YEAR.findall(question.text) + _YEAR_OF_EVENT.findall(question.text)}
    typed &= question.premise_figures
    given = years(text) | years_spanned(text)
    if not given:
        given = set().union(*(years(r) | years_spanned(r) for r in rested))
    return bool(typed) and bool(given) and not typed & given


def years_spanned(text: str) -> set[str]:
    """The years inside each span of years `text` gives ("from 1989 to 1992": 1989, 1990, 1991, 1992)."""
    spans = [(int(a), int(b)) for a, b in _YEARS.findall(text)]
    return set().union(*(map(str, range(a, b + 1)) for a, b in spans if 0 < b - a < 200))


def new_names(question: Question, text: str) -> set[str]:
    """The name terms of `text` (a capitalised opening word too) that the question does not hold, a
    place and its people as one ("South African" of "South Africa"), nor a middle name of one of its
    people ("Nelson Rolihlahla Mandela" of "Nelson Mandela"), nor its initials ("LKY" of "Lee Kuan Yew")."""
    asked = names(question.text, initial=True)
    middle = {t for name in proper_names(text) for t in _middle_names(name, question)}
    middle |= {t for name in proper_names(text) if abbreviates(name, question.names) for t in content_terms(name)}
    return {t for t in names(text, initial=True) - asked - middle if not stated(t, asked)}


def _middle_names(name: str, question: Question) -> set[str]:
    """The terms of `name`'s middle words when its first and last are those of one of the question's
    names: "rolihlahla" of "Nelson Rolihlahla Mandela" for "Nelson Mandela"."""
    parts = name.split()
    ours = [n.split() for n in question.names if len(n.split()) > 1]
    if len(parts) > 2 and any(n[0] == parts[0] and n[-1] == parts[-1] for n in ours):
        return content_terms(" ".join(parts[1:-1]))
    return set()


_SET_ASIDE = re.compile(r"\b(?:apart from|aside from|besides|other than|except(?: for)?)\s+([^,?;]+)", re.I)


_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result of|caused by|in order to|so that|thanks to|in response to|"
    r"for which|for (?:his|her|its|their) \w+|(?-i:for [a-z]+ing\b)|as (?:the|its|his|her|their) \w+ \w+ed)",
    re.I,
)


def gives_reason(text: str) -> bool:
    """`text` says why, in the words English says it with ("because", "due to", "for his ...")."""
    return bool(_REASON.search(text))


def set_aside(question: Question) -> list[str]:
    """The names the question sets aside: "the ISS" of "Apart from the ISS, which space station ...?"."""
    return [n for m in _SET_ASIDE.finditer(question.text) for n in proper_names(m.group(1))]


def names_only_the_set_aside(question: Question, text: str) -> bool:
    """`text` names what the question sets aside ("Apart from the ISS, which space station ...?"), in
    full or by its initials, and no other name: "The International Space Station (ISS) is one of two
    operational space stations" does not say which other."""
    aside = set_aside(question)
    told = [p for p in proper_names(text) if p in aside or any(abbreviates(a, [p]) for a in aside)]
    return bool(told) and not new_names(question, text) - names(" ".join(told), initial=True)


def new_people(question: Question, text: str) -> list[str]:
    """People's full names in `text` that the question does not name, not even by surname."""
    asked = set(re.findall(r"[a-z]{2,}", question.text.lower()))
    # "Fox News’ Bret Baier": an owner's name and a person's are two names
    found = [piece.strip() for n in proper_names(text) for piece in re.split(r"['’]s?\s+", n)]
    return [n for n in found if n and is_person(n) and not asked & set(re.findall(r"[a-z]{2,}", n.lower()))]


def doer_unstated(question: Question, texts: list[str]) -> bool:
    """ "Who assassinated Ahmad al-Ghashmi?" asked of passages that give the act only as a noun with
    nobody named as its doer ("after the assassination of President Ahmad al-Ghashmi"): they do not say
    who, whatever name the answer puts beside it."""
    tokens = [w.lower() for w in words(question.text)][:4]
    if question.wh != "who" or "who" not in tokens[:3] or tokens.index("who") + 1 >= len(tokens):
        return False
    verb = verb_lemma(tokens[tokens.index("who") + 1])
    if not verb or verb in AUXILIARIES or verb == "be":
        return False
    object_terms = set().union(*(content_terms(n) for n in question.names)) if question.names else set()
    told = False
    for text in texts:
        said = list(re.finditer(r"[A-Za-z][\w'’-]*", text))
        for i, m in enumerate(said):
            word = m.group(0).lower()
            lemma = verb_lemma(word)
            as_noun = bool(i and said[i - 1].group(0).lower() in DETERMINERS) or not lemma
            if lemma == verb and not as_noun:
                return False  # the verb itself, with its subject or its "by"
            # the act's noun, said of the question's own name ("the assassination of President Ahmad
            # al-Ghashmi"; not "the supervision of Steve Jobs", the doer, nor "the assassin")
            if as_noun and names_event(word, verb) and len(word) >= len(verb) and is_noun(word):
                if re.search(r"\bby\b", " ".join(w.group(0) for w in said[i + 1 : i + 9])):
                    return False
                of = " ".join(w.group(0) for w in said[i + 1 : i + 4])
                told |= bool(re.match(r"of\b", of)) and bool(object_terms & content_terms(of))
    return told


def swapped_names(question: Question, text: str) -> list[str]:
    """ "Who directed Craig's fourth film?" answered "Daniel Craig directed Spectre": the names the answer
    puts where "who" stood while the question already holds them, before the question's own verb (not a
    passive "was directed"), naming no new person elsewhere, so it does not say who; none when it does
    not. ("Musk co-led it with Vivek Ramaswamy" for "Who co-led it with Musk?" names one: the verb goes
    both ways.) "Which dynasty ruled Iran before the Pahlavi dynasty?" answered "The Pahlavi dynasty ruled
    Iran before ..." puts the question's own name where "which dynasty" stood, the same way."""
    tokens = [w.lower() for w in words(question.text)][:4]
    if question.wh == "who" and "who" in tokens[:3]:
        verb_at = tokens.index("who") + 1
    elif question.wh == "which" and question.head in tokens[1:3]:  # "Which dynasty ruled ...?"
        verb_at = tokens.index(question.head) + 1
    else:
        return []
    if verb_at >= len(tokens) or tokens[verb_at] in AUXILIARIES:
        return []
    verb = content_terms(tokens[verb_at])
    said = list(re.finditer(r"[A-Za-z][\w'’-]*", text))
    at = next((i for i, m in enumerate(said) if verb and content_terms(m.group(0)) == verb), None)
    as_noun = at is None or (at > 0 and said[at - 1].group(0).lower() in DETERMINERS)
    if as_noun and question.wh == "who" and not any(m.group(0) == "by" for m in said):
        # the verb put as a noun ("Thatcher was the leader ..." for "Who led the party before Thatcher?"):
        # the one it is said of names only the question's people, and nobody else is named
        at = next((i for i, m in enumerate(said) if m.group(0) in BE), None)
        before = text[: said[at].start()] if at else ""
        asked = content_terms(question.text)
        own = proper_names(before)  # each of them the question's ("Margaret Hilda Thatcher" of "Thatcher")
        return own if own and all(content_terms(n) & asked for n in own) and not new_people(question, text) else []
    if at and said[at - 1].group(0).lower() in BE and question.wh == "who":
        # "Who assassinated Rafael Trujillo?" answered "Rafael Trujillo Molina was assassinated in May 1961":
        # the question's own person, done to, and nobody named as the doer
        before = text[: said[at - 1].start()]
        done_to = [n for n in proper_names(before) if any(content_terms(q) <= content_terms(n) for q in question.names)]
        return done_to if done_to and not re.search(r"\bby\b", text[said[at].end() :]) else []
    if not at or said[at - 1].group(0).lower() in AUXILIARIES:
        return []
    before = text[: said[at].start()]
    # "Who succeeded Nelson Mandela?": the question's name is the verb's object, so the answer's "Nelson
    # Mandela succeeded Kenneth Kaunda" reverses the roles whoever else it names
    verbs = (m for i, m in enumerate(re.finditer(r"[A-Za-z][\w'’-]*", question.text)) if i > 0)
    after_verb = next((m for m in verbs if content_terms(m.group(0)) == verb), None)
    rest = question.text[after_verb.end() :].split() if after_verb else []
    object_named = bool(rest) and rest[0][:1].isupper()
    # initials after a name are that name ("The Algerian National Liberation Front (FLN)")
    before = re.sub(r"\s*\([A-Z]{2,7}\)", "", before)
    subject = content_terms(before) - {t for n in proper_names(before) for t in _middle_names(n, question)}
    if subject <= content_terms(question.text) and (object_named or not new_people(question, text)):
        return proper_names(before)
    return []
