"""The participants spreadsheet reader (CSV / XLSX) on bad files: an error for each bad line,
one for a file it cannot read, and never an exception, whatever the bytes. No Flask, no database.
"""
from __future__ import annotations

import io
import random
import zipfile
from datetime import datetime

import pytest
from hypothesis import given, settings, strategies as st

from questionnaires.archive.spreadsheet import MAX_ROWS
from questionnaires.stages.participant_rows import LineError, ParsedSheet, read_participants
from tests.support.spreadsheets import (
    EXPECTED, GOOD_ROWS, HEADER, TODAY, file_error, make_csv, make_xlsx, parse_lines, with_row,
)

# --- Line errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("row, expected", [
    (with_row(prenom="", nom="Martin"), "Ligne 3 : prénom manquant."),
    (with_row(prenom=" \x01 ", ville="Lens"),  # refused since issue 14, no longer dropped
     "Ligne 3 : la colonne « Prénom » contient un caractère invisible non autorisé"),
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
