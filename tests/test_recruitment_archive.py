"""The stage archive's optional `candidates` list (format id unchanged), and the candidates'
retention: non_retenu / desiste erased CANDIDATE_RETENTION_MONTHS after the stage."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from questionnaires.archive.schema import FORMAT
from questionnaires.archive.stage import export_participant, export_stage, import_archive
from questionnaires.extensions import db
from questionnaires.models import Candidate, Participant, ScheduledMail, Stage
from questionnaires.privacy.retention import purge_expired
from questionnaires.recruitment import rules
from tests.support.factories import make_stage

PROPOSED = datetime(2030, 10, 1, 8, tzinfo=timezone.utc)


def person(n: int) -> dict:
    return dict(referent_name="Nadia Benali", referent_email="nadia@ml.example.org",
                structure_name="Mission locale", first_name=f"Personne{n}", last_name="Martin",
                birth_date=date(2000, 1, n + 1), phone="06 12 34 56 78", qpv="oui",
                motivation="Découvrir.")


def recruited_stage() -> int:
    """A stage (26/11/2030) with one candidate retained, one refused, one who withdrew."""
    stage = db.session.get(Stage, make_stage({}))
    page = rules.page_for(stage)
    kept, refused, gone = (rules.propose(page, person(n), PROPOSED) for n in range(3))
    for step in ("entretien", "info_collective", "retenu"):
        assert rules.move(kept, rules.Move(step, PROPOSED), PROPOSED) is None
    assert rules.move(refused, rules.Move("non_retenu", reason="Complet."), PROPOSED) is None
    assert rules.move(gone, rules.Move("desiste"), PROPOSED) is None
    db.session.commit()
    return stage.id


def test_candidates_travel_in_the_archive_and_come_back(app):
    with app.app_context():
        stage_id = recruited_stage()
        archive = export_stage(db.session.get(Stage, stage_id))
        assert archive["format"] == FORMAT == "stage-archive/1"
        states = sorted(c["state"] for c in archive["candidates"])
        assert states == ["desiste", "non_retenu", "retenu"]
        [kept] = [c for c in archive["candidates"] if c["state"] == "retenu"]
        assert kept["participant"] == archive["participants"][0]["key"]
        copy = import_archive(archive)
        db.session.commit()
        back = db.session.scalars(select(Candidate).where(Candidate.stage_id == copy.id)
                                  .order_by(Candidate.id)).all()
        assert [(c.state, c.first_name, c.reason) for c in back] == [
            ("retenu", "Personne0", None), ("non_retenu", "Personne1", "Complet."),
            ("desiste", "Personne2", None)]
        assert back[0].participant.stage_id == copy.id
        assert back[0].interview_at == PROPOSED and back[1].birth_date == date(2000, 1, 2)
        # A participant's own extract holds their proposal only
        participant = db.session.get(Participant, back[0].participant_id)
        extract = export_participant(participant)
        assert [c["first_name"] for c in extract["candidates"]] == ["Personne0"]


def test_an_archive_without_candidates_is_unchanged(app):
    with app.app_context():
        archive = export_stage(db.session.get(Stage, make_stage({"a@example.org": ["Alex"]})))
        assert "candidates" not in archive
        import_archive(archive)
        db.session.commit()


def test_a_bad_candidate_is_refused_in_french(app):
    with app.app_context():
        archive = export_stage(db.session.get(Stage, recruited_stage()))
        archive["candidates"][0]["state"] = "peut-etre"
        archive["candidates"][1]["participant"] = "a99"
        try:
            import_archive(archive)
        except Exception as error:  # ArchiveError lists every problem
            text = str(getattr(error, "errors", error))
            assert "candidates[0]" in text and "candidates[1]" in text
        else:
            raise AssertionError("a bad archive was imported")


def test_refused_and_withdrawn_candidates_are_erased_after_six_months(app):
    with app.app_context():
        stage_id = recruited_stage()  # ended 26/11/2030
        purge_expired(datetime(2031, 5, 20, tzinfo=timezone.utc))  # less than six months
        assert db.session.scalar(select(Candidate.anonymised_at.is_(None)).limit(1))
        assert all(c.anonymised_at is None for c in db.session.scalars(select(Candidate)))
        # The refusal's mail to the referent names the person: it goes with the erasure
        mails_before = {m.dedupe_key for m in db.session.scalars(select(ScheduledMail))}
        report = purge_expired(datetime(2031, 5, 27, 12, tzinfo=timezone.utc))
        db.session.commit()
        mails_after = {m.dedupe_key for m in db.session.scalars(select(ScheduledMail))}
        refused_id = next(c.id for c in report.candidates if c.state == "non_retenu")
        assert f"recrutement_non_retenu:{refused_id}" in mails_before - mails_after
        assert any(k.startswith("recrutement_retenu:") for k in mails_after)
        assert sorted(c.state for c in report.candidates) == ["desiste", "non_retenu"]
        rows = {c.state: c for c in db.session.scalars(select(Candidate).where(
            Candidate.stage_id == stage_id))}
        for state in ("desiste", "non_retenu"):
            c = rows[state]
            assert c.anonymised_at is not None
            assert (c.last_name, c.birth_date, c.phone, c.motivation) == (None, None, None, None)
            assert "Personne" not in c.first_name and "nadia" not in c.referent_email
        assert rows["retenu"].anonymised_at is None and rows["retenu"].first_name == "Personne0"
        # After RETENTION_YEARS every candidate of the stage is erased
        report = purge_expired(datetime(2036, 1, 1, tzinfo=timezone.utc))
        assert [c.state for c in report.candidates] == ["retenu"]


def test_the_demo_2021_stage_has_its_recruitment_and_conventions(demo, runner, tmp_path):
    with demo.app_context():
        stage = db.session.scalars(select(Stage).order_by(Stage.start_date)).first()
        assert stage.start_date == date(2021, 11, 22)
        groups = rules.by_state(stage)
        assert len(groups["retenu"]) == 10 and len(groups["non_retenu"]) == 3
        assert all(c.participant.stage_id == stage.id for c in groups["retenu"])
        assert all(c.reason for c in groups["non_retenu"])
        stage_id = stage.id
    result = runner.invoke(args=["pmsmp", "conventions", "--stage", str(stage_id),
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("convention-pmsmp-*.docx"))) == 10


def test_an_erased_referent_leaves_nothing_in_the_recruitment(app):
    """Erasing a referent (on request, by retention, or again after a restore) also takes
    their name and address off the candidates they proposed and their mails off the queue."""
    from questionnaires.models import Referent
    from questionnaires.privacy.anonymise import anonymise_referent

    with app.app_context():
        recruited_stage()
        retained = db.session.scalar(select(Candidate).where(Candidate.state == "retenu"))
        referent = db.session.get(Referent, retained.referent_id)
        assert db.session.scalar(select(ScheduledMail).where(
            ScheduledMail.to_address == "nadia@ml.example.org")) is not None
        assert anonymise_referent(referent, datetime(2031, 1, 5, tzinfo=timezone.utc))
        db.session.commit()
        for candidate in db.session.scalars(select(Candidate)):
            assert "Nadia" not in candidate.referent_name
            assert "nadia" not in candidate.referent_email
        assert db.session.scalar(select(ScheduledMail).where(
            ScheduledMail.to_address == "nadia@ml.example.org")) is None


def test_an_erased_candidate_is_in_the_register_and_erased_again_after_a_restore(app):
    """A backup taken before the purge holds the candidate: the register erases them again."""
    from questionnaires.models import Erasure
    from questionnaires.privacy.erasures import reapply

    with app.app_context():
        recruited_stage()
        report = purge_expired(datetime(2031, 5, 27, 12, tzinfo=timezone.utc))
        db.session.commit()
        erased = sorted(c.id for c in report.candidates)
        lines = db.session.scalars(select(Erasure).where(Erasure.kind == "candidate")).all()
        assert sorted(e.subject_id for e in lines) == erased
        register = [{"kind": e.kind, "subject_id": e.subject_id, "at": e.at.isoformat()}
                    for e in lines]
        # As if a backup from before the purge came back: names and no erasure date
        for candidate in db.session.scalars(select(Candidate).where(Candidate.id.in_(erased))):
            candidate.first_name, candidate.last_name = "Revenu", "Martin"
            candidate.anonymised_at = None
        db.session.commit()
        assert reapply(register, datetime(2031, 6, 1, tzinfo=timezone.utc)) == len(erased)
        db.session.commit()
        for candidate in db.session.scalars(select(Candidate).where(Candidate.id.in_(erased))):
            assert candidate.anonymised_at is not None and "Revenu" not in candidate.first_name
