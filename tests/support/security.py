"""Shared by the access-control and hostile-input suites: a demo world, its actors, real URLs.

A "world" is the demo data plus what the actors need: a team member, an admin, two
participants of the recent stage (A and B), a referent of that stage, and links that have
expired (a participant of the 2021 stage, a referent invitation sent long ago). Every actor
is a real test client with a real session: participants open their link, the team's
sessions carry a logged-in user id.
"""
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask_wtf.csrf import generate_csrf
from sqlalchemy import String, select
from werkzeug.security import generate_password_hash

from questionnaires.recruitment import rules as recruitment_rules
from questionnaires.participant import bilan
from questionnaires.followups import progress
from questionnaires.demo import load_demo
from questionnaires.text import CONTROL
from questionnaires.engine.answers import clean_value, is_shown
from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.models import (
    FollowupInvitation,
    Participant,
    Professional,
    Referent,
    Response,
    Slot,
    Stage,
    Structure,
    User,
    Venue,
)
from questionnaires.clock import utcnow
from questionnaires.models.questionnaire import insert_seed
from questionnaires.models.response import facts_of
from questionnaires.stages.programme import activity_choices

ACTORS = ("anonymous", "participant_a", "participant_b", "referent", "expired", "team", "admin")
#: A token of the right shape whose signature is wrong: what someone guessing links sends
FORGED_TOKEN = "A" * 22 + "." + "B" * 22
CHEAP_HASH = generate_password_hash("mot-de-passe-1", method="pbkdf2:sha256:1000")
#: Phrases of templates/error.html, participant/error.html and referent/error.html pages
FRENCH_ERROR = re.compile(
    r"Page introuvable|Lien inconnu|Lien expiré|Accès refusé|Action impossible|Requête incorrecte"
    r"|Formulaire expiré|Page expirée|Bilan clos|Modification impossible|Personne inconnue"
    r"|Fichier trop volumineux|n'existe pas|Rechargez la page|n&#39;existe pas|Vérifiez"
    r"|ne correspond à aucun|n'est plus valable|Réponses illisibles|Rien n'a été enregistré"
    # A form sent back with its errors (422) says what to fix, in the engine's words
    r"|Choisissez|Cette question attend une réponse|Écrivez votre réponse|Réponse trop longue"
    r"|Cochez la case|Une des cases|Ce champ est obligatoire|Réponse illisible")


def is_french_error(response) -> bool:
    """Whether an error response says in French what happened (a page, or JSON {"error": …})."""
    if response.is_json:
        payload = response.get_json(silent=True)
        return isinstance(payload, dict) and bool(FRENCH_ERROR.search(str(payload.get("error"))))
    return bool(FRENCH_ERROR.search(response.get_data(as_text=True)))


@dataclass
class World:
    """The demo data and the ids, tokens and sessions the actors use."""

    app: object
    stage_id: int
    participant_a: int
    participant_b: int
    first_name_a: str
    token_a: str
    token_b: str
    expired_token: str
    expired_salt: str
    referent_token: str
    expired_referent_token: str
    params: dict = field(default_factory=dict)


@pytest.fixture
def world(app):
    """The demo data, its actors' accounts and links (see build_world)."""
    return build_world(app)


def reset_database(app) -> None:
    """Empty every table (faster than recreating the schema, and the same on both databases)."""
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        insert_seed(db.session.connection())  # a fresh database has the shipped versions
        db.session.commit()


