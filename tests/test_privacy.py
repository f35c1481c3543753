"""Data protection: retention purge, erasure on request, the participant's extract, the notice."""
import json
import re
from datetime import date, datetime, timezone

from sqlalchemy import JSON, String, Text, select

from questionnaires.participant import bilan
from questionnaires.followups import progress
from questionnaires.archive.schema import validate
from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.impact.figures import Selection, compute
from questionnaires.impact.totals import across_stages
from questionnaires.models import (
    FollowupInvitation,
    OutboxMail,
    Participant,
    Referent,
    Response,
    Stage,
)
from questionnaires.privacy.anonymise import (
    REDACTED,
    redact,
    synthetic_birth_date,
    without_free_texts,
)
from questionnaires.privacy.retention import purge_expired
from questionnaires.followups.scheduler import build, run_purge
from tests.support.forms import csrf_token, post_form

#: After both demo stages' follow-ups (the sport stage ends on 2026-11-20)
AFTER_FOLLOWUPS = datetime(2027, 3, 1, 9, tzinfo=timezone.utc)
#: Six years after the sport stage: both demo stages are past the 5-year retention
SIX_YEARS_LATER = datetime(2032, 11, 21, 9, tzinfo=timezone.utc)
FIGURES_DAY = SIX_YEARS_LATER.date()


def _tables(today: date):
    """Every stage's table and the across-stages table, as plain comparable values."""
    per_stage = compute(Selection(), today)
    summary = across_stages(today)
    return per_stage, {sid: t for sid, t in summary.tables.items()}, summary.total


def _personal_strings() -> list[str]:
    """Names, e-mails and free texts of every participant and referent, as stored now."""
    found = []
    for person in db.session.scalars(select(Participant)):
        found += [person.first_name, person.last_name, person.display_name]
    for referent in db.session.scalars(select(Referent)):
        found += [referent.name, referent.email]
    # Free texts by or about a participant (bilan, part A); the team's collective bilan and the
    # referents' opinion of the stage are about the stage, kept minus the names.
    for response in db.session.scalars(select(Response).where(Response.participant_id.isnot(None))):
        kept = without_free_texts(response)
        found += [v for k, v in response.answers.items() if k not in kept and isinstance(v, str)]
    return [s for s in found if s and len(s) >= 3]


def _every_text_value() -> list[str]:
    """Every value of every text or JSON column of every table.

    JSON is decoded and written back without escapes: stored JSON may spell « è » as \\u00e8.
    """
    values = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                values += [v for v in db.session.scalars(select(column)) if v]
            elif isinstance(column.type, JSON):
                values += [json.dumps(v, ensure_ascii=False)
                           for v in db.session.scalars(select(column)) if v]
    return values


def test_synthetic_birth_date_keeps_the_age_at_the_stage_start():
    start = date(2021, 11, 22)
    for born in (date(2003, 4, 17), date(2001, 11, 22), date(2001, 11, 23), date(1961, 8, 14)):
        fake = synthetic_birth_date(born, start)
        assert (start.year - fake.year - ((start.month, start.day) < (fake.month, fake.day))
                == start.year - born.year - ((start.month, start.day) < (born.month, born.day)))
    # A stage starting on 29 February: the synthetic date must exist and give the same age.
    assert synthetic_birth_date(date(2000, 3, 1), date(2024, 2, 29)) == date(2001, 2, 28)
    assert synthetic_birth_date(None, start) is None


def test_redact_replaces_whole_words_only():
    assert redact("Yanis a intégré une formation. yanis !", ["Yanis"]) == \
        f"{REDACTED} a intégré une formation. {REDACTED} !"
    assert redact("Yanisse reste", ["Yanis"]) == "Yanisse reste"
    assert redact("Merci Anne-Marie et Marie", ["Marie"]) == f"Merci Anne-Marie et {REDACTED}"
    assert redact(None, ["Yanis"]) is None


def test_retention_keeps_every_figure_and_leaves_no_personal_data(demo):
    with demo.app_context():
        dispatch_due(AFTER_FOLLOWUPS)  # mails in the outbox name participants and referents
        assert db.session.scalar(select(OutboxMail.id))
        before = _tables(FIGURES_DAY)
        personal = _personal_strings()
        cities = {p.id: p.city for p in db.session.scalars(select(Participant))}
        births = {(p.id, p.birth_date) for p in db.session.scalars(select(Participant))}
        assert any(len(s) > 60 for s in personal)  # free texts are in the list
        report = purge_expired(SIX_YEARS_LATER)
        db.session.commit()
        assert len(report.participants) == 18 and len(report.referents) == 11
        db.session.expire_all()

        assert _tables(FIGURES_DAY) == before
        stored = _every_text_value()
        for text in personal:
            pattern = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)
            leaks = [v for v in stored if pattern.search(v)]
            assert not leaks, f"« {text} » remains in {leaks[:2]}"
        people = db.session.scalars(select(Participant)).all()
        assert all(p.city is None and p.last_name is None and p.anonymised_at for p in people)
        assert any(cities.values())
        assert not births & {(p.id, p.birth_date) for p in people}  # synthetic dates only
        assert all(r.email.endswith("@anonyme.invalid") for r in db.session.scalars(select(Referent)))

        again = purge_expired(SIX_YEARS_LATER)  # idempotent: nothing left to do
        assert again.participants == [] and again.referents == []


