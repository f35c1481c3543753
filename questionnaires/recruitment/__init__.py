"""Recruitment before a stage (shared/domain/recrutement.md): the public proposal page
(`views.py`), the candidates' states and what `retenu` makes (`rules.py`), their mails
(`mails.py`)."""
