"""The question record, read from the question's grammar: no noun lists from question sets."""

import pytest

from rag.question import (
    AnswerKind,
    analyse,
    gives_reason,
    head_names,
    moves_the_year,
    names_owner,
    new_names,
    office,
    supplies,
    swapped_names,
)


@pytest.mark.parametrize(
    "question, kind, head",
    [
        ("Who co-led DOGE with Musk?", AnswerKind.PERSON, ""),
        ("With whom did Chopin go to Berlin?", AnswerKind.PERSON, ""),
        ("Who is Gerald Feierstein?", AnswerKind.THING, ""),  # asks what a named person is
        ("Who was Richard Nixon's vice president?", AnswerKind.PERSON, ""),  # asks for the person he had
        ("Whose spending deal did Musk blow up?", AnswerKind.OWNER, ""),
        ("Which company's disk drive did he find?", AnswerKind.OWNER, "company"),
        ("When did he resign?", AnswerKind.DATE, ""),
        ("When will the election be held?", AnswerKind.DATE, ""),
        ("When can the court step in instead of national courts?", AnswerKind.UNKNOWN, ""),  # on what condition
        ("In what year was the original iPod released?", AnswerKind.DATE, "year"),
        ("What weekday did they dine?", AnswerKind.DATE, "weekday"),
        ("How many homes lost power?", AnswerKind.FIGURE, ""),
        ("How long did the dinner last?", AnswerKind.FIGURE, ""),
        ("What share of Americans approve of him?", AnswerKind.FIGURE, "share"),
        ("What was the percentage of Germans attending private schools?", AnswerKind.FIGURE, "percentage"),
        ("Where did they dine?", AnswerKind.PLACE, ""),
        ("In which city is the court headquartered?", AnswerKind.PLACE, "city"),  # a place noun, as "where"
        ("Which country won the 2022 World Cup?", AnswerKind.PLACE, "country"),
        ("Which city council voted?", AnswerKind.THING, "council"),
        ("Why did Musk resign?", AnswerKind.REASON, ""),
        ("How did the council vote?", AnswerKind.MANNER, ""),
        ("Which architect designed the stadium?", AnswerKind.THING, "architect"),
        ("Which election made him president?", AnswerKind.THING, "election"),  # a verb ends the phrase
        ("Which company makes the iPhone?", AnswerKind.THING, "company"),  # "makes" agrees with "company"
        ("Which news outlets reported it?", AnswerKind.THING, "outlets"),
        ("Which empire took Constantinople in 1453?", AnswerKind.THING, "empire"),
        ("Which Republican senator warned Musk?", AnswerKind.THING, "senator"),
        ("What kind of music did she sing?", AnswerKind.THING, "music"),
        ("Deshin Shekpa was the head of what school?", AnswerKind.THING, "school"),
        # after "did" comes the subject, then the verb: the thing asked for is unnamed
        ("What did the Chicago school favour instead of Keynesianism?", AnswerKind.THING, ""),
        ("Tell me about the budget.", AnswerKind.UNKNOWN, ""),
    ],
)
def test_kind_and_head_come_from_the_wh_word_and_the_noun_after_it(question, kind, head):
    asked = analyse(question)
    assert (asked.kind, asked.head) == (kind, head)


def test_the_names_a_rewrite_carried_over_are_told_from_those_the_user_typed():
    asked = analyse("Who led the army besieging Kaffa in the Crimea?", typed="Who led the army besieging it?")
    assert asked.names == ("Kaffa", "Crimea") and asked.typed_names == ()
    assert analyse("Which museum holds Guernica?").typed_names == ("Guernica",)


def test_names_and_figures_are_read_without_opening_function_words():
    asked = analyse("Besides Alexandre Yersin, who visited Hong Kong in 1894?")
    assert asked.names == ("Alexandre Yersin", "Hong Kong")
    assert asked.figures == {"1894"}
    assert "visit" in asked.terms and "who" not in asked.terms