def test_nothing_is_anonymised_before_the_retention_period(demo):
    with demo.app_context():
        names = sorted(p.display_name for p in db.session.scalars(select(Participant)))
        # The 2021 stage ended on 2021-11-26: on 2026-11-26 it is exactly five years old.
        on_the_day = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)
        report = purge_expired(on_the_day)
        db.session.commit()
        assert report.participants == [] and report.referents == []
        assert sorted(p.display_name for p in db.session.scalars(select(Participant))) == names
        assert db.session.scalar(select(Participant.id).where(
            Participant.anonymised_at.isnot(None))) is None


def test_the_day_after_only_the_old_stage_and_its_own_referents_go(demo):
    with demo.app_context():
        old = db.session.scalar(select(Stage).where(Stage.start_date < date(2022, 1, 1)))
        shared = {"leila.fontanel@example.org", "nadia.ferhat@example.org"}  # also in 2026
        # A bilan in the kept stage (no referent: a NULL among the kept stage's ties)
        recent_person = db.session.scalar(select(Participant).where(Participant.stage_id != old.id))
        db.session.add(Response(stage_id=recent_person.stage_id, participant_id=recent_person.id,
                                questionnaire="bilan-individuel", answers={}))
        db.session.commit()
        report = purge_expired(datetime(2026, 11, 27, 12, tzinfo=timezone.utc))
        db.session.commit()
        assert {p.stage_id for p in report.participants} == {old.id}
        assert len(report.participants) == 10
        emails = {r.email for r in db.session.scalars(select(Referent))}
        assert shared <= emails
        assert len(report.referents) == 6
        recent = db.session.scalars(select(Participant).where(Participant.stage_id != old.id))
        assert all(p.anonymised_at is None and p.city for p in recent)


#: A retention period that today puts the 2021 demo stage past it and keeps the 2026 one
#: (the demo's dates are fixed, the clock is not: at least 1 year from 2023 on)
TODAY_ONLY_2021 = date.today().year - 2022


def test_purge_cli_dry_run_changes_nothing_then_purges_once(demo):
    runner = demo.test_cli_runner()
    result = runner.invoke(args=["privacy", "purge-expired", "--dry-run",
                                 "--now", "2032-11-21T09:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "18 participant·e·s seraient anonymisé·e·s" in result.output
    with demo.app_context():
        assert db.session.scalar(select(Participant.id).where(
            Participant.anonymised_at.isnot(None))) is None
    # A date in the future would erase people for good: only a dry run may pretend
    refused = runner.invoke(args=["privacy", "purge-expired", "--now", "2032-11-21T09:00+00:00"])
    assert refused.exit_code != 0 and "--dry-run" in refused.output
    demo.config["RETENTION_YEARS"] = TODAY_ONLY_2021
    result = runner.invoke(args=["privacy", "purge-expired"])
    assert "10 participant·e·s anonymisé·e·s, 6 référent·e·s anonymisé·e·s" in result.output
    result = runner.invoke(args=["privacy", "purge-expired"])
    assert "0 participant·e·s anonymisé·e·s, 0 référent·e·s" in result.output
    assert runner.invoke(args=["privacy", "purge-expired", "--dry-run", "--now", "demain"]
                         ).exit_code != 0
    with demo.app_context():
        from questionnaires.models import AuditEvent

        details = [e.detail for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "purged"))]
        assert len(details) == 1 and "commande flask privacy purge-expired" in details[0]


