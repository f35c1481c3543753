"""Personal links: a random salt per row, a token derived from it, only the token's hash stored.

A row (a participant's bilan, a referent's follow-up) keeps:
- a random salt (128 bits from `secrets`), never shown to anyone;
- sha256 of its link token, in a unique indexed column: the only way to find the row.

The token is base64url(HMAC-SHA256(SECRET_KEY, "<purpose>:<salt>")) truncated to 128 bits
(22 characters). So:
- the team can show or print the same link again, and a reminder mail carries the same link
  as the first mail: the token is recomputed from the salt and the key;
- the database alone (salt + hash) cannot rebuild a link: the key lives outside it
  (environment or instance/secret_key);
- a link is looked up by its hash, then confirmed by recomputing it from the row's salt and
  comparing in constant time (`hmac.compare_digest`);
- regenerating a row's salt kills its old link (and its hash changes with it);
- ROTATING SECRET_KEY KILLS EVERY LINK at once (participants' and referents'): the stored
  hashes no longer match anything the new key derives. Do it only on purpose (a leaked key),
  then remake the links (`flask links rehash` recomputes the hashes for the new key; the
  team re-prints participants' links and the next mails carry the new ones).

Links made before this scheme read `<salt>.<token>`: the part after the dot is exactly the
token of today, so old printed or mailed links keep working.
"""
import base64
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from questionnaires.extensions import db

#: Bytes of HMAC kept in a token (128 bits)
TOKEN_BYTES = 16
#: Longest token accepted before any work (legacy links are `<22 chars>.<22 chars>`)
MAX_TOKEN_LENGTH = 100


def new_salt() -> str:
    """A fresh random salt (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


# The column defaults of the models still call it by its first name.
new_salt = new_salt


def _key(key: str | None) -> bytes:
    return (key if key is not None else current_app.config["SECRET_KEY"]).encode()


def make_token(purpose: str, salt: str, key: str | None = None) -> str:
    """The link token for a row's salt ("bilan" for participants, "suivi" for referents)."""
    digest = hmac.new(_key(key), f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex (64 characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_for(purpose: str, salt: str, key: str | None = None) -> str:
    """The stored hash of the link of a row with `salt`."""
    return token_hash(make_token(purpose, salt, key))


def fresh_link(purpose: str) -> tuple[str, str]:
    """(salt, hash) of a new link, for bulk updates that bypass the models."""
    salt = new_salt()
    return salt, hash_for(purpose, salt)


def parse(token) -> tuple[str, str | None] | None:
    """(token, legacy salt or None) from what the URL carried, or None if it cannot be a link."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    if token.count(".") == 1:  # a link made before the hashes: <salt>.<token>
        salt, token = token.split(".")
        return (token, salt) if salt and token else None
    return None if "." in token else (token, None)


def confirms(purpose: str, token: str, salt: str, legacy_salt: str | None = None) -> bool:
    """Whether `token` really is the link of the row holding `salt` (constant-time)."""
    expected = make_token(purpose, salt)
    ok = hmac.compare_digest(token.encode(), expected.encode())
    if legacy_salt is not None:
        ok = hmac.compare_digest(legacy_salt.encode(), salt.encode()) and ok
    return ok


def find_row(purpose: str, token, column, statement=None):
    """The row whose link is `token`, or None: found by hash, confirmed in constant time.

    `column` is the model's hash column (Participant.bilan_token_hash…); the salt is read from
    the attribute the model names in LINK_SALT. `statement`, if given, is a select of that
    model built once by the caller, with a `token_hash` bind parameter (and the relationships
    its page needs loaded with the row).
    """
    parsed = parse(token)
    if parsed is None:
        return None
    token, legacy_salt = parsed
    model = column.class_
    if statement is None:
        row = db.session.scalar(select(model).where(column == token_hash(token)))
    else:
        row = db.session.scalar(statement, {"token_hash": token_hash(token)})
    if row is None or not confirms(purpose, token, getattr(row, model.LINK_SALT), legacy_salt):
        return None
    return row