def test_only_the_first_of_several_questions_counts():
    assert analyse("Who did she meet? How many homes lost power?").kind is AnswerKind.PERSON


def test_supplies_wants_a_new_thing_of_the_kind_asked_for():
    assert supplies(analyse("How many homes lost power?"), "About 15,000 homes.")
    assert supplies(analyse("How many homes lost power?"), "Twelve thousand homes.")
    assert not supplies(analyse("How many homes lost power in 2024?"), "Homes lost power in 2024.")
    assert supplies(analyse("When did he resign?"), "He resigned in 2017.")
    assert not supplies(analyse("When did he resign in 2017?"), "He resigned in 2017.")
    # a time of day answers "at what time"
    assert supplies(analyse("At what time did the quake strike on 28 July 1976?"), "It struck at 03:42:55.")
    assert supplies(analyse("At what time did the quake strike on 28 July 1976?"), "It struck at 9 p.m.")
    assert not supplies(analyse("At what time did the quake strike on 28 July 1976?"), "It struck on 28 July 1976.")
    # a year of three digits or fewer is a date in a passage too when its era says so; a bare one is not
    assert supplies(analyse("In what year was the church completed?"), "The church was completed in AD 537.")
    assert supplies(analyse("When was the temple built?"), "It stood by 560 BC.")
    assert not supplies(analyse("When was the temple built?"), "It had 537 visitors.")
    # a month by its name or its abbreviation, not any word that starts like one ("declaration", "market")
    on = analyse("On what date was the blockade announced?")
    assert not supplies(on, "It was announced the day after the declaration of war.")
    assert supplies(on, "It was announced in Dec. of that year.")
    assert supplies(on, "It was announced in March.")
    assert supplies(analyse("Who defended the plan?"), "Mayor Lena Ortiz defended it.")
    assert not supplies(analyse("Who defended the plan?"), "The plan was defended.")
    assert supplies(analyse("Why did he resign?"), "He resigned over the climate policy.")
    assert not supplies(analyse("Why did he resign?"), "He did resign.")
    assert supplies(analyse("How many channels could it carry?"), "It could carry hundreds of channels.")


def test_an_ordinal_tells_how_many_times():
    asked = analyse("How many times had he played the role by then?")
    assert supplies(asked, "He returned for his fourth appearance in the role.")
    assert supplies(asked, "It was his twentieth film.")
    assert not supplies(asked, "He first played the role in a film.")  # "first" is mostly an adverb


def test_a_name_the_question_holds_where_who_stood_swaps_the_roles():
    asked = analyse("Who directed Dan Hale's fourth film?")
    assert swapped_names(asked, "Dan Hale directed the film.")
    assert not swapped_names(asked, "Sam Lowe directed it.")
    co_led = analyse("Who co-led the agency with Elon Musk?")
    assert swapped_names(co_led, "Elon Musk co-led the agency.")
    assert not swapped_names(co_led, "Elon Musk co-led the agency with Vivek Ramaswamy.")  # it goes both ways
    assert not swapped_names(asked, "Dan Hale's film was directed by Sam Lowe.")  # a passive: "by" says who
    assert not swapped_names(analyse("Who was the film directed by?"), "Dan Hale was directed by Sam Lowe.")
    assert not swapped_names(analyse("Whose film did Dan Hale direct?"), "Dan Hale directed his own film.")
    # the question's name is the verb's object: as the answer's subject it reverses the roles, whoever
    # else the answer names; a middle name the answer adds keeps it the question's
    # the question's own person, done to in the passive, and nobody named as the doer
    shot = analyse("Who assassinated Rafael Trujillo in May 1961?")
    assert swapped_names(shot, "Rafael Trujillo Molina was assassinated in May 1961.")
    assert not swapped_names(shot, "Rafael Trujillo was assassinated by Sam Lowe in May 1961.")
    succeeded = analyse("Who succeeded Dana Vale as president in 1999?")
    assert swapped_names(succeeded, "Dana Lee Vale succeeded Sam Lowe as president in 1999.")
    assert not swapped_names(succeeded, "Sam Lowe succeeded Dana Vale as president in 1999.")
    # initials after the name are that name
    front = analyse("Who led the Norvish Liberation Front during the Norvish War?")
    assert swapped_names(front, "The Norvish Liberation Front (NLF) led the Norvish War.")
    # the verb put as a noun: still the question's own person where "who" stood
    before = analyse("Who led the Labour Party before Dana Vale?")
    assert swapped_names(before, "Dana Lee Vale, Lady Vale, was the leader of the Labour Party from 1975 [1].")
    assert not swapped_names(before, "Sam Lowe was the leader of the Labour Party until 1975 [1].")
    assert not swapped_names(before, "Dana Vale was chosen as leader by the party's members.")  # "by" says who
    said = analyse("Who said Poland was paying for the service?")
    assert not swapped_names(said, "Sikorski remarked that Poland was paying for it.")  # a surname is someone


