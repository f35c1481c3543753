"""Issue 14 item 4: one-line fields are one line wherever they come from, and a mail that
cannot be written is a failure the team can read on the follow-up page."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from questionnaires.archive.schema import ArchiveError
from questionnaires.archive.stage import export_stage, import_archive
from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupMessage, Referent, Stage
from questionnaires.text import one_line
from tests.support.factories import DUE, create_user, database_for, dispose, make_app, make_stage
from tests.support.forms import post_form
from tests.support.mail import mail_settings
from tests.support.spreadsheets import parse_lines, with_row


@pytest.fixture
def mail_app(tmp_path, smtp):
    app = make_app(database_for(tmp_path), **mail_settings(smtp))
    yield app
    dispose(app)


def test_one_line_collapses_every_line_break_and_space():
    assert one_line(" Atelier\r\n\tthéâtre\u2028et\x0bdanse\u00a0 ") == "Atelier théâtre et danse"


def test_a_line_break_stored_in_a_stage_title_does_not_stop_its_mails(mail_app, smtp):
    with mail_app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
        # Stored before the fix (form, archive): the mails must still go.
        db.session.get(Stage, stage_id).title = "Métiers de\r\nl'accueil\tet plus"
        db.session.commit()
        outcomes = dispatch_due(DUE)
    assert [o.result for o in outcomes] == ["sent"], outcomes
    (sent,) = smtp.handler.to("nadia@example.org")
    assert "Métiers de l'accueil et plus" in sent["Subject"]


def test_a_mail_that_cannot_be_written_is_explained_on_the_followup_page(mail_app, smtp):
    with mail_app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
        # An address stored before the fix (the replanning copies it to the invitation).
        db.session.scalar(select(Referent)).email = "nadia@example.org\nbcc: tous@example.org"
        db.session.commit()
        outcomes = dispatch_due(DUE)
        message = db.session.scalar(select(FollowupMessage))
        assert outcomes[0].result == "retry"
        assert "saut de ligne" in message.last_error, message.last_error
        create_user("equipe@example.org", "un-mot-de-passe-solide")
    assert smtp.messages == []
    client = mail_app.test_client()
    post_form(client, "/connexion", {"email": "equipe@example.org",
                                     "password": "un-mot-de-passe-solide"})
    page = client.get(f"/equipe/stages/{stage_id}/suivi").get_data(as_text=True)
    assert "saut de ligne" in page


def test_the_stage_form_collapses_line_breaks_and_refuses_control_characters(team, demo):
    page = post_form(team, "/equipe/stages/1/modifier",
                     {"title": "Atelier\r\n\tthéâtre  ", "theme": "theatre",
                      "start_date": "2021-11-22", "end_date": "2021-11-26", "capacity": "12",
                      "followup_months": "3", "territory": "Ivry\nsur Seine"})
    assert page.status_code == 302, page.get_data(as_text=True)
    with demo.app_context():
        stage = db.session.get(Stage, 1)
        assert (stage.title, stage.territory) == ("Atelier théâtre", "Ivry sur Seine")
    refused = post_form(team, "/equipe/stages/1/modifier",
                        {"title": "Atelier\x07", "theme": "theatre", "start_date": "2021-11-22",
                         "end_date": "2021-11-26", "capacity": "12", "followup_months": "3"})
    assert refused.status_code == 200
    assert "caractère invisible" in refused.get_data(as_text=True)
    with demo.app_context():
        assert db.session.get(Stage, 1).title == "Atelier théâtre"


def test_the_archive_import_collapses_line_breaks_and_refuses_control_characters(demo):
    with demo.app_context():
        archive = export_stage(db.session.get(Stage, 1))
        archive["stage"]["title"] = "Copie\r\nde\tstage"
        archive["participants"][0]["first_name"] = "Léa\nBcc"
        stage = import_archive(archive)
        db.session.flush()
        assert stage.title == "Copie de stage"
        assert stage.participants[0].first_name == "Léa Bcc" or any(
            p.first_name == "Léa Bcc" for p in stage.participants)
        db.session.rollback()
        archive["stage"]["title"] = "Copie\x07"
        with pytest.raises(ArchiveError) as error:
            import_archive(archive)
        assert "caractère invisible" in str(error.value.args[0])


def test_the_spreadsheet_import_collapses_line_breaks_and_refuses_control_characters():
    sheet = parse_lines(with_row(prenom="Jean\r\n\tPaul", ville="Le\u00a0 Havre"))
    assert sheet.errors == []
    assert (sheet.rows[1].first_name, sheet.rows[1].city) == ("Jean Paul", "Le Havre")
    refused = parse_lines(with_row(prenom="Jean\x07"))
    assert [error.line for error in refused.errors] == [3]
    assert "caractère invisible" in refused.errors[0].message


def test_accounts_made_by_the_command_line_are_one_line_too(app):
    from questionnaires.auth.accounts import AccountError, create_account

    with app.app_context():
        user = create_account(" Nadia@Example.org\n", "Nadia\r\n\tRoux", "team", "x" * 20)
        assert (user.email, user.name) == ("nadia@example.org", "Nadia Roux")
        with pytest.raises(AccountError) as error:
            create_account("paul@example.org", "Paul\x07", "team", "x" * 20)
        assert error.value.field == "name" and "caractère invisible" in str(error.value)
