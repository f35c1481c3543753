"""The team's wording of the follow-up mails: check, precedence, escaping, preview, real sends."""
import html as html_lib
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups import mail_texts
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import AuditEvent, MailText, Stage
from tests.support.factories import (
    DUE, EMAIL, PASSWORD, create_user, database_for, dispose, make_app, make_stage,
)
from tests.support.forms import csrf_token, post_form
from tests.support.mail import mail_settings

THEME = "accueil-billetterie"
#: When a stage ending with the factories' stages is due at six months (9 h in Paris)
SIX_MONTHS_DUE = datetime(2031, 5, 26, 8, 0, tzinfo=timezone.utc)
BODY = "Bonjour {prenom_referent},\n\nNouvelles de {prenoms} ({mois} mois) ?\n{lien}\n\nAvant le {date_limite}."


def _theme_url(kind="suivi_invitation"):
    return f"/equipe/textes-des-mails/{THEME}/{kind}"


def _stage_url(stage_id, kind="suivi_invitation"):
    return f"/equipe/stages/{stage_id}/suivi/textes/{kind}"


def _save(client, url, subject, body, action="enregistrer"):
    return post_form(client, url, {"subject": subject, "body": body, "action": action})


@pytest.fixture
def stages(app):
    """Two stages of one theme (3 and 6 months' delay), one of another theme."""
    with app.app_context():
        first = make_stage({"nadia@example.org": ["Alex", "Sam"]})
        second = make_stage({"paul@example.org": ["Inès"]}, months=6, title="Accueil, été")
        other = make_stage({"lea@example.org": ["Yanis"]}, title="Métiers du sport")
        db.session.get(Stage, other).theme = "sport"
        db.session.commit()
    return first, second, other


def _wording(app, stage_id, kind="suivi_invitation"):
    with app.app_context():
        return mail_texts.wording(kind, db.session.get(Stage, stage_id))


# The check, without HTTP ----------------------------------------------------------------------

def test_every_shipped_text_passes_its_own_check():
    for key, kind in mail_texts.KINDS.items():
        assert mail_texts.problems(key, kind.subject, kind.body) == {}, key
        assert set(mail_texts.PLACEHOLDER.findall(kind.body)) <= set(kind.placeholders), key


@pytest.mark.parametrize("subject, body, field, message", [
    ("Suivi {titre}", BODY, "subject", "Code inconnu : {titre}."),
    ("Suivi", BODY.replace("{mois}", "{nb_mois}"), "body", "Code inconnu : {nb_mois}."),
    ("Suivi", BODY.replace("{mois}", "{mois"), "body", "Accolade seule ou mal fermée"),
    ("Suivi {titre_stage", BODY, "subject", "Accolade seule ou mal fermée"),
    ("Suivi", BODY.replace("{date_limite}", "date_limite}"), "body", "Accolade seule"),
    ("Suivi", BODY.replace("{lien}", "le lien"), "body", "Le texte doit contenir {lien}"),
    ("Votre lien {lien}", BODY, "subject", "Le lien n'a pas sa place dans le sujet"),
    ("", BODY, "subject", "Écrivez le sujet"),
    ("Suivi", "", "body", "Écrivez le texte"),
    ("Suivi", "{lien}" + "x" * 5000, "body", "Texte trop long"),
    ("Suivi {0}", BODY, "subject", "Code inconnu : {0}."),
])
def test_bad_placeholders_and_texts_are_refused_in_french(subject, body, field, message):
    errors = mail_texts.problems("suivi_invitation", subject, body)
    assert message in errors[field]
    assert set(errors) == {field}


def test_html_escapes_the_teams_words_and_the_values():
    kind = mail_texts.KINDS["suivi_invitation"]
    blocks = mail_texts.html_blocks("<b>Bonjour</b> {titre_stage} & co\n{lien}\n\n{prenoms}",
                                    {"titre_stage": "<script>x</script>", "lien": 'https://a/"b',
                                     "prenoms": "Sam <i>"}, kind)
    joined = " ".join(str(b) for b in blocks)
    assert "<b>" not in joined and "<script>" not in joined and "<i>" not in joined
    assert "&lt;b&gt;Bonjour&lt;/b&gt; &lt;script&gt;x&lt;/script&gt; &amp; co" in joined
    assert blocks[1] == "button" and "<strong>Sam &lt;i&gt;</strong>" in joined