def test_a_place_and_its_people_a_middle_name_or_initials_are_no_new_name():
    asked = analyse("Who succeeded Dana Vale as President of South Africa?")
    assert not new_names(asked, "Dana Lee Vale was a South African politician.")
    assert len(new_names(asked, "Sam Lowe was a South African politician.")) == 2  # Sam, Lowe
    # nor the initials of one of the question's names
    assert not new_names(asked, "Dana Vale, known as DV, was a South African politician.")
    assert new_names(asked, "Dana Vale, known as SL, was a South African politician.") == {"sl"}


def test_a_name_the_question_holds_where_which_stood_swaps_the_roles():
    # "Which dynasty ruled ... before the Pahlavi dynasty?" answered with the Pahlavi dynasty ruling
    asked = analyse("Which dynasty ruled Veloria before the Orvan dynasty?")
    assert swapped_names(asked, "The Orvan dynasty ruled Veloria before the republic.")
    assert not swapped_names(asked, "The Tesh dynasty ruled Veloria before the Orvan dynasty.")
    assert not swapped_names(asked, "The Orvan dynasty was ruled by regents.")
    assert not swapped_names(analyse("Which dynasty did the Orvan dynasty replace?"), "The Orvan dynasty replaced it.")


def test_an_answer_dates_an_early_year_a_passage_does_not():
    asked = analyse("What year did the two kingdoms sign the treaty?")
    assert supplies(asked, "They signed the treaty in 821.", answer=True)
    assert supplies(asked, "They signed the treaty by 560 BC.", answer=True)
    assert not supplies(asked, "They signed the treaty in 821.")  # a passage's bare number ranks as no date
    assert not supplies(asked, "They signed the treaty in 300 towns.", answer=True)
    # a verb or a function word after it counts nothing: "The treaty in 821 fixed the borders"
    assert supplies(asked, "The treaty in 821 fixed the borders.", answer=True)
    assert supplies(asked, "They signed it in 821 and kept it.", answer=True)


def test_a_denial_supplies_an_answer_in_the_questions_own_words():
    asked = analyse("What did Trump say about the alleged clash?")
    assert supplies(asked, 'Trump said, "there is no clash".')
    assert not supplies(analyse("Why was there no clash?"), "There was no clash.")


def test_a_word_opening_the_question_is_a_name_for_the_premise_checks_only_when_english_has_no_such_word():
    assert analyse("Hostile spirits are also known as what?").premise_names == ()
    assert analyse("Based on population, what is the rank of Jacksonville?").premise_names == ("Jacksonville",)
    assert analyse("Chopin left Warsaw for which city?").premise_names == ("Chopin", "Warsaw")
    assert analyse("What did Hostile Planet win?").premise_names == ("Hostile Planet",)


