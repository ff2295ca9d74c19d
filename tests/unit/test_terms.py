"""Word-level matching (rag/terms.py): texts that say the same thing in other forms share their terms."""

from __future__ import annotations

import pytest

from rag.terms import (
    abbreviates,
    centuries,
    centuries_dated,
    content_terms,
    counted_ordinal,
    counted_ordinals,
    dated_events,
    figure_phrases,
    figure_units,
    is_person,
    listed_spans,
    name_stated,
    names,
    names_event,
    numbers,
    proper_names,
    rank_terms,
    spans_terms,
    spells,
    stated,
    states_count,
    stem,
    unstated_names,
)


@pytest.mark.parametrize(
    ("form", "verb"),
    [("led", "lead"), ("withdrew", "withdraw"), ("oversaw", "oversee"), ("swept", "sweep"), ("grew", "grow")],
)
def test_an_irregular_verb_form_meets_its_verb(form, verb):
    assert stem(form) == stem(verb)


def test_regular_forms_and_ing_words_keep_their_own_stem():
    assert stem("walked") == stem("walking") == stem("walk")
    assert stem("evening") != stem("even")  # an -ing form is never an irregular one
    assert stem("voters") == stem("vote") and stem("co-leader".split("-")[1]) == stem("lead")
    # a verb that ends in "-er" is one term in every form: "Which company first offered ...?" is said by
    # "Scion offers standard iPod connectivity"
    assert stem("offer") == stem("offers") == stem("offered") == stem("offering")
    assert stem("enters") == stem("entered")
    # a word is a word in any script, and its accents are no part of its term
    assert (
        content_terms("Frédéric went to Zürich")
        == content_terms("Frederic went to Zurich")
        == {"frede", "go", "zurich"}
    )


def test_content_terms_leave_out_stopwords_and_split_hyphens():
    assert content_terms("The co-founder said it was a cost-cutting plan") == {
        stem("co"),
        stem("founder"),
        stem("cost"),
        stem("cutting"),
        stem("plan"),
    }


def test_numbers_agree_across_spellings_and_scales():
    assert numbers("1,500 retirements") == numbers("1500 retirements") == {"1500"}
    assert {"288", "288000000"} <= numbers("$288 million")
    assert "7" in numbers("seven consulates")


def test_a_figure_is_read_with_what_it_counts_and_a_year_is_not_a_figure():
    assert figure_units("In 2025 he closed 1,500 consulates, officials said.") == [("1500", {stem("consul")})]
    assert figure_units("On 20 February 2016 it had 300 stores.") == [("300", {stem("stores")})]  # a day says when
    assert figure_phrases("She won 107 singles titles.") == [("107", [{stem("singles")}, {stem("titles")}])]
    # an earlier year after its preposition says when; a count of things after "of" stays a count
    assert figure_units("The famine of 1770 occurred during a period of dual rule.") == []
    assert figure_units("It had a fleet of 1500 ships.") == [("1500", {stem("ships")})]
    # a figure spelt out counts too
    assert figure_units("It is a family of five agencies, founded in 1944.") == [("5", {stem("agencies")})]


def test_a_people_and_their_place_are_one_name_and_figures_match_exactly():
    shown = {stem(w) for w in ("Nepal", "Germans", "India", "Australia", "Iraq")} | {"1000"}
    assert stated(stem("Nepalese"), shown) and stated(stem("Germany"), shown) and stated(stem("Indian"), shown)
    assert stated(stem("Nepali"), {stem("Nepalese")})
    # four letters shared are enough when neither goes on more than three past them
    assert stated(stem("England"), {stem("English")}) and stated(stem("Chinese"), {stem("China")})
    assert not stated(stem("Austria"), shown) and not stated(stem("Iran"), shown)
    assert stated("1000", shown) and not stated("10000", shown)


def test_a_whole_name_or_every_name_unstated_rules_out_a_lone_word_does_not():
    shown = content_terms("Rubio spoke at the Munich Security Conference.")
    assert unstated_names(["Rubio", "European"], shown) == []  # "European" may be an adjective
    assert unstated_names(["Sophocles"], shown) == ["Sophocles"]
    assert unstated_names(["Rubio", "Super Bowl"], shown) == ["Super Bowl"]
    # a name of ordinary words is not stated by the words it shares with another name the passages give
    icc, others = content_terms("The International Criminal Court sat in 2002."), ["International Criminal Court"]
    assert unstated_names(["International Court of Justice"], icc, others) == ["International Court of Justice"]
    assert unstated_names(["International Court of Justice"], icc | content_terms("justice"), others) == []
    # "his department" names no other department: the passage may mean this one
    assert unstated_names(["State Department"], content_terms("Rubio said his department cut staff."), ["Rubio"]) == []
    # an abbreviation is stated by the name it abbreviates, as a passage's article title gives it
    station = content_terms("Since 2000 it has hosted people in space.")
    assert unstated_names(["ISS"], station, ["International Space Station"]) == []
    # and a name by its initials: "the US" states the "United States"
    assert unstated_names(["United States"], content_terms("It prompted the US to declare war.")) == []
    assert unstated_names(["United States"], content_terms("It prompted Japan to declare war.")) == ["United States"]
    assert unstated_names(["ISS"], station, ["International Court"]) == ["ISS"]
    assert abbreviates("ISS", ["International Space Station"]) and not abbreviates(
        "Iss", ["International Space Station"]
    )
    # with its small words or without them, as a definition in a passage spells it too (`spells`)
    assert abbreviates("DOGE", ["Department of Government Efficiency"])
    assert spells("U.S. Navy".split(), "USN") and not spells("Space Station".split(), "ISS")


