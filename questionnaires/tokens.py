"""Personal links: a random nonce kept in the database, signed with the app's secret.

A link is `<nonce>.<mac>`: the nonce (128 bits from `secrets`) finds the row, the MAC
(HMAC-SHA256 of the purpose and the nonce, 128 bits) proves the link was made here. The
database alone is therefore not enough to open anyone's questionnaire, yet the team can
print the same link twice. Regenerating the nonce kills the old link. Changing SECRET_KEY
kills every link.
"""
import base64
import hashlib
import hmac
import secrets

from flask import current_app


def new_nonce() -> str:
    """A fresh random nonce (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


def _mac(purpose: str, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(purpose: str, nonce: str) -> str:
    """The link token for a row's nonce ("bilan" for participants)."""
    return f"{nonce}.{_mac(purpose, nonce)}"


def nonce_from_token(purpose: str, token: str) -> str | None:
    """The nonce if `token` is a genuine link for `purpose`, else None (constant-time check)."""
    if not isinstance(token, str) or len(token) > 100 or token.count(".") != 1:
        return None
    nonce, mac = token.split(".")
    if not nonce or not hmac.compare_digest(mac.encode(), _mac(purpose, nonce).encode()):
        return None
    return nonce
