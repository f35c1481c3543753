"""Benchmark: the impact table on 10 000 stages, 100 000 participants, 1 000 000 answers.

Builds a SQLite file with synthetic data (fixed seed), then times the across-stages impact
table and one stage's dashboard page (through the real app and a logged-in test client),
and reports the SQL query count of each. Run: `make bench` or
`.venv/bin/python bench/impact_scale.py [--stages N]`.
"""
import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select  # noqa: E402

from questionnaires import create_app  # noqa: E402
from questionnaires.extensions import db  # noqa: E402
from questionnaires.stages.attendance import refresh_attendance_summary  # noqa: E402
from questionnaires.models.response import facts_of  # noqa: E402
from questionnaires.models import (  # noqa: E402
    Attendance,
    Participant,
    Referent,
    Response,
    Slot,
    Stage,
    Structure,
    User,
    Venue,
)

PERIODS = [("matin", 0), ("apres-midi", 0), ("matin", 1), ("apres-midi", 1), ("apres-midi", 4)]
KINDS = ["atelier", "visite", "sortie_culturelle", "rencontre", "bilan"]
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def build(app, stages: int, per_stage: int, seed: int = 7) -> dict:
    """Insert the synthetic data in bulk; returns row counts."""
    rng = random.Random(seed)
    with app.app_context():
        db.create_all()
        structures = [{"id": i + 1, "name": f"Structure {i}"} for i in range(200)]
        db.session.execute(insert(Structure), structures)
        db.session.execute(insert(Referent), [
            {"id": i + 1, "name": f"Référent {i}", "email": f"r{i}@example.org",
             "structure_id": i % 200 + 1} for i in range(1000)])
        db.session.execute(insert(Venue), [
            {"id": i + 1, "name": f"Lieu {i}", "city": "Ivry", "kind": "culturel" if i % 3 else "autre"}
            for i in range(300)])
        stage_rows, slot_rows, people, attendance, responses = [], [], [], [], []
        person_id = slot_id = 0
        for s in range(1, stages + 1):
            start = date(2018, 1, 1) + timedelta(days=7 * (s % 400))
            stage_rows.append({"id": s, "title": f"Stage {s}", "theme": ["accueil", "sport"][s % 2],
                               "start_date": start, "end_date": start + timedelta(days=4),
                               "capacity": 100, "followup_months": 3, "created_at": NOW})
            slot_ids = []
            for k, (period, day) in enumerate(PERIODS):
                slot_id += 1
                slot_ids.append((slot_id, day))
                slot_rows.append({"id": slot_id, "stage_id": s, "key": f"k{k}",
                                  "date": start + timedelta(days=day), "period": period,
                                  "title": "Atelier", "kind": KINDS[k], "venue_id": rng.randint(1, 300)})
            for _ in range(per_stage):
                person_id += 1
                people.append({"id": person_id, "stage_id": s, "first_name": "Prénom",
                               "birth_date": date(1960 + rng.randint(0, 45), 1 + rng.randint(0, 11), 1),
                               "gender": rng.choice("FHX"), "qpv": rng.choice(["oui", "veille", "non", "inconnu"]),
                               "referent_id": rng.randint(1, 1000), "status": "inscrit", "pmsmp": "signee",
                               "bilan_link_salt": f"n{person_id}"})
                for sid, _ in slot_ids:
                    attendance.append({"participant_id": person_id, "slot_id": sid, "stage_id": s,
                                       "status": rng.choice(["present", "present", "absent"])})
                answers = {"satisfaction_globale": rng.randint(1, 4), "experience_groupe": rng.choice(["oui", "non", "nsp"]),
                           "demarche_active": rng.choice(["oui", "non"]), "isolement_rompu": rng.choice(["oui", "non", "nsp"]),
                           "projet_plus_precis": rng.choice(["oui", "non", "nsp"]),
                           "orientation": rng.sample(["stage", "formation", "benevolat", "emploi",
                                                      "autre"], rng.randint(1, 2)),
                           **{key: rng.randint(1, 4) for key in ("obj_possibles", "obj_competences",
                              "obj_remobilisation", "obj_confiance", "obj_territoire")}}
                responses.append({**facts_of(answers),
                                  "stage_id": s, "questionnaire": "bilan-individuel", "version": 1,
                                  "participant_id": person_id, "referent_id": None,
                                  "answers": answers, "submitted_at": NOW,
                                  "created_at": NOW, "updated_at": NOW, "resume_section": 0})
                # The follow-up: a part A for 80 % of people, a second referent's for 5 %
                if rng.random() < 0.8:
                    for extra in range(2 if rng.random() < 0.05 else 1):
                        responses.append(_part_a(rng, s, person_id, extra))
            for referent in rng.sample(range(1, 1001), 3):  # part B of three referents
                answers = {"nouvelles_methodes": rng.choice(["oui", "non", "nsp"]),
                           "participer_prochain": "oui"}
                responses.append({**facts_of(answers), "stage_id": s,
                                  "questionnaire": "suivi-referent", "version": 1,
                                  "participant_id": None, "referent_id": referent,
                                  "answers": answers,
                                  "submitted_at": NOW, "created_at": NOW, "updated_at": NOW,
                                  "resume_section": 0})
        for model, rows in ((Stage, stage_rows), (Slot, slot_rows), (Participant, people),
                            (Attendance, attendance), (Response, responses)):
            for i in range(0, len(rows), 20_000):
                db.session.execute(insert(model), rows[i:i + 20_000])
        # Bulk inserts bypass the ORM flush that keeps the attendance summary: compute it here.
        refresh_attendance_summary(db.session, select(Stage.id))
        user = User(email="bench@example.org", name="Bench", role="admin")
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return {"stages": len(stage_rows), "participants": len(people), "answers":
                sum(len(r["answers"]) for r in responses), "attendance": len(attendance)}


