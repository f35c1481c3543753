"""Blueprint "notice": the public privacy notice (RGPD), readable without logging in."""
from flask import Blueprint, current_app, render_template, request

from questionnaires import mail

bp = Blueprint("notice", __name__)


def privacy_settings() -> dict:
    """Who keeps the data and whom to ask, for the full notice and the short one on each page."""
    config = current_app.config
    return {"privacy": {"controller": config["PRIVACY_CONTROLLER"], "contact": privacy_contact(),
                        "years": config["RETENTION_YEARS"]}}


@bp.route("/confidentialite")
def page():
    """The full notice, in short sentences and large type, for participants and referents."""
    # Only a fixed word, never a URL: the referent's page address holds their secret link.
    back_to_bilan = request.args.get("depuis") == "bilan"
    return render_template("notice/page.html", back_to_bilan=back_to_bilan)





def privacy_contact() -> str:
    """The address the privacy notice gives for requests about one's data."""
    return current_app.config.get("PRIVACY_CONTACT") or mail.reply_to()
