"""The admins' pages: accounts, effective settings and the audit journal (`blueprint.py`)."""
from questionnaires.admin import accounts, journal, settings  # noqa: F401  (routes on bp)
from questionnaires.admin.blueprint import bp  # noqa: F401  (what create_app registers)
