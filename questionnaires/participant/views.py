"""Blueprint "participant": the individual bilan on a tablet, opened by a personal link."""

from flask import (
    Blueprint, abort, jsonify, redirect, render_template, request, session, url_for,
)

from questionnaires import clock
from questionnaires.participant import bilan, reading
from questionnaires.web.errors import render_error
from questionnaires.extensions import db
from questionnaires.web.forms import FrenchForm, posted_json
from questionnaires.engine.answers import is_shown, read_answers, redisplayed
from questionnaires.stages.programme import activity_cards

bp = Blueprint("participant", __name__)

#: The session holds the link salt under its first name (sessions open at an upgrade live on)
SESSION_KEY = "bilan_nonce"
LOCKED = ("Les bilans de ce stage sont clos : vos réponses sont bien enregistrées et ne peuvent "
          "plus être modifiées. Pour toute question, adressez-vous à l'équipe.")
UNREADABLE = "Réponses illisibles : rechargez la page."


@bp.route("/b/<token>")
def open_link(token: str):
    """The personal link: checks it, remembers the participant in the session, resumes."""
    check = bilan.find_by_token(token, clock.today(), bilan.link_days())
    if check.participant is None:
        return render_error(404, "Lien inconnu",
                            "Ce lien ne correspond à aucun bilan. Vérifiez qu'il est recopié en "
                            "entier, ou demandez un nouveau lien à l'équipe du stage.")
    if check.expired:
        return render_error(410, "Lien expiré",
                            "Ce lien n'est plus valable. Demandez un nouveau lien à l'équipe "
                            "du stage : elle peut vous en donner un tout de suite.")
    session.clear()
    session[SESSION_KEY] = check.participant.bilan_link_salt
    response = bilan.draft_for(check.participant)
    step = response.resume_section if not response.submitted_at else 0
    return redirect(url_for("participant.step", number=step))


def _current(read_only: bool = False):
    """(participant, response, definition) of this tablet session, or an error page.

    read_only: for a page that only shows the bilan (a section's GET), plain rows instead of
    ORM objects (reading.py: about half the page's CPU).
    """
    rows = reading.section_rows if read_only else bilan.session_rows
    participant, response = rows(session.get(SESSION_KEY))
    if participant is None:
        abort(404, description="Aucun bilan n'est ouvert sur cette tablette. Ouvrez votre lien "
                               "personnel (ou scannez votre QR code) pour commencer.")
    if clock.today() > bilan.link_expires_on(participant, bilan.link_days()):
        session.pop(SESSION_KEY, None)
        abort(410, description="Ce lien n'est plus valable. Demandez un nouveau lien à l'équipe.")
    if response is None:
        if read_only:
            return _current()  # the draft is made once, through the ORM
        response = bilan.draft_for(participant)
    return participant, response, bilan.definition_of(response)


@bp.route("/bilan/etape/<int:number>", methods=["GET", "POST"])
def step(number: int):
    """Step 0 welcomes; steps 1…N show one section each; the last one sends the bilan."""
    participant, response, definition = _current(read_only=request.method == "GET" and number > 0)
    sections = definition.sections
    if not 0 <= number <= len(sections):
        abort(404, description="Cette étape n'existe pas. Reprenez depuis votre lien personnel.")
    locked = participant.stage.bilans_locked_at is not None
    if number == 0:
        return _welcome(participant, response, definition, locked)
    section = sections[number - 1]
    # The programme is read only for a section that asks about it (one query less elsewhere).
    asks_activities = any(q.type == "activites" for q in section.questions)
    choices = activity_cards(participant.stage) if asks_activities else []
    # The CSRF check of a post; the page writes the token itself (a form per view cost ~10 %)
    form = FrenchForm() if request.method == "POST" else None
    displayed = response.answers or {}
    errors = {}
    if request.method == "GET" and request.args.get("manque") and not locked:
        # Sent back here because the bilan lacks answers: show which, in red.
        errors = bilan.missing_in(response, section.questions, [c[0] for c in choices])
    if request.method == "POST":
        if locked:
            return render_error(409, "Bilan clos", LOCKED)
        if not form.validate():
            return render_error(400, "Page expirée",
                                "La page est restée ouverte trop longtemps. Vos réponses déjà "
                                "enregistrées sont gardées : rechargez la page.")
        action = request.form.get("action", "suivant")
        raw = read_answers(section.questions, request.form)
        displayed = redisplayed(displayed, raw)
        errors = bilan.save_answers(response, raw, section.questions,
                                    complete=action != "precedent",
                                    activity_keys=[card[0] for card in choices],
                                    definition=definition)
        db.session.commit()
        if action == "precedent":
            response.resume_section = number - 1
            db.session.commit()
            return redirect(url_for("participant.step", number=number - 1))
        if not errors:
            return _advance(response, number, len(sections))
    elif response.resume_section != number and not locked:
        reading.resume_at(response, number)
    return render_template(
        "participant/step.html", participant=participant, definition=definition,
        section=section, number=number, total=len(sections), form=form, errors=errors,
        displayed=displayed, activities=choices, answers=response.answers, locked=locked,
        is_shown=is_shown, submitted=response.submitted_at is not None,
        unsent=response.submitted_at is None, keeper=bilan.keeper_token(participant),
    ), 422 if errors and request.method == "POST" else 200


