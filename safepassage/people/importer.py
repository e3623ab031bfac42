"""Importing people from a spreadsheet (CSV or XLSX) that an organisation already keeps.

Threat: the spreadsheet itself is the most dangerous file the organisation owns; the import must not
make copies of its contents anywhere else. So nothing here prints, logs or writes a cell value: the
error report names the row, the column and the problem, never what was in the cell.

Choice on failure: by default every row is stored in its own transaction. A bad row is rolled back
whole (never half a person) and reported; the good rows are kept, and nothing already stored is
touched (an import only adds people). With ``atomic=True`` every row is stored or none is.
``dry_run=True`` checks every row and writes nothing at all. Rows are matched for duplicates together,
``MATCH_EVERY`` at a time and at the end, also when an import stops half-way: no stored row is left
out of matching.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safepassage.audit.services import audit_record
from safepassage.policy.rules import require

from .services import PersonData, person_create

# Every heading we understand, in English, Russian and French; compared after ``_heading_key``.
HEADINGS = {
    "full_name": ["full name", "fullname", "name", "full names", "person", "фио", "ф и о", "имя",
                  "полное имя", "имя фамилия", "фамилия имя", "фамилия имя отчество", "nom", "nom complet",
                  "nom et prénom", "prénom nom", "nom prénom"],
    "other_names": ["other names", "other name", "aliases", "alias", "aka", "also known as", "nicknames",
                    "nickname", "spellings", "другие имена", "псевдоним", "псевдонимы", "прозвище",
                    "другое имя", "варианты имени", "autres noms", "autre nom", "surnom", "surnoms", "alias"],
    "date_of_birth": ["date of birth", "dob", "birth date", "birthdate", "born", "birthday", "year of birth",
                      "дата рождения", "д р", "др", "год рождения", "родился", "родилась",
                      "date de naissance", "né le", "née le", "naissance", "année de naissance"],
    "gender": ["gender", "sex", "пол", "гендер", "genre", "sexe"],
    "gender_self_described": ["gender self described", "self described gender", "gender description",
                              "гендер описание", "самоопределение", "genre auto décrit", "genre précisé"],
    "phones": ["phone", "phones", "telephone", "telephones", "tel", "mobile", "phone number", "phone numbers",
               "cell", "телефон", "телефоны", "тел", "номер телефона", "мобильный", "téléphone",
               "téléphones", "portable", "numéro", "numéro de téléphone"],
    "current_location": ["current location", "location", "city", "where", "whereabouts", "place",
                         "местонахождение", "местоположение", "город", "где находится", "где",
                         "lieu", "localisation", "ville", "emplacement"],
    "notes": ["notes", "note", "comments", "comment", "remarks", "примечания", "примечание", "комментарий",
              "комментарии", "заметки", "remarques", "remarque", "commentaires", "commentaire"],
}
# How the error report names a field when the sheet's own heading is unknown.
FIELD_LABELS = {"phones": "phone"}
LIST_FIELDS = {"other_names", "phones"}

GENDER_WORDS = {
    "woman": ["woman", "women", "female", "f", "w", "girl", "женщина", "жен", "ж", "женский", "девушка",
              "femme", "féminin", "feminin", "fille"],
    "man": ["man", "men", "male", "m", "boy", "мужчина", "муж", "м", "мужской", "парень", "homme",
            "masculin", "h", "garçon"],
    "nonbinary": ["non binary", "nonbinary", "nb", "enby", "небинарный", "небинарная", "небинарн",
                  "non binaire", "nonbinaire"],
    "undisclosed": ["prefer not to say", "undisclosed", "declined", "не хочет говорить", "не сообщает",
                    "отказ", "ne souhaite pas répondre", "préfère ne pas dire", "non communiqué"],
    "": ["", "unknown", "not recorded", "n a", "na", "неизвестно", "не указано", "inconnu", "non renseigné"],
    "self": ["self", "self described", "other", "другое", "иное", "autre", "auto décrit"],
}

# The report says why, in words that never contain the value.
PROBLEMS = {
    "date_of_birth": "not a date of birth: write 1990, 1990-05, 1990-05-12 or 12.05.1990 (a real date, year 1900 or later)",
    "phones": "not a phone number (at least six digits)",
    "gender": "not a gender this system records",
    "full_name": "longer than 300 characters",
}


class ImportFailed(Exception):
    """The file cannot be imported at all (unreadable, no known column). Nothing was stored."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    total: int = 0
    imported: int = 0
    failed: int = 0
    blank: int = 0
    dry_run: bool = False
    atomic: bool = False
    columns: dict = field(default_factory=dict)  # heading -> field
    unknown_columns: list = field(default_factory=list)
    header_row: int = 1
    errors: list = field(default_factory=list)

    @property
    def rolled_back(self) -> bool:
        return self.atomic and self.failed > 0


