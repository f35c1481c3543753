"""Login lockout: 5 wrong passwords in 15 minutes lock the address for 15 minutes."""
from datetime import timedelta

from sqlalchemy import select

from questionnaires.auth import lockout
from questionnaires.extensions import db
from questionnaires.models import AuditEvent, LoginThrottle
from questionnaires.clock import utcnow
from tests.support.forms import csrf_token, post_form

LOCKED = "bloquée jusqu"
WRONG = "Adresse e-mail ou mot de passe incorrect"


def _as_the_test_client(app):
    """A request context from the test client's address: locks are per (address, client)."""
    return app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"})


def _try_login(client, email, password):
    """One login attempt through the form, for an account that may not exist."""
    return post_form(client, "/connexion", {"email": email, "password": password})


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(app, client, auth):
    email, password = auth.create()
    for attempt in range(4):
        assert WRONG in _try_login(client, email, "faux").get_data(as_text=True)
    fifth = _try_login(client, email, "faux").get_data(as_text=True)
    assert LOCKED in fifth and WRONG not in fifth
    refused = _try_login(client, email, password)
    assert refused.status_code == 200 and LOCKED in refused.get_data(as_text=True)
    assert client.get("/equipe/stages").status_code == 302  # still not logged in


def test_an_unknown_address_locks_the_same_way(client):
    answers = [_try_login(client, "personne@example.org", "x").get_data(as_text=True)
               for _ in range(5)]
    assert all(WRONG in page for page in answers[:4])
    assert LOCKED in answers[4]


def test_the_lock_ends_and_a_success_resets_the_count(app, client, auth):
    email, password = auth.create()
    for _ in range(4):
        _try_login(client, email, "faux")
    assert _try_login(client, email, password).status_code == 302
    auth.logout()
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle)) is None
    for _ in range(4):  # four more: a fresh count, so not locked
        assert WRONG in _try_login(client, email, "faux").get_data(as_text=True)
    with _as_the_test_client(app):  # the lock of a fifth failure, moved into the past
        until = lockout.record_failure(email, utcnow())
        assert until is not None
        db.session.get(LoginThrottle, lockout._key(email)).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _try_login(client, email, password).status_code == 302


def test_failures_spread_beyond_the_window_do_not_lock(app):
    with app.app_context():
        policy = lockout.Policy(5, timedelta(minutes=15), timedelta(minutes=15))
        start = utcnow()
        for minute in range(0, 80, 16):  # five failures, each in a window of its own
            assert lockout.record_failure("a@example.org", start + timedelta(minutes=minute),
                                          policy) is None
        for second in range(4):
            lockout.record_failure("b@example.org", start + timedelta(seconds=second), policy)
        until = lockout.record_failure("b@example.org", start + timedelta(minutes=14), policy)
        assert until == start + timedelta(minutes=29)
        assert lockout.locked_until("b@example.org", start + timedelta(minutes=28)) == until
        assert lockout.locked_until("b@example.org", start + timedelta(minutes=30)) is None


def test_logins_and_failures_are_in_the_journal(app, client, auth):
    email, password = auth.create()
    _try_login(client, email, "faux")
    _try_login(client, "inconnu@example.org", "faux")
    _try_login(client, email, password)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.user_email) for e in events] == [
            ("login_failed", email), ("login_failed", "inconnu@example.org"), ("logged_in", email)]
        assert events[0].user_id is not None and events[1].user_id is None
        assert events[2].ip == "127.0.0.1"


def _browser_post(base: str, email: str) -> int:
    """One person's login attempt with their own cookies, through a real HTTP server."""
    import http.cookiejar
    import urllib.error
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/connexion").read().decode()
    data = urllib.parse.urlencode({"email": email, "password": "faux",
                                   "csrf_token": csrf_token(page)})
    try:
        return opener.open(f"{base}/connexion", data=data.encode()).status
    except urllib.error.HTTPError as error:
        return error.code


def test_simultaneous_failures_for_a_new_address_all_count_and_never_fail(app):
    """Eight attempts at once (two workers racing to create the row, lost updates)."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.browser import serve

    with serve(app) as base, ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: _browser_post(base, "course@example.org"), range(8)))
    assert codes == [200] * 8
    with _as_the_test_client(app):  # the threads' requests came from 127.0.0.1 too
        row = db.session.get(LoginThrottle, lockout._key("course@example.org"))
        assert row.locked_until is not None and row.failures == 8


def test_a_lock_made_from_another_machine_does_not_keep_the_owner_out(app, client, auth):
    """Keyed by the address alone, anyone could keep a team member out for good (review)."""
    email, password = auth.create()
    stranger = app.test_client()
    for _ in range(6):
        answer = post_form(stranger, "/connexion", {"email": email, "password": "faux"},
                           environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert LOCKED in answer.get_data(as_text=True)  # the stranger's machine is locked out
    assert _try_login(client, email, password).status_code == 302  # the owner's is not
