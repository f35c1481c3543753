"""Blueprint "admin": accounts, effective settings and the audit journal, for admins only."""
from flask import Blueprint

from questionnaires.auth.access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def require_admin():
    """Every admin page needs a logged-in admin (a team member gets a French 403)."""

