"""One way to render a question and one way to read a post, on the three pages that ask them.

The tablet's steps, the referent's page and the collective bilan write their questions through
`render_question` (engine/render.py) and read posts with `read_answers` (engine/answers.py);
the collective bilan's rules live in stages/collective.py, plain functions given `now`.
"""
import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from questionnaires.engine import render
from questionnaires.engine.answers import read_answers, redisplayed
from questionnaires.engine.definitions import Choice, Question
from questionnaires.extensions import db
from questionnaires.followups import progress
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupInvitation, Participant, Referent, Stage
from questionnaires.participant import bilan
from questionnaires.stages import collective
from tests.support.factories import DUE, make_stage
from tests.support.forms import csrf_token

SCALE = Question("humeur", "echelle4", "Ça va ?", True, help="Une face par réponse.")
YES_NO = Question("nouvelles", "oui_non_nsp", "Des nouvelles de {prenom} ?", False)
TICKS = Question("talents", "choix_multiples", "Vos talents", False,
                 choices=(Choice("calme", "Calme"), Choice("drole", "Drôle")))
PROGRAMME = Question("activites", "activites", "Vos activités", False)
CONSENT = Question("accord", "consentement", "D'accord ?", False)
SHORT = Question("autre", "texte_court", "Autre chose ?", False,
                 shown_if=("humeur", (3, 4)))
LONG = Question("mot", "texte_long", "Un mot", True)
ALL = (SCALE, YES_NO, TICKS, PROGRAMME, CONSENT, SHORT, LONG)


class Elements(HTMLParser):
    """The start tags of a piece of HTML, as (tag, attributes) pairs."""

    def __init__(self, html: str):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def inputs(self, **wanted) -> list[dict]:
        return [a for t, a in self.tags if t == "input"
                and all(a.get(k) == v for k, v in wanted.items())]

    def checked(self) -> list[dict]:
        return [a for t, a in self.tags if t == "input" and "checked" in a]


# Reading a post -------------------------------------------------------------------------------

def test_a_whole_page_reads_every_question_and_a_missing_one_is_unanswered():
    form = MultiDict([("humeur", "3"), ("talents", "calme"), ("talents", "drole"),
                      ("mot", "Merci"), ("accord", "y"), ("inconnu", "x")])
    assert read_answers(ALL, form) == {
        "humeur": "3", "nouvelles": None, "talents": ["calme", "drole"], "activites": [],
        "accord": True, "autre": None, "mot": "Merci"}
    # An unticked box and an empty tick list post nothing: "no answer", marker or not.
    empty = read_answers(ALL, MultiDict([("talents--present", "1")]))
    assert empty["talents"] == [] and empty["accord"] is False and empty["activites"] == []


def test_a_partial_page_reads_only_the_questions_it_posted():
    form = MultiDict([("p7-humeur", "2"), ("p7-talents--present", "1"), ("p7-autre", ""),
                      ("p7-accord", "y"), ("p8-humeur", "4")])
    assert read_answers(ALL, form, "p7-", partial=True) == {
        "humeur": "2", "talents": [], "accord": True, "autre": ""}
    # Tick boxes without their marker come from no page: ignored, as before.
    assert read_answers(ALL, MultiDict([("p7-talents", "calme")]), "p7-", partial=True) == {}
    assert read_answers(ALL, MultiDict(), "b-", partial=True) == {}


def test_a_refused_post_shows_what_was_posted_and_the_stored_answer_elsewhere():
    stored = {"humeur": 4, "talents": ["calme"], "mot": "Avant"}
    raw = {"humeur": None, "talents": [], "mot": "x" * 6000, "accord": False}
    assert redisplayed(stored, raw) == {"humeur": 4, "talents": [], "mot": "x" * 6000,
                                        "accord": False}


# Rendering a question -------------------------------------------------------------------------

def test_the_stored_or_posted_answer_is_checked_whatever_its_type():
    for value in (3, "3"):
        html = render.render_question(SCALE, "humeur", value)
        assert Elements(html).checked() == [
            {"class": "choice-input", "type": "radio", "id": "humeur-2", "name": "humeur",
             "value": "3", "checked": None}]
    ticks = Elements(render.render_question(TICKS, "talents", ["drole"]))
    assert [a["value"] for a in ticks.checked()] == ["drole"]
    assert ticks.inputs(type="hidden") == [{"type": "hidden", "name": "talents--present",
                                            "value": "1"}]
    # A text is never a tick list: no substring matches.
    assert not Elements(render.render_question(TICKS, "talents", "calme")).checked()
    assert Elements(render.render_question(CONSENT, "accord", True)).checked()
    assert not Elements(render.render_question(CONSENT, "accord", False)).checked()


