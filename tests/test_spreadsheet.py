"""Tests for the participants spreadsheet reader (CSV / XLSX), without Flask or database."""
from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from questionnaires.archive.spreadsheet import MAX_ROWS
from questionnaires.stages.participant_rows import (
    LineError,
    ParsedSheet,
    ParticipantRow,
    read_participants,
)

#: The day the files are read: birth dates after it are refused
TODAY = date.today()
HEADER = ["Prénom", "Nom", "Date de naissance", "Genre", "Ville", "QPV", "Statut", "PMSMP",
          "Référent", "Email du référent", "Structure"]
GOOD_ROWS = [
    ["Amélie", "Léger", "03/04/1990", "Madame", "Saint-Étienne", "oui", "", "signée",
     "Hélène Roux", "Helene.Roux@Mission-Locale.fr", "Mission locale"],
    ["Jean-François", "Dupont", "1985-12-01", "M.", "Roubaix", "quartier en veille", "abandon", "",
     "", "", ""],
    ["Zoé", "", "", "", "", "", "désistée", "sans objet", "", "", ""],
]
EXPECTED = [
    ParticipantRow(line=2, first_name="Amélie", last_name="Léger", birth_date=date(1990, 4, 3),
                   gender="F", city="Saint-Étienne", qpv="oui", status="inscrit", pmsmp="signee",
                   referent_name="Hélène Roux", referent_email="helene.roux@mission-locale.fr",
                   structure_name="Mission locale"),
    ParticipantRow(line=3, first_name="Jean-François", last_name="Dupont",
                   birth_date=date(1985, 12, 1), gender="H", city="Roubaix", qpv="veille",
                   status="abandon", pmsmp="a_faire", referent_name=None, referent_email=None,
                   structure_name=None),
    ParticipantRow(line=4, first_name="Zoé", last_name=None, birth_date=None, gender="X", city=None,
                   qpv="inconnu", status="desiste", pmsmp="sans_objet", referent_name=None,
                   referent_email=None, structure_name=None),
]