# --- reading -------------------------------------------------------------------------------------

def _heading_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).casefold().strip()
    text = re.sub(r"[\s_\-./:()]+", " ", text)
    return text.strip()


_HEADING_INDEX = {_heading_key(h): name for name, headings in HEADINGS.items() for h in [name, *headings]}


def map_headings(headings: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field for the headings we know; the unknown headings, in order."""
    mapping, unknown, seen = {}, [], {}
    for index, heading in enumerate(headings):
        key = _heading_key(heading)
        if not key:
            continue
        name = _HEADING_INDEX.get(key)
        if name is None:
            unknown.append(str(heading).strip())
            continue
        if name in seen and name not in LIST_FIELDS:
            raise ImportFailed(f"Two columns ({seen[name]!r} and {str(heading).strip()!r}) both give "
                               f"{name}; keep one of them.")
        seen.setdefault(name, str(heading).strip())
        mapping[index] = name
    if not mapping:
        raise ImportFailed("No column heading was recognised (expected e.g. full_name, date_of_birth, "
                           "gender, phone, current_location, notes).")
    return mapping, unknown


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1251", errors="replace")  # what Russian Excel saves by default
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise ImportFailed("The file cannot be opened as an Excel workbook.") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_sheet(path: Path) -> list[list[str]]:
    """All rows of the file (the first sheet of a workbook) as lists of strings."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise ImportFailed("Give a .csv or .xlsx file.")


# --- one row -------------------------------------------------------------------------------------

def _gender_key(text: str) -> str:
    return re.sub(r"[\s_\-./]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


_GENDER_INDEX = {_gender_key(w): code for code, words in GENDER_WORDS.items() for w in [code, *words]}


def parse_gender(text: str) -> tuple[str, str]:
    """(code, self-description). A word we do not know is kept as the person's own description."""
    text = (text or "").strip()
    code = _GENDER_INDEX.get(_gender_key(text))
    if code is not None:
        return code, ""
    return "self", text


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]


def parse_row(values: dict[str, list[str]]) -> PersonData:
    """PersonData from one row's cells (field -> the cells of the columns giving it). Raises ValidationError."""
    def one(name):
        return " ".join(v for v in values.get(name, []) if v).strip()

    data = PersonData(
        full_name=one("full_name"),
        other_names=[n for cell in values.get("other_names", []) for n in _split(cell)],
        date_of_birth=one("date_of_birth"),
        phones=[p for cell in values.get("phones", []) for p in _split(cell)],
        current_location=one("current_location"),
        notes="\n".join(v for v in values.get("notes", []) if v),
    )
    data.gender, described = parse_gender(one("gender"))
    data.gender_self_described = one("gender_self_described") or described
    return data.clean()


def _row_errors(row_number: int, exc: ValidationError, headings: dict[str, str]) -> list[RowError]:
    fields = exc.message_dict.keys() if hasattr(exc, "error_dict") else ["__all__"]
    return [RowError(row_number, headings.get(name, FIELD_LABELS.get(name, name)),
                     PROBLEMS.get(name, "this value cannot be used")) for name in fields]


# --- the import ----------------------------------------------------------------------------------

# Rows stored one by one are matched for duplicates this many at a time (``match_keys_refresh_many``),
# so an import that stops half-way leaves at most this many rows to match, and does match them.
MATCH_EVERY = 2000


def person_import(*, actor, organisation, path: Path, dry_run: bool = False, atomic: bool = False,
                  progress=None) -> ImportReport:
    """Import people from `path` into `organisation` as `actor` (a coordinator). See the module docstring."""
    require(actor, "person.import")
    rows = read_sheet(Path(path))
    start = next((i for i, row in enumerate(rows) if any(rows[i])), None)
    if start is None:
        raise ImportFailed("The file is empty.")
    headings = rows[start]
    mapping, unknown = map_headings(headings)
    field_heading: dict[str, str] = {}
    for index, name in mapping.items():
        field_heading.setdefault(name, str(headings[index]).strip())
    report = ImportReport(dry_run=dry_run, atomic=atomic, unknown_columns=unknown, header_row=start + 1,
                          columns={str(headings[i]).strip(): n for i, n in mapping.items()})
    body = [(start + offset + 2, row) for offset, row in enumerate(rows[start + 1:])]

    from tqdm import tqdm

    bar = tqdm(body, total=len(body), unit="row", file=progress, disable=progress is None,
               desc="dry run" if dry_run else "importing", leave=True)

    created: list = []  # (person, data) of the rows stored and not yet matched

    def run_rows():
        for row_number, row in bar:
            values: dict[str, list[str]] = {}
            for index, name in mapping.items():
                values.setdefault(name, []).append(row[index] if index < len(row) else "")
            if not any(v for cells in values.values() for v in cells):
                report.blank += 1
                continue
            report.total += 1
            try:
                data = parse_row(values)
            except ValidationError as exc:
                report.failed += 1
                report.errors.extend(_row_errors(row_number, exc, field_heading))
                continue
            if dry_run:
                report.imported += 1
                continue
            try:
                with transaction.atomic():  # the row's own savepoint: all of it, or none of it
                    person = person_create(actor=actor, organisation=organisation, data=data, match=False)
                created.append((person, data))
                report.imported += 1
                if not atomic and len(created) >= MATCH_EVERY:
                    match_rows()
            except ValidationError as exc:
                report.failed += 1
                report.errors.extend(_row_errors(row_number, exc, field_heading))
            except Exception as exc:  # noqa: BLE001 — reported by kind, never by content
                report.failed += 1
                report.errors.append(RowError(row_number, "", f"could not be stored ({type(exc).__name__})"))

    if dry_run:
        run_rows()
        bar.close()
        return report

    class _RollBack(Exception):
        pass

    def match_rows():
        """Duplicate matching for the rows stored since the last time, at once: the same suggestions
        as row by row (each row meets every person stored before it, matched rows included)."""
        if created:
            from safepassage.matching.services import match_keys_refresh_many  # matching builds on people

            with transaction.atomic():
                match_keys_refresh_many(people=[person for person, _data in created],
                                        data=[data for _person, data in created])
            created.clear()

    try:
        if atomic:
            with transaction.atomic():
                run_rows()
                if report.failed:
                    raise _RollBack()
                match_rows()
        else:
            try:
                run_rows()
            finally:  # rows already stored are matched even when the import stops half-way
                match_rows()
    except _RollBack:
        pass
    finally:
        bar.close()
    stored = 0 if report.rolled_back else report.imported
    audit_record(actor=actor, action="person.import", organisation=organisation, rows=report.total,
                 imported=stored, failed=report.failed, blank=report.blank, atomic=atomic,
                 unknown_columns=len(unknown))
    if report.rolled_back:
        report.imported = 0
    return report


def report_lines(report: ImportReport) -> list[str]:
    """What the operator reads: counts, unknown columns, and each row's problem (no values)."""
    verb = "would be imported" if report.dry_run else "imported"
    lines = []
    if report.unknown_columns:
        lines.append("Columns NOT imported (heading not recognised): "
                     + ", ".join(repr(c) for c in report.unknown_columns))
    lines.append(f"{report.total} rows read: {report.imported} {verb}, {report.failed} with problems"
                 + (f", {report.blank} blank rows skipped" if report.blank else "") + ".")
    if report.rolled_back:
        lines.append("--atomic: because some rows have problems, NOTHING was imported.")
    elif report.failed and not report.dry_run:
        lines.append("Rows with problems were not imported (each was left out whole); fix them and import "
                     "those rows again.")
    for error in report.errors:
        column = f", column {error.column!r}" if error.column else ""
        lines.append(f"  row {error.row}{column}: {error.message}")
    return lines


def write_report(report: ImportReport, path: Path | None = None) -> Path:
    """The error report as CSV (row, column, problem), owner-only. It holds no cell values."""
    if path is None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        path = Path(settings.LOG_DIR) / f"import-{stamp}-problems.csv"
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "problem"])
    for column in report.unknown_columns:
        writer.writerow([report.header_row, column, "heading not recognised: this column was not imported"])
    for error in report.errors:
        writer.writerow([error.row, error.column, error.message])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(buffer.getvalue())
    return path
