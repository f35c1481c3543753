"""Blueprint "team": everything the association's team does, behind a login.

Each page module of this package registers its routes on `bp`; `team/__init__.py` imports
them all, so that `questionnaires.team.bp` carries every team route.
"""
from flask import Blueprint
from flask_login import login_required

from questionnaires.privacy.audit import after_team_request

bp = Blueprint("team", __name__, url_prefix="/equipe")
# Who viewed, changed, exported or imported what: see audit.TEAM_RULES.
bp.after_request(after_team_request)


@bp.before_request
@login_required
def require_login():
    """Every team page needs a logged-in team member."""

