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
    "suivi_reponses": ("Réponses au suivi",
                       "participant·e·s avec une réponse (référent·e ou équipe)"),
    "sorties_positives": ("Sorties positives au suivi",
                          "emploi, formation, stage ou bénévolat, parmi les réponses"),
    "suivi_apport": ("Le stage a contribué, selon les référent·e·s",
                     "« plutôt oui » ou « tout à fait », parmi les réponses connues"),
    "suivi_confiance": ("Plus de confiance en soi observée",
                        "« plutôt oui » ou « tout à fait », parmi les réponses connues"),
    "suivi_mobilite": ("Plus de mobilité observée",
                       "« plutôt oui » ou « tout à fait », parmi les réponses connues"),
    "projet_realise": ("Projet annoncé → réalisé",
                       "situation au suivi parmi les orientations choisies au bilan"),
    "referents_idees": ("Référent·e·s ayant pris des idées pour leur pratique",
                        "« oui », parmi les référent·e·s ayant donné leur avis"),
}
#: Where the labels say when the follow-up happens; a stage's pages name its own delay
AT_FOLLOWUP = "au suivi"
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
#: A share of fewer people than this is shown with a caution mark (impact.md, small numbers)
CAUTION_BELOW = 5
CAUTION_MARK = "*"
CAUTION_NOTE = "* moins de 5 personnes : pourcentage à lire avec prudence"


def at_followup(text: str, months: int | None) -> str:
    """"… au suivi" → "… à 3 mois" for a stage whose follow-up is 3 months after its end."""
    return text if months is None else text.replace(AT_FOLLOWUP, f"à {months} mois")


def labels_for(months: int | None = None) -> dict:
    """FIGURES, worded for one stage's follow-up delay (None: across stages, "au suivi")."""
    if months is None:
        return FIGURES
    return {key: (at_followup(label, months), definition)
            for key, (label, definition) in FIGURES.items()}


def percent(n: int, of: int) -> int | None:
    """Whole percentage, or None when there is nothing to divide by."""
    return round(100 * n / of) if of else None


def ratio_parts(value: dict) -> tuple[int, int, int | None, bool]:
    """(n, of, whole percentage or None, caution): the one reading of a {"n", "of"} figure."""
    n, of = value["n"], value["of"]
    return n, of, percent(n, of), 0 < of < CAUTION_BELOW


def has_caution(figures: dict) -> bool:
    """Whether any share of the table (objectives included) rests on fewer than 5 people."""
    values = list(figures.values()) + list(figures.get("objectifs", {}).values())
    return any(isinstance(v, dict) and "of" in v and ratio_parts(v)[3] for v in values)


def show(value) -> str:
    """"9 / 10 — 90 %", "3 / 4 — 75 %*", "8", "non renseigné", "pas encore dû"."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        n, of, pct, caution = ratio_parts(value)
        if not of:
            return MISSING
        return f"{n} / {of} — {pct} %{CAUTION_MARK if caution else ''}"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def rows(figures: dict, months: int | None = None) -> list[tuple[str, str, object]]:
    """(key, label, value) for every figure, objectives and situations included, in order
    (`months`: the stage's follow-up delay, in the labels)."""
    labels = labels_for(months)
    result = [(key, labels[key][0], figures[key]) for key in FIGURES if key in figures]
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
        result.append((f"suivi_situation.{key}",
                       at_followup(f"Situation {AT_FOLLOWUP} : {SITUATION_LABELS[key]}", months),
                       value))
    return result
