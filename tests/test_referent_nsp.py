"""suivi-referent v2: "Je ne sais pas" on the three observations, on the page and in the figures."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from questionnaires.engine.answers import clean_value, validate_answers
from questionnaires.engine.definitions import DefinitionError, _question, get_definition
from questionnaires.extensions import db
from questionnaires.impact.figures import stage_table
from questionnaires.models import Participant, Response, Stage
from tests.test_referent import COMPLETE, _link, _part_a, _pid, _post

OBSERVATIONS = ("apport_stage", "confiance_observee", "mobilite_observee")


def _fieldset(html: str, name: str) -> str:
    found = re.search(rf'<fieldset[^>]*id="question-{re.escape(name)}".*?</fieldset>', html, re.S)
    assert found, name
    return found.group(0)


def test_v2_is_v1_with_nsp_on_the_observations_and_the_same_roles(app):
    with app.app_context():
        v1, v2 = get_definition("suivi-referent", 1), get_definition("suivi-referent", 2)
        assert get_definition("suivi-referent").version == 2  # new follow-ups get v2
    assert list(v1.questions) == list(v2.questions)
    assert [q.id for q in v2.questions.values() if q.nsp] == list(OBSERVATIONS)
    assert {q.id: q.figure for q in v2.questions.values() if q.figure} == {
        q: q for q in ("situation", *OBSERVATIONS, "nouvelles_methodes", "participer_prochain")}
    assert [c.value for c in v2.questions["apport_stage"].fixed_choices()] == [1, 2, 3, 4, "nsp"]
    assert [c.value for c in v1.questions["apport_stage"].fixed_choices()] == [1, 2, 3, 4]


def test_nsp_is_accepted_only_where_the_definition_offers_it(app):
    with app.app_context():
        v1, v2 = get_definition("suivi-referent", 1), get_definition("suivi-referent", 2)
    assert clean_value(v2.questions["apport_stage"], "nsp") == ("nsp", None)
    assert clean_value(v2.questions["apport_stage"], "3") == (3, None)
    assert clean_value(v1.questions["apport_stage"], "nsp")[1] == "Choisissez une des quatre réponses."
    assert clean_value(v2.questions["apport_stage"], "NSP")[0] is None
    answers, errors = validate_answers(v2.section_questions("participant"),
                                       {"confiance_observee": "nsp"}, complete=False)
    assert answers == {"confiance_observee": "nsp"} and not errors


@pytest.mark.parametrize("extra, message", [
    ({"type": "oui_non_nsp", "nsp": True}, "réservé aux questions echelle4"),
    ({"nsp": "oui"}, "true ou false attendu"),
    ({"figure": "Pas un id"}, ".figure"),
])
def test_a_bad_nsp_or_figure_key_is_refused_naming_the_place(extra, message):
    data = {"id": "q", "type": "echelle4", "label": "L", "required": True, **extra}
    with pytest.raises(DefinitionError, match=message) as error:
        _question(data, "x.yaml : sections[0].questions[0]")
    assert "(q)" in str(error.value)


def test_the_referent_page_offers_je_ne_sais_pas_on_the_three_observations(sent):
    url, _ = _link(sent, "nadia@example.org")
    alex = _pid(sent, "Alex")
    html = sent.test_client().get(url).get_data(as_text=True)
    for question in OBSERVATIONS:
        box = _fieldset(html, f"p{alex}-{question}")
        assert 'value="nsp"' in box and "Je ne sais pas" in box, question
    # Situation, news: not scales, no extra choice; the observations are hidden when lost
    assert html.count('value="nsp"') >= 4
    lost_boxes = re.findall(r'<div class="observation" data-unless-lost[^>]*>\s*<fieldset[^>]*'
                            rf'id="question-p{alex}-([a-z_]+)"', html)
    assert set(OBSERVATIONS) <= set(lost_boxes)


def test_saving_nsp_stores_it_and_the_figures_leave_it_out(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex, sam = _pid(sent, "Alex"), _pid(sent, "Sam")
    answers = {**COMPLETE, "apport_stage": "nsp", "confiance_observee": "nsp",
               "mobilite_observee": "4"}
    posted = {f"p{alex}-{k}": v for k, v in answers.items()}
    assert _post(client, url, posted, "enregistrer").status_code == 302
    # The draft shows the stored "nsp" checked again
    page = client.get(url + f"?personne={alex}").get_data(as_text=True)
    assert re.search(r'value="nsp" checked', _fieldset(page, f"p{alex}-apport_stage"))
    done = _post(client, url, posted, f"envoyer-{alex}")
    assert done.status_code == 302
    response = _part_a(sent, "Alex")
    assert response.version == 2 and response.submitted_at is not None
    assert response.answers["apport_stage"] == "nsp" and response.answers["mobilite_observee"] == 4
    assert response.fact_apport_stage is None and response.fact_mobilite_observee == 4
    sam_answers = {**COMPLETE, "situation": "emploi", "apport_stage": "2"}
    done = _post(client, url, {f"p{sam}-{k}": v for k, v in sam_answers.items()}, f"envoyer-{sam}")
    assert done.status_code == 302
    with sent.app_context():
        stage = db.session.get(Stage, response.stage_id)
        table = stage_table(stage, date(2031, 3, 1))
        # Alex's "nsp" leaves the denominators: only Sam's answer counts (2 < 3)
        assert table.figures["suivi_apport"] == {"n": 0, "of": 1}
        assert table.figures["suivi_confiance"] == {"n": 1, "of": 1}
        assert table.figures["suivi_mobilite"] == {"n": 2, "of": 2}
        assert table.unknown["suivi_apport"] >= 1


def test_an_existing_v1_answer_stays_on_v1(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex = _pid(sent, "Alex")
    with sent.app_context():
        person = db.session.get(Participant, alex)
        db.session.add(Response(stage_id=person.stage_id, participant_id=alex,
                                referent_id=person.referent_id, questionnaire="suivi-referent",
                                version=1, answers={"situation": "emploi"}))
        db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert 'value="nsp"' not in _fieldset(html, f"p{alex}-apport_stage")
    refused = _post(client, url, {f"p{alex}-apport_stage": "nsp"}, "enregistrer")
    assert refused.status_code == 422
    with sent.app_context():
        stored = db.session.scalar(select(Response).where(Response.participant_id == alex))
        assert stored.version == 1 and "apport_stage" not in stored.answers
