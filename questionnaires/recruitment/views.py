"""Blueprint "proposition": the stage's public proposal page, opened from the link the team
sends to its network (no account; the link's key is the only way in). Blueprint "invitation":
a referent invited to a slot of the week answers yes or no from the link of their mail.

Nothing is stored without the person's consent ticked. A robot that fills the hidden
`site_web` field is thanked and nothing is stored. Posts are rate-limited per address
(RATELIMIT_PROPOSALS, loose enough for a structure whose referents share one address), and an
unknown key counts against the same "bad links" limit as the personal links (web/ratelimit.py).
"""
from flask import Blueprint, Flask, current_app, render_template, request

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.recruitment import guests, mails, rules
from questionnaires.recruitment.forms import NotesForm, ProposalForm

bp = Blueprint("proposition", __name__, url_prefix="/proposer")
guest_bp = Blueprint("invitation", __name__, url_prefix="/invitation")


def _unknown():
    return render_template(
        "recruitment/message.html", title="Lien inconnu",
        message=("Ce lien de proposition ne correspond à aucun stage. Vérifiez qu'il est recopié "
                 "en entier depuis le message de l'équipe, ou demandez-lui le lien à jour.")), 404


@bp.route("/<page_key>", methods=["GET", "POST"])
def page(page_key: str):
    """The form; on a valid post, the proposal stored and its receipt planned."""
    settings = rules.find_page(page_key)
    if settings is None:
        return _unknown()
    stage = settings.stage
    closed = rules.closed_because(settings, clock.today())
    if closed:
        return render_template("recruitment/message.html", title="Propositions closes",
                               message=closed, stage=stage)
    form = ProposalForm()
    if not form.validate_on_submit():
        return render_template("recruitment/proposal.html", form=form, stage=stage,
                               dates=mails.dates_of(stage)), 422 if form.errors else 200
    person = form.person()
    if not (form.site_web.data or "").strip():
        now = clock.utcnow()
        candidate = rules.propose(settings, person, now)
        mails.plan("recrutement_recu", candidate, now)
        db.session.commit()
    return render_template("recruitment/message.html", title="Proposition envoyée", stage=stage,
                           message=(f"Merci ! La proposition de {person['first_name']} est "
                                    f"bien arrivée. Un accusé de réception part à "
                                    f"{person['referent_email']} ; l'équipe vous recontacte "
                                    "pour fixer un entretien."), sent=True)


@guest_bp.route("/<token>", methods=["GET", "POST"])
def answer(token: str):
    """The slot the referent is invited to, and two buttons: I come / I do not."""
    guest = guests.find(token)
    if guest is None:
        return render_template(
            "recruitment/message.html", title="Lien inconnu",
            message=("Ce lien d'invitation ne correspond à rien. Vérifiez qu'il est recopié en "
                     "entier depuis l'e-mail, ou répondez simplement à l'e-mail.")), 404
    form = NotesForm()
    if request.method == "POST" and form.validate_on_submit():
        choice = request.form.get("reponse")
        if choice in ("oui", "non"):
            guests.answer(guest, choice == "oui", clock.utcnow())
            db.session.commit()
    return render_template("recruitment/guest.html", guest=guest, form=form,
                           slot=guests.slot_text(guest.slot), stage=guest.slot.stage)


def _config(name: str):
    return lambda: current_app.config[name]


def _not_found(response) -> bool:
    return response.status_code == 404


def init_app(app: Flask) -> None:
    """Register the blueprint and its limits (after web/ratelimit.py made the limiter)."""
    app.register_blueprint(bp)
    app.register_blueprint(guest_bp)
    limiter = app.extensions["questionnaires_limiter"]
    posts = limiter.limit(_config("RATELIMIT_PROPOSALS"), methods=["POST"],
                          scope="proposals")
    bad_links = limiter.shared_limit(_config("RATELIMIT_BAD_LINKS"), scope="bad-links",
                                     deduct_when=_not_found)
    views = app.view_functions
    views["proposition.page"] = bad_links(posts(views["proposition.page"]))
    views["invitation.answer"] = bad_links(views["invitation.answer"])