def make_csv(rows: list[list[str]], sep: str = ";", encoding: str = "utf-8") -> bytes:
    """CSV as a spreadsheet app exports it (quotes only when needed)."""
    def quote(cell: str) -> str:
        if any(c in cell for c in (sep, '"', "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    return "\r\n".join(sep.join(quote(c) for c in row) for row in rows).encode(encoding)


def make_xlsx(rows: list[list[object]]) -> bytes:
    """In-memory XLSX workbook; an empty row [] leaves a gap in the sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_row(**values: str) -> list[str]:
    """Minimal valid row, overridden per column (keys = unaccented titles)."""
    row = dict.fromkeys(HEADER, "")
    row["Prénom"] = "Léa"
    names = {"prenom": "Prénom", "nom": "Nom", "naissance": "Date de naissance", "genre": "Genre",
             "ville": "Ville", "qpv": "QPV", "statut": "Statut", "pmsmp": "PMSMP",
             "referent": "Référent", "email": "Email du référent", "structure": "Structure"}
    for key, value in values.items():
        row[names[key]] = value
    return list(row.values())


def parse_lines(*rows: list[str]) -> ParsedSheet:
    """CSV file: header, one good row (line 2), then the given rows (3, 4…)."""
    return read_participants(make_csv([HEADER, with_row(), *rows]), "stage.csv", TODAY)


def file_error(sheet: ParsedSheet) -> str:
    """The single file-level error."""
    assert sheet.rows == []
    assert len(sheet.errors) == 1 and sheet.errors[0].line is None, sheet.errors
    return sheet.errors[0].message


# --- Valid files ----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_good_csv_in_each_encoding_and_separator(encoding, sep):
    sheet = read_participants(make_csv([HEADER, *GOOD_ROWS], sep, encoding), "Stage.CSV", TODAY)
    assert sheet.errors == []
    assert sheet.rows == EXPECTED
    assert sheet.ok


def test_good_xlsx_with_real_date_cells_and_numbers():
    rows = [HEADER + ["Téléphone"]]
    rows += [[*GOOD_ROWS[0][:2], datetime(1990, 4, 3), *GOOD_ROWS[0][3:], 612345678],
             [*GOOD_ROWS[1][:2], date(1985, 12, 1), *GOOD_ROWS[1][3:], None],
             [*GOOD_ROWS[2], 0.0]]
    sheet = read_participants(make_xlsx(rows), "stage.XLSX", TODAY)
    assert sheet.errors == []
    assert sheet.rows == EXPECTED


def test_xlsx_numbers_and_booleans_become_text():
    rows = [["Prénom", "Nom", "QPV"], ["Léa", 1234, True], ["Max", 12.0, 0]]
    sheet = read_participants(make_xlsx(rows), "stage.xlsx", TODAY)
    assert [(r.last_name, r.qpv) for r in sheet.rows] == [("1234", "oui"), ("12", "non")]


def test_xlsx_named_csv_is_read_as_xlsx():
    sheet = read_participants(make_xlsx([HEADER, GOOD_ROWS[0]]), "export.csv", TODAY)
    assert sheet.errors == [] and sheet.rows == EXPECTED[:1]


def test_tolerant_header_aliases_and_unknown_columns_ignored():
    header = ["  PRENOM ", "Nom de famille", "Né(e) le", "Civilité", "Commune",
              "Quartier politique de la ville", "STATUT", "Convention", "Référent(e)",
              "E-mail référent", "Prescripteur", "Téléphone", ""]
    row = ["Léa", "Martin", "01.02.2000", "Mme", "Lens", "non", "inscrite", "envoyee", "Paul Bert",
           "paul@cap-emploi.fr", "Cap emploi", "06 12 34 56 78", "note"]
    sheet = read_participants(make_csv([header, row]), "stage.csv", TODAY)
    assert sheet.errors == []
    assert sheet.rows == [ParticipantRow(
        line=2, first_name="Léa", last_name="Martin", birth_date=date(2000, 2, 1), gender="F",
        city="Lens", qpv="non", status="inscrit", pmsmp="envoyee", referent_name="Paul Bert",
        referent_email="paul@cap-emploi.fr", structure_name="Cap emploi")]


@pytest.mark.parametrize("header", [
    ["Prénom", "Naissance", "Sexe", "Ville", "Quartier prioritaire", "PMSMP", "Nom du référent",
     "Courriel du référent", "Structure orientatrice"],
    ["prenom", "date de naissance", "genre", "ville", "qpv", "convention pmsmp", "referent",
     "mail referent", "structure du referent"],
])
def test_other_header_aliases(header):
    row = ["Léa", "2000-02-01", "F", "Lens", "1", "à faire", "Paul", "p@x.fr", "CCAS"]
    sheet = read_participants(make_csv([header, row]), "stage.csv", TODAY)
    assert sheet.errors == []
    assert (sheet.rows[0].birth_date, sheet.rows[0].referent_email) == (date(2000, 2, 1), "p@x.fr")
    assert (sheet.rows[0].qpv, sheet.rows[0].structure_name) == ("oui", "CCAS")


def test_title_lines_before_header_keep_line_numbers():
    sheet = read_participants(make_csv([["Stage du 12 mars", ""], ["", ""], ["Prénom", "Nom"],
                                        ["Léa", "Martin"]]), "stage.csv", TODAY)
    assert sheet.errors == [] and sheet.rows[0].line == 4


@pytest.mark.parametrize("value, expected", [
    ("03/04/1990", date(1990, 4, 3)), ("3/4/1990", date(1990, 4, 3)),
    ("03-04-1990", date(1990, 4, 3)), ("03.04.1990", date(1990, 4, 3)),
    ("1990-04-03", date(1990, 4, 3)), ("1990-04-03 00:00:00", date(1990, 4, 3)),
    ("29/02/2000", date(2000, 2, 29)), ("", None),
])
def test_accepted_dates(value, expected):
    sheet = parse_lines(with_row(naissance=value))
    assert sheet.errors == [] and sheet.rows[1].birth_date == expected


@pytest.mark.parametrize("column, values, expected", [
    ("genre", ["F", "femme", "Mme", "MADAME"], "F"),
    ("genre", ["H", "M", "Homme", "M.", "Monsieur"], "H"),
    ("genre", ["X", "Autre", "Non précisé", ""], "X"),
    ("qpv", ["oui", "O", "x", "yes", "1"], "oui"),
    ("qpv", ["veille", "Quartier en veille", "en veille"], "veille"),
    ("qpv", ["non", "N", "0"], "non"),
    ("qpv", ["", "?", "inconnu", "Ne sait pas"], "inconnu"),
    ("statut", ["", "inscrit", "Inscrit(e)", "inscrite"], "inscrit"),
    ("statut", ["abandon", "a abandonné", "A ABANDONNE"], "abandon"),
    ("statut", ["désisté", "Désisté(e)", "désistement", "desistee"], "desiste"),
    ("pmsmp", ["", "à faire", "A faire"], "a_faire"),
    ("pmsmp", ["envoyée", "envoyee"], "envoyee"),
    ("pmsmp", ["signée", "Signee"], "signee"),
    ("pmsmp", ["sans objet", "Non concerné"], "sans_objet"),
])
def test_value_synonyms(column, values, expected):
    sheet = parse_lines(*[with_row(**{column: v}) for v in values])
    assert sheet.errors == []
    field = {"genre": "gender", "statut": "status"}.get(column, column)
    assert {getattr(row, field) for row in sheet.rows[1:]} == {expected}


def test_text_cleaning_control_characters_and_spaces():
    sheet = parse_lines(with_row(prenom="  Jean\x07 \t Paul\x00 ", ville="Le\u00a0 Havre\x1b"))
    assert sheet.errors == []
    assert (sheet.rows[1].first_name, sheet.rows[1].city) == ("Jean Paul", "Le Havre")


def test_quoted_separator_and_newline_in_cell():
    data = ('Prénom;Nom;Ville\r\n"Léa; dite ""Lili""";Martin;"Saint-Denis\nde la Réunion"\r\n'
            "Max;Petit;Paris\r\n").encode()
    sheet = read_participants(data, "stage.csv", TODAY)
    assert sheet.errors == []
    assert [(r.line, r.first_name, r.city) for r in sheet.rows] == [
        (2, 'Léa; dite "Lili"', "Saint-Denis de la Réunion"), (3, "Max", "Paris")]


def test_comma_inside_quotes_does_not_fool_separator_detection():
    data = '"Prénom, usuel";Nom\r\nLéa;Martin\r\n'.encode()
    assert file_error(read_participants(data, "s.csv", TODAY)).startswith("Colonne « Prénom » introuvable")
    data = '"Nom, prénom";Prénom;Ville\r\nMartin Léa;Léa;Paris\r\n'.encode()
    sheet = read_participants(data, "s.csv", TODAY)
    assert sheet.errors == [] and sheet.rows[0].city == "Paris"


def test_empty_rows_skipped_and_line_numbers_kept_csv():
    data = make_csv([HEADER, ["", ""], GOOD_ROWS[0]]) + b"\r\n;;\r\n  \r\nL\xc3\xa9a\r\n"
    sheet = read_participants(data, "stage.csv", TODAY)
    assert sheet.errors == []
    assert [r.line for r in sheet.rows] == [3, 6]


def test_empty_rows_skipped_and_line_numbers_kept_xlsx():
    sheet = read_participants(make_xlsx([HEADER, [], [None, None], GOOD_ROWS[0], [], ["Zoé"],
                                         ["", "   "]]), "stage.xlsx", TODAY)
    assert sheet.errors == []
    assert [r.line for r in sheet.rows] == [4, 6]


def test_rows_with_only_unknown_columns_are_ignored():
    sheet = read_participants(make_csv([["Prénom", "Remarques"], ["Léa", ""], ["", "Total : 1"]]),
                              "stage.csv", TODAY)
    assert sheet.errors == [] and len(sheet.rows) == 1


def test_exactly_max_rows_is_accepted():
    sheet = read_participants(make_csv([["Prénom"]] + [["Léa"]] * MAX_ROWS), "s.csv", TODAY)
    assert sheet.ok and len(sheet.rows) == MAX_ROWS


# --- Line errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("row, expected", [
    (with_row(prenom="", nom="Martin"), "Ligne 3 : prénom manquant."),
    (with_row(prenom=" \x01 ", ville="Lens"), "Ligne 3 : prénom manquant."),
    (with_row(naissance="31/02/2001"),
     "Ligne 3 : date de naissance « 31/02/2001 » invalide. Écrivez-la au format JJ/MM/AAAA."),
    (with_row(naissance="hier"), "Ligne 3 : date de naissance « hier » invalide."),
    (with_row(naissance="2001/02/03"), "Ligne 3 : date de naissance « 2001/02/03 » invalide."),
    (with_row(naissance="03/04/90"), "Ligne 3 : date de naissance « 03/04/90 » : l'année sur 2"),
    (with_row(naissance="01/01/2999"), "Ligne 3 : date de naissance « 01/01/2999 » dans le futur."),
    (with_row(naissance="31/12/1899"), "Ligne 3 : date de naissance « 31/12/1899 » antérieure à 1900"),
    (with_row(genre="Mr et Mme"), "Ligne 3 : genre « Mr et Mme » non reconnu. Indiquez F, H ou X"),
    (with_row(qpv="peut-être"), "Ligne 3 : QPV « peut-être » non reconnu. Indiquez oui, non"),
    (with_row(statut="absent"), "Ligne 3 : statut « absent » non reconnu."),
    (with_row(pmsmp="en cours"), "Ligne 3 : PMSMP « en cours » non reconnu."),
    (with_row(prenom="A" * 81), "Ligne 3 : la colonne « Prénom » contient 81 caractères (80 au"),
    (with_row(nom="B" * 81), "Ligne 3 : la colonne « Nom » contient 81 caractères"),
    (with_row(ville="C" * 121), "Ligne 3 : la colonne « Ville » contient 121 caractères"),
    (with_row(structure="D" * 161), "Ligne 3 : la colonne « Structure » contient 161 caractères"),
    (with_row(referent="E" * 121, email="e@x.fr", structure="S"),
     "Ligne 3 : la colonne « Référent » contient 121 caractères"),
    (with_row(referent="Paul", email="a" * 250 + "@x.fr", structure="S"),
     "Ligne 3 : l'adresse e-mail du référent contient 255 caractères"),
    (with_row(referent="Paul", email="paul.cap-emploi.fr", structure="S"),
     "Ligne 3 : adresse e-mail du référent « paul.cap-emploi.fr » invalide."),
    (with_row(referent="Paul", email="paul@localhost", structure="S"), "invalide"),
    (with_row(referent="Paul", email="paul @x.fr", structure="S"), "invalide"),
    (with_row(referent="Paul", email="p@a@x.fr", structure="S"), "invalide"),
    (with_row(email="paul@x.fr", structure="S"), "Ligne 3 : nom du référent manquant"),
    (with_row(referent="Paul", email="paul@x.fr"), "Ligne 3 : structure du référent manquante"),
    (with_row(referent="Paul", structure="S"),
     "Ligne 3 : e-mail du référent « Paul » manquant. Ajoutez l'adresse e-mail du référent"),
])
def test_bad_value_gives_error_on_its_line(row, expected):
    sheet = parse_lines(row)
    assert not sheet.ok
    assert len(sheet.errors) == 1, sheet.errors
    assert sheet.errors[0].line == 3
    assert expected in sheet.errors[0].message
    assert sheet.errors[0].message.startswith("Ligne 3 : ")
    assert [r.line for r in sheet.rows] == [2]  # the faulty row is not returned


