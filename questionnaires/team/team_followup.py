"""Team pages: a follow-up recorded by the team itself, for someone no referent will answer for."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaires.clock import utcnow
from questionnaires.engine.answers import read_answers, redisplayed
from questionnaires.extensions import db
from questionnaires.followups import team_answers
from questionnaires.followups.progress import LOST
from questionnaires.models import Participant
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import in_stage_or_404, stage_or_404
from questionnaires.web.forms import FrenchDateField


class NewsForm(ConfirmForm):
    day = FrenchDateField("Date des nouvelles", validators=[])


@bp.route("/stages/<int:stage_id>/suivi/equipe/<int:participant_id>", methods=["GET", "POST"])
def team_followup(stage_id: int, participant_id: int):
    """Record (or correct) the news the team got about one participant, as a part A."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    response = team_answers.team_answer(participant)
    questions = team_answers.questions(response, stage.id)
    form = NewsForm()
    displayed, errors = (response.answers if response else {}), {}
    if request.method == "GET" and response is not None:
        form.day.data = team_answers.local_day(response.submitted_at)
    if request.method == "POST":
        raw = read_answers(questions, request.form)
        displayed = redisplayed(displayed, raw)
        if not form.validate():
            errors = {"date": (form.day.errors or ["Le formulaire a expiré : recommencez."])[0]}
        else:
            _, errors = team_answers.record(stage, participant, raw, form.day.data,
                                                current_user, utcnow())
            if not errors:  # the journal records the post (privacy/audit.py, TEAM_RULES)
                db.session.commit()
                flash(f"Nouvelles de {participant.first_name} enregistrées : elles comptent "
                      "dans le bilan chiffré comme une réponse de référent·e.", "success")
                return redirect(url_for("team.followups", stage_id=stage.id,
                                        _anchor="sans-referent"))
    labels = {q.id: q.label.replace("{prenom}", participant.first_name) for q in questions}
    return render_template("team/team_followup.html", stage=stage, participant=participant,
                           form=form, questions=questions, displayed=displayed, errors=errors,
                           labels=labels, response=response, lost=LOST,
                           refused=request.method == "POST")
