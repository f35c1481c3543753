"""Questionnaire versions for tests: registered through the store, as the CLI import does."""
from questionnaires.designer.store import add_published


def add_version(app, data: dict):
    """Register `data` (the YAML format's dict) as a published version; fails on any fault."""
    with app.app_context():
        outcome = add_published(data)
        assert outcome.ok, [p.message for p in outcome.problems]
        return outcome.row.version
