"""Blueprint "referent": the 3-month follow-up, opened from the personal link of the mail.

No login: the link is the key, and it stays in the address so the referent can come back to it
from the mail on any device. The page shows one person at a time (`?personne=<id>`, or
`avis` for the referent's own opinion), with who is done at the top. Every participant id a
request names must be one this referent follows in this stage. One the page showed but the
team has since moved to another referent is skipped, and the referent is told; an id the page
never showed refuses the whole request and stores nothing.
"""
import re
from datetime import timedelta
from functools import partial

from flask import (
    Blueprint, abort, current_app, flash, jsonify, make_response, redirect, render_template,
    request, url_for,
)

from questionnaires.followups import progress
from questionnaires import mail
from questionnaires.engine.answers import is_shown, read_answers
from questionnaires.extensions import db
from questionnaires.web.forms import posted_json
from questionnaires.web.headers import REFERRER_POLICY
from questionnaires.followups.settings import Settings
from questionnaires.followups.plan import link_expires_on
from questionnaires.clock import utcnow
from questionnaires.referent import replies

bp = Blueprint("referent", __name__, url_prefix="/suivi")

FIELD = re.compile(r"^p(\d{1,10})-")
ACTION = re.compile(r"^(envoyer|perdu|plus-referent|annuler-plus-referent)-(\d{1,10})$")
#: How precisely the latest opening of a link is kept
OPENING_PRECISION = timedelta(minutes=1)
TAMPERED = ("Cette page contient une personne que vous ne suivez pas dans ce stage. Rien n'a été "
            "enregistré : rechargez la page depuis le lien de votre e-mail.")
GONE = ("Une personne de cette page n'est plus dans votre liste : l'équipe l'a confiée à un autre "
        "référent. Ses dernières réponses n'ont pas été enregistrées ; les autres, si.")
#: `?personne=` for the referent's own opinion (part B)
OPINION = "avis"


def _error(code: int, title: str, message: str):
    return render_template("referent/error.html", code=code, title=title, message=message), code


def _stop(code: int, title: str, message: str, as_json: bool):
    """End the request with a French error page, or its JSON for the autosave."""
    abort(make_response(jsonify(error=message), code) if as_json
          else make_response(_error(code, title, message)))


def _contact() -> str:
    return mail.reply_to()


def _invitation(token: str, as_json: bool = False):
    """The invitation the link opens, or the French 404 / 410 (a page or JSON)."""
    check = replies.find_by_token(token, utcnow())
    if check.invitation is None:
        message = ("Ce lien ne correspond à aucun suivi. Vérifiez qu'il est recopié en entier "
                   "depuis l'e-mail, ou écrivez à " + _contact() + " pour en recevoir un nouveau.")
        _stop(404, "Lien inconnu", message, as_json)
    if check.expired:
        expired_on = link_expires_on(check.invitation, Settings.current())
        message = (f"Ce lien n'est plus valable depuis le {expired_on:%d/%m/%Y}. Pour répondre "
                   f"quand même, écrivez à {_contact()} ({current_app.config['ASSOCIATION_NAME']}) : "
                   "l'équipe peut rouvrir votre lien tout de suite.")
        _stop(410, "Lien expiré", message, as_json)
    return check.invitation


def _cards_by_id(invitation) -> dict:
    return {str(card.participant.id): card for card in progress.cards(invitation)}


def _worth_saving(raw: dict, response) -> bool:
    """An untouched card posts only its empty comment box: that must not create a draft."""
    return bool(raw) and (response is not None or any(v not in ("", None, []) for v in raw.values()))


def _sort_out(invitation, cards: dict, named, shown_value) -> set | None:
    """The named ids no longer followed but shown by the page (skipped), or None if one was
    never shown (tampering)."""
    unknown = {pid for pid in named if pid not in cards}
    if unknown and not unknown <= replies.shown_ids(invitation, shown_value):
        return None
    return unknown


@bp.route("/<token>", methods=["GET", "POST"])
def page(token: str):
    """The stage in one line, who is done, then one person's part A (or part B) at a time."""
    invitation = _invitation(token)
    now = utcnow()
    if request.method == "GET":
        _note_opening(invitation, now)
        return _render(invitation, token, {}, editing=request.args.get("modifier", ""),
                       current=request.args.get("personne", ""))
    cards = _cards_by_id(invitation)
    action = request.form.get("action", "enregistrer")
    named = [FIELD.match(k).group(1) for k in request.form if FIELD.match(k)]
    acted = ACTION.match(action)
    gone = _sort_out(invitation, cards, named + ([acted.group(2)] if acted else []),
                     request.form.get("cartes"))
    if gone is None:
        return _error(400, "Personne inconnue", TAMPERED)
    if gone:
        flash(GONE, "warning")
        acted = None if acted and acted.group(2) in gone else acted
    errors: dict = {}
    for pid, card in cards.items():
        raw = read_answers(replies.questions(card.response, card.participant), request.form,
                           f"p{pid}-", partial=True)
        if _worth_saving(raw, card.response):
            errors[pid] = replies.save(invitation, card.participant, raw)
    part_b = progress.part_b(invitation)
    raw_b = read_answers(replies.questions(part_b, None, invitation.stage_id), request.form, "b-", partial=True)
    if _worth_saving(raw_b, part_b):
        errors["b"] = replies.save(invitation, None, raw_b)
    db.session.commit()
    _act(invitation, action, acted, errors, now)
    db.session.commit()
    errors = {key: found for key, found in errors.items() if found}
    if errors:
        return _render(invitation, token, errors, editing=",".join(errors)), 422
    return _after_save(invitation, token, acted.group(2) if acted else "")


