"""Blueprint "team": everything the association's team does, behind a login."""
from flask import Blueprint
from flask_login import login_required

from ..audit import after_team_request

bp = Blueprint("team", __name__, url_prefix="/equipe")
# Who viewed, changed, exported or imported what: see audit.TEAM_RULES.
bp.after_request(after_team_request)


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
