"""Reading a urlencoded body ahead of Django: the same fields, values and limits as ``request.POST``."""
import urllib.parse

import pytest
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from django.test import RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.core import formdata

# what browsers send, and what they never should: bare or broken escapes, raw spaces, line breaks,
# "=" inside a value, non-ASCII letters, escapes that are not UTF-8
pieces = st.sampled_from(["a", "Z", "0", "*", "-", ".", "_", "+", "%", "=", "&", ";", " ", "\n", "\r\n", "\\", "Ж",
                          "é", "%41", "%d0", "%D0%B0", "%a0", "%2B", "%25", "%3D", "%26", "%0A", "%20", "%ff",
                          "%e2%82", "%ac", "%zz", "%4", "%C3%A9", "%F0%9F%98%80", "%ED%A0%80"])
bodies = st.lists(pieces, max_size=25).map("".join)


@settings(max_examples=3000, deadline=None)
@given(bodies)
def test_the_same_fields_as_django(body):
    for raw in (body.encode(), body.encode()[:-1], body.encode("utf-8")[1:]):
        assert list(formdata.parse(raw).lists()) == list(QueryDict(raw, encoding="utf-8").lists())


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=40))
def test_every_text_comes_back(text):
    assert formdata.form_unquote(urllib.parse.quote_plus(text)) == text
    assert formdata.form_unquote(urllib.parse.quote(text)) == urllib.parse.unquote_plus(urllib.parse.quote(text))


def test_a_russian_form_reads_as_django_reads_it():
    body = urllib.parse.urlencode({"lang": "ru", "what": "Родственники узнали обо мне и угрожают. " * 5,
                                   "region": "Грозный", "name": "", "contact": "Signal: +7 900 000-00-00"}).encode()
    request = RequestFactory().post("/help/", body, content_type="application/x-www-form-urlencoded")
    formdata.read_post(request)
    assert list(request.POST.lists()) == list(QueryDict(body, encoding="utf-8").lists())
    assert not request.POST._mutable and not request.FILES


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=3)
def test_the_field_limit_is_djangos():
    formdata.parse(b"a=1&b=2&c=3")
    with pytest.raises(TooManyFieldsSent):
        formdata.parse(b"a=1&b=2&c=3&d=4")


def test_other_bodies_are_left_to_django():
    factory = RequestFactory()
    multipart = factory.post("/help/", {"what": "x"})
    formdata.read_post(multipart)
    assert not hasattr(multipart, "_post")
    assert multipart.POST["what"] == "x"
    latin = factory.post("/help/", b"what=x", content_type="application/x-www-form-urlencoded; charset=latin-1")
    formdata.read_post(latin)
    assert not hasattr(latin, "_post")