def test_texts_are_escaped_and_lose_their_control_characters():
    html = render.render_question(SHORT, "autre", 'a\x00"><script>x</script>')
    assert isinstance(html, Markup)
    assert 'value="a&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html and "\x00" not in html
    long = render.render_question(LONG, "mot", "<b>é</b>", rows=4)
    assert '<textarea class="text-answer" id="mot" name="mot" rows="4" maxlength="5000">\n' \
           "&lt;b&gt;é&lt;/b&gt;</textarea>" in long


def test_errors_hidden_questions_and_conditions_are_written_for_the_scripts():
    html = render.render_question(SHORT, "p3-autre", None, error="Trop <long>", shown=False,
                                  id_prefix="champ-")
    fieldset = Elements(html).tags[0][1]
    assert fieldset["class"] == "question question--error" and "hidden" in fieldset
    assert fieldset["aria-describedby"] == "erreur-p3-autre"
    assert fieldset["id"] == "question-p3-autre"
    assert json.loads(fieldset["data-shown-if"]) == {"question": "humeur", "in": [3, 4]}
    assert '<p class="error" id="erreur-p3-autre" role="alert">Trop &lt;long&gt;</p>' in html
    assert 'for="champ-p3-autre"' in html and 'id="champ-p3-autre"' in html
    assert '<span class="optional">(facultatif)</span>' in html
    plain = Elements(render.render_question(SCALE, "humeur", None)).tags[0][1]
    assert "hidden" not in plain and "aria-describedby" not in plain
    assert "(facultatif)" not in render.render_question(SCALE, "humeur", None)


def test_each_page_keeps_its_own_label_button_and_choices():
    referent = render.render_question(YES_NO, "p3-nouvelles", "oui",
                                      label="Des nouvelles de Alex ?")
    assert "Des nouvelles de Alex ?" in referent and "Écouter" not in referent
    tablet = render.render_question(SCALE, "humeur", None, speak=True)
    assert ('data-say="Ça va ? Une face par réponse. Les réponses : Pas du tout. Plutôt non. '
            'Plutôt oui. Tout à fait."') in tablet and "Écouter" in tablet
    assert tablet.count('class="picto"') == 4
    slots = (("lun-am", "Lundi matin : Accueil"), ("mar-pm", "Mardi après-midi : Visite"))
    programme = render.render_question(PROGRAMME, "activites", ["mar-pm"], activities=slots)
    assert "Lundi matin : Accueil" in programme
    assert [a["value"] for a in Elements(programme).checked()] == ["mar-pm"]
    assert "Aucun choix disponible." in render.render_question(PROGRAMME, "activites", None)


def test_the_unchanging_html_is_made_once_per_question_and_name():
    render._parts.cache_clear()
    for value in (1, 2, 3, None):
        render.render_question(SCALE, "p1-humeur", value, error="Non" if value else None)
    render.render_question(SCALE, "p2-humeur", 1)
    info = render._parts.cache_info()
    assert (info.misses, info.hits) == (2, 3)


# The three pages ------------------------------------------------------------------------------

@pytest.fixture
def counted():
    """(field names, spy): the spy replaces the one Jinja entry point and records each call."""
    calls = []
    original = render.render_question

    def spy(question, name, *args, **kwargs):
        calls.append(name)
        return original(question, name, *args, **kwargs)
    return calls, spy


def _count_questions(html: str) -> int:
    return len(re.findall(r'<fieldset class="question( question--error)?"', html))


def test_the_tablet_and_the_collective_bilan_render_through_the_one_renderer(demo, team,
                                                                              counted):
    calls, spy = counted
    demo.jinja_env.globals["render_question"] = spy
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)
                                    .order_by(Participant.id)).first()
        token = bilan.link_token(person)
    tablet = demo.test_client()
    tablet.get(f"/b/{token}")
    for number in range(1, 6):
        page = tablet.get(f"/bilan/etape/{number}").get_data(as_text=True)
        assert _count_questions(page) == len(calls) > 0
        assert "Écouter" in page
        calls.clear()
    page = team.get("/equipe/stages/2/bilan-collectif").get_data(as_text=True)
    assert _count_questions(page) == len(calls) == 5
    assert 'name="activites_plebiscitees" value="mer-pm"' in page


