"""What the `flask` commands of several capabilities share: the `--now` option's parsing.

Each capability keeps its commands beside its rules (`followups/commands.py`,
`impact/commands.py`…); `create_app` attaches them all.
"""
from datetime import datetime, timezone

import click

from questionnaires import clock


def moment(value: str | None) -> datetime:
    """--now as an aware datetime (a time without offset is read in UTC)."""
    if not value:
        return clock.utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("date-heure ISO attendue, par ex. 2026-02-26T09:00+01:00",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
