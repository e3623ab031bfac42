import csv
import io
import sys

import pytest
from django.core.management import call_command

from safepassage.audit.models import AuditEvent
from safepassage.core.testing import staff_member
from safepassage.matching.models import MatchKey, MatchSuggestion
from safepassage.people import importer
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create
from safepassage.vault import services as vault


@pytest.fixture
def importing(org, unsealed_vault):
    return staff_member(org, "importer", ["coordinator"])


def _csv(tmp_path, rows, name="people.csv", delimiter=",", encoding="utf-8"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def _people():
    vault.unseal_with_key(vault.demo_master_key())
    return {p.full_name: p for p in Person.objects.all()}


def test_russian_headings_and_several_phones_and_names_are_understood(tmp_path, org, importing):
    path = _csv(tmp_path, [
        ["ФИО", "Другие имена", "Дата рождения", "Пол", "Телефон", "Город", "Примечания"],
        ["Мусаев Ислам", "Islam Musaev; Иса", "12.05.1994", "мужчина", "+7 928 111-22-33; 8 938 4445566",
         "Грозный", "через посредника"],
        ["Хава Умарова", "", "1999", "ж", "", "", ""],
    ], delimiter=";")
    report = importer.person_import(actor=importing, organisation=org, path=path)
    assert (report.imported, report.failed, report.unknown_columns) == (2, 0, [])
    people = _people()
    islam = people["Мусаев Ислам"]
    assert islam.other_names == ["Islam Musaev", "Иса"]
    assert islam.phones == ["+7 928 111-22-33", "8 938 4445566"]
    assert (islam.date_of_birth, islam.gender, islam.current_location) == ("1994-05-12", "man", "Грозный")
    assert people["Хава Умарова"].gender == "woman"


@pytest.mark.parametrize("heading,field", [
    ("name", "full_name"), ("Full Name", "full_name"), ("full_name", "full_name"), ("nom", "full_name"),
    ("имя", "full_name"), ("téléphone", "phones"), ("TELEPHONE", "phones"), ("dob", "date_of_birth"),
    ("Date_of_birth", "date_of_birth"), ("дата рождения", "date_of_birth"), ("date de naissance", "date_of_birth"),
    ("sexe", "gender"), ("other names", "other_names"), ("current location", "current_location"),
])
def test_common_headings_in_three_languages_map_to_fields(heading, field):
    mapping, unknown = importer.map_headings([heading])
    assert mapping == {0: field} and unknown == []


@pytest.mark.parametrize("word,code", [
    ("Female", "woman"), ("женщина", "woman"), ("Femme", "woman"), ("M", "man"), ("мужской", "man"),
    ("homme", "man"), ("non-binary", "nonbinary"), ("небинарный", "nonbinary"), ("", ""),
    ("prefer not to say", "undisclosed"),
])
def test_gender_words_in_english_russian_and_french_become_codes(word, code):
    assert importer.parse_gender(word) == (code, "")


def test_a_gender_word_we_do_not_know_is_kept_as_the_persons_own_description():
    assert importer.parse_gender("trans woman") == ("self", "trans woman")


def test_unknown_columns_are_reported_not_silently_dropped(tmp_path, org, importing):
    path = _csv(tmp_path, [["full_name", "passport number", "Religion"], ["Adam Tagaev", "X", "Y"]])
    report = importer.person_import(actor=importing, organisation=org, path=path)
    assert report.unknown_columns == ["passport number", "Religion"]
    assert any("NOT imported" in line and "passport number" in line for line in importer.report_lines(report))


def test_a_bad_row_is_left_out_whole_and_reported_without_its_values(tmp_path, org, importing):
    path = _csv(tmp_path, [
        ["full_name", "date_of_birth", "phone"],
        ["Good One", "1990", "+7 928 000-00-01"],
        ["Secret Badrow", "31.02.1990", "+7 928 000-00-02"],
        ["Another Bad", "1991", "call me maybe"],
        ["Good Two", "", ""],
    ])
    report = importer.person_import(actor=importing, organisation=org, path=path)
    assert (report.imported, report.failed) == (2, 2)
    assert set(_people()) == {"Good One", "Good Two"}
    assert [(e.row, e.column) for e in report.errors] == [(3, "date_of_birth"), (4, "phone")]
    written = importer.write_report(report, tmp_path / "problems.csv").read_text()
    printed = "\n".join(importer.report_lines(report))
    for text in (written, printed):
        assert "row" in text or "3" in text
        for value in ("Secret Badrow", "31.02.1990", "call me maybe", "000-00-02"):
            assert value not in text
    assert (tmp_path / "problems.csv").stat().st_mode & 0o777 == 0o600


def test_atomic_stores_nothing_when_any_row_is_bad(tmp_path, org, importing):
    path = _csv(tmp_path, [["full_name", "date_of_birth"], ["Good One", "1990"], ["Bad", "someday"]])
    report = importer.person_import(actor=importing, organisation=org, path=path, atomic=True)
    assert report.rolled_back and report.imported == 0
    assert Person.objects.count() == 0
    event = AuditEvent.objects.filter(action="person.import").get()
    assert event.detail["imported"] == 0 and event.detail["failed"] == 1


def test_a_dry_run_checks_every_row_and_writes_nothing(tmp_path, org, importing):
    path = _csv(tmp_path, [["full_name", "dob"], ["Good One", "1990"], ["Bad", "someday"]])
    events_before = AuditEvent.objects.count()
    report = importer.person_import(actor=importing, organisation=org, path=path, dry_run=True)
    assert (report.imported, report.failed, report.dry_run) == (1, 1, True)
    assert Person.objects.count() == 0 and AuditEvent.objects.count() == events_before


def test_an_import_is_audited_once_with_counts_and_once_per_person(tmp_path, org, importing):
    path = _csv(tmp_path, [["full_name"], ["A One"], [""], ["B Two"]])
    importer.person_import(actor=importing, organisation=org, path=path)
    summary = AuditEvent.objects.get(action="person.import")
    assert summary.actor_id == importing.pk
    assert (summary.detail["rows"], summary.detail["imported"], summary.detail["blank"]) == (2, 2, 1)
    assert AuditEvent.objects.filter(action="person.create", actor_id=importing.pk).count() == 2
    assert "A One" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_an_import_only_adds_people_and_never_touches_those_already_stored(tmp_path, org, importing):
    from safepassage.people.services import PersonData, person_create

    person_create(actor=importing, organisation=org, data=PersonData(full_name="Already Here", phones=["+7 928 100-00-01"]))
    path = _csv(tmp_path, [["full_name", "phone"], ["Already Here", "+7 999 000-00-00"]])
    importer.person_import(actor=importing, organisation=org, path=path)
    people = Person.objects.order_by("created_at")
    vault.unseal_with_key(vault.demo_master_key())
    assert [p.phones for p in people] == [["+7 928 100-00-01"], ["+7 999 000-00-00"]]


def test_xlsx_sheets_import_like_csv(tmp_path, org, importing):
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Téléphone", "Date de naissance", "Genre", "Lieu"])
    sheet.append(["Malika Dadaeva", "+7 938 222-33-44", datetime.datetime(1988, 3, 4), "femme", "Tbilisi"])
    sheet.append(["Ruslan Isaev", 79281234567, 1979, "H", None])
    path = tmp_path / "people.xlsx"
    book.save(path)
    report = importer.person_import(actor=importing, organisation=org, path=path)
    assert (report.imported, report.failed) == (2, 0)
    people = _people()
    assert people["Malika Dadaeva"].date_of_birth == "1988-03-04"
    assert people["Malika Dadaeva"].gender == "woman"
    assert people["Ruslan Isaev"].phones == ["79281234567"]
    assert people["Ruslan Isaev"].date_of_birth == "1979"


def test_windows_1251_csv_from_russian_excel_is_read(tmp_path, org, importing):
    path = _csv(tmp_path, [["ФИО", "пол"], ["Седа Исаева", "жен"]], encoding="cp1251", delimiter=";")
    report = importer.person_import(actor=importing, organisation=org, path=path, dry_run=True)
    assert (report.imported, report.failed) == (1, 0)


def test_a_file_with_no_known_heading_is_refused_before_anything_is_stored(tmp_path, org, importing):
    path = _csv(tmp_path, [["foo", "bar"], ["1", "2"]])
    with pytest.raises(importer.ImportFailed, match="No column heading"):
        importer.person_import(actor=importing, organisation=org, path=path)


def test_the_command_imports_shows_progress_and_reports_problems(tmp_path, org, importing, capsys, monkeypatch):
    path = _csv(tmp_path, [["full_name", "dob", "hobby"], ["Good One", "1990"], ["Bad", "someday"]])
    report_path = tmp_path / "problems.csv"
    call_command("import_people", str(path), "--org", org.name, "--report", str(report_path))
    captured = capsys.readouterr()
    assert "1 imported, 1 with problems" in captured.out
    assert "'hobby'" in captured.out and "row 3, column 'dob'" in captured.out
    assert "row" in captured.err  # the progress bar
    assert "someday" not in captured.out + captured.err + report_path.read_text()
    assert set(_people()) == {"Good One"}


def test_the_command_dry_run_exits_non_zero_when_rows_have_problems(tmp_path, org, importing):
    path = _csv(tmp_path, [["full_name", "dob"], ["Bad", "someday"]])
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_people", str(path), "--dry-run", "--report", str(tmp_path / "r.csv"))
    assert exit_info.value.code == 1
    assert Person.objects.count() == 0


def test_an_import_suggests_duplicates_among_its_rows_and_with_people_already_stored(tmp_path, org, importing):
    stored = person_create(actor=importing, organisation=org,
                           data=PersonData(full_name="Mahomed Ibrahimov", date_of_birth="1990-05-12"))
    path = tmp_path / "people.csv"
    path.write_text("ФИО,Дата рождения,Телефон\n"
                    "Магомед Ибрагимов,1990,+7 928 123-45-67\n"
                    "Зарема Дудаева,1985,\n"
                    "Magomed Ibragimov,12.05.1990,89281234567\n", encoding="utf-8")
    report = importer.person_import(actor=importing, organisation=org, path=path)
    assert report.imported == 3
    by_name = {p.full_name: p.pk for p in Person.objects.filter(organisation=org)}
    pairs = {frozenset((s.person_a_id, s.person_b_id)) for s in MatchSuggestion.objects.filter(organisation=org)}
    cyrillic, latin = by_name["Магомед Ибрагимов"], by_name["Magomed Ibragimov"]
    assert pairs == {frozenset((cyrillic, latin)), frozenset((cyrillic, stored.pk)), frozenset((latin, stored.pk))}


def test_a_rolled_back_import_leaves_no_suggestion_and_no_key(tmp_path, org, importing):
    path = tmp_path / "people.csv"
    path.write_text("Full name,Date of birth\nMagomed Ibragimov,1990\nМагомед Ибрагимов,1990\nBad Date,1990-13-45\n",
                    encoding="utf-8")
    report = importer.person_import(actor=importing, organisation=org, path=path, atomic=True)
    assert report.rolled_back
    assert not MatchSuggestion.objects.exists() and not MatchKey.objects.exists()


def test_rows_matched_in_several_goes_find_each_other_across_them(tmp_path, org, importing, monkeypatch):
    monkeypatch.setattr(importer, "MATCH_EVERY", 2)
    path = tmp_path / "people.csv"
    path.write_text("Full name,Date of birth\nМагомед Ибрагимов,1990\nЗарема Дудаева,1985\nRuslan Umarov,1979\n"
                    "Magomed Ibragimov,1990-05-12\nZarema Dudaeva,1985\n", encoding="utf-8")
    assert importer.person_import(actor=importing, organisation=org, path=path).imported == 5
    assert MatchSuggestion.objects.filter(organisation=org).count() == 2  # rows 1 & 4, rows 2 & 5
    assert set(MatchKey.objects.values_list("person_id", flat=True)) == set(Person.objects.values_list("pk", flat=True))


def test_an_import_stopped_half_way_still_matches_the_rows_it_stored(tmp_path, org, importing, monkeypatch):
    path = tmp_path / "people.csv"
    path.write_text("Full name,Date of birth\nМагомед Ибрагимов,1990\nMagomed Ibragimov,1990\nRuslan Umarov,1979\n",
                    encoding="utf-8")
    parse = importer.parse_row
    seen = []

    def stop_at_the_third_row(values):
        seen.append(values)
        if len(seen) == 3:
            raise KeyboardInterrupt  # the operator presses Ctrl-C
        return parse(values)

    monkeypatch.setattr(importer, "parse_row", stop_at_the_third_row)
    with pytest.raises(KeyboardInterrupt):
        importer.person_import(actor=importing, organisation=org, path=path)
    assert Person.objects.filter(organisation=org).count() == 2
    assert MatchKey.objects.filter(organisation=org).values("person").distinct().count() == 2
    assert MatchSuggestion.objects.filter(organisation=org).count() == 1
