"""Word-level facts of a text: content terms, numbers and names, compared across question, answer
and passages. Small models mostly go wrong on exactly these (a number or a name not in the source).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Collection, Sequence
from functools import lru_cache

import Stemmer
from lemminflect import getAllLemmas, getLemma

from .sentences import split_sentences

_STEMMER = Stemmer.Stemmer("english")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself yourselves said says
    say according article articles passage passages one ones also mr mrs ms who's what's it's that's there's
    did does told tell asked ask whose""".split()
)

_LETTER = r"[^\W\d_]"  # any script's letters: "Frédéric", "Zürich" are one word each, not "Fr", "d", "ric"
_WORD = re.compile(rf"{_LETTER}(?:{_LETTER}|['’\-])*{_LETTER}|{_LETTER}")
_NUMBER = re.compile(r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(%|percent|per cent))?")
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


@lru_cache(maxsize=50000)
def stem(word: str) -> str:
    """Snowball stem, with irregular verb forms joined to their verb ("led", "withdrew" -> lead,
    withdraw: lemminflect's English lexicon) and agent nouns to theirs ("co-leader", "voters" -> lead,
    vote): the stemmer keeps both apart. The agent's "-er" is read off the stem, not the word, so every
    form of a verb that ends in it stays one term ("offer", "offers", "offered")."""
    word = _unaccented(word).lower().replace("’", "'").split("'")[0]
    stemmed = _STEMMER.stemWord(_irregular_verb(word) or word)
    if re.fullmatch(r"[a-z]{3,}er", stemmed):
        stemmed = _STEMMER.stemWord(stemmed[:-1])
    # British and American spellings as one ("Labour Party" written of the "Labor Party": labour, labor)
    return _BRITISH_OUR.sub("or", stemmed)


