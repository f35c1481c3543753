"""The team's pages, one module per subject, all on the "team" blueprint (`blueprint.py`).

A view here reads the request, calls its capability's rules (stages, followups, impact,
archive, privacy…) and renders; the rules themselves live in those packages.
"""
from questionnaires.team import (  # noqa: F401  (each module registers its routes on bp)
    archives,
    attendance,
    bilans,
    conventions,
    directory,
    exports,
    followups,
    guests,
    impact,
    imports,
    mail_texts,
    participants,
    privacy,
    programme,
    questionnaires,
    recruitment,
    report,
    responses,
    stages,
    team_followup,
    today,
    variants,
    week,
)
from questionnaires.team.blueprint import bp  # noqa: F401  (what create_app registers)
