"""The impact table: the report's 2021 figures, every definition on small stages, SQL cost."""
import json
from datetime import date, datetime, timezone

import pytest

from questionnaires.extensions import db
from questionnaires.impact.figures import stage_table
from questionnaires.impact.totals import across_stages
from questionnaires.models import (
    Attendance,
    Participant,
    Professional,
    Referent,
    Response,
    Slot,
    Stage,
    Structure,
    Venue,
)
from tests.support.queries import count_queries

TODAY = date(2026, 11, 27)
REPORT = {  # shared/domain/impact.md, "The 2021 stage in the report"
    "participants": 10, "hommes": 6, "femmes": 4, "age_min": 18, "age_max": 60,
    "moins_26": {"n": 6, "of": 10}, "qpv": {"n": 6, "of": 10}, "structures": 8,
    "lieux_culturels": 4, "professionnels": 10, "sortie_culturelle": {"n": 9, "of": 10},
    "jusqu_au_bout_satisfaits": {"n": 9, "of": 10}, "isolement_rompu": {"n": 4, "of": 10},
    "experience_groupe": {"n": 10, "of": 10},
}


def test_the_demo_2021_stage_gives_the_reports_figures(demo):
    with demo.app_context():
        figures = stage_table(db.session.get(Stage, 1), TODAY).figures
    for key, expected in REPORT.items():
        assert figures[key] == expected, key
    assert {k: figures["projet_plus_precis"][k] for k in ("n", "of")} == {"n": 7, "of": 10}
    assert figures["bilans_recus"] == 10


NOON = datetime(2025, 3, 10, 12, tzinfo=timezone.utc)


@pytest.fixture
def small(app):
    """A stage built by hand: 4 enrolled (one left on day 2, one without a bilan), 1 withdrawn."""
    with app.app_context():
        stage = Stage(title="Petit stage", theme="test", start_date=date(2025, 3, 3),
                      end_date=date(2025, 3, 5), followup_months=3)
        theatre = Venue(name="Théâtre", city="Ivry", kind="culturel")
        stadium = Venue(name="Stade", city="Ivry", kind="autre")
        structure = Structure(name="Mission locale")
        other = Structure(name="PLIE")
        r1 = Referent(name="Nadia", email="nadia@example.org", structure=structure)
        r2 = Referent(name="Paul", email="paul@example.org", structure=other)
        pro = Professional(stage=stage, role="régisseur", venue=theatre)
        slots = {
            "lun-am": Slot(stage=stage, key="lun-am", date=date(2025, 3, 3), period="matin",
                           title="Accueil", kind="atelier", venue=stadium),
            "mar-soir": Slot(stage=stage, key="mar-soir", date=date(2025, 3, 4), period="soiree",
                             title="Spectacle", kind="sortie_culturelle", venue=theatre,
                             professionals=[pro]),
            "mer-pm": Slot(stage=stage, key="mer-pm", date=date(2025, 3, 5), period="apres-midi",
                           title="Bilan", kind="bilan", venue=stadium),
        }
        people = {
            "ana": Participant(stage=stage, first_name="Ana", gender="F", birth_date=date(2000, 3, 3),
                               qpv="oui", referent=r1),   # 25 on day one
            "bob": Participant(stage=stage, first_name="Bob", gender="H", birth_date=date(1999, 3, 3),
                               qpv="veille", referent=r1),  # exactly 26: not under 26
            "cy": Participant(stage=stage, first_name="Cy", gender="X", birth_date=None,
                              qpv="inconnu", referent=r2, status="abandon"),  # left on day 2
            "dan": Participant(stage=stage, first_name="Dan", gender="H", birth_date=date(1980, 1, 1),
                               qpv="non"),  # no bilan
            "eve": Participant(stage=stage, first_name="Eve", gender="F", status="desiste",
                               birth_date=date(2004, 1, 1), referent=r2),
        }
        db.session.add_all([stage, theatre, stadium, structure, other, r1, r2, pro,
                            *slots.values(), *people.values()])
        db.session.flush()
        marks = {"ana": {"lun-am": "present", "mar-soir": "present", "mer-pm": "present"},
                 "bob": {"lun-am": "present", "mar-soir": "absent", "mer-pm": "present"},
                 "cy": {"lun-am": "present", "mar-soir": "absent", "mer-pm": "absent"},
                 "dan": {"lun-am": "present", "mar-soir": "excuse"},
                 "eve": {"lun-am": "present"}}
        for who, row in marks.items():
            for key, status in row.items():
                db.session.add(Attendance(participant_id=people[who].id, slot_id=slots[key].id,
                                          stage_id=stage.id, status=status))
        answers = {
            "ana": {"satisfaction_globale": 4, "projet_plus_precis": "oui", "orientation": ["emploi", "stage"],
                    "isolement_rompu": "oui", "experience_groupe": "oui", "demarche_active": "oui",
                    "obj_possibles": 4, "obj_confiance": 2},
            "bob": {"satisfaction_globale": 2, "projet_plus_precis": "nsp", "isolement_rompu": "nsp",
                    "experience_groupe": "oui", "demarche_active": "non", "obj_possibles": 3},
            "cy": {"satisfaction_globale": 3, "projet_plus_precis": "non", "isolement_rompu": "non",
                   "experience_groupe": "oui", "demarche_active": "oui"},
            "eve": {"satisfaction_globale": 4, "projet_plus_precis": "oui", "isolement_rompu": "oui"},
        }
        for who, given in answers.items():
            db.session.add(Response(stage=stage, participant=people[who], questionnaire="bilan-individuel",
                                    answers=given, submitted_at=NOON))
        db.session.add(Response(stage=stage, participant=people["dan"], questionnaire="bilan-individuel",
                                answers={"projet_plus_precis": "oui"}))  # a draft never counts
        for who, situation in (("ana", "formation"), ("bob", "recherche_active")):
            db.session.add(Response(stage=stage, participant=people[who], referent=people[who].referent,
                                    questionnaire="suivi-referent", answers={"situation": situation},
                                    submitted_at=NOON))
        db.session.commit()
        return stage.id


