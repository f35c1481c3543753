"""Figure roles: how the impact figures find their answers in any version of a questionnaire.

A question that feeds a figure carries `figure: <role>` (grilles.md, "Figure roles"). Figures
read answers by role, never by question id, so a later version may rename, reword, move or add
questions and still give the same figures. A version is publishable only when each role of its
questionnaire is carried by exactly one question of a compatible type (and, for choice roles,
with at least the v1 values). This module imports nothing of the engine: definitions.py uses it.
"""
from dataclasses import dataclass

TEXT = frozenset({"texte_long", "texte_court"})
SCALE = frozenset({"echelle4"})
YES_NO = frozenset({"oui_non_nsp"})

#: The seven v1 situations of a participant at follow-up time (grilles.md)
SITUATIONS = ("emploi", "formation", "stage", "benevolat", "recherche_active",
              "sans_changement", "perdu_de_vue")
#: The five v1 orientations of a participant's project
ORIENTATIONS = ("stage", "formation", "benevolat", "emploi", "autre")


@dataclass(frozen=True)
class Role:
    """A role: the answer types it accepts, the choice values it keeps, the part it lives in."""
    types: frozenset
    values: tuple = ()
    #: suivi-referent only: "participant" (part A) or "referent" (part B)
    scope: str | None = None


ROLES: dict[str, dict[str, Role]] = {
    "bilan-individuel": {
        "satisfaction_globale": Role(SCALE),
        "experience_groupe": Role(YES_NO),
        "demarche_active": Role(YES_NO),
        "obj_possibles": Role(SCALE),
        "obj_competences": Role(SCALE),
        "obj_remobilisation": Role(SCALE),
        "obj_confiance": Role(SCALE),
        "obj_territoire": Role(SCALE),
        "isolement_rompu": Role(YES_NO),
        "projet_plus_precis": Role(YES_NO),
        "orientation": Role(frozenset({"choix_multiples"}), ORIENTATIONS),
        "temoignage": Role(TEXT),
        "consentement_publication": Role(frozenset({"consentement"})),
    },
    "suivi-referent": {
        "situation": Role(frozenset({"choix"}), SITUATIONS, "participant"),
        "apport_stage": Role(SCALE, scope="participant"),
        "confiance_observee": Role(SCALE, scope="participant"),
        "mobilite_observee": Role(SCALE, scope="participant"),
        "nouvelles_methodes": Role(YES_NO, scope="referent"),
        "participer_prochain": Role(YES_NO, scope="referent"),
    },
    "bilan-collectif": {
        "points_forts": Role(TEXT),
        "ambiance": Role(SCALE),
        "activites_plebiscitees": Role(frozenset({"activites"})),
        "paroles": Role(TEXT),
    },
}

_PARTS = {"participant": "la partie A (par participant)", "referent": "la partie B (par référent)"}


def roles_of(questionnaire: str) -> dict[str, Role]:
    """The roles a questionnaire must carry (none for a questionnaire without figures)."""
    return ROLES.get(questionnaire, {})


def role_problems(definition) -> list[str]:
    """What keeps `definition` from being published, in French; empty when publishable."""
    expected = roles_of(definition.id)
    carriers: dict[str, list] = {}
    problems = []
    for section in definition.sections:
        for question in section.questions:
            if question.figure is None:
                continue
            role = expected.get(question.figure)
            if role is None:
                problems.append(f"La question « {question.id} » porte un rôle inconnu "
                                f"« {question.figure} » : retirez-le ou choisissez un rôle de "
                                "la liste.")
                continue
            carriers.setdefault(question.figure, []).append(question.id)
            problems += _question_problems(question, section, role)
    for name in expected:
        found = carriers.get(name, [])
        if not found:
            problems.append(f"Le rôle « {name} » n'est porté par aucune question : donnez-le à "
                            "la question qui le remplace.")
        elif len(found) > 1:
            problems.append(f"Le rôle « {name} » est porté par plusieurs questions "
                            f"({', '.join(found)}) : gardez-le sur une seule.")
    return problems


def _question_problems(question, section, role: Role) -> list[str]:
    where = f"La question « {question.id} » (rôle « {question.figure} »)"
    if question.type not in role.types:
        return [f"{where} doit être de type {' ou '.join(sorted(role.types))}, "
                f"pas {question.type}."]
    problems = []
    missing = [v for v in role.values if v not in {str(c.value) for c in question.choices}]
    if missing:
        problems.append(f"{where} doit garder les valeurs de choix {', '.join(missing)}.")
    if role.scope and section.scope != role.scope:
        problems.append(f"{where} doit être dans {_PARTS[role.scope]}.")
    return problems


def role_ids(definition) -> dict[str, str]:
    """{role: question id} of the questions carrying a role in `definition`."""
    return {q.figure: q.id for s in definition.sections for q in s.questions if q.figure}


def by_role(definition, answers: dict) -> dict:
    """A response's answers keyed by role (the roles answered in it; others are absent)."""
    return {role: answers[qid] for role, qid in role_ids(definition).items() if qid in answers}


def from_roles(definition, values: dict) -> dict:
    """The reverse of `by_role`: answers keyed by the question ids of `definition`."""
    ids = role_ids(definition)
    return {ids[role]: value for role, value in values.items() if role in ids}
