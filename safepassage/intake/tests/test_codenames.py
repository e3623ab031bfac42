"""Codenames are drawn uniformly: every sequence of words is as likely as any other."""
from collections import Counter

from django.test import override_settings

from safepassage.intake import codenames


def test_a_codename_has_the_words_its_entropy_needs():
    for language in ("ru", "en"):
        words = codenames.generate(language).split()
        assert len(words) == codenames.words_needed(language)
        assert set(words) <= set(codenames.word_list(language))
        assert codenames.entropy_bits(language) >= 80


@override_settings(INTAKE_CODENAME_BITS=3)
def test_every_sequence_of_words_is_as_likely(monkeypatch):
    monkeypatch.setattr(codenames, "word_list", lambda language: ("a", "b", "c"))
    assert codenames.words_needed("en") == 2
    drawn = Counter(codenames.generate("en") for _ in range(9000))
    assert set(drawn) == {f"{x} {y}" for x in "abc" for y in "abc"}
    assert all(800 < n < 1200 for n in drawn.values())  # 1000 each, give or take 30: more than six deviations of room
