"""The team's questionnaire pages: versions, a preview as the tablet shows it, draft editing.

Each edit is a small form carrying the revision it read; the draft is saved whole (designer/
store.py) or not at all, and the faults are shown next to the field at fault.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from questionnaires.designer import editing, store
from questionnaires.designer.validation import Problem
from questionnaires.engine.definitions import DefinitionError, parse_definition
from questionnaires.engine.roles import roles_of
from questionnaires.extensions import db
from questionnaires.models import Response, Stage
from questionnaires.models.questionnaire import VERSION_STATUSES
from questionnaires.models.values import QUESTIONNAIRES
from questionnaires.stages.variants import stage_versions
from questionnaires.team.blueprint import bp
from questionnaires.web.forms import FrenchForm
from questionnaires.web.forms import without_control_characters as clean


class CsrfOnly(FrenchForm):
    """The designer's forms carry many small fields read by designer/editing.py; this checks
    their CSRF token."""


def _row(questionnaire: str, version: int):
    row = store.find(questionnaire, version)
    if row is None:
        abort(404, description="Cette version de questionnaire n'existe pas.")
    return row


def _answered() -> dict[tuple[str, int], int]:
    rows = db.session.execute(select(Response.questionnaire, Response.version, func.count())
                              .group_by(Response.questionnaire, Response.version)).all()
    return {(qid, version): count for qid, version, count in rows}


def _stages_by_version() -> dict[tuple[str, int], list[Stage]]:
    """Which stages open each version (stages/variants.py: chosen, else used, else latest)."""
    found: dict[tuple[str, int], list[Stage]] = {}
    for stage in db.session.scalars(select(Stage).order_by(Stage.start_date.desc())):
        for questionnaire, version in stage_versions(stage).items():
            found.setdefault((questionnaire, version), []).append(stage)
    return found


@bp.route("/questionnaires")
def questionnaires():
    """Every questionnaire with its versions, their state and the answers they hold."""
    grouped: dict[str, list] = {}
    for row in store.versions():
        grouped.setdefault(row.questionnaire, []).append(row)
    return render_template("team/questionnaires.html", grouped=grouped, answered=_answered(),
                           stages=_stages_by_version(),
                           names=QUESTIONNAIRES, statuses=VERSION_STATUSES, form=CsrfOnly())


@bp.route("/questionnaires/<questionnaire>/nouvelle-version", methods=["POST"])
def questionnaire_new(questionnaire: str):
    """A draft copying the latest version."""
    if not CsrfOnly().validate_on_submit():
        flash("La page a expiré : rechargez-la et recommencez.", "error")
        return redirect(url_for("team.questionnaires"))
    row = store.new_draft(questionnaire, current_user)
    if row is None:
        abort(404, description="Ce questionnaire n'existe pas.")
    flash(f"Version {row.version} créée en brouillon, copie de la précédente : modifiez-la "
          "puis publiez-la.", "success")
    return redirect(url_for("team.questionnaire_version", questionnaire=questionnaire,
                            version=row.version))


def _preview(data: dict):
    """The definition as the tablet would get it (empty sections left out), or None."""
    shaped = {**data, "sections": [s for s in data.get("sections", []) if s.get("questions")]}
    if not shaped["sections"]:
        return None
    try:
        return parse_definition(shaped, "aperçu")
    except (DefinitionError, KeyError, TypeError, AttributeError):
        return None


#: Two activities in the preview, where a stage's own programme will be
SAMPLE_ACTIVITIES = (("exemple-1", "Lundi matin", "Visite d'un théâtre (exemple)", "visite"),
                     ("exemple-2", "Mardi après-midi", "Atelier d'écriture (exemple)", "atelier"))


def _page(row, data=None, problems=(), status=200, edited=None):
    """The version page: preview, and for a draft the editor (`data`: what was tried)."""
    shown = data if data is not None else row.definition
    placed: dict[tuple, list[str]] = {}
    for problem in problems:
        placed.setdefault((problem.section, problem.question, problem.field), []).append(
            problem.text)
    return render_template(
        "team/questionnaire_version.html", row=row, data=shown,
        preview=_preview(row.definition), problems=problems, placed=placed,
        types=editing.TYPE_LABELS, scopes=editing.SCOPE_LABELS,
        roles=sorted(roles_of(row.questionnaire)), conditions=editing.condition_options(shown),
        names=QUESTIONNAIRES, statuses=VERSION_STATUSES, answered=_answered(),
        form=CsrfOnly(), edited=edited, activities=SAMPLE_ACTIVITIES), status


@bp.route("/questionnaires/<questionnaire>/v<int:version>")
def questionnaire_version(questionnaire: str, version: int):
    """A version's sections and questions as tablets and phones show them; a draft's editor."""
    return _page(_row(questionnaire, version))


def _form() -> dict:
    """The posted fields without control characters: lists for the multiple ones, text
    elsewhere."""
    return {key: ([clean(v) for v in request.form.getlist(key)] if key == "shown_if"
                  else clean(request.form.get(key)))
            for key in request.form}


def _revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return -1


@bp.route("/questionnaires/<questionnaire>/v<int:version>/modifier", methods=["POST"])
def questionnaire_edit(questionnaire: str, version: int):
    """One small edit of a draft, saved whole with the revision the form read."""
    row = _row(questionnaire, version)
    if not CsrfOnly().validate_on_submit():
        return _page(row, problems=[Problem("La page a expiré : rechargez-la et recommencez.")],
                     status=400)
    if row.published:
        return _page(row, problems=[Problem("Cette version est publiée : elle ne change plus. "
                                            "Faites une nouvelle version.")], status=422)
    action = request.form.get("action", "")
    edited = (request.form.get("section"), request.form.get("question"), action)
    try:
        data = editing.apply(row.definition, action, _form())
    except editing.EditError as error:
        return _page(row, problems=[error.problem], status=422, edited=edited)
    outcome = store.save_draft(row, data, _revision())
    if not outcome.ok:
        db.session.expire_all()
        stale = outcome.problems[0].message.startswith("Quelqu'un d'autre")
        return _page(_row(questionnaire, version), None if stale else data, outcome.problems,
                     409 if stale else 422, edited)
    flash("Modification enregistrée.", "success")
    anchor = f"s{request.form.get('section', '')}" if request.form.get("section") else "editeur"
    return redirect(url_for("team.questionnaire_version", questionnaire=questionnaire,
                            version=version, _anchor=anchor))



@bp.route("/questionnaires/<questionnaire>/v<int:version>/publier", methods=["POST"])
def questionnaire_publish(questionnaire: str, version: int):
    """Freeze a draft: tablets and referents get it; it never changes again."""
    row = _row(questionnaire, version)
    if not CsrfOnly().validate_on_submit():
        return _page(row, problems=[Problem("La page a expiré : rechargez-la et recommencez.")],
                     status=400)
    outcome = store.publish(row, _revision(), current_user)
    if not outcome.ok:
        db.session.expire_all()
        return _page(_row(questionnaire, version), problems=outcome.problems, status=422)
    flash(f"Version {version} publiée : les nouveaux bilans l'utiliseront. Elle ne peut plus "
          "changer ; pour corriger, faites une nouvelle version.", "success")
    return redirect(url_for("team.questionnaire_version", questionnaire=questionnaire,
                            version=version))