def test_the_premise_figures_are_those_the_user_typed():
    rewrite = "Who led the army besieging Kaffa in 1347?"
    assert analyse(rewrite).premise_figures == {"1347"}
    assert analyse(rewrite, typed="Who led the army besieging it?").premise_figures == frozenset()
    assert analyse(rewrite, typed="And in 1347?").premise_figures == {"1347"}


def test_a_count_in_the_wh_phrase_says_how_many_to_name_and_is_no_premise():
    asked = analyse("Relations with which two countries took up most of his foreign policy?")
    assert asked.figures == {"2"} and asked.premise_figures == frozenset()
    assert analyse("Which three films did he make in 1999?").premise_figures == {"1999"}
    assert analyse("In what year did two men die?").premise_figures == {"2"}


def test_an_owner_question_is_answered_only_where_the_owned_thing_has_an_owner():
    asked = analyse("Which company's disk drive had Rubinstein already found?")
    assert asked.owned == "disk"
    assert not names_owner(asked, "The disk drive had been found by Rubinstein in Japan.")
    assert names_owner(asked, "Rubinstein had found the Toshiba disk drive.")
    assert names_owner(asked, "He found the disk drive of a Japanese company.")
    assert names_owner(asked, "Rubinstein met an Apple supplier in Japan.")  # never mentions it: not judged here
    assert not supplies(asked, "The disk drive had been found by Rubinstein in Japan.", answer=True)
    whose = analyse("Whose competition drives wages up?")
    assert whose.owned == "competition" and names_owner(whose, "Competition between employers drives wages up.")
    regime = analyse("Whose regime lasted until 1974?")
    assert names_owner(regime, "The regime he created lasted until 1974.")  # he: whose it is, after it


def test_an_answer_that_dates_the_questions_event_in_another_year_moves_it():
    asked = analyse("In what month was their research published in 1998?")
    assert moves_the_year(asked, "The research was published in October 2010.")
    assert not moves_the_year(asked, "It was published in October 1998.")
    assert not moves_the_year(asked, "It was published in October.")  # no year: nothing moved
    assert not moves_the_year(analyse("What happened after 1998?"), "In 2010 a paper appeared.")  # not set in it
    # a year the follow-up's rewrite carried over from the last answer is context, not the user's premise
    assert not moves_the_year(analyse("Who won in 1998?", typed="Who won?"), "Lee won in 2002.")
    # a span of years holds the years within it, and only those
    led = analyse("Which country did Havel lead as president in 1990?")
    assert not moves_the_year(led, "Havel led Czechoslovakia as president from 1989 to 1992.")
    assert not moves_the_year(led, "He was its president between 1990 and 1995.")
    assert moves_the_year(led, "Havel led the Czech Republic as president from 1993 to 2003.")
    # an event named by its year; an answer with no year is dated by the sentences it rests on
    games = analyse("Which city hosted the 1982 Orm Games?")
    assert moves_the_year(games, "The Games were held in Tarn.", ["The first Games were held in Tarn in 1951."])
    assert not moves_the_year(games, "The Games were held in Vale.", ["The 1982 Games were held in Vale."])


@pytest.mark.parametrize(
    "question, acts",
    [
        ("Who managed Destiny's Child?", {"manag"}),
        ("What does the Rhine merge with outside of Germany?", {"merg"}),
        ("What is the name of the deal?", set()),  # "name" and "deal" may be nouns: no act
        ("Who made the deal?", set()),  # a light verb says little of what happened
        ("Which prize did Awarded Lee receive?", {"receiv"}),  # a capitalised word in the middle is a name
    ],
)
def test_the_question_says_what_was_done_by_its_verbs(question, acts):
    assert analyse(question).acts == acts


