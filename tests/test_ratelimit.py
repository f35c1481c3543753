"""Rate limits: guessing links and hammering the login are stopped; real tablets are not."""
import pytest
from sqlalchemy import select

from questionnaires.clock import utcnow
from questionnaires.participant import bilan
from questionnaires.extensions import db
from questionnaires.followups import progress
from questionnaires.models import FollowupInvitation, Participant
from tests.support.factories import database_for, dispose, make_app
from tests.support.forms import csrf_token


@pytest.fixture
def limited(tmp_path):
    """The demo app with the limiter on (TestingConfig keeps it off for the other suites)."""
    from questionnaires.demo import load_demo

    # Failures still wait longer and longer, in milliseconds here (miss_delay is tested alone).
    app = make_app(database_for(tmp_path, "limited.sqlite"), RATELIMIT_ENABLED=True,
                   RATELIMIT_MISS_DELAY_STEP=0.001, RATELIMIT_MISS_DELAY_MAX=0.005)
    with app.app_context():
        load_demo()
    yield app
    dispose(app)


def _token(app):
    with app.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).first()
        return bilan.link_token(person)


def _referent_link(app) -> str:
    with app.app_context():
        invitation = db.session.scalar(select(FollowupInvitation).order_by(FollowupInvitation.id))
        if invitation.first_sent_at is None:  # a link opens only once its invitation has left
            invitation.first_sent_at = utcnow()
            db.session.commit()
        return f"/suivi/{progress.link_token(invitation)}"


def test_ten_tablets_behind_one_address_autosaving_are_never_limited(limited):
    tablets = []
    with limited.app_context():
        people = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).all()
        tokens = [bilan.link_token(p) for p in people[:10]]
    for token in tokens:
        tablet = limited.test_client()
        assert tablet.get(f"/b/{token}").status_code == 302
        tablet.csrf = csrf_token(tablet.get("/bilan/etape/1"))
        tablets.append(tablet)
    for _ in range(30):  # a few minutes of autosaves every few seconds, all ten at once
        for tablet in tablets:
            response = tablet.post("/bilan/brouillon", json={"answers": {"satisfaction_globale": 3}},
                                   headers={"X-CSRFToken": tablet.csrf})
            assert response.status_code == 200, response.get_data(as_text=True)


def test_guessing_links_is_stopped_with_a_french_429(limited):
    client = limited.test_client()
    good = _token(limited)
    for n in range(20):
        assert client.get(f"/b/devine{n:016d}").status_code == 404
    blocked = client.get(f"/b/devine{99:016d}")
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    assert "Patientez" in blocked.get_data(as_text=True)
    # Referent links share the count: guessing there is blocked too, in the referent's look.
    referent = client.get("/suivi/devine-encore")
    assert referent.status_code == 429 and "Patientez" in referent.get_data(as_text=True)
    # A valid link always opens: a group on one Wi-Fi with stale QR codes is not locked out.
    assert client.get(f"/b/{good}").status_code == 302
    assert client.get(_referent_link(limited)).status_code == 200  # a referent's too
    other_address = limited.test_client()
    assert other_address.get(f"/b/{good}", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302


def test_a_referent_autosave_blocked_gets_json(limited):
    client = limited.test_client()
    token = csrf_token(client.get("/connexion"))
    for n in range(20):
        client.get(f"/suivi/inconnu{n}")
    response = client.post("/suivi/inconnu/brouillon", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 429 and "Patientez" in response.get_json()["error"]


def test_login_posts_are_limited_per_address(limited):
    client = limited.test_client()
    token = csrf_token(client.get("/connexion"))
    codes = [client.post("/connexion", data={"email": f"x{n}@example.org", "password": "faux",
                                             "csrf_token": token}).status_code
             for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    page = client.post("/connexion", data={"email": "a@example.org", "password": "b",
                                           "csrf_token": token})
    assert page.status_code == 429 and "Trop de tentatives" in page.get_data(as_text=True)
    assert client.get("/connexion").status_code == 200  # only the POST is limited


def test_ten_wrong_passwords_do_not_refuse_a_colleagues_right_password(limited, auth):
    with limited.app_context():
        from tests.support.factories import create_user
        create_user("collegue@example.org", "le-bon-mot-de-passe-123")
    client = limited.test_client()
    token = csrf_token(client.get("/connexion"))
    codes = [client.post("/connexion", data={"email": f"x{n}@example.org", "password": "faux",
                                             "csrf_token": token}).status_code
             for n in range(12)]
    assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}
    right = client.post("/connexion", data={"email": "collegue@example.org",
                                            "password": "le-bon-mot-de-passe-123",
                                            "csrf_token": token})
    assert right.status_code == 302 and right.headers["Location"].endswith("/equipe/stages")


def test_unknown_links_wait_longer_and_longer():
    from questionnaires.web.ratelimit import miss_delay

    delays = [miss_delay(n, step=0.1, cap=2.0, free=5) for n in range(1, 30)]
    assert delays[:5] == [0] * 5
    assert all(a <= b for a, b in zip(delays, delays[1:])) and delays[5] > 0
    assert delays[-1] == 2.0


def test_the_limiter_is_off_in_the_other_suites(app):
    client = app.test_client()
    assert all(client.get(f"/b/x{n}").status_code == 404 for n in range(40))
