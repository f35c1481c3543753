"""The team's questionnaire pages: list, preview, a draft edited by small forms, publishing."""
from questionnaires.designer import store
from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.models import AuditEvent
from tests.support.forms import post_form

LIST = "/equipe/questionnaires"
V1 = "/equipe/questionnaires/bilan-individuel/v1"
V2 = "/equipe/questionnaires/bilan-individuel/v2"
EDIT = V2 + "/modifier"


def _draft(team) -> None:
    response = post_form(team, "/equipe/questionnaires/bilan-individuel/nouvelle-version",
                         page_url=LIST)
    assert response.status_code == 302 and response.headers["Location"].endswith(V2)


def _revision(app) -> int:
    with app.app_context():
        return store.find("bilan-individuel", 2).revision


def _edit(team, app, **data):
    return post_form(team, EDIT, {"revision": _revision(app), **data}, page_url=V2)


def test_the_list_and_a_published_version_with_its_previews(team):
    page = team.get(LIST).get_data(as_text=True)
    assert 'href="/equipe/questionnaires"' in page  # in the team menu
    assert "Bilan individuel" in page and "Version 1" in page and "Publiée" in page
    # Which stages open each version (stages/variants.py): both demo stages use v1
    assert page.count(">Métiers du sport et de l&#39;événementiel</a>") == 3
    page = team.get(V1).get_data(as_text=True)
    assert 'class="apercu apercu--tablette"' in page and 'class="apercu apercu--telephone"' in page
    # The one renderer, once per width: the same question in each preview
    assert page.count('name="t-satisfaction_globale"') == 4
    assert page.count('name="p-satisfaction_globale"') == 4
    assert "Modifier le brouillon" not in page  # a published version is never edited
    assert team.get("/equipe/questionnaires/nope/v1").status_code == 404


def test_a_draft_edited_by_small_forms_then_published(team, demo):
    app = demo
    _draft(team)
    assert "Brouillon" in team.get(V2).get_data(as_text=True)
    # Rename a question, add a choice to `talents` (section 3, question 1)
    assert _edit(team, app, action="question_edit", section=0, question=0,
                 label="La semaine vous a plu ?", type="echelle4", required="oui",
                 figure="satisfaction_globale").status_code == 302
    with app.app_context():
        talents = store.find("bilan-individuel", 2).definition["sections"][2]["questions"][0]
    assert talents["id"] == "talents"
    form = {f"choice_label_{i}": c["label"] for i, c in enumerate(talents["choices"])}
    assert _edit(team, app, action="question_edit", section=2, question=0, type="choix_multiples",
                 label=talents["label"], new_choices="Cuisiner pour le groupe",
                 **form).status_code == 302
    # A conditional question, shown when the new choice is ticked
    assert _edit(team, app, action="question_add", section=2, label="Qu'avez-vous cuisiné ?",
                 type="texte_court",
                 shown_if="talents::cuisiner_pour_le_groupe").status_code == 302
    # Sections: add, rename, move up, remove
    assert _edit(team, app, action="section_add", title="Vide pour\x00 l'instant").status_code == 302
    with app.app_context():
        added = store.find("bilan-individuel", 2).definition["sections"][-1]
    assert (added["id"], added["title"]) == ("vide_pour_l_instant", "Vide pour l'instant")
    assert _edit(team, app, action="section_rename", section=5, title="Encore vide").status_code == 302
    assert _edit(team, app, action="section_up", section=5).status_code == 302
    with app.app_context():
        data = store.find("bilan-individuel", 2).definition
    assert [s["title"] for s in data["sections"]][4:] == ["Encore vide", "Mon témoignage"]
    assert _edit(team, app, action="section_remove", section=4).status_code == 302
    # Move a question down and back up
    assert _edit(team, app, action="question_down", section=0, question=0).status_code == 302
    assert _edit(team, app, action="question_up", section=0, question=1).status_code == 302

    with app.app_context():
        assert get_definition("bilan-individuel").version == 1  # drafts are never served
    response = post_form(team, V2 + "/publier", {"revision": _revision(app)}, page_url=V2)
    assert response.status_code == 302, response.get_data(as_text=True).split("flash--error")[-1][:1500]
    with app.app_context():
        v2 = get_definition("bilan-individuel")
        assert v2.version == 2
        assert v2.questions["satisfaction_globale"].label == "La semaine vous a plu ?"
        assert v2.section_questions()[0].id == "satisfaction_globale"
        assert [c.value for c in v2.questions["talents"].choices][-1] == "cuisiner_pour_le_groupe"
        added = v2.questions["qu_avez_vous_cuisine"]
        assert added.shown_if == ("talents", ("cuisiner_pour_le_groupe",))
        assert [s.title for s in v2.sections] == [
            s.title for s in get_definition("bilan-individuel", 1).sections]
        details = [e.detail for e in db.session.scalars(db.select(AuditEvent))]
    assert any("Nouvelle version 2" in (d or "") for d in details)
    assert any("Publication de la version 2" in (d or "") for d in details)
    # Frozen now: an edit is refused and nothing changes
    response = _edit(team, app, action="section_add", title="Trop tard")
    assert response.status_code == 422
    assert "Cette version est publiée" in response.get_data(as_text=True)