def _part_a(rng, stage_id: int, person_id: int, extra: int) -> dict:
    """A referent's part A about one participant (a later one for a handover)."""
    answers = {"nouvelles": "oui", "situation": rng.choice(["emploi", "formation", "stage",
                                                            "recherche_active", "perdu_de_vue"]),
               **{key: rng.randint(1, 4) for key in ("apport_stage", "confiance_observee",
                                                     "mobilite_observee")}}
    return {**facts_of(answers), "stage_id": stage_id, "questionnaire": "suivi-referent",
            "version": 1, "participant_id": person_id, "referent_id": 1 + (person_id + extra) % 1000,
            "answers": answers, "submitted_at": NOW + timedelta(days=extra), "created_at": NOW,
            "updated_at": NOW, "resume_section": 0}


def timed(app, action, repeat: int = 3) -> tuple[float, int]:
    """Best time of `repeat` runs, and the SQL queries of one run."""
    counter = {"n": 0}

    def count(*args):
        counter["n"] += 1

    best = float("inf")
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        for _ in range(repeat):
            counter["n"] = 0
            started = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - started)
        event.remove(db.engine, "before_cursor_execute", count)
    return best, counter["n"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stages", type=int, default=10_000)
    parser.add_argument("--per-stage", type=int, default=10)
    parser.add_argument("--database-url", help="an EMPTY database to fill (default: a temporary "
                        "SQLite file); its tables are dropped at the end")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": url})
        started = time.perf_counter()
        counts = build(app, options.stages, options.per_stage)
        print(f"data: {counts} built in {time.perf_counter() - started:.1f} s")
        from questionnaires.impact.totals import across_stages
        client = app.test_client()
        client.post("/connexion", data={"email": "bench@example.org", "password": "bench-password"})
        stage_id = options.stages // 2

        def page():
            assert client.get(f"/equipe/stages/{stage_id}/impact").status_code == 200

        results = {
            "across-stages impact table": timed(app, lambda: across_stages(date(2026, 11, 27))),
            "one stage's dashboard page": timed(app, page),
            "across-stages page": timed(app, lambda: client.get("/equipe/impact?theme=sport")),
        }
        for name, (seconds, queries) in results.items():
            verdict = "OK" if seconds < 1 else "SLOW"
            print(f"{name:32s} {seconds * 1000:8.0f} ms  {queries:3d} queries  {verdict} (target < 1 s)")
        if options.database_url:
            with app.app_context():
                db.drop_all()


if __name__ == "__main__":
    main()
