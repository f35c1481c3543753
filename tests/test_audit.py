"""The audit log: every team endpoint has a rule, and requests leave the right events."""
from sqlalchemy import select

from questionnaires.privacy import audit
from questionnaires.extensions import db
from questionnaires.models import AuditEvent, Participant
from tests.support.forms import post_form


def _events(app, **where):
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return [(e.action, e.target_type, e.target_id, e.stage_id, e.user_email)
                for e in db.session.scalars(query)]


def test_every_team_endpoint_has_an_audit_rule(app):
    """A new team route without an entry in audit.TEAM_RULES fails here."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("team.")}
    assert endpoints - set(audit.TEAM_RULES) == set()
    assert set(audit.TEAM_RULES) - endpoints == set()  # no stale entries either
    for name, rule in audit.TEAM_RULES.items():
        assert rule.get in (None, "viewed", "exported"), name
        assert rule.post in (None, "changed", "imported", "purged"), name
        assert rule.target in audit.TARGET_LABELS, name


def test_a_page_with_personal_data_is_recorded_as_viewed(demo, team):
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).first()
    assert team.get(f"/equipe/stages/2/participants/{person.id}").status_code == 200
    assert team.get("/equipe/stages/2/participants").status_code == 200
    assert team.get("/equipe/stages").status_code == 200  # no personal data: not recorded
    events = _events(demo, action="viewed")
    assert events == [
        ("viewed", "participant", str(person.id), 2, "camille@example.org"),
        ("viewed", "participant", None, 2, "camille@example.org"),  # the list of stage 2
    ]


def test_exports_are_recorded(demo, team):
    assert team.get("/equipe/stages/2/export/participants.csv").status_code == 200
    assert team.get("/equipe/stages/2/archive.json").status_code == 200
    assert _events(demo, action="exported") == [
        ("exported", "export", "participants", 2, "camille@example.org"),
        ("exported", "archive", None, 2, "camille@example.org"),
    ]


def test_a_stored_change_is_recorded_a_refused_form_is_not(demo, team):
    refused = post_form(team, "/equipe/stages/2/modifier", {"title": ""})
    assert refused.status_code == 200
    assert _events(demo, action="changed") == []
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).first()
        slot = person.stage.slots[0]
    done = post_form(team, "/equipe/stages/2/presences", {"cell": f"{person.id}:{slot.id}:absent"},
                     headers={"Accept": "application/json"})
    assert done.get_json() == {"ok": True}
    bad = post_form(team, "/equipe/stages/2/presences", {"cell": "x:y:z"},
                    headers={"Accept": "application/json"})
    assert bad.status_code == 400
    assert _events(demo, action="changed") == [
        ("changed", "attendance", None, 2, "camille@example.org")]


def test_missing_pages_and_anonymous_requests_leave_nothing(demo, client):
    assert client.get("/equipe/stages/2/participants").status_code == 302
    assert _events(demo) == []


def test_record_copies_who_acted(app):
    with app.app_context():
        audit.record("purged", email="x" * 400, target_type="participant", target_id=7,
                     stage_id=1, detail="d" * 500)
        db.session.commit()
        event = db.session.scalar(select(AuditEvent))
        assert (len(event.user_email), len(event.detail), event.target_id) == (254, 300, "7")
        assert event.at is not None and event.ip is None


def test_an_erasure_on_request_is_recorded_as_purged(demo, auth):
    client = demo.test_client()
    auth.create("chef@example.org", "mot-de-passe-chef", role="admin")
    auth.login("chef@example.org", "mot-de-passe-chef", client=client)
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).first()
        person_id, first_name = person.id, person.first_name
    url = f"/equipe/stages/2/participants/{person_id}/anonymiser"
    done = post_form(client, url, {"first_name": first_name})
    assert done.status_code == 302
    assert _events(demo, action="purged") == [
        ("purged", "participant", str(person_id), 2, "chef@example.org")]
    assert client.get(f"/equipe/stages/2/participants/{person_id}/donnees.json").status_code == 200
    assert _events(demo, action="exported")[-1][:3] == ("exported", "participant", str(person_id))