def _note_opening(invitation, now) -> None:
    """Record the first and the latest opening of the link, the latest one to the minute.

    A reload, or several tabs, within a minute writes nothing: otherwise every page view is a
    write that waits for the database's write lock (bench/README.md, the referent's page).
    """
    last = invitation.last_opened_at
    if invitation.opened_at is not None and last is not None and now - last < OPENING_PRECISION:
        return
    invitation.opened_at = invitation.opened_at or now
    invitation.last_opened_at = now
    db.session.commit()


def _act(invitation, action: str, acted, errors: dict, now) -> None:
    """The button pressed: send one card, a quick answer, part B, or everything."""
    cards = _cards_by_id(invitation)
    if acted:
        verb, pid = acted.groups()
        participant = cards[pid].participant
        if verb == "envoyer":
            errors[pid] = {**errors.get(pid, {}), **replies.submit(invitation, participant, now)}
        elif verb == "perdu":
            replies.mark_lost(invitation, participant, now)
            errors.pop(pid, None)
        elif verb == "plus-referent":
            replies.hand_over(invitation, participant, now)
            errors.pop(pid, None)
        else:
            replies.undo_handover(invitation, participant)
    elif action == "envoyer-b":
        errors["b"] = {**errors.get("b", {}), **replies.submit(invitation, None, now)}
    elif action == "tout":
        for pid, card in cards.items():
            if not card.done:
                errors[pid] = {**errors.get(pid, {}), **replies.submit(invitation, card.participant, now)}
        errors["b"] = {**errors.get("b", {}), **replies.submit(invitation, None, now)}


def _after_save(invitation, token: str, after: str = ""):
    """The next person still to answer (after the one just sent), then part B, then thanks."""
    cards, part_b = progress.cards_and_part_b(invitation)
    ids = [str(card.participant.id) for card in cards]
    start = ids.index(after) + 1 if after in ids else 0
    for card in cards[start:] + cards[:start]:
        if not card.done:
            return redirect(url_for("referent.page", token=token, personne=card.participant.id))
    if part_b is None or part_b.submitted_at is None:
        return redirect(url_for("referent.page", token=token, personne=OPINION))
    return redirect(url_for("referent.thanks", token=token))


def _current(cards, part_b, wanted: str) -> str:
    """Whom the page shows: the one asked for, else the first still to answer, else part B."""
    ids = [str(card.participant.id) for card in cards]
    if wanted in ids or wanted == OPINION:
        return wanted
    return next((str(c.participant.id) for c in cards if not c.done),
                OPINION if part_b is None or part_b.submitted_at is None or not ids else ids[0])


def _render(invitation, token: str, errors: dict, editing: str = "", current: str = ""):
    editing_ids = set(str(editing).split(","))
    cards, part_b = progress.cards_and_part_b(invitation)
    # A card asked to be edited (or sent back with errors) is the one shown.
    wanted = str(current) or str(editing).split(",")[0]
    current = _current(cards, part_b, OPINION if wanted == "b" else wanted)
    return render_template(
        "referent/page.html", invitation=invitation, stage=invitation.stage, token=token,
        cards=cards, part_b=part_b, errors=errors, editing=editing_ids, current=current,
        questions=partial(replies.questions, stage_id=invitation.stage_id), on_page=replies.on_page, label=replies.label,
        is_shown=is_shown, hidden_when_lost=replies.hidden_when_lost, lost=progress.LOST,
        shown=replies.shown_token(invitation, [c.participant.id for c in cards]),
        deadline=link_expires_on(invitation, Settings.current(), utcnow()),
    )


@bp.route("/<token>/brouillon", methods=["POST"])
def autosave(token: str):
    """Autosave as the referent answers (JSON): {"cards": {id: answers}, "referent": answers}."""
    invitation = _invitation(token, as_json=True)
    payload = posted_json()
    if not isinstance(payload, dict) or not isinstance(payload.get("cards", {}), dict) \
            or not isinstance(payload.get("referent", {}), dict):
        return jsonify(error="Réponses illisibles : rechargez la page."), 400
    cards = _cards_by_id(invitation)
    given = payload.get("cards", {})
    gone = _sort_out(invitation, cards, list(given), payload.get("cartes"))
    if gone is None or not all(isinstance(answers, dict) for answers in given.values()):
        return jsonify(error=TAMPERED), 400
    errors = {pid: replies.save(invitation, cards[pid].participant, answers)
              for pid, answers in given.items() if pid not in gone}
    if payload.get("referent"):
        errors["b"] = replies.save(invitation, None, payload["referent"])
    db.session.commit()
    # The page skips the cards gone, says so, and stops sending their answers.
    return jsonify(errors={key: found for key, found in errors.items() if found},
                   gone=sorted(gone))


@bp.route("/<token>/merci")
def thanks(token: str):
    """Thanks, with what was sent and how to correct it."""
    invitation = _invitation(token)
    return render_template(
        "referent/thanks.html", invitation=invitation, stage=invitation.stage, token=token,
        cards=progress.cards(invitation), part_b=progress.part_b(invitation),
        deadline=link_expires_on(invitation, Settings.current(), utcnow()),
    )


@bp.after_request
def _no_referrer(response):
    """The token is in the address: never hand it to another site (headers.REFERRER_POLICY)."""
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response