@pytest.mark.parametrize(
    "question, named",
    [
        ("What was the name of the approved measure?", True),
        ("What is Chopin's older sister's name?", True),
        ("Which names did the band use?", True),
        ("What cryptocurrency is the name DOGE a reference to?", False),  # the name is given, not asked
    ],
)
def test_a_question_for_a_name_wants_a_name_or_a_quoted_term(question, named):
    asked = analyse(question)
    assert asked.named == named and asked.asks_for_name == named
    if named:
        assert supplies(asked, "It was called the Better Plan.", answer=True)
        assert supplies(asked, 'It was the "eolomelodicon".', answer=True)
        assert not supplies(asked, "It was a $2 billion package of road projects.", answer=True)


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many majors has Novak Djokovic won?", {"major"}),
        ("How many Grand Slam tournaments did she win?", {"grand", "slam", "tournament"}),
        ("How many times did he finish the year first?", {"time"}),
        ("How much was Rupert Murdoch worth in 2022?", set()),
        # no noun: what is counted is what they underwent
        ("How many were injured in the earthquake?", {"injur"}),
        ("How many died in Sichuan?", {"die"}),
        ("How many have been killed since May?", {"kill"}),
        ("How many did he win?", set()),
        ("How many were there?", set()),
        ("What did the council approve?", set()),
    ],
)
def test_what_a_how_many_question_counts(question, counted):
    assert analyse(question).counted == counted


def test_the_names_made_with_the_questions_noun():
    asked = analyse("After which war did England gain New York?")
    assert head_names(asked, "At the end of the Second Anglo-Dutch War, the English gained New Amsterdam.") == [
        "Second Anglo-Dutch War"
    ]
    assert head_names(asked, "The war ended in 1667.") == []  # not a name
    # a year names one instance of the noun
    elected = analyse("Which election made Walesa president?")
    assert head_names(elected, "After winning the 1990 election, Walesa became president.") == ["1990 election"]
    assert head_names(elected, "In 1990 elections were held.") == []
    assert head_names(analyse("Who won the war?"), "The Second Anglo-Dutch War ended in 1667.") == []  # no noun asked


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("In what year did Ann Vale become prime minister of Norv?", {"prime", "minist"}),
        ("When did Ann Vale serve as vice president under Sam Lowe?", {"vice", "presid"}),
        ("Who became king after the war?", {"king"}),
        ("When did Ann Vale become the first female prime minister of Norv?", {"prime", "minist"}),  # its last words
        ("When did the outbreak turn into a pandemic?", {"pandem"}),
        ("Which state did Ann Vale govern before she became president?", set()),  # dates something else
        ("Under whose rule did Norv become a one-party state?", set()),  # asks for an owner, not when or who
    ],
)
def test_the_office_a_question_says_was_held(question, role):
    assert analyse(question).role == role


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("She resigned because of her health.", True),
        ("Ann Vell signed the treaty, for which she was given the Orr Prize.", True),
        ("Ann Vell was given the Orr Prize for signing the treaty.", True),
        ("The phenomenon was caused by a failure to apply dryland farming methods.", True),
        ("Ann Vell was given the Orr Prize in 1978.", False),
    ],
)
def test_gives_reason_in_the_words_english_says_why_with(text: str, reason: bool):
    assert gives_reason(text) is reason


def test_placed_names_are_the_lone_names_a_question_sets_something_in():
    assert analyse("On what date was Alibaba founded in Shenzhen?").placed_names == ("Shenzhen",)
    assert analyse("Which events shaped Polish history in 1989?").placed_names == ()
    assert analyse("Who was mayor of New York City in 1990?").placed_names == ()


def test_what_happened_or_occurred_is_no_act_a_reason_must_restate():
    assert analyse("Why did the Orr drought happen?").acts == frozenset()
    assert analyse("Why did the Orr drought occur?").acts == frozenset()
    assert analyse("Why did Ann Vell resign?").acts


def test_office_is_the_office_a_question_says_was_held_with_the_place_it_is_of():
    assert office("In what year did he become president of Yugoslavia?") == "president of Yugoslavia"
    assert office("When did she serve as the first female prime minister?") == "first female prime minister"
    assert office("Until when did he hold the office of mayor of Orr?") == "mayor of Orr"
    assert office("Who led the council?") == ""