def _advance(response, number: int, total: int):
    """After a valid section: the next one, or — after the last — send the whole bilan."""
    if number < total:
        response.resume_section = number + 1
        db.session.commit()
        return redirect(url_for("participant.step", number=number + 1))
    missing = bilan.submit(response)
    db.session.commit()
    if missing:
        first = _first_section_with(bilan.definition_of(response), missing)
        return redirect(url_for("participant.step", number=first, manque=1))
    return redirect(url_for("participant.sent"))


def _first_section_with(definition, errors: dict) -> int:
    for index, section in enumerate(definition.sections, start=1):
        if any(q.id in errors for q in section.questions):
            return index
    return 1


def _welcome(participant, response, definition, locked: bool):
    """The first screen: who is filling in, and with whose help."""
    return render_template("participant/welcome.html", participant=participant,
                           response=response, definition=definition, locked=locked,
                           form=FrenchForm(), total=len(definition.sections),
                           unsent=response.submitted_at is None)


@bp.route("/bilan/aide", methods=["POST"])
def assisted():
    """The marker "rempli avec l'aide de : [référent]", set or cleared from the tablet."""
    participant, response, _ = _current()
    if participant.stage.bilans_locked_at is not None:
        return render_error(409, "Bilan clos", LOCKED)
    if not FrenchForm().validate_on_submit():
        return render_error(400, "Formulaire expiré", "Rechargez la page et recommencez.")
    # "Commencer" without a choice keeps what was said before (nothing is chosen for them).
    choice = request.form.get("aide")
    if choice in ("oui", "non"):
        helped = choice == "oui" and participant.referent is not None
        response.assisted_by = participant.referent if helped else None
        db.session.commit()
    return redirect(url_for("participant.step", number=request.form.get("suite", 1, type=int)))


@bp.route("/bilan/brouillon", methods=["POST"])
def autosave():
    """Autosave of changed answers (JSON); valid answers are kept even if others are not."""
    participant, response, definition = _current()
    if participant.stage.bilans_locked_at is not None:
        # The tablet keeps them: tell the team a tablet holds answers it cannot send.
        bilan.answers_waiting(response, clock.utcnow())
        db.session.commit()
        return jsonify(error=LOCKED), 409
    payload = posted_json()
    answers = payload.get("answers") if isinstance(payload, dict) else None
    if not isinstance(answers, dict):
        return jsonify(error=UNREADABLE), 400
    errors = bilan.autosave(response, answers, definition)
    bilan.answers_arrived(response)
    db.session.commit()
    # The definition read before the commit: reading it from the response now would reload
    # the expired row (one more query per autosave).
    known = definition.questions
    return jsonify(saved=sorted(k for k in answers if k in known and k not in errors),
                   errors=errors)


@bp.route("/bilan/envoye")
def sent():
    """Thanks, with the way to correct or to finish."""
    participant, response, definition = _current()
    if response.submitted_at is None:
        return redirect(url_for("participant.step", number=response.resume_section))
    return render_template("participant/sent.html", participant=participant,
                           definition=definition, form=FrenchForm(),
                           locked=participant.stage.bilans_locked_at is not None)


@bp.route("/bilan/terminer", methods=["POST"])
def finish():
    """End the tablet session: nothing of this participant stays for the next one.

    A bilan not sent yet is asked about first ("Arrêter quand même ?"): the page's script asks
    in a dialog and posts `confirme`; without script this page asks. The answers stay saved.
    """
    participant, response = bilan.session_rows(session.get(SESSION_KEY))
    if participant is not None and request.form.get("confirme") != "oui" \
            and (response is None or response.submitted_at is None):
        return render_template("participant/finish.html", participant=participant,
                               form=FrenchForm(), unsent=True)
    session.clear()
    return redirect(url_for("participant.goodbye"))


@bp.route("/bilan/reponses-gardees", methods=["POST"])
def kept_answers():
    """Answers a tablet kept offline for someone whose session is over (JSON).

    {"owner": keeper token, "answers": {...}}: any page of the tablet sends them once online,
    whoever uses it now. 404 tells the tablet to forget answers nobody can receive; 409 (the
    bilans are locked) to keep them, and the team sees that a tablet holds some.
    """
    payload = posted_json()
    owner = payload.get("owner") if isinstance(payload, dict) else None
    answers = payload.get("answers") if isinstance(payload, dict) else None
    if not isinstance(answers, dict) or not isinstance(owner, str):
        return jsonify(error=UNREADABLE), 400
    participant = bilan.find_by_keeper(owner)
    if participant is None:
        return jsonify(error="Ces réponses ne correspondent à aucun bilan : rien n'a été "
                             "enregistré."), 404
    if not answers:
        return jsonify(errors={})  # nothing to keep: no draft made for it
    response = bilan.draft_for(participant)
    if participant.stage.bilans_locked_at is not None:
        bilan.answers_waiting(response, clock.utcnow())
        db.session.commit()
        return jsonify(error=LOCKED), 409
    definition = bilan.definition_of(response)
    errors = bilan.autosave(response, answers, definition)
    bilan.answers_arrived(response)
    db.session.commit()
    return jsonify(errors=errors)


@bp.route("/bilan/au-revoir")
def goodbye():
    """A neutral page, ready for the next person (the script also empties browser storage)."""
    return render_template("participant/goodbye.html")
