"""How the impact figures read in French, and their flat form for tables and exports."""
from questionnaires.impact.figures import OBJECTIVES, SITUATIONS

#: Figure key → (label, what it counts), in the order of the report's "Bilan chiffré"
FIGURES = {
    "participants": ("Participant·e·s", "inscrit·e·s, hors désistements avant le début"),
    "femmes": ("Femmes", "genre déclaré"),
    "hommes": ("Hommes", "genre déclaré"),
    "autres": ("Autre / non précisé", "genre déclaré"),
    "age_min": ("Âge minimum", "en années révolues au premier jour"),
    "age_max": ("Âge maximum", "en années révolues au premier jour"),
    "moins_26": ("Moins de 26 ans", "âge au premier jour du stage"),
    "qpv": ("Habitent un QPV ou un quartier en veille", "QPV « oui » ou « veille »"),
    "structures": ("Structures sociales impliquées", "structures des référent·e·s"),
    "lieux_culturels": ("Établissements culturels", "lieux culturels du programme"),
    "professionnels": ("Professionnels rencontrés", "reliés aux créneaux du programme"),
    "sortie_culturelle": ("Au moins une sortie culturelle", "présent·e à une sortie culturelle"),
    "jusqu_au_bout": ("Restés jusqu'à la fin", "présent·e le dernier jour"),
    "jusqu_au_bout_satisfaits": ("Restés jusqu'à la fin et satisfaits",
                                 "présent·e le dernier jour et satisfaction ≥ 3"),
    "projet_plus_precis": ("Projet professionnel plus précis", "« oui » au bilan individuel"),
    "isolement_rompu": ("Disent avoir rompu leur isolement", "« oui » au bilan individuel"),
    "experience_groupe": ("Ont aimé l'expérience de groupe et la démarche active",
                          "« oui » aux deux questions"),
    "bilans_recus": ("Bilans individuels reçus", "bilans envoyés"),
    "suivi_reponses": ("Réponses des référent·e·s à 3 mois", "participant·e·s avec une réponse"),
    "sorties_positives": ("Sorties positives à 3 mois",
                          "emploi, formation, stage ou bénévolat, parmi les réponses"),
}
OBJECTIVE_LABELS = {
    "obj_possibles": "Ouvrir le champ des possibles professionnels",
    "obj_competences": "Découvrir des compétences transposables",
    "obj_remobilisation": "Se remobiliser dans la recherche d'emploi ou de formation",
    "obj_confiance": "Reprendre confiance, rompre l'isolement",
    "obj_territoire": "Se réapproprier son territoire",
}
SITUATION_LABELS = {
    "emploi": "En emploi", "formation": "En formation", "stage": "En stage",
    "benevolat": "Bénévole", "recherche_active": "En recherche active",
    "sans_changement": "Sans changement", "perdu_de_vue": "Perdu·e de vue",
}
ORIENTATION_LABELS = {"stage": "Stage", "formation": "Formation", "benevolat": "Bénévolat",
                      "emploi": "Emploi", "autre": "Autre"}
#: Figure key → key of its "non renseigné" count
UNKNOWN_KEYS = {"moins_26": "age", "age_min": "age", "jusqu_au_bout": "presence_dernier_jour",
                "jusqu_au_bout_satisfaits": "presence_dernier_jour", "bilans_recus": "bilans"}
NOT_DUE = "pas encore dû"
MISSING = "non renseigné"


def percent(n: int, of: int) -> int | None:
    """Whole percentage, or None when there is nothing to divide by."""
    return round(100 * n / of) if of else None


def show(value) -> str:
    """"9 / 10 — 90 %", "8", "non renseigné", "pas encore dû"."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if not value["of"]:
            return MISSING
        return f"{value['n']} / {value['of']} — {percent(value['n'], value['of'])} %"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def rows(figures: dict) -> list[tuple[str, str, object]]:
    """(key, label, value) for every figure, objectives and situations included, in order."""
    result = [(key, FIGURES[key][0], figures[key]) for key in FIGURES if key in figures]
    for key in OBJECTIVES:
        part = figures["objectifs"][key]
        result.append((f"objectifs.{key}.moyenne", f"{OBJECTIVE_LABELS[key]} (moyenne sur 4)",
                       part["moyenne"]))
        result.append((f"objectifs.{key}", f"{OBJECTIVE_LABELS[key]} (3 ou 4 sur 4)",
                       {"n": part["n"], "of": part["of"]}))
    orientation = figures["projet_plus_precis"].get("orientation", {})
    for key, label in ORIENTATION_LABELS.items():
        result.append((f"projet_plus_precis.orientation.{key}", f"Orientation : {label}",
                       orientation.get(key, 0)))
    situations = figures["suivi_situation"]
    for key in SITUATIONS:
        value = situations.get(key, 0) if isinstance(situations, dict) else situations
        result.append((f"suivi_situation.{key}", f"Situation à 3 mois : {SITUATION_LABELS[key]}",
                       value))
    return result