# The team's pages -----------------------------------------------------------------------------

def test_theme_then_stage_texts_and_their_precedence(app, stages, auth, client):
    first, second, other = stages
    auth.login()
    assert _wording(app, first).source == "default"
    saved = _save(client, _theme_url(), "Des nouvelles ({titre_stage}, {mois} mois)", BODY)
    assert saved.status_code == 302
    for stage_id in (first, second):  # every stage of the theme
        assert _wording(app, stage_id) == mail_texts.Wording(
            "Des nouvelles ({titre_stage}, {mois} mois)", BODY, "theme")
    assert _wording(app, other).source == "default"  # another theme
    assert _wording(app, first, "suivi_relance").source == "default"  # another kind
    own = BODY.replace("Nouvelles", "Vos nouvelles")
    assert _save(client, _stage_url(second), "Pour {titre_stage}", own).status_code == 302
    assert _wording(app, second) == mail_texts.Wording("Pour {titre_stage}", own, "stage")
    assert _wording(app, first).source == "theme"
    page = client.get(f"/equipe/stages/{second}/suivi").get_data(as_text=True)
    assert "propre à ce stage" in page and _stage_url(second) in page
    listing = html_lib.unescape(client.get("/equipe/textes-des-mails").get_data(as_text=True))
    assert "Thème « sport »" in listing and "du thème" in listing
    # Back to the theme's text, then to the shipped one
    assert _save(client, _stage_url(second), "", "", action="retablir").status_code == 302
    assert _wording(app, second).source == "theme"
    assert _save(client, _theme_url(), "", "", action="retablir").status_code == 302
    assert _wording(app, second).source == "default"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.target_type == "mail_text").order_by(AuditEvent.id)).all()
        assert [(e.action, e.target_id, e.stage_id) for e in events] == [
            ("changed", "suivi_invitation", None), ("changed", "suivi_invitation", second),
            ("changed", "suivi_invitation", second), ("changed", "suivi_invitation", None)]
        assert "thème « accueil-billetterie »" in events[0].detail
        assert "enregistré" in events[0].detail and "retour" in events[2].detail


def test_a_bad_text_is_refused_next_to_its_field_and_nothing_is_saved(app, stages, auth, client):
    auth.login()
    refused = _save(client, _theme_url(), "Suivi {titre}", BODY.replace("{lien}", ""))
    assert refused.status_code == 422
    page = html_lib.unescape(refused.get_data(as_text=True))
    assert 'id="erreur-sujet" role="alert" >Code inconnu : {titre}.' in page
    assert "Le texte doit contenir {lien}" in page
    assert "Suivi {titre}" in page  # what was typed is still there
    with app.app_context():
        assert db.session.scalar(select(MailText)) is None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.target_type == "mail_text")) is None
    assert client.get("/equipe/textes-des-mails/accueil-billetterie/inconnu").status_code == 404
    assert client.get("/equipe/textes-des-mails/pas-de-stage/suivi_invitation").status_code == 404


def test_preview_shows_both_forms_with_the_stages_values_escaped(app, stages, auth, client):
    first, second, _ = stages
    auth.login()
    with app.app_context():
        db.session.get(Stage, second).title = "Accueil <été>"
        db.session.commit()
    shown = _save(client, _stage_url(second), "Suivi {titre_stage} à {mois} mois", BODY,
                  action="previsualiser")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "Suivi Accueil &lt;été&gt; à 6 mois" in page  # subject, escaped once on the page
    assert "Nouvelles de Alex et Sam (6 mois) ?" in page  # the plain text
    assert "srcdoc=" in page and "&amp;lt;été&amp;gt;" in page  # the HTML, escaped in the mail
    with app.app_context():
        assert db.session.scalar(select(MailText)) is None  # a preview saves nothing
    # The live preview (mail_texts.js) asks the same of a JSON endpoint
    token = csrf_token(client.get(_stage_url(second)))
    url = f"/equipe/stages/{second}/suivi/apercu/suivi_relance"
    answer = client.post(url, data={"csrf_token": token, "subject": "R {titre_stage}",
                                    "body": BODY}).get_json()
    assert answer["errors"] == {} and answer["subject"] == "R Accueil <été>"
    assert "&lt;été&gt;" not in answer["text"] and "Accueil <été>" not in answer["html"]
    assert 'class="mail' not in answer["html"] and "Reprendre le suivi" in answer["html"]
    bad = client.post(url, data={"csrf_token": token, "subject": "R", "body": "{x}"}).get_json()
    assert bad["errors"] == {"body": mail_texts.problems("suivi_relance", "R", "{x}")["body"]}
    assert client.post(url, data={"subject": "R", "body": BODY}).status_code == 400


