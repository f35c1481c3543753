"""Issue 14 item 6: a costly spreadsheet is refused early in French, and the preview's parsed
rows are kept server-side for the confirmation (the file is read once)."""
import base64
import io
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from questionnaires.archive import spreadsheet
from questionnaires.archive.spreadsheet import Bounds, SpreadsheetError, read_rows
from questionnaires.extensions import db
from questionnaires.models import Participant, Stage
from questionnaires.stages import participant_rows
from tests.support.forms import csrf_token, post_form

GOOD = ("Prénom;Nom;Date de naissance\n"
        "Léa;Martin;04/05/2001\n"
        "Samir;Benali;12/10/1990\n").encode()


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _refused(data: bytes, name: str, bounds: Bounds | None = None) -> str:
    with pytest.raises(SpreadsheetError) as error:
        read_rows(data, name, bounds) if bounds else read_rows(data, name)
    return str(error.value)


def test_a_workbook_with_huge_shared_strings_is_refused_before_parsing():
    # 400 distinct 10 000-character strings: 4 MB of shared strings, a small compressed file.
    data = _xlsx([["Prénom"]] + [[f"{n:05d}" + "x" * 10000] for n in range(400)])
    assert len(data) < 1024 * 1024
    message = _refused(data, "liste.xlsx")
    assert "trop de texte" in message and "CSV" in message


def test_too_many_cells_too_much_text_or_too_big_a_file_are_refused_in_french():
    assert "trop de cellules" in _refused(b"Pr\xc3\xa9nom" + b";" * 300_000 + b"\n", "l.csv")
    many = "Prénom;Nom\n" + "".join(f"{n};{'y' * 4000}\n" for n in range(400))
    assert "trop de texte" in _refused(many.encode(), "l.csv")
    assert "trop volumineux" in _refused(GOOD + b"#" * (6 * 1024 * 1024), "l.csv")
    small = Bounds(cells=5)
    assert "trop de cellules" in _refused(_xlsx([["Prénom", "Nom"]] * 3), "l.xlsx", small)


def test_a_file_that_takes_too_long_is_refused_in_french():
    message = _refused(GOOD, "l.csv", Bounds(seconds=0))
    assert "trop long à lire" in message


def test_the_usual_file_still_reads():
    assert [cells[0] for _, cells in read_rows(GOOD, "l.csv")] == ["Prénom", "Léa", "Samir"]


def _stage(app) -> int:
    with app.app_context():
        stage = Stage(title="Sport", theme="sport", capacity=10, start_date=date(2025, 3, 3),
                      end_date=date(2025, 3, 7))
        db.session.add(stage)
        db.session.commit()
        return stage.id


def _preview(client, stage_id):
    return post_form(client, f"/equipe/stages/{stage_id}/import",
                     {"file": (io.BytesIO(GOOD), "participants.csv")})


def _confirm(client, stage_id, preview, **changes):
    html = preview.get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields.update(csrf_token=csrf_token(preview), **changes)
    return client.post(f"/equipe/stages/{stage_id}/import/confirmer", data=fields)


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Participant))


def test_the_confirmation_uses_the_rows_kept_at_preview_and_never_reads_the_file(
        app, auth, client, monkeypatch):
    auth.login()
    stage_id = _stage(app)
    preview = _preview(client, stage_id)
    html = preview.get_data(as_text=True)
    assert "2 participant·e·s seront inscrit·e·s" in html
    # The file is not sent back and forth: only a token travels with the form.
    assert base64.b64encode(GOOD).decode()[:16] not in html and 'name="payload"' not in html

    def no_second_read(*args, **kwargs):
        raise AssertionError("the file was read again at confirmation")

    monkeypatch.setattr(participant_rows, "read_rows", no_second_read)
    monkeypatch.setattr(spreadsheet, "read_rows", no_second_read)
    response = _confirm(client, stage_id, preview)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _people(app) == 2
    again = _confirm(client, stage_id, preview)  # kept rows are used once
    assert again.status_code == 200 and "Rien n&#39;a été importé" in again.get_data(as_text=True)
    assert _people(app) == 2


def test_a_forged_or_foreign_preview_token_imports_nothing(app, auth, client):
    auth.login()
    stage_id, other = _stage(app), _stage(app)
    preview = _preview(client, stage_id)
    for forged in ("", "x", "a" * 43, "../../etc/passwd"):
        response = _confirm(client, stage_id, preview, apercu=forged)
        assert response.status_code == 200
        assert "Rien n&#39;a été importé" in response.get_data(as_text=True)
    assert _confirm(client, other, preview).status_code == 200  # another stage's preview
    assert _people(app) == 0
    assert _confirm(client, stage_id, preview).status_code == 302
    assert _people(app) == 2