def test_a_retention_below_one_year_is_refused_before_anything_is_erased(demo, tmp_path):
    from questionnaires import create_app

    for years in (0, -1):
        demo.config["RETENTION_YEARS"] = years
        result = demo.test_cli_runner().invoke(args=["privacy", "purge-expired"])
        assert result.exit_code != 0 and "au moins 1" in result.output
        run_purge(demo)  # the scheduler's pass logs the refusal
    with demo.app_context():
        assert db.session.scalar(select(Participant.id).where(
            Participant.anonymised_at.isnot(None))) is None
    try:
        create_app({"TESTING": True, "RETENTION_YEARS": 0,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    except ValueError as error:
        assert "RETENTION_YEARS" in str(error)
    else:
        raise AssertionError("the app started with RETENTION_YEARS = 0")


def test_scheduler_runs_the_purge_daily(demo):
    scheduler = build(demo, blocking=True)
    job = scheduler.get_job("purge_expired")
    assert job.max_instances == 1 and job.coalesce is True
    assert job.trigger.interval.days == 1
    demo.config["RETENTION_YEARS"] = TODAY_ONLY_2021
    run_purge(demo)
    with demo.app_context():
        people = db.session.scalars(select(Participant).join(Stage)).all()
        assert {p.stage.start_date.year for p in people if p.anonymised_at} == {2021}
        assert all(p.anonymised_at for p in people if p.stage.start_date.year == 2021)


# On request, from the team pages ----------------------------------------------------------------

def _yanis(app):
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.first_name == "Soufiane"))
        return person.stage_id, person.id


