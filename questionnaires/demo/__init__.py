"""Demo data: the report's 2021 stage and a recent sport stage, loaded as stage archives."""
import json
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from questionnaires import clock
from questionnaires.archive.stage import import_archive
from questionnaires.followups.plan import plan_stage
from questionnaires.participant.bilan import link_url, response_of
from questionnaires.extensions import db
from questionnaires.models import Stage, User

DEMO_DIR = Path(__file__).resolve().parent
DEMO_EMAIL = "equipe@example.org"
DEMO_PASSWORD = "demo-stages-2021"
#: The sport stage ends this many days before the demo is loaded (its bilans are due).
SPORT_ENDED_DAYS_AGO = 4


def read(name: str) -> dict:
    """One of the demo archives, parsed."""
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def shift_dates(archive: dict, days: int) -> dict:
    """A copy of `archive` with every date moved by `days` (stage, slots, responses)."""
    def move(value: str) -> str:
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()

    moved = json.loads(json.dumps(archive))
    moved["stage"]["start"] = move(moved["stage"]["start"])
    moved["stage"]["end"] = move(moved["stage"]["end"])
    for slot in moved["slots"]:
        slot["date"] = move(slot["date"])
    return moved


def sport_archive(today: date) -> dict:
    """The sport stage, dated so that it ended a few days before `today`."""
    archive = read("stage-sport.json")
    end = date.fromisoformat(archive["stage"]["end"])
    target_end = today - timedelta(days=SPORT_ENDED_DAYS_AGO)
    # Keep weekdays: move by whole weeks, then the stage ends on the Friday before target_end.
    weeks = (target_end - end).days // 7
    return shift_dates(archive, weeks * 7)


def load_demo(today: date | None = None) -> list[str]:
    """Import both demo stages and a demo account; returns what to tell the user."""
    today = today or clock.today()
    first = import_archive(read("stage-2021.json"))
    second = import_archive(sport_archive(today))
    lines = [f"Stage de démonstration 2021 chargé (id {first.id}).",
             f"Stage récent « {second.title} » chargé (id {second.id}, "
             f"du {second.start_date:%d/%m/%Y} au {second.end_date:%d/%m/%Y})."]
    if db.session.scalar(select(User).limit(1)) is None:
        user = User(email=DEMO_EMAIL, name="Équipe démo", role="admin")
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        lines.append(f"Compte de démonstration : {DEMO_EMAIL} / {DEMO_PASSWORD}")
    db.session.commit()
    # The follow-up plan follows from the data; make it visible at once rather than at the
    # first dispatch pass (the 2021 stage's is long overdue, so it is never sent by itself).
    now = clock.utcnow()
    for stage in (first, second):
        plan_stage(stage, now)
    return lines


def tablet_link_line() -> str | None:
    """A link to try the tablet bilan: someone of the latest stage who has not sent theirs."""
    stage = db.session.scalar(select(Stage).order_by(Stage.end_date.desc(), Stage.id.desc()))
    for person in stage.enrolled if stage else []:
        response = response_of(person)
        if response is None or response.submitted_at is None:
            return (f"Bilan sur tablette de {person.first_name} ({stage.title}) : "
                    f"{link_url(person, current_app.config['PUBLIC_URL'])}")
    return None