def _figures(app, stage_id, today=TODAY):
    with app.app_context():
        return stage_table(db.session.get(Stage, stage_id), today)


def test_every_definition_on_a_small_stage(app, small):
    table = _figures(app, small)
    f = table.figures
    assert f["participants"] == 4  # Eve withdrew before the start
    assert (f["femmes"], f["hommes"], f["autres"]) == (1, 2, 1)
    assert (f["age_min"], f["age_max"]) == (25, 45) and table.unknown["age"] == 1
    assert f["moins_26"] == {"n": 1, "of": 4}  # Bob is exactly 26
    assert f["qpv"] == {"n": 2, "of": 4} and table.unknown["qpv"] == 1
    assert f["structures"] == 2 and f["lieux_culturels"] == 1 and f["professionnels"] == 1
    assert f["sortie_culturelle"] == {"n": 1, "of": 4}
    assert f["jusqu_au_bout"] == {"n": 2, "of": 4}  # Cy left, Dan's last day unknown
    assert table.unknown["presence_dernier_jour"] == 1
    assert f["jusqu_au_bout_satisfaits"] == {"n": 1, "of": 4}  # Bob stayed but was not satisfied
    assert f["projet_plus_precis"]["n"] == 1 and f["projet_plus_precis"]["of"] == 4
    assert f["projet_plus_precis"]["orientation"]["emploi"] == 1
    assert f["isolement_rompu"] == {"n": 1, "of": 4}  # "nsp" is not "oui"...
    assert table.unknown["isolement_rompu"] == 1  # ...and Dan without a bilan is "non renseigné"
    assert f["experience_groupe"] == {"n": 2, "of": 4}
    assert f["bilans_recus"] == 3 and table.unknown["bilans"] == 1
    assert f["objectifs"]["obj_possibles"] == {"moyenne": 3.5, "n": 2, "of": 2}
    assert f["objectifs"]["obj_confiance"] == {"moyenne": 2.0, "n": 0, "of": 1}
    assert f["objectifs"]["obj_territoire"] == {"moyenne": None, "n": 0, "of": 0}
    assert f["suivi_reponses"] == {"n": 2, "of": 4}
    assert f["suivi_situation"]["formation"] == 1 and f["suivi_situation"]["recherche_active"] == 1
    assert f["sorties_positives"] == {"n": 1, "of": 2}


def test_followup_figures_wait_for_the_followup_date(app, small):
    before = _figures(app, small, today=date(2025, 6, 4)).figures  # due on 5 June
    assert before["suivi_reponses"] == "pas encore dû" == before["sorties_positives"]
    assert _figures(app, small, today=date(2025, 6, 5)).figures["suivi_reponses"]["n"] == 2


def test_a_stage_with_no_cultural_outing(app, small):
    with app.app_context():
        db.session.execute(db.update(Slot).where(Slot.kind == "sortie_culturelle").values(kind="visite"))
        db.session.commit()
    table = _figures(app, small)
    assert table.figures["sortie_culturelle"] == {"n": 0, "of": 4}
    assert table.notes["sans_sortie"] is True


def test_an_empty_stage_has_a_table(app):
    with app.app_context():
        stage = Stage(title="Vide", theme="test", start_date=date(2025, 1, 6), end_date=date(2025, 1, 10))
        db.session.add(stage)
        db.session.commit()
        figures = stage_table(stage, TODAY).figures
    assert figures["participants"] == 0 and figures["age_min"] is None
    assert figures["qpv"] == {"n": 0, "of": 0}


def test_across_stages_totals_and_filters(demo):
    with demo.app_context():
        summary = across_stages(TODAY)
        assert [s.theme for s in summary.stages] == ["accueil-billetterie", "sport-evenementiel"]
        total = summary.total.figures
        assert total["participants"] == 18
        assert total["qpv"]["of"] == 18
        assert total["suivi_reponses"] == {"n": 8, "of": 10}  # only stages whose follow-up is due
        only_2021 = across_stages(TODAY, year=2021)
        assert [s.id for s in only_2021.stages] == [1]
        assert only_2021.total.figures["structures"] == 8
        assert across_stages(TODAY, theme="sport-evenementiel").total.figures["participants"] == 8
        assert across_stages(TODAY, year=1999).stages == []


