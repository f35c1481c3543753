"""Rate limits (Flask-Limiter) on the login form and on the personal-link routes.

Real use first: ten participants' tablets behind one association Wi-Fi share one address
and autosave every few seconds, so valid link traffic is only capped very loosely per
address (RATELIMIT_LINKS). What guessing looks like is capped hard: requests whose link opens
nothing (404) count against RATELIMIT_BAD_LINKS, shared by the participant and referent
routes; login form posts count against RATELIMIT_LOGIN. The per-account lockout (lockout.py)
comes on top of the login limit.

One Limiter per app (not a module global): its counters and its on/off switch then belong
to that app, which keeps test apps independent. Storage: RATELIMIT_STORAGE_URI, memory://
by default (per process: with gunicorn -w 2 each worker counts on its own; use redis://… to
share the counts). Behind a reverse proxy the client address must come from it (PROXY_HOPS,
ProxyFix), or every visitor would share the proxy's address.
"""
from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

#: Routes opened with a personal link (or the tablet session it starts)
PARTICIPANT_ENDPOINTS = ("participant.open_link", "participant.step", "participant.assisted",
                         "participant.autosave", "participant.sent", "participant.finish",
                         "participant.goodbye", "participant.kept_answers")
REFERENT_ENDPOINTS = ("referent.page", "referent.autosave", "referent.thanks")
#: Where a guessed token is checked: a 404 there counts as a failed guess
TOKEN_ENDPOINTS = ("participant.open_link", "participant.kept_answers") + REFERENT_ENDPOINTS


def _config(name: str):
    return lambda: current_app.config[name]


def _link_not_found(response) -> bool:
    return response.status_code == 404


def init_app(app: Flask) -> Limiter:
    """Attach a limiter to `app` and put the limits on its routes (after the blueprints)."""
    limiter = Limiter(get_remote_address, app=app,
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      enabled=app.config["RATELIMIT_ENABLED"])
    login = limiter.limit(_config("RATELIMIT_LOGIN"), methods=["POST"])
    links = limiter.shared_limit(_config("RATELIMIT_LINKS"), scope="personal-links")
    bad_links = limiter.shared_limit(_config("RATELIMIT_BAD_LINKS"), scope="bad-links",
                                     deduct_when=_link_not_found)
    views = app.view_functions
    views["auth.login"] = login(views["auth.login"])
    for endpoint in PARTICIPANT_ENDPOINTS + REFERENT_ENDPOINTS:
        views[endpoint] = links(views[endpoint])
    for endpoint in TOKEN_ENDPOINTS:
        views[endpoint] = bad_links(views[endpoint])
    app.extensions["questionnaires_limiter"] = limiter
    return limiter
