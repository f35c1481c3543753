"""The data model; import models from here."""
from questionnaires.models.actions import FormUse
from questionnaires.models.audit import AUDIT_ACTIONS, ERASURE_KINDS, AuditEvent, Erasure
from questionnaires.models.followup import (
    FollowupHandover,
    FollowupInvitation,
    FollowupMessage,
    MailAttempt,
    OutboxMail,
)
from questionnaires.models.heartbeat import SchedulerHeartbeat
from questionnaires.models.imports import ImportPreview
from questionnaires.models.mail_text import MailText
from questionnaires.models.mailing import ScheduledMail
from questionnaires.models.people import Attendance, AttendanceCall, Participant
from questionnaires.models.questionnaire import QuestionnaireVersion
from questionnaires.models.places import Referent, Structure, Venue
from questionnaires.models.recruitment import (
    CANDIDATE_STATES, GUEST_ANSWERS, Candidate, RecruitmentPage, WeekGuest,
)
from questionnaires.models.report import StageFunder, StageText
from questionnaires.models.response import Response
from questionnaires.models.stage import (
    MAX_STAGE_DAYS,
    Professional,
    Slot,
    Stage,
    period_rank,
    slot_professionals,
)
from questionnaires.models.user import LoginThrottle, User
from questionnaires.models.variant import StageQuestionnaire

__all__ = [
    "AUDIT_ACTIONS", "AuditEvent", "ERASURE_KINDS", "Erasure", "FormUse", "LoginThrottle", "Attendance", "AttendanceCall", "FollowupHandover", "FollowupInvitation", "FollowupMessage", "ImportPreview", "MailAttempt",
    "MailText",
    "MAX_STAGE_DAYS", "OutboxMail", "Participant", "Professional", "Referent", "Response",
    "QuestionnaireVersion", "ScheduledMail", "SchedulerHeartbeat", "Slot", "Stage", "StageQuestionnaire", "StageFunder", "StageText", "Structure",
    "User", "Venue", "period_rank",
    "slot_professionals", "CANDIDATE_STATES", "Candidate", "RecruitmentPage",
    "GUEST_ANSWERS", "WeekGuest",
]
