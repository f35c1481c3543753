"""The participants spreadsheet reader (CSV / XLSX) on valid files, without Flask or database."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from questionnaires.archive.spreadsheet import MAX_ROWS
from questionnaires.stages.participant_rows import ParticipantRow, read_participants
from tests.support.spreadsheets import (
    EXPECTED, GOOD_ROWS, HEADER, TODAY, file_error, make_csv, make_xlsx, parse_lines, with_row,
)

# --- Valid files ----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_good_csv_in_each_encoding_and_separator(encoding, sep):
    sheet = read_participants(make_csv([HEADER, *GOOD_ROWS], sep, encoding), "Stage.CSV", TODAY)
    assert sheet.errors == []
    assert sheet.rows == EXPECTED
    assert sheet.ok


def test_good_xlsx_with_real_date_cells_and_numbers():
    rows = [HEADER + ["Remarque"]]
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
              "E-mail référent", "Prescripteur", "Remarques", ""]
    row = ["Léa", "Martin", "01.02.2000", "Mme", "Lens", "non", "inscrite", "envoyee", "Paul Bert",
           "paul@cap-emploi.fr", "Cap emploi", "06 12 34 56 78", "note"]
    sheet = read_participants(make_csv([header, row]), "stage.csv", TODAY)
    assert sheet.errors == []
    assert sheet.rows == [ParticipantRow(
        line=2, first_name="Léa", last_name="Martin", birth_date=date(2000, 2, 1), gender="F",
        city="Lens", qpv="non", status="inscrit", pmsmp="envoyee", referent_name="Paul Bert",
        referent_email="paul@cap-emploi.fr", structure_name="Cap emploi")]


def test_the_participants_phone_and_email_columns_are_read_and_normalised():
    rows = [["Prénom", "Tél.", "Courriel"], ["Léa", "06.12.34.56.78", "Lea.Martin@Example.org"],
            ["Max", 712345678, None], ["Inès", "+33 (0)1 23 45 67 89", ""]]
    sheet = read_participants(make_xlsx(rows), "stage.xlsx", TODAY)
    assert sheet.errors == []
    assert [(r.phone, r.email) for r in sheet.rows] == [
        ("06 12 34 56 78", "lea.martin@example.org"), ("07 12 34 56 78", None),
        ("01 23 45 67 89", None)]


@pytest.mark.parametrize("phone, email, problem", [
    ("06 12 34", "", "téléphone « 06 12 34 » invalide"),
    ("appeler Léa", "", "téléphone « appeler Léa » invalide"),
    ("+44 20 7946 0958", "", "téléphone « +44 20 7946 0958 » invalide"),
    ("", "lea@", "e-mail « lea@ » invalide"),
    ("", "lea martin@example.org", "e-mail « lea martin@example.org » invalide"),
])
def test_a_phone_or_email_that_is_not_one_is_refused_in_french(phone, email, problem):
    sheet = read_participants(make_csv([["Prénom", "Téléphone", "E-mail"], ["Léa", phone, email]]),
                              "stage.csv", TODAY)
    assert sheet.rows == [] and len(sheet.errors) == 1
    assert sheet.errors[0].message.startswith("Ligne 2 : ") and problem in sheet.errors[0].message


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
    # NUL bytes are dropped when the CSV is decoded; spaces, tabs, line breaks collapse.
    sheet = parse_lines(with_row(prenom="  Jean \t\r\n Paul\x00 ", ville="Le\u00a0 Havre"))
    assert sheet.errors == []
    assert (sheet.rows[1].first_name, sheet.rows[1].city) == ("Jean Paul", "Le Havre")
    # Other control characters are refused in French (issue 14), not silently dropped.
    refused = parse_lines(with_row(prenom="Jean\x07", ville="Le Havre\x1b"))
    assert [e.line for e in refused.errors] == [3, 3]
    assert "Prénom" in refused.errors[0].message and "U+0007" in refused.errors[0].message
    assert "Ville" in refused.errors[1].message and "U+001B" in refused.errors[1].message


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
