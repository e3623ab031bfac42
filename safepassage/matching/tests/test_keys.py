"""Candidate keys and scores: the spellings of one person meet, different people stay apart."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.matching.keys import MatchInput, lookup_keys, skeleton, stored_keys, tokens
from safepassage.matching.scoring import SUGGEST_AT, score


def shared(a: MatchInput, b: MatchInput) -> set:
    return lookup_keys(a) & stored_keys(b)


@pytest.mark.parametrize("spelling", ["Магомед", "Magomed", "Mahomed", "Muhammad", "Mohammed", "Mukhammad"])
def test_spellings_of_magomed_share_one_skeleton(spelling):
    assert {t.skeleton for t in tokens(MatchInput(full_name=spelling))} == {skeleton("magomed")}


@pytest.mark.parametrize("other", [
    "Magomed Ibragimov", "Mahomed Ibrahimov", "Ibragimov Magomed", "Muhammad Ibragimoff",
    "Магомед Ибрагимович Ибрагимов", "IBRAGIMOV, Magomed",
])
def test_variants_of_one_name_find_each_other_and_score_high(other):
    a, b = MatchInput(full_name="Магомед Ибрагимов"), MatchInput(full_name=other)
    assert shared(a, b) and shared(b, a)
    assert score(a, b).value >= SUGGEST_AT


def test_a_patronymic_present_in_one_record_only_still_matches():
    a = MatchInput(full_name="Магомед Ибрагимович Ибрагимов", date_of_birth="1990-05-12")
    b = MatchInput(full_name="Magomed Ibragimov", date_of_birth="1990")
    assert shared(b, a)
    result = score(a, b)
    assert result.suggested and "patronymic_differs" not in result.reasons


def test_different_patronymics_count_against():
    a = MatchInput(full_name="Магомед Ибрагимович Ибрагимов")
    b = MatchInput(full_name="Магомед Русланович Ибрагимов")
    assert "patronymic_differs" in score(a, b).reasons
    assert score(a, b).value < score(a, MatchInput(full_name="Магомед Ибрагимов")).value


def test_phone_formats_meet():
    a = MatchInput(full_name="Ислам", phones=("+7 928 123-45-67",))
    b = MatchInput(full_name="Ruslan", phones=("89281234567",))
    assert ("phone", "9281234567") in shared(a, b)
    assert "phone_same" in score(a, b).reasons


def test_a_birth_year_agrees_with_a_full_date():
    a = MatchInput(full_name="Zelimkhan Daudov", date_of_birth="1990")
    b = MatchInput(full_name="Зелимхан Даудов", date_of_birth="1990-05-12")
    assert "dob_compatible" in score(a, b).reasons and score(a, b).suggested


def test_a_year_off_by_one_is_still_a_candidate():
    a = MatchInput(full_name="Zelimkhan Daudov", date_of_birth="1991")
    b = MatchInput(full_name="Зелимхан Дaудовв", date_of_birth="1990-05-12")  # surname mistyped
    assert any(kind == "name_year" for kind, _ in shared(a, b))


def test_a_nickname_meets_the_full_name():
    a = MatchInput(full_name="Саша Иванов", date_of_birth="1988")
    b = MatchInput(full_name="Aleksandr Ivanov", date_of_birth="1988-02-03")
    assert shared(a, b) and score(a, b).suggested


def test_different_people_with_a_common_first_name_score_low():
    a = MatchInput(full_name="Магомед Ибрагимов", date_of_birth="1990-05-12", phones=("+7 928 123-45-67",))
    b = MatchInput(full_name="Магомед Дадаев", date_of_birth="1975-01-02", phones=("+7 916 555-11-22",))
    result = score(a, b)
    assert result.value < 0.05 and {"dob_differs", "phone_differs"} <= set(result.reasons)


def test_namesakes_born_years_apart_are_not_suggested():
    a = MatchInput(full_name="Магомед Ибрагимов", date_of_birth="1990-05-12")
    b = MatchInput(full_name="Magomed Ibragimov", date_of_birth="1971")
    assert not score(a, b).suggested


def test_siblings_sharing_a_family_phone_are_not_suggested():
    a = MatchInput(full_name="Хеда Ахмедовна Дудаева", date_of_birth="1995-03-01", phones=("+79280001122",))
    b = MatchInput(full_name="Малика Ахмедовна Дудаева", date_of_birth="1998-07-21", phones=("89280001122",))
    assert not score(a, b).suggested


def test_keys_do_not_depend_on_the_order_of_words():
    assert stored_keys(MatchInput(full_name="Magomed Ibragimov")) == stored_keys(
        MatchInput(full_name="Ibragimov Magomed"))


names = st.text(alphabet="абвгдежзиклмнопрстуфхцчшщыэюяABCDEFGHIJKLMNOPRSTUVYZ -'", max_size=40)


@settings(max_examples=200, deadline=None)
@given(a=names, b=names)
def test_score_is_symmetric_and_between_zero_and_one(a, b):
    left, right = MatchInput(full_name=a), MatchInput(full_name=b)
    assert score(left, right).value == score(right, left).value
    assert 0.0 <= score(left, right).value <= 1.0


@settings(max_examples=200, deadline=None)
@given(name=names)
def test_a_record_always_finds_itself(name):
    record = MatchInput(full_name=name, date_of_birth="1990", phones=("+7 928 123 45 67",))
    assert stored_keys(record) <= lookup_keys(record)


@settings(max_examples=300, deadline=None)
@given(word=st.text(alphabet="abcdehijkostuwxyz", max_size=14))
def test_the_fast_fold_is_core_names_fold(word):
    from safepassage.core.names import fold_latin
    from safepassage.matching.keys import _fold_word

    assert _fold_word(word) == fold_latin(word)


def test_a_patronymic_pair_is_a_weaker_key_of_its_own_kind():
    kinds = {kind for kind, _ in stored_keys(MatchInput(full_name="Магомед Ибрагимович Ибрагимов"))}
    assert kinds == {"pair", "pat_pair"}


def test_likely_gives_up_early_only_on_pairs_that_cannot_be_suggested():
    from safepassage.matching.scoring import likely

    a = MatchInput(full_name="Магомед Ибрагимов", date_of_birth="1990-05-12", phones=("+79281234567",))
    b = MatchInput(full_name="Магомед Ибрагимов", date_of_birth="1960-01-01", phones=("+79160000000",))
    assert likely(a, b) is None and not score(a, b).suggested
    assert likely(a, MatchInput(full_name="Ibragimov Magomed")).value == score(a, MatchInput(
        full_name="Ibragimov Magomed")).value


# --- the fast paths give what the plain definitions give ---------------------------------------------

dates = st.sampled_from(["", "1990", "1991", "1989", "1990-05", "1990-05-12", "12.05.1990", "1990-12-05",
                         "1990-05-13", "1975-01-02", "05.1990", "not a date"])
phones = st.lists(st.sampled_from(["+7 928 123-45-67", "89281234567", "+7 916 555-11-22", "12345", "8 (916) 5551122"]),
                  max_size=2).map(tuple)
# few words, so the same word, the same skeleton and nicknames come up often
words = st.sampled_from(["Магомед", "Magomed", "Mahomed", "Мага", "Ибрагимов", "Ibragimov", "Ibrahimov",
                         "Ибрагимович", "Русланович", "Ruslan", "Руслан", "Dudaev", "Дудаева", "Хеда",
                         "Хадижат", "Саша", "Aleksandr", "Ivanov", "Abdul", "Kerim", "Zelimkhan", "X"])
full_names = st.lists(words, max_size=4).map(" ".join)
records = st.builds(MatchInput, full_name=full_names, other_names=st.lists(full_names, max_size=1).map(tuple),
                    date_of_birth=dates, phones=phones)


@settings(max_examples=300, deadline=None)
@given(record=records)
def test_record_keys_are_the_lookup_and_the_stored_keys(record):
    from safepassage.matching.keys import record_key_list, record_keys

    looked_up, stored = record_keys(record)
    assert looked_up == lookup_keys(record) and stored == stored_keys(record)
    listed, n = record_key_list(record)
    assert len(listed) == len(looked_up) and set(listed) == looked_up and set(listed[:n]) == stored
    assert stored <= looked_up  # so a writer hashes the looked-up keys only


@settings(max_examples=500, deadline=None)
@given(a=records, b=records, frequency=st.integers(1, 40))
def test_giving_up_early_never_loses_a_suggestion(a, b, frequency):
    from safepassage.matching.scoring import likely

    full = score(a, b, name_frequency=frequency)
    early = likely(a, b, name_frequency=frequency)
    if early is None:
        assert not full.suggested
    else:
        assert early == full


@settings(max_examples=500, deadline=None)
@given(left=st.lists(words, min_size=2, max_size=2), right=st.lists(words, min_size=2, max_size=2))
def test_two_words_against_two_pair_as_the_greedy_pairing_does(left, right):
    from safepassage.core.names import romanise
    from safepassage.matching.keys import make_token
    from safepassage.matching.scoring import _best_pairs, _two_pairs

    ta = tuple(make_token(romanise(w)) for w in left)
    tb = tuple(make_token(romanise(w)) for w in right)
    assert sorted(_two_pairs(ta, tb)) == sorted(_best_pairs(ta, tb))
