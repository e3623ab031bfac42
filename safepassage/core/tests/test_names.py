"""Romanisation and phone digits: the fast forms give exactly what the per-character definitions give."""
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from unidecode import unidecode

from safepassage.core.names import _CYRILLIC, phone_digits, romanise


def romanise_by_character(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKC", text).casefold():
        if ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(unidecode(ch).lower())
    return "".join(out)


def phone_digits_by_character(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-10:] if len(digits) >= 6 else ""


mixed = st.text(alphabet=st.sampled_from(list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЁЙЪӀӏіїєўґ")
                                         + list("abcXYZ -'.()+0123456789") + list("éßØ²١٢٣ﬁ")), max_size=30)


@settings(max_examples=400, deadline=None)
@given(text=mixed | st.text(max_size=30))
def test_romanise_is_the_per_character_table(text):
    assert romanise(text) == romanise_by_character(text)


@settings(max_examples=400, deadline=None)
@given(phone=mixed | st.text(max_size=30))
def test_phone_digits_are_every_digit_kept(phone):
    assert phone_digits(phone) == phone_digits_by_character(phone)


def test_examples():
    assert romanise("Магомед Ибрагимов") == "magomed ibragimov"
    assert romanise("Zoë Ӏса") == "zoe sa"
    assert phone_digits("+7 (928) 123-45-67") == "9281234567"
