"""Login and logout of the team."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from .extensions import db, login_manager
from .forms import FrenchForm
from .models import User

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
    """The logged-in user, from the id kept in the session cookie."""
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 12):
        return None
    return db.session.get(User, int(user_id))


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
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or not user.check_password(form.password.data):
            flash("Adresse e-mail ou mot de passe incorrect. Vérifiez-les et réessayez.", "error")
        elif not user.active:
            flash("Ce compte est désactivé. Demandez à un·e administrateur·rice de le réactiver.",
                  "error")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("team.stages"))
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """End the team session (POST, so a link on another site cannot log you out)."""
    logout_user()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    """The root sends the team to its stages (or to the login page)."""
    return redirect(url_for("team.stages"))
