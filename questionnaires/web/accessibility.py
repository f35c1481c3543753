"""Blueprint "accessibility": the accessibility statement ("déclaration d'accessibilité").

Public, linked from the footer of every page, in the structure the RGAA asks for: state of
compliance, what is not accessible, how to report a problem, the recourse. The state and the
date come from the configuration (ACCESSIBILITY_STATUS, ACCESSIBILITY_STATEMENT_DATE): they
change only after an audit, which the association commissions, not with the code.
"""
from flask import Blueprint, current_app, render_template, request

from questionnaires.privacy.notice import privacy_contact

bp = Blueprint("accessibility", __name__)

#: The three states the RGAA allows, as the footer's words say them
STATUSES = ("totalement conforme", "partiellement conforme", "non conforme")


def accessibility_status() -> str:
    """The footer's state ("non conforme" until an RGAA audit says otherwise)."""
    status = current_app.config.get("ACCESSIBILITY_STATUS", "non conforme")
    return status if status in STATUSES else "non conforme"


@bp.route("/accessibilite")
def statement():
    """The statement, for participants, referents and the team alike."""
    # Only a fixed word, never a URL (as on the privacy notice): from the tablet, a way back.
    return render_template("accessibility.html", status=accessibility_status(),
                           back_to_bilan=request.args.get("depuis") == "bilan",
                           contact=current_app.config.get("ACCESSIBILITY_CONTACT")
                           or privacy_contact(),
                           made_on=current_app.config["ACCESSIBILITY_STATEMENT_DATE"])
