"""The staff interface in Russian and French: the main catalogues are complete, compiled and in use.

The main catalogues (safepassage/locale, in LOCALE_PATHS) hold every string of the apps that keep no
catalogue of their own, and they win over the apps' own catalogues. A string added to the code and
not translated here fails these tests: run makemessages (see the Makefile's `messages` target),
translate, compile.
"""
import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from safepassage.people.services import PersonData, person_create

PACKAGE = Path(settings.BASE_DIR) / "safepassage"
MAIN = PACKAGE / "locale"
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
          "(n%100<10 || n%100>=20) ? 1 : 2);",
    "fr": "nplurals=2; plural=(n > 1);",
}
LANGUAGES = sorted(PLURAL_FORMS)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def _entries(path: Path) -> list[dict]:
    """The live entries of a .po file: msgctxt, msgid, msgid_plural, msgstr ({form: text}), flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if any(line.startswith("#~") for line in lines):  # obsolete: neither compiled nor shown
            continue
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        field = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += ast.literal_eval(line)
                else:
                    entry[field[0]] += ast.literal_eval(line)
            else:
                keyword, _, rest = line.partition(" ")
                if keyword.startswith("msgstr"):
                    field = ("msgstr", int(keyword[7:-1]) if "[" in keyword else 0)
                    entry["msgstr"][field[1]] = ast.literal_eval(rest)
                else:
                    field = (keyword,)
                    entry[keyword] = ast.literal_eval(rest)
        if entry["msgid"]:  # the header has an empty msgid
            entries.append(entry)
    return entries


def _header(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid ""\nmsgstr ""\n')
    block = text[start:].split("\n\n", 1)[0]
    return "".join(ast.literal_eval(line) for line in block.splitlines()[2:] if line.startswith('"'))


def _po(lang: str) -> Path:
    return MAIN / lang / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_main_catalogue_declares_the_languages_plural_forms(lang):
    assert f"Plural-Forms: {PLURAL_FORMS[lang]}\n" in _header(_po(lang))
    assert f"Language: {lang}\n" in _header(_po(lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_of_the_main_catalogue_is_translated(lang):
    nplurals = int(PLURAL_FORMS[lang].split(";")[0].split("=")[1])
    entries = _entries(_po(lang))
    assert len(entries) > 500
    problems = []
    for e in entries:
        label = repr(e["msgid"][:60])
        if "fuzzy" in e["flags"]:
            problems.append(f"fuzzy: {label}")
        forms = [e["msgstr"].get(i, "") for i in range(nplurals if e["msgid_plural"] else 1)]
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {label}")
            continue
        if e["msgid_plural"] is None:
            if sorted(PLACEHOLDER.findall(forms[0])) != sorted(PLACEHOLDER.findall(e["msgid"])):
                problems.append(f"placeholders differ: {label}")
            continue
        wanted = set(PLACEHOLDER.findall(e["msgid_plural"]))
        allowed = wanted | set(PLACEHOLDER.findall(e["msgid"]))
        for i, form in enumerate(forms):
            found = set(PLACEHOLDER.findall(form))
            # Russian uses every form for many numbers (21, 22, 25): each must show the number.
            if not found <= allowed or (nplurals > 2 or i == nplurals - 1) and found != wanted:
                problems.append(f"placeholders differ in form {i}: {label}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date(lang):
    with open(MAIN / lang / "LC_MESSAGES" / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in _entries(_po(lang)):
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            if compiled.get(key) != e["msgstr"][0]:
                stale.append(e["msgid"][:60])
        elif any(compiled.get((key, i)) != form for i, form in e["msgstr"].items()):
            stale.append(e["msgid"][:60])
    assert not stale, "run compilemessages; stale or missing in the .mo:\n" + "\n".join(stale)


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
                    reason="needs the GNU gettext tools")
def test_every_string_in_the_code_that_belongs_to_the_main_catalogue_is_in_it(tmp_path, settings, monkeypatch):
    """Extract the strings as makemessages does, into a copy, and compare with the main catalogues."""
    copy = tmp_path / "safepassage"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo", "*.po"))
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["ru"], no_location=True, verbosity=0)
    extracted = {(e["msgctxt"], e["msgid"]) for e in _entries(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")}
    assert len(extracted) > 500
    for lang in LANGUAGES:
        present = {(e["msgctxt"], e["msgid"]) for e in _entries(_po(lang))}
        missing = sorted(msgid for _ctx, msgid in extracted - present)
        assert not missing, (
            f"not in the {lang} catalogue (run makemessages, then translate):\n" + "\n".join(missing))


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Аминат"))


def _page(client, url, lang) -> str:
    response = client.get(url, {"lang": lang})
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    return html


@pytest.mark.parametrize("lang, words, english", [
    ("ru", ["Войти", "Имя пользователя", "Пароль"], ["Username", "Password"]),
    ("fr", ["Se connecter", "Nom d’utilisateur", "Mot de passe"], ["Username", "Password"]),
])
def test_the_login_page_speaks_the_chosen_language(client, db, lang, words, english):
    html = _page(client, reverse("accounts:login"), lang)
    assert all(word in html for word in words), words
    assert not any(f">{word}<" in html for word in english)


@pytest.mark.parametrize("lang, words, english", [
    ("ru", ["Дела", "Поиск", "Выйти", "Мои задачи"], [">Cases<", ">Log out<", ">My work<"]),
    ("fr", ["Dossiers", "Recherche", "Se déconnecter", "Mon travail"], [">Cases<", ">Log out<", ">My work<"]),
])
def test_the_case_list_speaks_the_chosen_language(client_as, caseworker, person, lang, words, english):
    html = _page(client_as(caseworker), reverse("cases:list"), lang)
    assert all(word in html for word in words), words
    assert not any(word in html for word in english)


@pytest.mark.parametrize("lang, words, english", [
    ("ru", ["Новый человек", "Полное имя", "Дата рождения", "Гендер", "Записать человека"], ["Full name", "Record person"]),
    ("fr", ["Nouvelle personne", "Nom complet", "Date de naissance", "Genre", "Enregistrer la personne"],
     ["Full name", "Record person"]),
])
def test_the_person_form_speaks_the_chosen_language(client_as, caseworker, lang, words, english):
    html = _page(client_as(caseworker), reverse("people:create"), lang)
    assert all(word in html for word in words), words
    assert not any(word in html for word in english)


@pytest.mark.parametrize("lang, words", [
    ("ru", ["Человек", "Статус", "Риск", "Хронология", "Добавить заметку"]),
    ("fr", ["Personne", "Statut", "Risque", "Historique", "Ajouter une note"]),
])
def test_the_case_page_speaks_the_chosen_language(client_as, coordinator, caseworker, person, lang, words):
    from safepassage.cases.services import case_open

    case = case_open(actor=coordinator, person=person, assignees=[caseworker], risk_level="high")
    html = _page(client_as(caseworker), reverse("cases:detail", args=[case.pk]), lang)
    assert all(word in html for word in words), words