def build_world(app) -> World:
    """Fresh demo data, two accounts (team, admin) and an expired referent link."""
    reset_database(app)
    with app.app_context():
        # Accounts first, so that the demo adds none; sessions carry their ids, and one
        # cheap hash is enough since no test here logs in through the form with them.
        for email, role in (("equipe-membre@example.org", "team"), ("admin@example.org", "admin")):
            db.session.add(User(email=email, name=f"Compte {role}", role=role,
                                password_hash=CHEAP_HASH))
        db.session.commit()
        load_demo()
        recent, old = db.session.scalars(select(Stage).order_by(Stage.end_date.desc())).all()[:2]
        people = db.session.scalars(select(Participant).where(Participant.stage_id == recent.id)
                                    .order_by(Participant.id)).all()
        a = people[0]
        b = next(p for p in people if p.referent_id != a.referent_id)
        expired = db.session.scalars(select(Participant).where(Participant.stage_id == old.id)
                                     .order_by(Participant.id)).first()
        invitation = db.session.scalar(select(FollowupInvitation).where(
            FollowupInvitation.stage_id == recent.id,
            FollowupInvitation.referent_id == a.referent_id))
        stale = db.session.scalars(select(FollowupInvitation).where(
            FollowupInvitation.stage_id == old.id).order_by(FollowupInvitation.id)).first()
        stale.first_sent_at = utcnow() - timedelta(days=400)  # its link died long ago
        invitation.first_sent_at = utcnow()  # sent: a link opens only from its first send
        proposal_page = recruitment_rules.page_for(recent)  # the public proposal page
        proposal_key = proposal_page.token
        candidate = recruitment_rules.propose(proposal_page, dict(
            referent_name="Nadia Prescriptrice", referent_email="nadia.prescriptrice@example.org",
            structure_name="Mission locale", first_name="Candidat", last_name="Test",
            qpv="inconnu"), utcnow())
        db.session.commit()
        slot = db.session.scalars(select(Slot).where(Slot.stage_id == recent.id)
                                  .order_by(Slot.date, Slot.id)).first()
        world = World(
            app=app, stage_id=recent.id, participant_a=a.id, participant_b=b.id,
            first_name_a=a.first_name, token_a=bilan.link_token(a), token_b=bilan.link_token(b),
            expired_token=bilan.link_token(expired), expired_salt=expired.bilan_link_salt,
            referent_token=progress.link_token(invitation),
            expired_referent_token=progress.link_token(stale),
        )
        world.params = {
            "stage_id": recent.id,
            "participant_id": a.id,
            "professional_id": db.session.scalar(select(Professional.id).where(
                Professional.stage_id == recent.id).order_by(Professional.id)),
            "invitation_id": invitation.id,
            "day_iso": slot.date.isoformat(),
            "period": slot.period,
            "action": "relances",  # pause the reminders: the mildest follow-up action
            "table": "participants",
            "extension": "csv",
            "key": "participants",
            "questionnaire": "bilan-individuel",
            "version": 1,  # published: an edit is refused (422), a new version is a draft
            "venue_id": db.session.scalar(select(Venue.id).order_by(Venue.id)),
            "structure_id": db.session.scalar(select(Structure.id).order_by(Structure.id)),
            "referent_id": db.session.scalar(select(Referent.id).order_by(Referent.id)),
            "number": 1,
            "page_key": proposal_key,
            "candidate_id": candidate.id,
            "step": "desiste",  # the mildest state change
            "filename": "css/app.css",
            "theme": recent.theme,
            "kind": "suivi_invitation",
            "user_id": db.session.scalar(select(User.id).where(User.email == "equipe-membre@example.org")),
        }
    return world


def actor_client(world: World, actor: str):
    """A test client holding `actor`'s session."""
    client = world.app.test_client()
    if actor in ("participant_a", "participant_b"):
        token = world.token_a if actor == "participant_a" else world.token_b
        assert client.get(f"/b/{token}").status_code == 302
    elif actor == "expired":
        # A tablet session opened while the 2021 stage's links still worked.
        with client.session_transaction() as session:
            session["bilan_nonce"] = world.expired_salt
    elif actor in ("team", "admin"):
        email = "equipe-membre@example.org" if actor == "team" else "admin@example.org"
        with world.app.app_context():
            session_id = db.session.scalar(select(User).where(User.email == email)).get_id()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    return client


def token_for(world: World, blueprint: str, actor: str) -> str:
    """The link token `actor` holds for a blueprint's token routes (a forged one if none)."""
    own = {
        "participant": {"participant_a": world.token_a, "participant_b": world.token_b,
                        "expired": world.expired_token},
        "referent": {"referent": world.referent_token, "expired": world.expired_referent_token},
        "invitation": {},  # a referent invited to a slot of the week: none in the world
    }
    if blueprint not in own:
        raise KeyError(f"no link token known for blueprint {blueprint!r}: add it to token_for()")
    return own[blueprint].get(actor, FORGED_TOKEN)


