"""Team accounts: list, create, change name, role, active, password."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from questionnaires.auth.accounts import AccountError, create_account
from questionnaires.privacy import audit
from questionnaires.extensions import db
from questionnaires.models import User
from questionnaires.models.values import ROLES
from questionnaires.admin.blueprint import bp
from questionnaires.admin.forms import PASSWORD_HINT, AccountForm, NewAccountForm

SELF_PROTECTION = ("Vous ne pouvez ni désactiver votre propre compte ni lui retirer le rôle "
                   "d'administrateur·rice : il doit toujours rester un·e administrateur·rice "
                   "actif·ve. Demandez-le à un·e autre administrateur·rice.")


@bp.route("/comptes")
def accounts():
    """Every account, admins first."""
    users = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    return render_template("admin/accounts.html", users=users)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
def account_new():
    """Create an account with a first password."""
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = create_account(form.email.data, form.name.data, form.role.data,
                                  form.password.data, active=form.active.data)
        except AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            audit.record("account", target_type="user", target_id=user.id,
                         detail=f"compte créé ({ROLES[user.role]})")
            db.session.commit()
            flash(f"Compte créé pour {user.email}.", "success")
            return redirect(url_for("admin.accounts"))
    return render_template("admin/account_form.html", form=form, title="Nouveau compte",
                           hint=PASSWORD_HINT)


@bp.route("/comptes/<int:user_id>", methods=["GET", "POST"])
def account_edit(user_id: int):
    """Change an account; an admin cannot deactivate or demote themselves."""
    user = db.get_or_404(User, user_id, description="Ce compte n'existe pas.")
    form = AccountForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            flash(SELF_PROTECTION, "error")
        else:
            changes = _apply(user, form)
            if changes:
                audit.record("account", target_type="user", target_id=user.id,
                             detail=", ".join(changes))
                db.session.commit()
                flash(f"Compte de {user.email} modifié : {', '.join(changes)}.", "success")
            return redirect(url_for("admin.accounts"))
    return render_template("admin/account_form.html", form=form, user=user,
                           title=f"Compte de {user.email}", hint=PASSWORD_HINT)


def _apply(user: User, form: AccountForm) -> list[str]:
    """Copy the form into the account; what changed, in French (never the password)."""
    if form.role.data not in ROLES:
        abort(400)
    changes = []
    if form.name.data.strip() != user.name:
        changes.append(f"nom « {user.name} » → « {form.name.data.strip()} »")
        user.name = form.name.data.strip()
    if form.role.data != user.role:
        changes.append(f"rôle {ROLES[user.role]} → {ROLES[form.role.data]}")
        user.role = form.role.data
    if form.active.data != user.active:
        changes.append("réactivé" if form.active.data else "désactivé")
        user.active = form.active.data
    if form.password.data:
        user.set_password(form.password.data)
        changes.append("mot de passe changé")
        if user.id == current_user.id:  # a new password ends old sessions: keep this one
            login_user(user)
    return changes