def test_a_fault_is_shown_next_to_its_field_and_nothing_is_saved(team, demo):
    app = demo
    _draft(team)
    before = _revision(app)
    response = _edit(team, app, action="question_edit", section=0, question=0, label="x" * 501,
                     type="echelle4", required="oui", figure="satisfaction_globale")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Rien n'a été enregistré" in page
    assert 'id="s0q0-label" name="label" rows="2" aria-invalid="true" ' \
           'aria-describedby="s0q0-label-error"' in page
    assert '<p class="error" id="s0q0-label-error">l&#39;intitulé fait 501 caractères' in page
    # A role on a question of the wrong type: refused by publishing's rules, next to the role
    response = _edit(team, app, action="question_edit", section=0, question=0, label="Ok ?",
                     type="texte_court", required="oui", figure="satisfaction_globale")
    assert response.status_code == 302  # a draft may be unfinished…
    response = post_form(team, V2 + "/publier", {"revision": _revision(app)}, page_url=V2)
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # …publishing refuses it
    assert 'id="s0q0-figure-error"' in page and "doit être de type echelle4" in page
    with app.app_context():
        assert store.find("bilan-individuel", 2).status == "draft"
        assert store.find("bilan-individuel", 2).revision == before + 1
    # A condition on two questions at once, and an empty new section title
    response = _edit(team, app, action="question_add", section=1, label="Et ?", type="texte_court",
                     shown_if=["satisfaction_globale::4", "experience_groupe::oui"])
    assert response.status_code == 422 and "une seule question" in response.get_data(as_text=True)
    response = _edit(team, app, action="section_add", title="  ")
    assert 'id="new-section-error"' in response.get_data(as_text=True)
    assert _edit(team, app, action="question_edit", section=9, question=0).status_code == 422


def test_two_people_on_one_draft_the_second_save_is_refused(team, demo):
    app = demo
    _draft(team)
    revision = _revision(app)
    first = post_form(team, EDIT, {"revision": revision, "action": "section_add", "title": "A"},
                      page_url=V2)
    assert first.status_code == 302
    second = post_form(team, EDIT, {"revision": revision, "action": "section_add", "title": "B"},
                       page_url=V2)
    assert second.status_code == 409
    assert "Quelqu&#39;un d&#39;autre a modifié ce brouillon" in second.get_data(as_text=True)
    with app.app_context():
        titles = [s["title"] for s in store.find("bilan-individuel", 2).definition["sections"]]
    assert titles[-1] == "A" and "B" not in titles
