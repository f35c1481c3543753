"""Personal links never reach a log file: their token is replaced by "***" wherever a path is logged.

Only the hash of a link is stored (tokens.py), so a log line holding `/b/<token>`,
`/suivi/<token>` or `/invitation/<token>` (a referent invited to a slot of the week,
recruitment/guests.py) would be the one place a working link survives, outside the retention rules.
Masked: gunicorn's access log (request line, path and Referer, which same-origin pages fill
with their own address), the development server's request lines (`make run`, logger
"werkzeug"), and the path in the app's own error log. The nginx example site masks
its access log the same way (deploy/nginx/stages.conf).
"""
import logging
import re

from gunicorn.glogging import Logger

#: A link token: 22 URL-safe characters (legacy links: two such parts joined by a dot)
_TOKEN_PATH = re.compile(r"(/(?:b|suivi|invitation)/)[A-Za-z0-9_\-]{16,}(?:\.[A-Za-z0-9_\-]+)?")


def mask_tokens(text: str) -> str:
    """`text` with every personal-link token replaced by "***" (team paths keep their ids)."""
    return _TOKEN_PATH.sub(r"\1***", text) if text else text


class TokenMaskingLogger(Logger):
    """gunicorn's logger, whose access lines never hold a link token (gunicorn.conf.py)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):  # request line, path, query, Referer
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_tokens(atoms[key])
        return atoms


class TokenMaskingFilter(logging.Filter):
    """A logging filter that masks link tokens in the whole formatted line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def mask_dev_server_log() -> None:
    """Mask the development server's request lines (`flask run`), once per process."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, TokenMaskingFilter) for f in logger.filters):
        logger.addFilter(TokenMaskingFilter())