def test_impossible_xlsx_dates_are_errors():
    sheet = read_participants(make_xlsx([["Prénom", "Naissance"], ["Léa", datetime(2999, 1, 1)],
                                         ["Max", 36526]]), "s.xlsx", TODAY)
    assert [e.line for e in sheet.errors] == [2, 3]
    assert "« 01/01/2999 » dans le futur" in sheet.errors[0].message
    assert "« 36526 » invalide" in sheet.errors[1].message


def test_all_errors_of_all_lines_are_collected():
    sheet = parse_lines(with_row(prenom="", naissance="99/99/2000", genre="?!", qpv="bof"),
                        with_row(statut="parti"), with_row(), with_row(pmsmp="peut-être"))
    assert [e.line for e in sheet.errors] == [3, 3, 3, 4, 6]
    assert sheet.errors[0].message.startswith("Ligne 3 : prénom manquant")
    assert [r.line for r in sheet.rows] == [2, 5]
    assert all(e.message.startswith(f"Ligne {e.line} : ") for e in sheet.errors)


def test_referent_email_lowercased_and_structure_consistency():
    sheet = parse_lines(
        with_row(referent="Paul Bert", email="Paul@Cap.fr", structure="Cap emploi"),
        with_row(referent="Paul Bert", email="paul@cap.fr", structure="CAP EMPLOI"),
        with_row(referent="Paul Bert", email="PAUL@cap.fr", structure="Mission locale"),
    )
    assert [r.referent_email for r in sheet.rows[1:]] == ["paul@cap.fr", "paul@cap.fr"]
    assert sheet.errors == [LineError(5, (
        "Ligne 5 : le référent paul@cap.fr est rattaché à la structure « Mission locale », mais à "
        "« Cap emploi » à la ligne 3. Un référent n'appartient qu'à une structure : corrigez l'une "
        "des deux lignes."))]


