"""The week on a phone (390×844) in a real Chromium: "Aujourd'hui" marks attendance in one tap
per person and the grid shows it; the two-absences flag appears and clears when excused; no
team page scrolls sideways, and the team menu folds behind one button."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.models import Attendance, Participant, Stage
from tests.support.browser import poll
from tests.support.factories import PASSWORD, make_week
from tests.support.security import build_world, url_of

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("screen", ["phone-390x844"], indirect=True)]

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def log_in(tab, site, email="camille@example.org", password=PASSWORD):
    tab.goto(f"{site}/connexion")
    tab.fill("#email", email)
    tab.fill("#password", password)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{site}/equipe/stages")


@pytest.fixture
def week(app, auth):
    """A stage running from yesterday, and a team account."""
    auth.create()
    with app.app_context():
        stage_id = make_week(clock.today() - timedelta(days=1))
        stage = db.session.get(Stage, stage_id)
        people = {p.first_name: p.id for p in stage.participants}
        return stage_id, [s.id for s in stage.slots], people


def marks(app, slot_id) -> dict[int, str]:
    with app.app_context():
        db.session.remove()
        return {a.participant_id: a.status for a in db.session.scalars(
            select(Attendance).where(Attendance.slot_id == slot_id))}


def tap(tab, person_id: int, label: str) -> None:
    """One tap on a person's button, then wait until the page says it is saved."""
    row = tab.locator(f"#p-{person_id}")
    with tab.expect_response(lambda r: r.request.method == "POST"):
        row.get_by_role("button", name=label, exact=True).tap()
    tab.wait_for_function("() => document.getElementById('today-status').textContent"
                          ".startsWith('Enregistré')")
    assert row.get_by_role("button", name=label, exact=True).get_attribute("aria-pressed") == "true"


def test_aujourdhui_marks_one_tap_per_person_and_the_grid_shows_it(app, week, tab, site, shots):
    stage_id, slots, people = week
    log_in(tab, site)
    tab.goto(f"{site}/equipe/stages/{stage_id}/aujourdhui?creneau={slots[0]}")
    assert tab.locator("h1").inner_text() == "Atelier du jour 1"
    assert "21 avenue Louis Georgeon, 94230" in tab.locator(".today-place").inner_text()
    wanted = {"Alex": "Présent·e", "Sam": "Absent·e", "Inès": "Excusé·e", "Dylan": "Présent·e"}
    posts = []
    tab.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    for name, label in wanted.items():
        tap(tab, people[name], label)
    assert len(posts) == len(wanted)  # one tap, one request per person
    assert "noté après coup" in tab.locator("#today-status").inner_text()
    sam_contact = tab.locator(f"#p-{people['Sam']} .roll-contact")
    assert sam_contact.is_visible() and sam_contact.locator('a[href="tel:+33639980102"]').count() == 1
    assert not tab.locator(f"#p-{people['Alex']} .roll-contact").is_visible()
    shots.take(tab, "aujourdhui")
    assert marks(app, slots[0]) == {people["Alex"]: "present", people["Sam"]: "absent",
                                    people["Inès"]: "excuse", people["Dylan"]: "present"}
    tab.goto(f"{site}/equipe/stages/{stage_id}/presences")
    for name, status in (("Alex", "present"), ("Sam", "absent"), ("Inès", "excuse")):
        cell = tab.locator(f'button[data-participant="{people[name]}"][data-slot="{slots[0]}"]')
        assert cell.get_attribute("data-status") == status
    assert tab.evaluate(SIDEWAYS) == 0


def test_two_absences_in_a_row_raise_a_flag_that_clears_when_excused(app, week, tab, site, shots):
    stage_id, slots, people = week
    sam = people["Sam"]
    log_in(tab, site)
    tab.goto(f"{site}/equipe/stages/{stage_id}/aujourdhui?creneau={slots[0]}")
    tap(tab, sam, "Absent·e")
    badge = tab.locator(f"#p-{sam} .flag-badge")
    assert not badge.is_visible()
    tab.get_by_role("link", name="Créneau suivant ›").tap()
    tab.wait_for_url(f"**creneau={slots[1]}")
    tap(tab, sam, "Absent·e")
    assert badge.is_visible() and badge.inner_text() == "Absences de suite : à appeler"
    tab.reload()
    flags = tab.locator(".card--alert")
    assert "Sam : absent·e 2 fois de suite" in flags.inner_text()
    assert flags.locator('a[href="tel:+33639980102"]').count() == 1
    assert flags.locator('a[href="tel:+33199001001"]').count() == 1  # the referent
    flags.get_by_label("Après l'appel : ce qu'il ou elle a dit (facultatif)").fill("Malade, revient demain")
    with tab.expect_navigation():
        flags.get_by_role("button", name="Noter « appelé·e »").tap()
    assert "Appelé·e" in tab.locator(".card--alert").inner_text()
    shots.take(tab, "a-appeler")
    tap(tab, sam, "Excusé·e")
    assert poll(lambda: not badge.is_visible(), 5)
    tab.goto(f"{site}/equipe/stages/{stage_id}")
    assert tab.locator(".card--alert").count() == 0
    assert tab.locator(".today-card").is_visible()  # during the stage, "Aujourd'hui" comes first
    tab.goto(f"{site}/equipe/stages/{stage_id}/participants")
    assert "« Malade, revient demain »" in tab.locator("table").inner_text()


def test_no_team_page_scrolls_sideways_and_the_menu_folds(app, tab, tab_context, site):
    world = build_world(app)  # the demo, an admin (to see every page) and its ids
    with app.app_context():
        live = make_week(clock.today() - timedelta(days=1))
        sam = db.session.scalar(select(Participant).where(Participant.first_name == "Sam"))
        for slot in db.session.get(Stage, live).slots[:2]:  # a flag to show on the live pages
            db.session.add(Attendance(participant_id=sam.id, slot_id=slot.id, stage_id=live,
                                      status="absent"))
        db.session.commit()
    log_in(tab, site, "admin@example.org", "mot-de-passe-1")
    menu = tab.get_by_role("button", name="Menu")
    assert menu.is_visible() and not tab.locator("#team-menu").is_visible()
    menu.tap()
    assert tab.locator("#team-menu").get_by_role("link", name="Lieux").is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint.split(".")[0] in ("team", "admin"):
            path = url_of(rule, world, "admin")
            paths.append((rule.endpoint, path))
            if set(rule.arguments) == {"stage_id"}:  # the live stage's own pages too
                paths.append((rule.endpoint, path.replace(f"/stages/{world.stage_id}",
                                                          f"/stages/{live}", 1)))
    wide = []
    for endpoint, path in sorted(paths):
        # Files, not pages (exports, archives, PDF, DOCX): the walk checks they answer, not
        # their layout; any route that answers with an attachment is one.
        fetched = tab_context.request.get(f"{site}{path}")
        if "attachment" in fetched.headers.get("content-disposition", ""):
            assert fetched.status == 200, path
            continue
        response = tab.goto(f"{site}{path}")
        assert response.status == 200, path
        if tab.evaluate(SIDEWAYS) > 0:
            wide.append(f"{path}: {tab.evaluate(SIDEWAYS)} px too wide")
    assert wide == []
    assert len(paths) > 45