def _unaccented(word: str) -> str:
    """`word` without its accents: a question typed as "Frederic Chopin" asks about "Frédéric Chopin"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_BRITISH_OUR = re.compile(r"(?<=[a-z]{3})our")  # not "four", "hour", "your", "tour", "course"


def _irregular_verb(word: str) -> str | None:
    """The verb an irregular form belongs to ("took" -> take), when its stem is not the verb's own
    (an -ing form is always regular: "evening" is not "even")."""
    if word.endswith("ing"):
        return None
    lemma = next(iter(getLemma(word, upos="VERB", lemmatize_oov=False)), None)
    return lemma if lemma and _STEMMER.stemWord(lemma) != _STEMMER.stemWord(word) else None


def new_forms(text: str, question: str) -> set[str]:
    """The capitalised words of `text` that no lexicon has and `question` lacks as written (a plural or
    an owner's "'s" aside): names that stemming merges with the question's ("Thatcherism", "Thatcher")."""

    def forms(words_of: str) -> set[str]:
        return {re.sub(r"(?:['’]s|s)$", "", w.lower()) for w in words(words_of)}

    capitalised = [w for w in words(text) if w[:1].isupper() and not ordinary_word(w)]
    return forms(" ".join(capitalised)) - forms(question)


def ordinary_word(word: str) -> bool:
    """English has `word` as an ordinary word ("hostile", "based"): the lexicon knows it in lower case."""
    return bool(getAllLemmas(word.lower()))


# ordinals past the first ("first" is mostly an adverb, and told in other words: "debut", "original")
ORDINALS = r"second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\w+teenth|\w+tieth"
_ORDINAL = re.compile(rf"^(?:{ORDINALS})$")


_COUNTED = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_YEAR_IN = r"(?:\w+\s+){0,3}?(?:1\d{3}|20\d{2})"
# "from 1930 to 1945 and from 1951 until his suicide in 1954": the spans of one role, listed
_LISTED_SPANS = re.compile(
    rf"\bfrom\s+{_YEAR_IN}\s+(?:to|until)\s+{_YEAR_IN}"
    rf"(?:\s*,?\s+and\s+from\s+{_YEAR_IN}(?:\s+(?:to|until)\s+{_YEAR_IN})?)+",
    re.I,
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
# "World War I", "Elizabeth II": a lone "I" after two capitalised words at least ("Then I went" is no name)
_NUMBERED_NAME = re.compile(
    r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\s+(II|III|IV|VI{0,3}|IX|X)\b|\b[A-Z][a-z]+\s+[A-Z][a-z]+\s+(I)\b"
)


def counted_ordinals(text: str) -> set[str]:
    """The terms of the ordinals `text` states by counting rather than in words: "World War I" is the
    first world war, "Elizabeth II" the second Elizabeth; spans of years listed one after another
    ("from 1930 to 1945 and from 1951 until ... 1954") are a first and a second term."""
    ordinals = {_COUNTED[_ROMAN[m.group(1) or m.group(2)] - 1] for m in _NUMBERED_NAME.finditer(text)}
    for listed in _LISTED_SPANS.finditer(text):
        ordinals.update(_COUNTED[: len(re.findall(r"\bfrom\b", listed.group(0), re.I))])
    return set().union(*(content_terms(w) for w in ordinals)) if ordinals else set()


YEAR = re.compile(r"\b(?:1\d{3}|20\d{2})\b")


def years(text: str) -> set[str]:
    """The years `text` gives ("1946")."""
    return set(YEAR.findall(text))


_CENTURY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)[\s-]+century\b", re.I)


def centuries(text: str) -> set[str]:
    """The figures of the centuries `text` names by number: "around the turn of the 20th century" -> {"20"}."""
    return set(_CENTURY.findall(text))


def centuries_dated(text: str) -> set[str]:
    """The centuries (as numbers) that the years in `text` fall in or within a decade of, its turn:
    "between 1899 and 1901" dates the 19th century and the turn of the 20th."""
    return {str((int(y) + d) // 100 + 1) for y in years(text) for d in (-10, 0, 10)}


# verbs of a span's start or end, and the span that states both: "ran from 1939 to the defeat of Nazi
# Germany in 1945" says when and how the campaign began and ended
ASPECTUAL = frozenset("begin start end finish stop cease last continue".split())
_SPAN = re.compile(r"\bfrom\b[^.;]*?\b(?:to|until|till)\b|\b(?:until|till)\b|\bbetween\b[^.;]*?\band\b", re.I)


def spans_terms(text: str) -> set[str]:
    """The terms of a span's start and end, where `text` gives a span ("from 1939 to 1945", "until his death")."""
    return content_terms(" ".join(ASPECTUAL)) if _SPAN.search(text) else set()


def listed_spans(text: str) -> list[set[str]]:
    """The years of each span of one role that `text` lists one after another, in order: "from 1946 to
    his overthrow in 1955, and from 1973 until his death in 1974" holds [{1946, 1955}, {1973, 1974}]."""
    return [
        years(span)
        for listed in _LISTED_SPANS.finditer(text)
        for span in re.split(r"\band\s+from\b", listed.group(0), flags=re.I)
    ]


_QUANTITY = re.compile(r"\b(?:twice|thrice|dozens?|scores|hundreds|thousands|millions|billions|quarter|half)\b", re.I)


def states_count(text: str) -> bool:
    """`text` gives a count of something: a figure that is no year ("69,197", "five") or a quantity
    in words ("a quarter of a million", "twice", "hundreds of")."""
    return bool(numbers(YEAR.sub(" ", text))) or bool(_QUANTITY.search(text))


def counted_ordinal(text: str) -> int:
    """Which one `text` asks for by counting ("his second period": 2); 0 when it counts none."""
    found = re.search(rf"\b({'|'.join(_COUNTED)})\b", text, re.I)
    return _COUNTED.index(found.group(1).lower()) + 1 if found else 0


def rank_terms(text: str) -> set[str]:
    """The terms of the ranks `text` states: superlative adjectives ("snowiest", "largest") and
    ordinals past the first ("third"): a question's rank is its claim, as a name or a figure is.
    ("most spoken" is left out: "the most voice acting" says it too; "first" and "last" are told in
    many other words, "debut", "original", "final"; nor "best known", which passages say as "well known".)"""
    tokens = [w.lower() for w in words(text)]
    found = {
        w
        for i, w in enumerate(tokens)
        if _ORDINAL.match(w)
        or (
            w.endswith("est")
            and any(w != lemma for lemma in getAllLemmas(w).get("ADJ", ()))
            # "best known for" is "well known for", as every article says it
            and not (w == "best" and tokens[i + 1 : i + 2] in (["known"], ["remembered"]))
        )
    }
    return set().union(*(content_terms(w) for w in found)) if found else set()


def is_verb(word: str) -> bool:
    """English has `word` as a form of a verb ("resigned", "cast")."""
    return bool(verb_lemma(word))


def verb_lemma(word: str) -> str:
    """The verb `word` is a form of ("managed": "manage"); "" when English has it as no verb."""
    lemmas = getAllLemmas(word.lower()).get("VERB", ())
    return lemmas[0] if lemmas else ""


def is_noun(word: str) -> bool:
    """English has `word` as a form of a noun ("homes", "drive")."""
    return "NOUN" in getAllLemmas(word.lower())


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    """The words of `text` that are no stopwords, as written ("Court", "Justice" of "Court of Justice")."""
    return [w for w in words(text) if w.lower() not in STOPWORDS]


def content_terms(text: str) -> set[str]:
    """Stemmed, lower-cased words that carry meaning (no stopwords, no single letters)."""
    out = set()
    for w in words(text):
        lw = w.lower()
        if lw in STOPWORDS or len(lw) < 2:
            continue
        for part in lw.split("-"):
            if part and part not in STOPWORDS and len(part) > 1:
                out.add(stem(part))
    return out


_SMALL = {w: str(n) for n, w in enumerate("two three four five six seven eight nine ten eleven twelve".split(), 2)}
_SMALL_WORD = re.compile(r"\b(" + "|".join(_SMALL) + r")\b", re.I)  # "one" is as often a pronoun: left out


def numbers(text: str) -> set[str]:
    """Numbers as canonical strings: '1,500' and '1500' agree; '$288 million' adds '288' and '288000000';
    'seven' is '7'."""
    out = {_SMALL[m.group(1).lower()] for m in _SMALL_WORD.finditer(text)}
    for match in _NUMBER.finditer(text):
        raw = match.group(1).replace(",", "")
        out.add(_canon(float(raw)))
        tail = text[match.end() : match.end() + 12].lower()
        scale = next((v for k, v in _SCALE.items() if tail.lstrip().startswith(k)), None)
        if scale:
            out.add(_canon(float(raw) * scale))
    return out


_UNIT_SKIP = set(_SCALE) | set(
    "percent per cent more than over about nearly roughly some around almost least of the a an".split()
)


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_AFTER = re.compile(rf"\s+(?:{MONTHS})\b")


# a year given to an event its subject went through: "until his suicide in 1954", "to its resolution in 1906"
_DATED_EVENT = re.compile(
    rf"\b(?:his|her|its|their)\s+({_LETTER}+)\s+(?:in|on)\s+(?:\d{{1,2}}\s+)?(?:(?:{MONTHS})\s+)?(?:\d{{1,2}},\s+)?"
    rf"({YEAR.pattern})"
)
# events a verb names that share no first letters with it: nouns of the verb itself ("death" of die), and
# the kinds of death that "kill" says in general
_DEATHS = frozenset({"death", "assassination", "murder", "execution", "suicide"})
_EVENTS_OF = {"die": _DEATHS, "kill": _DEATHS, "bear": frozenset({"birth"}), "lose": frozenset({"loss"})}


def dated_events(text: str) -> dict[str, set[str]]:
    """The events `text` gives each year to, by their nouns: "until his suicide in 1954" -> {"1954": {"suicide"}}."""
    dated: dict[str, set[str]] = {}
    for found in _DATED_EVENT.finditer(text):
        dated.setdefault(found.group(2), set()).add(found.group(1).lower())
    return dated


def names_event(noun: str, verb: str) -> bool:
    """`noun` is an event `verb` names: "resolution" of resolve, "assassination" of assassinate and of kill."""
    if noun in _EVENTS_OF.get(verb, ()):
        return True
    shared = min(len(verb) - 1, 5)
    return noun[:shared] == verb[:shared]


def figure_units(text: str, reach: int = 2) -> list[tuple[str, set[str]]]:
    """Each figure in `text` (years aside) with what it counts: the content words among the `reach`
    words after it in its clause, scale words skipped ("1,500 consulates closed" -> consul, close)."""
    return [(figure, set().union(*following)) for figure, following in figure_phrases(text, reach)]


def figure_phrases(text: str, reach: int = 2) -> list[tuple[str, list[set[str]]]]:
    """`figure_units` with the words' terms in order: in "107 singles titles" the first qualifies the
    second."""
    out = []
    # "five member countries" counts as "5 member countries" does
    spelt = [(m, _SMALL[m.group(1).lower()]) for m in _SMALL_WORD.finditer(text)]
    for match, raw in sorted([(m, m.group(1)) for m in _NUMBER.finditer(text)] + spelt, key=lambda f: f[0].start()):
        if re.fullmatch(r"(1[89]|20)\d\d", raw) and not match.group(2) and not match.group(0).startswith("$"):
            continue  # a year says when, not how many
        if (
            re.fullmatch(r"1\d{3}", raw)
            and re.search(r"\b(?:in|since|from|until|till|of)\s+$", text[: match.start()], re.I)
            and not re.match(r"\s+[a-z]+s\b", text[match.end() :])
        ):
            continue  # and so does an earlier one after its preposition ("the famine of 1770", not "of 1500 ships")
        if raw.isdigit() and int(raw) <= 31 and _MONTH_AFTER.match(text, match.end()):
            continue  # so does a day of a month ("20 February 2016")
        clause = re.split(r"[!?;:,()\[\]]|\.(?=\s+[A-Z0-9\"“]|\s*$)", text[match.end() : match.end() + 80])[0]
        following = [t for w in words(clause) if w.lower() not in _UNIT_SKIP and (t := content_terms(w))][:reach]
        out.append((_canon(float(raw.replace(",", ""))), following))
    return out


def _canon(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def names(text: str, initial: bool = False) -> set[str]:
    """Capitalised words: the people, places and organisations named. Sentence-initial words count
    only with `initial` (an answer such as "Politico." is a name; "Officials said" is not)."""
    out = set()
    for sentence in split_sentences(text):
        tokens = words(sentence.text)
        for i, tok in enumerate(tokens):
            # "US-led", "Soviet-backed": the name is the capitalised part ("United States–led" splits so)
            tok = "-".join(part for part in tok.split("-") if part[:1].isupper())
            if (i == 0 and not initial) or not tok or not tok[0].isupper() or tok.lower() in STOPWORDS:
                continue
            out.add(stem(tok))
    return out


def stated(term: str, shown: Collection[str]) -> bool:
    """Whether a name's (or figure's) term is among `shown`, a place and its people counting as one
    name: "indian"/"india", "nepales"/"nepal"/"nepali", "german"/"germani", "english"/"england" (each
    stem at most three letters past the part they share, which is at least four letters;
    "austria"/"australia", "iran"/"iraq" stay apart). Figures must match as they are."""
    if term in shown:
        return True
    return term.isalpha() and any(s.isalpha() and _one_name(term, s) for s in shown)


def unstated_names(named: Sequence[str], shown: Collection[str], others: Sequence[str] = ()) -> list[str]:
    """The names of `named` that `shown` never states, when they are enough to rule a question or an
    answer out: a whole name ("Super Bowl"), or every name there is. A lone capitalised word alone may
    be an adjective ("Polish", "European"), a month or spelt another way ("Zelenskyy"). A name made of
    ordinary words whose words `shown` states only in part, all of them within one of the `others` (the
    names the passages give), is that other name's words, not this one: "International Court of
    Justice" over a passage on the "International Criminal Court" (but "State Department" over "his
    department", which names no other)."""
    unknown = [
        n
        for n in named
        if not any(stated(t, shown) for t in content_terms(n))
        and not abbreviates(n, others)
        and not _abbreviated(n, shown)
        or _borrowed(n, shown, others)
    ]
    return unknown if any(" " in n for n in unknown) or (named and len(unknown) == len(named)) else []


def _abbreviated(name: str, shown: Collection[str]) -> bool:
    """`shown` holds `name`'s initials: "the US" states the "United States"."""
    parts = name.split()
    return (
        len(parts) > 1 and all(p[0].isupper() for p in parts) and any(a.lower() in shown for a in abbreviations(parts))
    )


def abbreviates(name: str, others: Sequence[str]) -> bool:
    """`name` is an abbreviation that one of `others` spells out: "ISS" where a passage's article is
    titled "International Space Station", though the passage itself says only "it"."""
    if not re.fullmatch(r"[A-Z]{2,6}", name):
        return False
    return any(sum(w[0].isupper() for w in other.split()) >= 2 and spells(other.split(), name) for other in others)


def spells(name: Sequence[str], short: str) -> bool:
    """The initials of `name`'s words spell `short` (see `abbreviations`)."""
    return short.upper() in abbreviations(name)


def abbreviations(name: Sequence[str]) -> set[str]:
    """What `name`'s words abbreviate to: their initials with its small words ("Department of
    Government Efficiency": DOGE) or without them (DGE); a dotted word gives its capitals ("U.S." -> US)."""

    def initials(word: str) -> str:
        return "".join(c for c in word if c.isupper()) if "." in word else word[0]

    every = "".join(initials(w) for w in name).upper()
    capital = "".join(initials(w) for w in name if w[0].isupper()).upper()
    return {every, capital}


def _borrowed(name: str, shown: Collection[str], others: Sequence[str]) -> bool:
    """`name`, made of ordinary words, is stated only by words that all stand in another of `others`."""
    if " " not in name or name_stated(name, shown) or not all(ordinary_word(w) for w in content_words(name)):
        return False
    told = {t for t in content_terms(name) if stated(t, shown)}
    return bool(told) and any(told <= content_terms(o) and not name_stated(name, content_terms(o)) for o in others)


def name_stated(name: str, shown: Collection[str]) -> bool:
    """Whether `shown` states `name` by the words that make it this name: those English lacks as
    ordinary words ("Darfur" of "Darfur Report": "Report" is in every report's name), or all of its
    words when it has none of those ("Radar Princess")."""
    named = content_words(name)  # "of", "the": in many names, no part of one
    own = [w for w in named if not ordinary_word(w)] or named
    terms = set().union(*(content_terms(w) for w in own)) if own else set()
    return bool(terms) and all(stated(t, shown) for t in terms)


def _one_name(a: str, b: str) -> bool:
    common = len(os.path.commonprefix((a, b)))
    return common >= 4 and max(len(a), len(b)) - common <= 3


def strip_markers(text: str) -> str:
    return re.sub(r"\s*\[\d+(?:\s*[,\-–]\s*\d+)*\]", "", text)


_CAP = r"(?:[A-Z][\w’'.-]*[a-z\d][\w’'-]*|[A-Z]{2,}[\w-]*)"
_PROPER = re.compile(rf"\b{_CAP}(?:\s+(?:(?:of|the|for|and)\s+)?{_CAP})*")
PREPOSITIONS = frozenset(
    "in on at for with by to from of about into onto over under during after before since until between among "
    "against through across per via".split()
)
# words a capitalised run may open with that start no name ("Since what year ...", "Who ...")
_NOT_NAMES = PREPOSITIONS | frozenset(
    "who what which when where why how the a an he she it they his her its their this that according also "
    "however".split()
)
_NOT_PERSON = re.compile(
    r"\b(department|government|office|house|agency|committee|party|council|court|news|times|post|"
    r"journal|service|security|state|states|union|company|corp|inc|administration|congress|senate|"
    r"conference|university|street|avenue|city|county|republic|kingdom|united|national|federal)\b",
    re.I,
)


def proper_names(text: str) -> list[str]:
    """Proper names in order of appearance ("Vivek Ramaswamy", "DOGE", "Department of Government
    Efficiency"), without leading question words or articles."""
    found = []
    for match in _PROPER.finditer(text):
        parts = match.group(0).split()
        # a capitalised preposition inside a sentence belongs to a title ("To Kill a Mockingbird")
        opens = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1] in '.?!:;"“'
        while parts and parts[0].lower() in (_NOT_NAMES if opens else _NOT_NAMES - PREPOSITIONS):
            parts = parts[1:]
        if parts:
            found.append(" ".join(parts).rstrip(".’'"))
    return list(dict.fromkeys(found))


# the small words inside people's names: "António de Oliveira Salazar", "Ludwig van Beethoven"
_NAME_PARTICLES = frozenset("de da do dos das di del della du van von der den ter bin ibn al y".split())


def is_person(name: str, single: bool = False) -> bool:
    """Looks like a person's name: two or more capitalised words (not an acronym, not an institution),
    perhaps with a particle between them ("de", "van")."""
    parts = name.split()
    inner = parts[1:-1]
    return (
        (len(parts) >= 2 or single)
        and all(p[0].isupper() and not p.isupper() for p in parts if not (p in _NAME_PARTICLES and p in inner))
        and not _NOT_PERSON.search(name)
    )
