"""Error pages in French: what happened and what to do."""
from flask import Flask, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from questionnaires.engine.store import AnswersBusy
from questionnaires.extensions import db
from questionnaires.web.log_masking import mask_tokens

MESSAGES = {
    400: ("Requête incorrecte", "La demande envoyée n'est pas valide. Revenez en arrière et réessayez."),
    403: ("Accès refusé", "Vous n'avez pas le droit d'ouvrir cette page."),
    404: ("Page introuvable",
          "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou revenez à l'accueil."),
    405: ("Action impossible", "Cette page ne s'utilise pas de cette façon. Revenez en arrière."),
    409: ("Modification impossible", "Cette action n'est plus possible. Rechargez la page."),
    410: ("Lien expiré", "Ce lien n'est plus valable. Demandez un nouveau lien à l'équipe."),
    413: ("Fichier trop volumineux",
          "Le fichier envoyé dépasse 5 Mo. Envoyez un fichier plus petit."),
    429: ("Trop de tentatives", "Patientez quelques minutes avant de réessayer."),
    500: ("Erreur inattendue",
          "Une erreur s'est produite de notre côté. Rien de ce que vous avez saisi avant "
          "n'est perdu ; réessayez dans un instant, et prévenez l'équipe si cela se répète."),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    """An error page with a French title and advice."""
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    # On the participant's tablet, an error keeps the tablet's look and leads nowhere else.
    template = "participant/error.html" if request.blueprint == "participant" else "error.html"
    return (
        render_template(template, code=code, title=title or default_title,
                        message=message or default_message),
        code,
    )


def too_many_requests():
    """The French 429, as a page in the look of whoever asked, or JSON for the autosaves."""
    message = ("Trop de demandes en peu de temps depuis cet appareil ou ce réseau. Patientez "
               "quelques minutes puis réessayez ; vos réponses déjà enregistrées sont gardées.")
    if request.path.endswith("/brouillon") or request.is_json:  # the autosave reads JSON
        return jsonify(error=message), 429
    if request.blueprint == "referent":
        return render_template("referent/error.html", code=429, title="Trop de tentatives",
                               message=message), 429
    return render_error(429, "Trop de tentatives", message)


def register(app: Flask) -> None:
    """Route every HTTP error and uncaught exception to a French page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "Formulaire expiré",
            "Le formulaire n'a pas pu être vérifié (page restée ouverte trop longtemps ou "
            "envoyée depuis un autre site). Rechargez la page et recommencez.",
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests_error(error):
        return too_many_requests()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            # Our own abort(404, "…") carries a French description; Werkzeug's default is English.
            custom = error.description != type(error).description
            return render_error(error.code, message=error.description if custom else None)
        return error

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error):
        # A number no id can be (…?id=99999999999999999999): SQLite overflows, PostgreSQL
        # refuses the value. Nothing can match it.
        db.session.rollback()
        return render_error(404, message="Cet élément n'existe pas : le numéro demandé est "
                                         "hors limites. Vérifiez l'adresse.")

    @app.errorhandler(AnswersBusy)
    def answers_busy(error):
        # Far more devices than a bilan ever has saved it at once (engine/store.py): nothing
        # of this save is kept; the tablet's and the referent page's scripts send it again.
        db.session.rollback()
        message = ("Ce questionnaire est enregistré depuis plusieurs appareils en même temps : "
                   "vos dernières réponses n'ont pas pu être gardées. Réessayez dans un instant.")
        if request.path.endswith("/brouillon") or request.is_json:
            return jsonify(error=message), 503
        return render_error(503, "Enregistrement impossible pour l'instant", message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, mask_tokens(request.path))
        return render_error(500)

