"""Rate limits on the login form and on the personal-link routes: failures are counted and
slowed down, a right answer is never refused.

Real use first: ten participants' tablets behind one association Wi-Fi share one address
and autosave every few seconds, and after « Créer un nouveau lien » stale QR codes make honest
misses; a team shares its office's address. So a valid link always opens and a right password
always logs in, whatever the address did before. What guessing looks like is counted per
address and slowed down, on the failure path only (`guard_failures`):
- personal-link requests whose link opens nothing (404), shared by the participant and
  referent routes, count against RATELIMIT_BAD_LINKS; login posts that do not log in count
  against RATELIMIT_LOGIN;
- past RATELIMIT_MISS_FREE failures each failure waits longer (`miss_delay`, doubling up to
  RATELIMIT_MISS_DELAY_MAX seconds), and past the limit a failure answers 429 instead of 404 or
  the form again (the lock is on the failure path only).
Tokens have 128 bits, so slowing down guesses is about load and noise, not about the odds.
Only loose ceilings count every request (RATELIMIT_LINKS, RATELIMIT_LOGIN_CEILING: password
hashing costs CPU), far above real use. The per-account lockout (auth/lockout.py) comes on top
of the login count.

One Limiter per app (not a module global): its counters and its on/off switch then belong
to that app, which keeps test apps independent. Storage: RATELIMIT_STORAGE_URI, memory:// by
default: per process, so with gunicorn -w N an address gets up to N times the failures before
its lock (still a few dozen guesses per 10 minutes against 2^128 tokens, each slowed down);
use redis://… to share the counts exactly. Behind a reverse proxy the client address must
come from it (PROXY_HOPS, ProxyFix), or every visitor would share the proxy's address.
"""
import time
from functools import wraps

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from werkzeug.exceptions import HTTPException

from questionnaires.web.errors import too_many_requests

#: Routes opened with a personal link (or the tablet session it starts)
PARTICIPANT_ENDPOINTS = ("participant.open_link", "participant.step", "participant.assisted",
                         "participant.autosave", "participant.sent", "participant.finish",
                         "participant.goodbye", "participant.kept_answers")
REFERENT_ENDPOINTS = ("referent.page", "referent.autosave", "referent.thanks")
#: Where a guessed token is checked: a 404 there counts as a failed guess
TOKEN_ENDPOINTS = ("participant.open_link", "participant.kept_answers") + REFERENT_ENDPOINTS


def _config(name: str):
    return lambda: current_app.config[name]


def miss_delay(misses: int, step: float, cap: float, free: int) -> float:
    """Seconds the `misses`-th failure of an address waits: none for the first `free`, then
    `step` doubling each time, at most `cap`."""
    if misses <= free or step <= 0:
        return 0
    return min(cap, step * 2 ** min(misses - free - 1, 30))


def _link_not_found(status: int) -> bool:
    return status == 404


def _login_failed(status: int) -> bool:
    """A login post that did not log in: the form shown again (wrong password, locked…)."""
    return request.method == "POST" and status == 200


class FailureGuard:
    """Counts an address's failures in the limiter's storage, under `scope`."""

    def __init__(self, limiter: Limiter, scope: str, limits_setting: str, failed):
        self.limiter, self.scope, self.setting, self.failed = limiter, scope, limits_setting, failed

    def count(self) -> tuple[int, bool]:
        """Count one failure of this address: (failures in the fullest window, over a limit)."""
        address, strategy = get_remote_address(), self.limiter.limiter
        misses, over = 0, False
        for item in parse_many(current_app.config[self.setting]):
            if not strategy.hit(item, self.scope, address):
                over = True
            remaining = strategy.get_window_stats(item, self.scope, address).remaining
            misses = max(misses, item.amount - remaining + (1 if over else 0))
        return misses, over

    def after_failure(self):
        """Wait as this address's count says; the French 429 when over the limit, else None."""
        misses, over = self.count()
        config = current_app.config
        delay = miss_delay(misses, config["RATELIMIT_MISS_DELAY_STEP"],
                           config["RATELIMIT_MISS_DELAY_MAX"], config["RATELIMIT_MISS_FREE"])
        if delay:
            time.sleep(delay)
        return too_many_requests() if over else None

    def __call__(self, view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not self.limiter.enabled:
                return view(*args, **kwargs)
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except HTTPException as error:
                status = error.response.status_code if error.response is not None else error.code
                if not self.failed(status or 0):
                    raise
                refused = self.after_failure()
                if refused is None:
                    raise
                return refused
            if self.failed(response.status_code):
                return self.after_failure() or response
            return response
        return guarded


def init_app(app: Flask) -> Limiter:
    """Attach a limiter to `app` and put the limits on its routes (after the blueprints)."""
    limiter = Limiter(get_remote_address, app=app,
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      enabled=app.config["RATELIMIT_ENABLED"])
    login_ceiling = limiter.limit(_config("RATELIMIT_LOGIN_CEILING"), methods=["POST"])
    links = limiter.shared_limit(_config("RATELIMIT_LINKS"), scope="personal-links")
    login_failures = FailureGuard(limiter, "login-failures", "RATELIMIT_LOGIN", _login_failed)
    bad_links = FailureGuard(limiter, "bad-links", "RATELIMIT_BAD_LINKS", _link_not_found)
    views = app.view_functions
    views["auth.login"] = login_ceiling(login_failures(views["auth.login"]))
    for endpoint in TOKEN_ENDPOINTS:
        views[endpoint] = bad_links(views[endpoint])
    for endpoint in PARTICIPANT_ENDPOINTS + REFERENT_ENDPOINTS:
        views[endpoint] = links(views[endpoint])
    app.extensions["questionnaires_limiter"] = limiter
    return limiter