# --- File errors ----------------------------------------------------------------------------

def test_missing_first_name_column():
    message = file_error(read_participants(make_csv([["Nom", "Naissance", "Téléphone"],
                                                     ["Martin", "", ""]]), "s.csv", TODAY))
    assert message.startswith("Colonne « Prénom » introuvable.")
    assert "Colonnes trouvées : « Nom », « Naissance », « Téléphone »" in message
    assert "Colonnes attendues : Prénom (obligatoire), Nom, Date de naissance" in message


def test_duplicate_recognised_columns():
    message = file_error(read_participants(make_csv([
        ["Prénom", "Référent", "Nom du référent", "Ville", "Commune"], ["Léa", "", "", "", ""]]),
        "s.csv", TODAY))
    assert "« Référent » et « Nom du référent »" in message
    assert "« Ville » et « Commune »" in message


@pytest.mark.parametrize("filename", ["stage.xls", "stage.ods", "stage.pdf", "stage", "", "csv"])
def test_unknown_extension(filename):
    message = file_error(read_participants(make_csv([HEADER, GOOD_ROWS[0]]), filename, TODAY))
    assert message.startswith("Format de fichier non accepté")
    assert ".csv" in message and ".xlsx" in message


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + b"\x00garbage" * 50,
    make_xlsx([HEADER, GOOD_ROWS[0]])[:300],
    b"this is not a workbook",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),  # .xls or encrypted workbook
])
def test_corrupt_xlsx(data):
    assert file_error(read_participants(data, "stage.xlsx", TODAY)).startswith("Le fichier Excel est illisible")


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "bonjour")
    assert "illisible" in file_error(read_participants(buffer.getvalue(), "stage.csv", TODAY))