def test_the_referent_page_renders_through_the_one_renderer(app, counted):
    calls, spy = counted
    app.jinja_env.globals["render_question"] = spy
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex", "Sam"]})
        dispatch_due(DUE)
        invitation = db.session.scalar(select(FollowupInvitation).join(Referent))
        url = f"/suivi/{progress.link_token(invitation)}"
    page = app.test_client().get(url).get_data(as_text=True)
    assert _count_questions(page) == len(calls) > 0
    assert all(name.startswith("p") for name in calls)  # one person at a time
    assert "Avez-vous eu des nouvelles de Alex depuis le stage ?" in page
    assert "Écouter" not in page
    calls.clear()
    opinion = app.test_client().get(f"{url}?personne=avis").get_data(as_text=True)
    assert _count_questions(opinion) == len(calls) > 0
    assert all(name.startswith("b-") for name in calls)


def test_a_tablet_post_without_ticks_still_means_no_answer(demo):
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)
                                    .order_by(Participant.id)).first()
        token, person_id = bilan.link_token(person), person.id
    tablet = demo.test_client()
    tablet.get(f"/b/{token}")
    page = tablet.get("/bilan/etape/3")

    def stored():
        with demo.app_context():
            return bilan.response_of(db.session.get(Participant, person_id)).answers

    tablet.post("/bilan/etape/3", data={"csrf_token": csrf_token(page), "action": "suivant",
                                        "talents": ["calme"], "talents--present": "1"})
    assert stored()["talents"] == ["calme"]
    tablet.post("/bilan/etape/3", data={"csrf_token": csrf_token(page), "action": "suivant",
                                        "talents--present": "1"})
    assert "talents" not in stored()
    tablet.post("/bilan/etape/3", data={"csrf_token": csrf_token(page), "action": "suivant",
                                        "talents": ["calme"], "talents--present": "1"})
    # Without the marker (a page written before it existed), the tick list is read all the same.
    tablet.post("/bilan/etape/3", data={"csrf_token": csrf_token(page), "action": "suivant"})
    assert "talents" not in stored()


# The collective bilan's rules -----------------------------------------------------------------

def test_the_collective_bilan_is_a_draft_then_validated_once(demo):
    first = datetime(2030, 1, 2, 10, 0, tzinfo=timezone.utc)
    with demo.app_context():
        stage = db.session.get(Stage, 2)
        assert collective.response_of(stage) is None
        keys = ["mer-pm"]
        response, errors = collective.save(stage, None, {"points_ameliorer": "Pauses"}, keys,
                                           final=True, now=first)
        missing = "Cette question attend une réponse."
        assert response is None and errors == {"points_forts": missing, "ambiance": missing}
        response, errors = collective.save(stage, None, {"points_forts": "Entraide"}, keys,
                                           final=False, now=first)
        assert errors == {} and response.submitted_at is None
        complete = {"points_forts": "Entraide", "ambiance": "4", "activites_plebiscitees": keys}
        response, errors = collective.save(stage, response, complete, keys, final=True, now=first)
        db.session.commit()
        assert errors == {} and response.answers == {**complete, "ambiance": 4}
        response, _ = collective.save(stage, response, complete, keys, final=True,
                                      now=datetime(2031, 1, 1, tzinfo=timezone.utc))
        assert response.submitted_at == first
        assert collective.response_of(stage) is response


def test_one_getter_of_the_bilan_link_days(demo):
    with demo.app_context():
        demo.config["BILAN_LINK_DAYS"] = 12
        assert bilan.link_days() == 12


def test_the_tablet_shows_activities_as_cards_and_reads_their_whole_titles():
    long_title = "Visite technique du théâtre et rencontre avec le régisseur général du lieu"
    slots = (("lun-am", "Lundi matin", "Accueil", "atelier"),
             ("jeu-pm", "Jeudi après-midi", long_title, "visite"),
             ("x", "Vendredi soir", "<b>Fête</b>", "inconnu"))
    html = render.render_question(PROGRAMME, "activites", ["jeu-pm"], activities=slots, speak=True,
                                  optional="(si vous voulez)")
    assert html.count('class="tick activity"') == 3 and html.count("picto--kind") == 3
    assert '<span class="activity-when">Jeudi après-midi</span>' in html
    assert f'<span class="activity-title">{long_title}</span>' in html  # whole; CSS cuts it
    assert "&lt;b&gt;Fête&lt;/b&gt;" in html and "<b>" not in html
    assert [a["value"] for a in Elements(html).checked()] == ["jeu-pm"]
    assert f"Jeudi après-midi : {long_title}." in html  # in what "Écouter" reads
    assert '<span class="optional">(si vous voulez)</span>' in html and "facultatif" not in html