def url_of(rule, world: World, actor: str) -> str:
    """`rule` with real values from the world; fails naming a parameter it does not know."""
    values = {}
    for name in rule.arguments:
        if name == "token":
            values[name] = token_for(world, rule.endpoint.split(".")[0], actor)
        elif name in world.params:
            values[name] = world.params[name]
        else:
            raise KeyError(f"{rule.rule}: no demo value for <{name}>; add one to "
                           "build_world() params in tests/support/security.py")
    with world.app.test_request_context():
        return rule.build(values, append_unknown=False)[1]


def csrf_for(client) -> str:
    """A valid CSRF token for this client's session (as a page of the app would print it)."""
    app = client.application
    with client.session_transaction() as session:
        with app.test_request_context():
            from flask import session as request_session

            request_session.update(session)
            token = generate_csrf()
            session.update(request_session)
    return token


# Checks of what the database holds -----------------------------------------------------------

def string_column_problems(app) -> list[str]:
    """Strings longer than their column, or holding control characters (both never stored)."""
    problems = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)).all():
                for column, value in zip(columns, row):
                    if value is None:
                        continue
                    if column.type.length and len(value) > column.type.length:
                        problems.append(f"{table.name}.{column.name}: {len(value)} characters "
                                        f"for {column.type.length}")
                    if CONTROL.search(value):
                        problems.append(f"{table.name}.{column.name}: control character in "
                                        f"{value[:40]!r}")
    return problems


def response_problems(app) -> list[str]:
    """Stored answers that the engine would not accept as they are, or facts out of step."""
    problems = []
    with app.app_context():
        for response in db.session.scalars(select(Response)):
            definition = get_definition(response.questionnaire, response.version)
            if definition is None:
                problems.append(f"response {response.id}: unknown definition")
                continue
            keys = [key for key, _ in activity_choices(response.stage)]
            answers = response.answers or {}
            if not isinstance(answers, dict):
                problems.append(f"response {response.id}: answers are {type(answers).__name__}")
                continue
            for question_id, value in answers.items():
                question = definition.questions.get(question_id)
                if question is None:
                    problems.append(f"response {response.id}: unknown question {question_id}")
                    continue
                # Checked apart from the engine, so that a broken engine cannot vouch for itself.
                texts = value if isinstance(value, list) else [value]
                if any(isinstance(t, str) and CONTROL.search(t) for t in texts):
                    problems.append(f"response {response.id}: control character in {question_id}")
                cleaned, error = clean_value(question, value, keys)
                if isinstance(value, list) and isinstance(cleaned, list):
                    # Imported archives keep their file's order; the engine's is the definition's.
                    cleaned, value = sorted(cleaned), sorted(value)
                if error or cleaned != value:
                    problems.append(f"response {response.id}: {question_id}={value!r:.60} ({error})")
                if not is_shown(question, answers):
                    problems.append(f"response {response.id}: {question_id} answered but not shown")
            for column, fact in facts_of(answers).items():
                if getattr(response, column) != fact:
                    problems.append(f"response {response.id}: {column} out of step")
    return problems


def snapshot(app) -> dict:
    """Every row of every table, to show that a refused request changed nothing."""
    with app.app_context():
        db.session.remove()
        return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
                for table in db.metadata.sorted_tables}


# Forms found in a page -----------------------------------------------------------------------

@dataclass
class Form:
    """A <form> of a page: where it posts and its fields (name → sample values)."""

    action: str
    method: str
    fields: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)


class FormParser(HTMLParser):
    """Collects the forms of a page with their fields and the values the page offers."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._current, self._select = page_url, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = Form(attrs.get("action") or self.page_url,
                                 (attrs.get("method") or "get").upper())
            self.forms.append(self._current)
            return
        if self._current is None:
            return
        if tag == "option" and self._select:
            self._current.fields[self._select].append(attrs.get("value") or "")
            return
        name = attrs.get("name")
        if not name:
            return
        if tag in ("input", "button"):
            self._current.kinds[name] = attrs.get("type", "text" if tag == "input" else "submit")
            self._current.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea":
            self._current.kinds[name] = "textarea"
            self._current.fields.setdefault(name, []).append("")
        elif tag == "select":
            self._current.kinds[name] = "select"
            self._current.fields.setdefault(name, [])
            self._select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def forms_of(page_url: str, html: str) -> list[Form]:
    """The POST forms of a page (GET forms are filters: their fields become query strings)."""
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms
