"""What the tests build: apps on a database of their own, accounts, stages to follow up."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from questionnaires import create_app
from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import Participant, Referent, Slot, Stage, Structure, User, Venue
from tests.support.system import DATABASE_URL

#: 26 Nov 2030 + 3 months = 26 Feb 2031, 09:00 in Paris (winter: UTC+1). In the future, so
#: that links opened over HTTP (which use the real clock) have not expired.
END = date(2030, 11, 26)
DUE = datetime(2031, 2, 26, 8, 0, tzinfo=timezone.utc)
#: The team member `auth` logs in by default
EMAIL, PASSWORD = "camille@example.org", "mot-de-passe-1"
#: The account of the `admin` fixture
ADMIN = ("admin@example.org", "mot-de-passe-admin")


def make_app(database_url: str, **overrides):
    """An app in testing mode on `database_url`, with a fresh schema."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def database_for(tmp_path, name: str = "test.sqlite") -> str:
    """TEST_DATABASE_URL on the PostgreSQL pass, else a SQLite file of the test's own."""
    return DATABASE_URL or f"sqlite:///{tmp_path / name}"


def dispose(app) -> None:
    """Close what a test's app holds open (its session, its engine's connections)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def create_user(email: str = EMAIL, password: str = PASSWORD, role: str = "team") -> User:
    """A team account (an admin with role="admin"), in the current app context."""
    user = User(email=email, name="Camille Équipe", role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_stage(followers: dict, end: date = END, months: int = 3,
               title: str = "Métiers de l'accueil et de la billetterie") -> int:
    """A stage whose participants follow `followers` ({referent email: [first names]}).

    A first name starting with "-" is a participant who withdrew before the start.
    """
    stage = Stage(title=title, theme="accueil-billetterie", start_date=end, end_date=end,
                  capacity=50, followup_months=months)
    db.session.add(stage)
    for email, names in followers.items():
        referent = db.session.query(Referent).filter_by(email=email).first()
        if referent is None:
            structure = Structure(name=f"Structure de {email}")
            referent = Referent(name=email.split("@")[0].capitalize() + " Référente",
                                email=email, structure=structure)
            db.session.add(referent)
        for name in names:
            withdrew = name.startswith("-")
            stage.participants.append(Participant(first_name=name.lstrip("-"), referent=referent,
                                                  status="desiste" if withdrew else "inscrit"))
    db.session.commit()
    return stage.id


#: The week stage's people: first name, phone, e-mail, status
WEEK_PEOPLE = [("Alex", "06 39 98 01 01", "alex@example.org", "inscrit"),
               ("Sam", "06 39 98 01 02", None, "inscrit"),
               ("Inès", None, "ines@example.org", "inscrit"),
               ("Dylan", "06 39 98 01 04", "dylan@example.org", "abandon")]


def make_week(start: date, days: int = 5, extra: int = 0) -> int:
    """A stage of `days` days from `start`, a morning and an afternoon each day (the first
    afternoon at its own hours), at two venues with addresses; WEEK_PEOPLE follow a referent
    with a phone, and `extra` more people with an e-mail each."""
    structure = Structure(name="Mission locale des Bords de Marne")
    referent = Referent(name="Nadia Référente", email="nadia@example.org",
                        phone="01 99 00 10 01", structure=structure)
    theatre = Venue(name="Théâtre de la Semaine", city="Cachan",
                    address="21 avenue Louis Georgeon, 94230")
    cite = Venue(name="Cité des métiers de la Semaine", city="Choisy-le-Roi", kind="autre",
                 address="14 rue Waldeck Rousseau, 94600")
    stage = Stage(title="Métiers de l'accueil", theme="accueil", start_date=start,
                  end_date=start + timedelta(days=days - 1), capacity=100)
    for n in range(days):
        day = start + timedelta(days=n)
        stage.slots.append(Slot(key=f"j{n}-am", date=day, period="matin", kind="atelier",
                                title=f"Atelier du jour {n + 1}", venue=theatre))
        stage.slots.append(Slot(key=f"j{n}-pm", date=day, period="apres-midi", kind="visite",
                                title=f"Visite du jour {n + 1}", venue=cite,
                                start_time=time(14, 15) if n == 0 else None,
                                end_time=time(16, 45) if n == 0 else None))
    for name, phone, email, status in WEEK_PEOPLE:
        stage.participants.append(Participant(first_name=name, phone=phone, email=email,
                                              status=status, referent=referent))
    for i in range(extra):
        stage.participants.append(Participant(first_name=f"Personne{i}",
                                              email=f"personne{i}@example.org"))
    db.session.add(stage)
    db.session.commit()
    return stage.id


@pytest.fixture
def sent(app):
    """Nadia follows Alex and Sam, Paul follows Inès (same stage); Nadia also follows
    Autrestage in another stage. The invitations are sent (to the outbox: TESTING)."""
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex", "Sam"], "paul@example.org": ["Inès"]})
        make_stage({"nadia@example.org": ["Autrestage"]}, title="Métiers du sport")
        dispatch_due(DUE)
    return app
