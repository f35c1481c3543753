"""The audit log: one `record()` for every event, and the team blueprint's automatic entries.

Every team request is recorded by `after_team_request` (an after_request hook on the team
blueprint) from TEAM_RULES, a table naming each team endpoint's action. A test checks that
every team endpoint of `app.url_map` is in the table, so a new route cannot be forgotten.

Pages that show no personal data (the list of stages, the programme, venues, structures'
edit forms, the impact figures, which are counts and shares only) are not recorded when
viewed: they would bury the journal under noise. Every POST that succeeds is.
"""
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from questionnaires.extensions import db
from questionnaires.models import AuditEvent, User


@dataclass(frozen=True)
class Rule:
    """What one team endpoint records."""

    #: What the page is about, for the journal's "target" column
    target: str
    #: Action recorded for a successful GET: "viewed", "exported", or None (no personal data)
    get: str | None = None
    #: Action recorded for a successful POST ("changed", "imported") or None (no POST)
    post: str | None = "changed"


VIEW, EXPORT = "viewed", "exported"

#: Every endpoint of the team blueprint. A GET that shows personal data (names, answers,
#: referents' addresses, links) is "viewed"; downloads are "exported"; uploads "imported".
TEAM_RULES = {
    "team.stages": Rule("stage"),
    "team.stage": Rule("stage", VIEW),  # lists the participants
    "team.stage_new": Rule("stage"),
    "team.stage_edit": Rule("stage"),
    "team.stage_delete": Rule("stage"),
    "team.slot_edit": Rule("slot"),
    "team.slot_delete": Rule("slot"),
    "team.professionals": Rule("professional", VIEW),
    "team.professional_edit": Rule("professional", VIEW),
    "team.professional_delete": Rule("professional"),
    "team.participants": Rule("participant", VIEW),
    "team.participant_new": Rule("participant"),
    "team.participant_edit": Rule("participant", VIEW),
    "team.participant_delete": Rule("participant", VIEW),
    "team.participant_data": Rule("participant", EXPORT),  # the person's extract (RGPD)
    "team.participant_erase": Rule("participant", VIEW, post="purged"),
    "team.participants_import": Rule("participant", post="imported"),
    "team.participants_import_confirm": Rule("participant", post="imported"),
    "team.attendance": Rule("attendance", VIEW),
    "team.attendance_set": Rule("attendance"),
    "team.today": Rule("attendance", VIEW),  # names, phones, e-mails
    "team.today_mark": Rule("attendance"),
    "team.absence_call": Rule("attendance"),
    "team.week_sheets": Rule("participant", VIEW),  # first names on each sheet
    "team.week_pdf_download": Rule("participant", EXPORT),
    "team.bilans": Rule("bilan", VIEW),
    "team.bilans_lock": Rule("bilan"),
    "team.bilan_view": Rule("bilan", VIEW),
    "team.bilan_assisted": Rule("bilan"),
    "team.bilan_links": Rule("bilan_link", VIEW),
    "team.bilan_new_link": Rule("bilan_link"),
    "team.collective": Rule("collective"),  # the group's answers, nobody named
    "team.responses": Rule("response", VIEW),
    "team.responses_all": Rule("response"),  # counts only, nobody named
    "team.report": Rule("report", VIEW),
    "team.report_docx": Rule("report", EXPORT),
    "team.report_texts": Rule("report"),  # the team's own texts
    "team.report_texts_copy": Rule("report"),
    "team.impact": Rule("impact"),  # counts and shares only
    "team.impact_all": Rule("impact"),
    "team.impact_people": Rule("impact", VIEW),  # the people behind a figure
    "team.export_csv": Rule("export", EXPORT),
    "team.export_xlsx": Rule("export", EXPORT),
    "team.export_across": Rule("export", EXPORT),
    "team.data_codebook": Rule("export"),  # the questionnaires' definitions, no one's data
    "team.data_answers": Rule("export", EXPORT),
    "team.archive_download": Rule("archive", EXPORT),
    "team.archive_upload": Rule("archive", post="imported"),
    "team.followups": Rule("followup", VIEW),
    "team.followup_email": Rule("followup", VIEW),
    "team.followup_action": Rule("followup"),
    "team.team_followup": Rule("followup", VIEW),  # news of a participant, told to the team
    "team.outbox": Rule("mail", VIEW),
    # The mails' wording: no one's data; edits are recorded by the views, naming the text
    "team.mail_texts_page": Rule("mail_text", post=None),
    "team.mail_text_theme": Rule("mail_text", post=None),
    "team.mail_text_stage": Rule("mail_text", post=None),
    "team.mail_text_preview": Rule("mail_text", post=None),
    "team.structures": Rule("structure", VIEW),  # lists referents and their addresses
    "team.structure_edit": Rule("structure"),
    "team.referent_edit": Rule("referent", VIEW),
    "team.venues": Rule("venue"),
    "team.venue_edit": Rule("venue"),
    # The questionnaires hold no one's data; creating and publishing a version are recorded by
    # designer/store.py with what was done, so the automatic entry would only repeat them.
    "team.questionnaires": Rule("questionnaire"),
    "team.questionnaire_version": Rule("questionnaire"),
    "team.questionnaire_new": Rule("questionnaire", post=None),
    "team.questionnaire_edit": Rule("questionnaire"),
    "team.questionnaire_publish": Rule("questionnaire", post=None),
    # Recorded by the view itself, with the versions and what became of the answers
    "team.stage_questionnaires": Rule("questionnaire", post=None),
    # Recruitment (team/recruitment.py): candidates' names, contacts and notes
    "team.candidates": Rule("candidate", VIEW),
    "team.candidate_move": Rule("candidate"),
    "team.candidate_notes": Rule("candidate"),
    "team.recruitment_settings": Rule("candidate"),
    "team.recruitment_new_link": Rule("candidate"),
    "team.info_session_list": Rule("candidate", VIEW),
    "team.info_session_invite": Rule("candidate"),
    "team.conventions_list": Rule("participant", VIEW),
    "team.convention_page": Rule("participant", VIEW),
    "team.convention_docx": Rule("participant", EXPORT),
    "team.convention_status": Rule("participant"),
    "team.week_guests": Rule("referent", VIEW),
}

