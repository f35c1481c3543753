"""Blueprint "team": everything the association's team does, behind a login."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("team", __name__, url_prefix="/equipe")


@bp.before_request
@login_required
def require_login():
    """Every team page needs a logged-in team member."""


from . import (  # noqa: E402,F401  (routes register themselves on bp)
    archives,
    attendance,
    bilans,
    directory,
    followups,
    exports,
    impact,
    imports,
    participants,
    privacy,
    programme,
    responses,
    stages,
)