def test_a_name_is_stated_by_the_words_that_make_it_that_name():
    kalven = content_terms("The Kalven Report was issued in 1967.")
    assert name_stated("Kalven Report", kalven)
    assert not name_stated("Darfur Report", kalven)  # "Report" is in every report's name
    assert not name_stated("Radar Princess", content_terms("Twilight Princess was released in 2006."))
    assert name_stated("Governor Newsom", content_terms("Newsom signed it."))  # a title is an ordinary word
    # "of" is in many names and no part of one: a name of ordinary words is stated by those
    assert name_stated("Court of Justice", content_terms("The Court of Justice ruled."))
    assert not name_stated("Court of Justice", content_terms("The Court of Appeal ruled."))


def test_ranks_are_adjectives_in_est_not_every_word_ending_so():
    assert rank_terms("What is the snowiest peak, and the best and oldest hut?") == {"snowiest", "best", "oldest"}
    assert rank_terms("Which west forest interest did the guest suggest?") == set()
    assert rank_terms("Which is the most populous city?") == set()  # "the most voice acting" says it too
    assert rank_terms("What was the band's third album, after its first?") == {"third"}  # "first": "debut"


def test_british_and_american_spellings_are_one_term():
    # "The Labour Party is strongest ..." from a passage on the "Australian Labor Party"
    assert content_terms("Labour colours honourable behaviour") == content_terms("Labor colors honorable behavior")
    assert content_terms("four hour tour course journal") == {"four", "hour", "tour", "cours", "journal"}


def test_a_hyphenated_word_names_only_its_capitalised_part():
    # "US-led" of a question asked over an article that writes "United States–led": "led" is no name
    assert names("It was a US-led coalition.") == names("It was a US coalition.") == {"us"}
    assert names("The Soviet-backed regime fell.") == names("The Soviet regime fell.")
    assert names("He spoke Anglo-Saxon.") == {stem("Anglo-Saxon")}


def test_best_known_is_no_rank_but_best_is():
    # "best known for" is asked of what passages say is "well known for"
    assert rank_terms("Which car is Volkswagen best known for?") == set()
    assert rank_terms("Which is the best car?") == {stem("best")}


def test_a_capitalised_preposition_opens_no_name_at_a_sentence_start_but_belongs_to_a_title_inside_one():
    assert proper_names("Since what year has Ford made cars?") == ["Ford"]
    assert proper_names("Who is the hero of To Kill a Mockingbird?") == ["To Kill", "Mockingbird"]
    assert proper_names("The plan failed. Under Thatcher it grew.") == ["Thatcher"]


@pytest.mark.parametrize(
    ("text", "ordinals"),
    [
        ("During World War I he became Grand Vizier.", {"first"}),
        ("Elizabeth II was crowned.", {"second"}),
        # spans of one role listed one after another: a first and a second term
        ("He was president from 1930 to 1945 and from 1951 until his suicide in 1954.", {"first", "second"}),
        ("He was president from 1930 to 1945.", set()),  # one span: no second
        ("Then I went home.", set()),  # a pronoun, not a numbered name
    ],
)
def test_ordinals_stated_by_counting(text, ordinals):
    assert counted_ordinals(text) == set().union(*(content_terms(o) for o in ordinals))


def test_listed_spans_give_the_years_of_each_span_in_order():
    text = "He served from 1946 to his overthrow in 1955, and from 1973 until his death in 1974."
    assert listed_spans(text) == [{"1946", "1955"}, {"1973", "1974"}]
    assert listed_spans("He served from 1946 to 1955.") == []
    assert counted_ordinal("When did his second period begin?") == 2
    assert counted_ordinal("When did his term begin?") == 0


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("It showed five women.", True),
        ("Nearly a quarter of a million fled.", True),
        ("He served twice.", True),
        ("It lasted from 1845 to 1852.", False),  # years
        ("It was founded in 1949.", False),
    ],
)
def test_a_count_is_a_figure_that_is_no_year_or_a_quantity_in_words(text, count):
    assert states_count(text) is count


def test_a_person_s_name_may_hold_a_particle_between_its_capitalised_words():
    assert is_person("António de Oliveira Salazar") and is_person("Ludwig van Beethoven")
    assert not is_person("de Gaulle") and not is_person("Bank of England")


def test_dated_events_are_the_events_a_subject_went_through_that_a_year_is_given_to():
    text = "He ruled from 1930 until his suicide in 1954, and the affair ran until its resolution on 12 July 1906."
    assert dated_events(text) == {"1954": {"suicide"}, "1906": {"resolution"}}
    assert dated_events("He was elected in 1954.") == {}


@pytest.mark.parametrize(
    ("noun", "verb", "named"),
    [
        ("resolution", "resolve", True),
        ("assassination", "assassinate", True),
        ("death", "die", True),
        ("assassination", "kill", True),
        ("marriage", "marry", True),
        ("death", "resign", False),
        ("suicide", "assassinate", False),
        ("overthrow", "convict", False),
    ],
)
def test_names_event_joins_a_verb_to_the_nouns_of_its_events(noun: str, verb: str, named: bool):
    assert names_event(noun, verb) is named


def test_a_century_named_by_number_is_dated_by_the_years_in_it_or_at_its_turn():
    assert centuries("around the turn of the 20th century, and in the 19th-century press") == {"20", "19"}
    assert centuries("20 people died") == set()
    assert centuries_dated("between 1899 and 1901") == {"19", "20"}
    assert "20" not in centuries_dated("in 1850")


def test_a_span_states_when_and_how_something_began_and_ended():
    assert {"end", "begin"} <= spans_terms("It ran from 1939 to the defeat of Orr in 1945.")
    assert "end" in spans_terms("She ruled until her death.")
    assert spans_terms("It was fought in 1945.") == set()