def test_the_extract_is_a_valid_archive_of_one_person(demo, admin):
    stage_id, person_id = _yanis(demo)
    response = admin.get(f"/equipe/stages/{stage_id}/participants/{person_id}/donnees.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    extract = json.loads(response.get_data(as_text=True))
    assert validate(extract) == []
    (person,) = extract["participants"]
    assert person["first_name"] == "Soufiane" and person["attendance"]
    kinds = sorted(r["questionnaire"] for r in extract["responses"])
    assert kinds == ["bilan-individuel", "suivi-referent"]
    assert all(r["participant"] == person["key"] for r in extract["responses"])
    assert [r["key"] for r in extract["referents"]] == [person["referent"]]
    assert len(extract["structures"]) == 1 and extract["slots"]
    assert "Ella-Sue" not in response.get_data(as_text=True)


def test_only_admins_reach_the_data_pages(demo, team, admin):
    stage_id, person_id = _yanis(demo)
    base = f"/equipe/stages/{stage_id}/participants/{person_id}"
    assert team.get(f"{base}/donnees.json").status_code == 403
    assert team.get(f"{base}/anonymiser").status_code == 403
    assert "Effacer ses données" not in team.get(base).get_data(as_text=True)
    anonymous = demo.test_client()
    assert anonymous.get(f"{base}/donnees.json").status_code == 302
    assert anonymous.post(f"{base}/anonymiser").status_code in (302, 400)
    assert admin.get(f"{base}/donnees.json").status_code == 200
    assert admin.get(f"/equipe/stages/{stage_id}/participants/999/donnees.json").status_code == 404


def test_erasure_on_request_keeps_the_figures_and_kills_the_link(demo, admin):
    stage_id, person_id = _yanis(demo)
    base = f"/equipe/stages/{stage_id}/participants/{person_id}"
    with demo.app_context():
        token = bilan.link_token(db.session.get(Participant, person_id))
        before = _tables(FIGURES_DAY)
    page = admin.get(base)
    assert "Effacer ses données (anonymiser)" in page.get_data(as_text=True)
    form = admin.get(f"{base}/anonymiser")
    assert "On ne peut pas revenir en arrière" in form.get_data(as_text=True)
    assert admin.post(f"{base}/anonymiser", data={"first_name": "Soufiane"}).status_code == 400
    wrong = post_form(admin, f"{base}/anonymiser", {"first_name": "Ella-Sue"})
    assert wrong.status_code == 200 and "ne correspond pas" in wrong.get_data(as_text=True)
    with demo.app_context():
        assert db.session.get(Participant, person_id).anonymised_at is None
    done = post_form(admin, f"{base}/anonymiser", {"first_name": " soufiane "}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "ont été effacées" in text
    assert f"Personne anonymisée {person_id}" in text and "Personne anonymisée le" in text
    with demo.app_context():
        assert _tables(FIGURES_DAY) == before
        person = db.session.get(Participant, person_id)
        assert person.last_name is None and person.city is None
        assert person.birth_date != date(2003, 4, 17)
        assert person.age_on(person.stage.start_date) == 18
        answers = [r.answers for r in db.session.scalars(
            select(Response).where(Response.participant_id == person_id))]
        assert answers and not any("temoignage" in a or "commentaire" in a for a in answers)
        assert "Soufiane" not in " ".join(_every_text_value())
        others = db.session.scalar(select(Participant).where(Participant.first_name == "Ella-Sue"))
        assert others.anonymised_at is None and others.last_name == "Carvalho"
    assert demo.test_client().get(f"/b/{token}").status_code == 404
    # The same form sent again from a tab left open
    again = admin.post(f"{base}/anonymiser", data={"first_name": "x",
                                                   "csrf_token": csrf_token(form)},
                       follow_redirects=True)
    assert "déjà anonymisée" in again.get_data(as_text=True)


def test_the_referent_is_no_longer_asked_about_an_erased_person(demo):
    stage_id, person_id = _yanis(demo)
    with demo.app_context():
        dispatch_due(datetime(2022, 3, 1, 9, tzinfo=timezone.utc))
        referent_id = db.session.get(Participant, person_id).referent_id
        invitation = db.session.scalar(select(FollowupInvitation).where(
            FollowupInvitation.stage_id == stage_id,
            FollowupInvitation.referent_id == referent_id))
        ids = [card.participant.id for card in progress.cards(invitation)]
        assert person_id in ids
        from questionnaires.privacy.anonymise import anonymise_participant
        anonymise_participant(db.session.get(Participant, person_id),
                              datetime.now(timezone.utc))
        db.session.commit()
        assert person_id not in [card.participant.id for card in progress.cards(invitation)]


# The notice ---------------------------------------------------------------------------------------

def test_the_notice_is_public_and_names_who_to_ask(app):
    app.config.update(PRIVACY_CONTROLLER="Association Exemple", PRIVACY_CONTACT="rgpd@example.org")
    page = app.test_client().get("/confidentialite")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for words in ("Association Exemple", "rgpd@example.org", "5 ans après la fin du stage",
                  "Vos droits", "à les effacer", "Vous êtes référente ou référent ?"):
        assert words in text
    assert "Revenir à mon bilan" not in text
    back = app.test_client().get("/confidentialite?depuis=bilan").get_data(as_text=True)
    assert "Revenir à mon bilan" in back


def test_tablet_and_referent_pages_show_the_short_notice(demo):
    with demo.app_context():
        person = db.session.scalar(select(Participant).where(Participant.first_name == "Mehdi"))
        token = bilan.link_token(person)
    client = demo.test_client()
    welcome = client.get(f"/b/{token}", follow_redirects=True).get_data(as_text=True)
    assert "Vos informations" in welcome and "/confidentialite?depuis=bilan" in welcome
    notice = client.get("/confidentialite?depuis=bilan").get_data(as_text=True)
    assert "stages@example.org" in notice  # no PRIVACY_CONTACT: the sender's address
    with demo.app_context():
        dispatch_due(datetime(2022, 3, 1, 9, tzinfo=timezone.utc))
        invitation = db.session.scalar(select(FollowupInvitation))
        invitation.first_sent_at = datetime.now(timezone.utc)  # a link opens only once sent
        db.session.commit()
        link = progress.link_token(invitation)
    page = demo.test_client().get(f"/suivi/{link}")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    assert 'href="/confidentialite"' in page.get_data(as_text=True)


def test_an_anonymised_identity_cannot_be_typed_back(demo, admin):
    stage_id, person_id = _yanis(demo)
    with demo.app_context():
        from questionnaires.privacy.anonymise import anonymise_participant
        anonymise_participant(db.session.get(Participant, person_id), datetime.now(timezone.utc))
        db.session.commit()
    url = f"/equipe/stages/{stage_id}/participants/{person_id}"
    page = admin.get(url)
    assert "ne peuvent plus être changés" in page.get_data(as_text=True)
    post_form(admin, url, {"first_name": "Soufiane", "last_name": "Belhadj", "city": "Ivry",
                           "birth_date": "2003-04-17", "gender": "H", "qpv": "non",
                           "referent_id": "0", "status": "inscrit", "pmsmp": "signee"})
    with demo.app_context():
        person = db.session.get(Participant, person_id)
        assert person.first_name == f"Personne anonymisée {person_id}"
        assert person.last_name is None and person.city is None
        assert person.qpv == "non" and person.pmsmp == "signee"  # facts can still be corrected


def test_a_name_is_redacted_from_the_outbox_mails_even_when_html_escapes_it(demo):
    with demo.app_context():
        from questionnaires.privacy.anonymise import anonymise_participant
        person = db.session.scalar(select(Participant).where(Participant.first_name == "Mehdi"))
        person.first_name = "N'Dèye"
        db.session.commit()
        dispatch_due(AFTER_FOLLOWUPS)
        mails = " ".join(m.body_text + m.body_html for m in db.session.scalars(select(OutboxMail)))
        assert "N'Dèye" in mails and "N&#39;Dèye" in mails
        anonymise_participant(person, datetime.now(timezone.utc))
        db.session.commit()
        mails = " ".join(m.subject + m.body_text + m.body_html
                         for m in db.session.scalars(select(OutboxMail)))
        assert "Dèye" not in mails and REDACTED in mails
