"""Team actions act once (issue 14, item 5): "Envoyer maintenant" pressed twice sends one mail;
the same form posted twice does nothing the second time; the buttons disable themselves."""
import html
import re

import pytest
from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.models import FollowupMessage, FormUse, OutboxMail
from tests.support.browser import TIMEOUT_MS, log_in
from tests.support.factories import make_stage
from tests.support.forms import csrf_token, post_form

ONCE = re.compile(r'name="once" type="hidden" value="([^"]+)"')


def _planned(app, client, auth) -> tuple[str, int]:
    """A stage whose follow-up is planned (not sent); the plan page's address and invitation."""
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
    auth.login()
    base = f"/equipe/stages/{stage_id}/suivi"
    assert client.get(base).status_code == 200  # opening the plan page plans the stage
    with app.app_context():
        invitation_id = db.session.scalar(select(FollowupMessage.invitation_id))
    return base, invitation_id


def _mails(app) -> list[str]:
    with app.app_context():
        return [m.kind for m in db.session.scalars(
            select(FollowupMessage).where(FollowupMessage.state == "sent")
            .order_by(FollowupMessage.id))]


def test_send_now_pressed_again_on_a_fresh_page_does_not_resend(app, auth, client):
    base, invitation_id = _planned(app, client, auth)
    first = post_form(client, f"{base}/{invitation_id}/envoyer", page_url=base,
                      follow_redirects=True)
    assert "E-mail envoyé à" in html.unescape(first.text)
    again = post_form(client, f"{base}/{invitation_id}/envoyer", page_url=base,
                      follow_redirects=True)
    assert "déjà partie" in html.unescape(again.text)
    assert _mails(app) == ["invitation"]  # no "renvoi"
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 1


@pytest.mark.parametrize("action, kinds", [("envoyer", ["invitation"]),
                                           ("renvoyer", ["invitation", "renvoi"])])
def test_the_same_form_posted_twice_acts_once(app, auth, client, action, kinds):
    base, invitation_id = _planned(app, client, auth)
    if action == "renvoyer":
        post_form(client, f"{base}/{invitation_id}/envoyer", page_url=base)
    page = client.get(base).text
    data = {"csrf_token": csrf_token(page), "once": ONCE.search(page).group(1)}
    url = f"{base}/{invitation_id}/{action}"
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data, follow_redirects=True)
    assert "déjà été faite" in html.unescape(second.text)
    assert _mails(app) == kinds
    with app.app_context():
        assert db.session.scalar(select(func.count(FormUse.key))) >= 1


def test_pausing_the_reminders_twice_by_a_double_click_stays_paused(app, auth, client):
    base, invitation_id = _planned(app, client, auth)
    post_form(client, f"{base}/{invitation_id}/envoyer", page_url=base)
    page = client.get(base).text
    assert "Suspendre les relances" in page
    data = {"csrf_token": csrf_token(page), "once": ONCE.search(page).group(1)}
    for _ in range(2):
        client.post(f"{base}/{invitation_id}/relances", data=data)
    assert "Reprendre les relances" in client.get(base).text


@pytest.mark.browser
def test_a_double_click_sends_the_form_once_and_disables_the_button(app, auth, chromium, site):
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
    auth.create()
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log_in(page, site, "camille@example.org", "mot-de-passe-1")
        page.goto(f"{site}/equipe/stages/{stage_id}/suivi")
        posts = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        button = page.get_by_role("button", name="Envoyer maintenant")
        # The answer goes to a frame (which refuses to show it), so the page stays to be looked at.
        page.evaluate("""() => { const f = document.createElement('iframe'); f.name = 'sink';
            document.body.append(f); document.querySelector('form[action$="/envoyer"]')
            .target = 'sink'; }""")
        with page.expect_response("**/envoyer"):
            button.dblclick()
        page.wait_for_timeout(300)  # room for a second request, which must not come
        assert button.is_disabled()
        assert len([u for u in posts if u.endswith("/envoyer")]) == 1
        page.goto(f"{site}/equipe/stages/{stage_id}/suivi")
        assert page.get_by_role("button", name="Renvoyer").is_visible()
    finally:
        context.close()
    assert _mails(app) == ["invitation"]
