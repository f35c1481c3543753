"""Value sets of the stage archive (shared/domain/stage-archive.md), with their French labels.

The keys are stored in the database and in archives; the labels are what people see.
"""

PERIODS = {"matin": "Matin", "apres-midi": "Après-midi", "soiree": "Soirée"}
SLOT_KINDS = {
    "atelier": "Atelier",
    "visite": "Visite",
    "rencontre": "Rencontre",
    "sortie_culturelle": "Sortie culturelle",
    "bilan": "Bilan",
    "autre": "Autre",
}
VENUE_KINDS = {"culturel": "Lieu culturel", "autre": "Autre lieu"}
GENDERS = {"F": "Femme", "H": "Homme", "X": "Autre / non précisé"}
QPV = {"oui": "Oui (QPV)", "veille": "Quartier en veille", "non": "Non", "inconnu": "Inconnu"}
PARTICIPANT_STATUSES = {
    "inscrit": "Inscrit·e",
    "abandon": "Abandon en cours de stage",
    "desiste": "Désisté·e avant le début",
}
PMSMP = {"a_faire": "À faire", "envoyee": "Envoyée", "signee": "Signée", "sans_objet": "Sans objet"}
ATTENDANCE = {"present": "Présent·e", "absent": "Absent·e", "excuse": "Excusé·e"}
QUESTIONNAIRES = {
    "bilan-individuel": "Bilan individuel",
    "bilan-collectif": "Bilan collectif",
    "suivi-referent": "Suivi référent·e",
}
ROLES = {"admin": "Administrateur·rice", "team": "Équipe"}


def sql_in(column: str, values) -> str:
    """A CHECK clause that keeps `column` inside a value set."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"