#: View arguments that name the target, most specific first (the stage has its own column)
TARGET_ARGS = ("candidate_id", "participant_id", "invitation_id", "professional_id", "referent_id",
               "structure_id", "venue_id", "table", "key", "day_iso", "extension",
               "questionnaire")

#: The journal's French words for the targets
TARGET_LABELS = {
    "stage": "stage", "slot": "créneau", "professional": "professionnel·le",
    "participant": "participant·e", "attendance": "présences", "bilan": "bilan",
    "bilan_link": "lien de bilan", "collective": "bilan collectif", "response": "réponses",
    "report": "rapport", "impact": "bilan chiffré", "export": "export",
    "archive": "archive du stage", "followup": "suivi", "mail": "e-mail",
    "mail_text": "texte d'e-mail",
    "structure": "structure", "referent": "référent·e", "venue": "lieu", "user": "compte",
    "questionnaire": "questionnaire",
    "candidate": "candidature",
}


def _client_ip() -> str | None:
    if not has_request_context():
        return None  # a `flask` command
    return (request.remote_addr or "")[:45] or None


def record(action: str, *, user: User | None = None, email: str | None = None,
           target_type: str | None = None, target_id=None, stage_id: int | None = None,
           detail: str | None = None) -> AuditEvent:
    """Add one event to the session (the caller commits, with the change it describes).

    `user` defaults to the logged-in account; `email` names who tried when there is no
    account (a failed login).
    """
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        user_name=user.name[:120] if user is not None else None,
        user_email=(user.email if user is not None else email or "")[:254] or None,
        action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        stage_id=stage_id, detail=(detail or "")[:300] or None, ip=_client_ip(),
    )
    db.session.add(event)
    return event


def _succeeded(response, action: str) -> bool:
    """Whether the request did what it recorded.

    A form that fails validation is shown again with 200: only a redirect (or an autosave's
    JSON answer) means a change was stored. Uploads also count when they show a preview.
    """
    status = response.status_code
    if request.method in ("GET", "HEAD") or action == "imported":
        return status < 400
    return 300 <= status < 400 or (status < 300 and response.mimetype == "application/json")


def _target(view_args: dict):
    for name in TARGET_ARGS:
        if name in view_args:
            return view_args[name]
    return None


def after_team_request(response):
    """Record a team request in the journal, as TEAM_RULES says."""
    rule = TEAM_RULES.get(request.endpoint)
    if rule is None or not current_user.is_authenticated:
        return response
    action = rule.get if request.method in ("GET", "HEAD") else rule.post
    if action is None or not _succeeded(response, action):
        return response
    view_args = request.view_args or {}
    try:
        # Whatever the view left uncommitted would be dropped at teardown anyway: drop it now so
        # that committing the event cannot store it.
        db.session.rollback()
        record(action, target_type=rule.target, target_id=_target(view_args),
               stage_id=view_args.get("stage_id"),
               detail=f"{request.method} {request.endpoint.removeprefix('team.')}")
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Audit event not recorded for %s", request.path)
    return response