def test_pages_say_the_stages_own_delay(app, stages, auth, client):
    first, second, _ = stages
    auth.login()
    six = html_lib.unescape(client.get(f"/equipe/stages/{second}/suivi").get_data(as_text=True))
    assert "<title>Suivi à 6 mois" in six and ">Suivi à 6 mois</a>" in six
    assert "3 mois" not in six
    three = html_lib.unescape(client.get(f"/equipe/stages/{first}/participants").get_data(as_text=True))
    assert ">Suivi à 3 mois</a>" in three


# Real sends -----------------------------------------------------------------------------------

def test_the_sent_mail_carries_the_edited_text_with_the_stages_values(tmp_path, smtp):
    app = make_app(database_for(tmp_path), **mail_settings(smtp))
    client = app.test_client()
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex", "Sam"]}, months=6, title="Accueil <été>")
        three = make_stage({"paul@example.org": ["Inès"]})
        create_user()
    post_form(client, "/connexion", {"email": EMAIL, "password": PASSWORD})
    _save(client, _theme_url(), "Des nouvelles à {mois} mois : {titre_stage}", BODY)
    _save(client, _stage_url(three), "Suivi de {titre_stage} ({mois} mois)",
          BODY.replace("Nouvelles", "Et les nouvelles"))
    with app.app_context():
        outcomes = dispatch_due(DUE) + dispatch_due(SIX_MONTHS_DUE)  # 3 months, then 6
        assert [(o.to, o.result) for o in outcomes if o.kind == "invitation"] == [
            ("paul@example.org", "sent"), ("nadia@example.org", "sent")]
    (paul,), (nadia,) = smtp.handler.to("paul@example.org")[:1], smtp.handler.to("nadia@example.org")
    assert nadia["Subject"] == "Des nouvelles à 6 mois : Accueil <été>"
    text = smtp.handler.text(nadia).replace("\r\n", "\n")
    assert text.startswith("Bonjour Nadia,\n\nNouvelles de Alex et Sam (6 mois) ?\nhttp://")
    assert "/suivi/" in text and text.rstrip().endswith("L'équipe de Cultures du Cœur Val-de-Marne")
    html = nadia.get_body(("html",)).get_content()
    assert "Accueil <été>" not in html and "<strong>Alex et Sam</strong>" in html
    assert "Répondre au suivi" in html
    assert paul["Subject"] == "Suivi de Métiers de l'accueil et de la billetterie (3 mois)"
    assert "Et les nouvelles de Inès (3 mois) ?" in smtp.handler.text(paul)
    assert "Avant le " in text and "{" not in text
    dispose(app)


def test_the_shipped_subject_says_six_months_for_a_six_month_stage(tmp_path, smtp):
    app = make_app(database_for(tmp_path), **mail_settings(smtp))
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]}, months=6)
        dispatch_due(SIX_MONTHS_DUE)
    (_, message), = smtp.messages
    assert message["Subject"] == "Suivi à 6 mois du stage « Métiers de l'accueil et de la billetterie »"
    text = smtp.handler.text(message)
    assert "6 mois plus tard" in text and "Alex a participé" in text and "3 mois" not in text
    dispose(app)


def test_the_preview_page_escapes_json_safely(app, stages, auth, client):
    """The JSON answer is data for textContent and srcdoc: no script may come from a text."""
    _, second, _ = stages
    auth.login()
    token = csrf_token(client.get(_stage_url(second)))
    answer = client.post(f"/equipe/stages/{second}/suivi/apercu/suivi_invitation",
                         data={"csrf_token": token, "subject": "S",
                               "body": "<script>alert(1)</script>\n{lien}"})
    assert "<script>alert" not in json.loads(answer.get_data(as_text=True))["html"]