def _grow(app, copies: int) -> None:
    """Add `copies` more stages like the demo's 2021 one (same archive, new participants)."""
    from questionnaires.archive.stage import import_archive
    from questionnaires.demo import read
    with app.app_context():
        for _ in range(copies):
            import_archive(read("stage-2021.json"))
        db.session.commit()


def test_query_count_does_not_grow_with_the_data(demo):
    def measure():
        with count_queries(demo) as counter:
            with demo.app_context():
                across_stages(TODAY)
                stage_table(db.session.get(Stage, 1), TODAY)
        return counter["n"]

    small = measure()
    _grow(demo, 5)
    assert measure() == small


def test_cli_prints_json_with_the_keys_of_impact_md(demo):
    result = demo.test_cli_runner().invoke(args=["impact", "--stage", "1", "--format", "json"])
    figures = json.loads(result.output)
    assert figures["sortie_culturelle"] == {"n": 9, "of": 10}
    assert isinstance(figures["participants"], int)
    assert isinstance(figures["objectifs"]["obj_possibles"]["moyenne"], float)
    everything = json.loads(demo.test_cli_runner().invoke(args=["impact", "--all", "--format", "json"]).output)
    assert [s["id"] for s in everything["stages"]] == [1, 2] and everything["total"]["participants"] == 18
    bad = demo.test_cli_runner().invoke(args=["impact", "--stage", "99"])
    assert bad.exit_code != 0 and "Aucun stage" in bad.output


def test_fact_columns_follow_the_answers_whoever_sets_them(demo):
    from questionnaires.models.response import FACTS
    with demo.app_context():
        responses = db.session.scalars(db.select(Response)).all()
        assert len(responses) > 20
        for response in responses:
            for question_id, kind in FACTS.items():
                value = response.answers.get(question_id)
                if kind is list:
                    expected = "," + ",".join(sorted(value)) + "," if value else None
                else:
                    expected = value if isinstance(value, kind) and not isinstance(value, bool) else None
                assert getattr(response, f"fact_{question_id}") == expected
        observed = [r.fact_apport_stage for r in responses if r.participant_id and r.referent_id]
        assert observed and all(v in (1, 2, 3, 4) for v in observed)
        response = next(r for r in responses if r.questionnaire == "bilan-individuel")
        response.answers = {**response.answers, "satisfaction_globale": 1, "isolement_rompu": "nsp",
                            "orientation": ["stage", "emploi", "stage"]}
        part_a = next(r for r in responses if r.participant_id and r.referent_id)
        part_a.answers = {**part_a.answers, "apport_stage": "nsp"}  # a later "je ne sais pas"
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Response, response.id)
        assert (stored.fact_satisfaction_globale, stored.fact_isolement_rompu) == (1, "nsp")
        assert stored.fact_orientation == ",emploi,stage,"
        assert db.session.get(Response, part_a.id).fact_apport_stage is None


def test_the_migration_backfills_the_new_facts(tmp_path):
    """0015 copies the observations, part B and the orientation of rows stored before it."""
    import sqlalchemy as sa
    from tests.support.system import flask_db
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    assert flask_db(url, "upgrade", "0008").returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO stage (id, title, theme, start_date, end_date, capacity, followup_months,"
            " created_at) VALUES (1, 'S', 't', '2021-11-22', '2021-11-26', 10, 3, '2021-01-01')"))
        connection.execute(sa.text(
            "INSERT INTO response (id, stage_id, questionnaire, version, answers, created_at,"
            " updated_at, resume_section) VALUES (1, 1, 'bilan-collectif', 1, :a, '2021-01-01',"
            " '2021-01-01', 0)"), {"a": json.dumps({"orientation": ["stage", "emploi"],
                                                     "apport_stage": 3, "confiance_observee": "nsp",
                                                     "nouvelles_methodes": "oui"})})
    result = flask_db(url, "upgrade")
    assert result.returncode == 0, result.stderr
    with engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT fact_orientation, fact_apport_stage, fact_confiance_observee,"
            " fact_nouvelles_methodes FROM response")).one()
    engine.dispose()
    assert tuple(row) == (",emploi,stage,", 3, None, "oui")


def test_totals_average_the_objectives_exactly(app, small):
    """Two identical stages: the total mean is the stage's, computed from the summed scores."""
    from questionnaires.archive.stage import export_stage, import_archive
    with app.app_context():
        archive = export_stage(db.session.get(Stage, small))
        import_archive(archive)
        db.session.commit()
        summary = across_stages(TODAY)
        one = summary.tables[small].figures["objectifs"]["obj_possibles"]
        assert summary.total.figures["objectifs"]["obj_possibles"] == {
            "moyenne": one["moyenne"], "n": 2 * one["n"], "of": 2 * one["of"]}