@pytest.mark.parametrize("data, filename", [
    (b"", "s.csv"), (b"", "s.xlsx"), (b"  \r\n\r\n", "s.csv"), (b";;;\r\n;;\r\n", "s.csv"),
    (b"\xef\xbb\xbf", "s.csv"), (make_xlsx([]), "s.xlsx"),
])
def test_empty_file(data, filename):
    assert file_error(read_participants(data, filename, TODAY)).startswith("Le fichier est vide.")


@pytest.mark.parametrize("data, filename", [
    (make_csv([HEADER]), "s.csv"), (make_csv([HEADER, [""] * 11]) + b"\r\n;;\r\n", "s.csv"),
    (make_xlsx([HEADER]), "s.xlsx"),
])
def test_header_only(data, filename):
    assert file_error(read_participants(data, filename, TODAY)) == "Le fichier ne contient aucun participant."


def test_too_many_rows():
    message = file_error(read_participants(make_csv([["Prénom"]] + [["Léa"]] * (MAX_ROWS + 1)),
                                           "s.csv", TODAY))
    assert message.startswith("Le fichier contient plus de 500 participants.")


def test_huge_input_does_not_crash():
    sheet = read_participants(make_csv([["Prénom"]] + [["Léa"]] * 200_000), "s.csv", TODAY)
    assert "plus de 500" in file_error(sheet)
    sheet = read_participants(b"Pr\xc3\xa9nom\r\n" + b"x" * 3_000_000, "s.csv", TODAY)
    assert sheet.errors and sheet.rows == []


def test_ok_property():
    assert ParsedSheet(rows=[EXPECTED[0]], errors=[]).ok
    assert not ParsedSheet(rows=[], errors=[]).ok
    assert not ParsedSheet(rows=[EXPECTED[0]], errors=[LineError(None, "x")]).ok


# --- Robustness: no input raises an exception -----------------------------------------------

def check_never_raises(data: bytes, filename: str) -> None:
    """The result is always a consistent ParsedSheet, with French messages."""
    sheet = read_participants(data, filename, TODAY)
    assert isinstance(sheet, ParsedSheet)
    assert sheet.errors or sheet.rows
    for error in sheet.errors:
        assert error.message and (error.line is None or error.message.startswith(f"Ligne {error.line} : "))


def test_random_bytes_never_raise():
    rng = random.Random(20240612)
    valid_xlsx = make_xlsx([HEADER, *GOOD_ROWS])
    prefixes = [b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", "Prénom;Nom\r\n".encode(),
                "Prénom,Référent,Email du référent\n".encode("cp1252")]
    for _ in range(300):
        size = rng.choice([0, 1, 10, 200, 5000])
        data = rng.choice(prefixes) + bytes(rng.getrandbits(8) for _ in range(size))
        check_never_raises(data, rng.choice(["a.csv", "a.xlsx", "A.CSV", "a.txt"]))
    for _ in range(50):  # real workbook damaged byte by byte
        damaged = bytearray(valid_xlsx)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.getrandbits(8)
        check_never_raises(bytes(damaged), "a.xlsx")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(), max_size=12), max_size=12), max_size=8),
       st.sampled_from([";", ",", "\t"]), st.booleans())
def test_arbitrary_csv_text_never_raises(rows, sep, with_header):
    lines = ([";".join(HEADER)] if with_header else []) + [sep.join(row) for row in rows]
    check_never_raises("\n".join(lines).encode("utf-8", errors="surrogatepass"), "a.csv")
