"""Login and logout of the team."""
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from questionnaires.privacy import audit
from questionnaires.auth import lockout
from questionnaires.extensions import db, login_manager
from questionnaires.web.filters import local_datetime
from questionnaires.web.forms import FrenchForm
from questionnaires.models import User
from questionnaires.clock import utcnow

WRONG = "Adresse e-mail ou mot de passe incorrect. Vérifiez-les et réessayez."
#: Checked against when the address is unknown, so that the answer takes as long as for a
#: real account (the time must not tell which addresses exist)
_DUMMY_HASH = generate_password_hash("not a password of anyone")

bp = Blueprint("auth", __name__)


class LoginForm(FrenchForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )
    password = PasswordField(
        "Mot de passe",
        validators=[DataRequired("Indiquez votre mot de passe."), Length(max=200)],
    )
    remember = BooleanField("Rester connecté·e sur cet appareil")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user, from "<id>.<password fingerprint>" kept in the session cookie.

    A session opened before the password changed carries another fingerprint: logged out.
    """
    number, _, fingerprint = user_id.partition(".")
    if not (number.isascii() and number.isdigit() and len(number) <= 12 and fingerprint):
        return None
    user = db.session.get(User, int(number))
    if user is None or not hmac.compare_digest(fingerprint.encode(), user.session_fingerprint.encode()):
        return None
    return user


def _safe_next(target: str | None) -> str | None:
    """Only local paths, so that the login form cannot redirect to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """Team login with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("team.stages"))
    form = LoginForm()
    if form.validate_on_submit():
        user = _authenticate(form.email.data.strip().lower(), form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("team.stages"))
    return render_template("auth/login.html", form=form)


def _locked_message(until) -> str:
    return (f"Trop de mots de passe erronés : la connexion à ce compte depuis cet appareil est "
            f"bloquée jusqu'au {local_datetime(until)}. Réessayez après cette heure. Mot de passe "
            "oublié ? Un·e administrateur·rice peut vous en donner un nouveau.")


def _count_failure(email: str, user: User | None, now):
    """Count and journal a wrong password; retried once if another worker raced us."""
    for attempt in (1, 2):
        try:
            until = lockout.record_failure(email, now)
            audit.record("login_failed", user=user, email=email, target_type="user",
                         target_id=user.id if user else None, detail="mot de passe erroné")
            db.session.commit()
            return until
        except IntegrityError:  # the other request created the address's row first
            db.session.rollback()
            if attempt == 2:
                raise
    return None


def _authenticate(email: str, password: str) -> User | None:
    """The account if the password is right and the address not locked; flashes why not.

    An unknown address is answered exactly like a known one, lock included.
    """
    now = utcnow()
    until = lockout.locked_until(email, now)
    if until is not None:
        audit.record("login_failed", email=email, detail="adresse verrouillée")
        db.session.commit()
        flash(_locked_message(until), "error")
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
    if user is None or not user.check_password(password):
        until = _count_failure(email, user, now)
        flash(_locked_message(until) if until else WRONG, "error")
        return None
    if not user.active:
        audit.record("login_failed", user=user, target_type="user", target_id=user.id,
                     detail="compte désactivé")
        db.session.commit()
        flash("Ce compte est désactivé. Demandez à un·e administrateur·rice de le réactiver.",
              "error")
        return None
    lockout.clear(email)
    audit.record("logged_in", user=user, target_type="user", target_id=user.id)
    db.session.commit()
    return user


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """End the team session (POST, so a link on another site cannot log you out)."""
    if current_user.is_authenticated:
        audit.record("logged_out", target_type="user", target_id=current_user.id)
        db.session.commit()
    logout_user()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    """The root sends the team to its stages (or to the login page)."""
    return redirect(url_for("team.stages"))
