"""The "Bilan chiffré" written as the seed writes it: a sentence per figure, with its numbers.

Pure functions of the figures and of names read beforehand (structures, venues, roles), so
that they are tested without a database. A sentence is a list of runs (text, bold).
"""
import re
from dataclasses import dataclass

from questionnaires.impact.labels import CAUTION_MARK, ratio_parts

Run = tuple[str, bool]
ORIENTATION_WORDS = {"stage": "un stage", "formation": "une formation",
                     "benevolat": "du bénévolat", "emploi": "un emploi", "autre": "autre chose"}
SITUATION_WORDS = {"emploi": "en emploi", "formation": "en formation", "stage": "en stage",
                   "benevolat": "bénévole", "recherche_active": "en recherche active",
                   "sans_changement": "sans changement", "perdu_de_vue": "perdu·e de vue"}


@dataclass(frozen=True)
class Place:
    """A structure or a venue: its name and its town."""

    name: str
    city: str | None


def plural(count: int, one: str, many: str) -> str:
    """"1 participant", "10 participants"."""
    return f"{count} {one if count == 1 else many}"


def share(value: dict) -> str:
    """"6 sur 10 (60 %)", with the caution mark under 5 people."""
    n, of, pct, caution = ratio_parts(value)
    if not of:
        return "non renseigné"
    return f"{n} sur {of} ({pct} %{CAUTION_MARK if caution else ''})"


def agree(value: dict, one: str, many: str) -> str:
    """The verb as its count needs it: "1 sur 10 a", "6 sur 10 ont"."""
    return one if value.get("n") == 1 else many


def town_stem(city: str) -> str:
    """"Ivry-sur-Seine" → "Ivry": how names often mention their town."""
    return re.split(r"-(?:sur|sous|le|la|lès|les)-", city)[0]


def with_town(place: Place) -> str:
    """"Maison de Quartier Gagarine (Ivry-sur-Seine)"; the town is dropped when the name says it
    already ("Mission locale de Vitry-sur-Seine", "Théâtre des Quartiers d'Ivry")."""
    if not place.city or place.city in place.name or town_stem(place.city) in place.name:
        return place.name
    return f"{place.name} ({place.city})"


def merge_roles(roles: list[str]) -> list[str]:
    """Roles once each, gender variants merged: "chargée des relations avec les publics" and
    "chargé des relations avec les publics" → "chargé·e·s des relations avec les publics"."""
    groups: dict[tuple[str, str], list[str]] = {}
    for role in roles:
        role = role.strip()
        first, _, rest = role.partition(" ")
        stem = first[:-1] if first.endswith("ée") else first
        variants = groups.setdefault((stem.lower(), rest.lower()), [])
        if role not in variants:
            variants.append(role)
    result = []
    for variants in groups.values():
        if len(variants) == 1:
            result.append(variants[0])
            continue
        first, _, rest = variants[0].partition(" ")
        stem = first[:-1] if first.endswith("ée") else first
        result.append(f"{stem}·e·s {rest}".strip())
    return result


def _complement(texts: dict, key: str) -> str:
    text = (texts.get(f"chiffre.{key}") or "").strip()
    return text.rstrip(".")


def _join(items: list[str], last: str = " et ") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def bilan_chiffre(f: dict, notes: dict, names: dict, texts: dict, months: int) -> list[list[Run]]:
    """The bullets of the "Bilan chiffré". `names`: structures and venues (Place lists), roles
    (strings); `texts`: the team's complements by key ("chiffre.participants": "Groupe …")."""
    bullets: list[list[Run]] = []
    people = f["participants"]
    genders = [plural(f["hommes"], "homme", "hommes"), plural(f["femmes"], "femme", "femmes")]
    if f["autres"]:
        genders.append(plural(f["autres"], "personne de genre autre ou non précisé",
                              "personnes de genre autre ou non précisé"))
    ages = f" de {f['age_min']} à {f['age_max']} ans" if f["age_min"] is not None else ""
    extra = _complement(texts, "participants")
    bullets.append([(plural(people, "participant", "participants") + ages + ".", True),
                    (f" {extra}, avec " if extra else " Avec ", False),
                    (_join(genders) + ".", False)])
    line: list[Run] = [(f"{share(f['moins_26'])} {agree(f['moins_26'], 'a', 'ont')} moins de "
                        "26 ans.", True)]
    extra = _complement(texts, "moins_26")
    if extra:
        line.append((f" {extra}.", False))
    extra = _complement(texts, "qpv")
    line += [(f" {extra}, " if extra else " ", False),
             (f"{share(f['qpv'])} {agree(f['qpv'], 'habite', 'habitent')} un quartier politique "
              "de la ville", True),
             (" ou en veille.", False)]
    bullets.append(line)
    structures = [with_town(p) for p in names["structures"]]
    extra = _complement(texts, "structures")
    bullets.append([(plural(f["structures"], "structure sociale", "structures sociales"), True),
                    (f" impliquée{'s' if f['structures'] != 1 else ''} dans l'orientation et le "
                     f"suivi{' ' + extra if extra else ''} des stagiaires"
                     + (" : " + ", ".join(structures) + "." if structures else "."), False)])
    venues = [with_town(p) for p in names["venues"]]
    extra = _complement(texts, "lieux_culturels")
    bullets.append([(plural(f["lieux_culturels"], "établissement culturel",
                            "établissements culturels"), True),
                    (f" associé{'s' if f['lieux_culturels'] != 1 else ''}"
                     f"{' ' + extra if extra else ''}"
                     + (" : " + " ; ".join(venues) + "." if venues else "."), False)])
    roles = merge_roles(names["roles"])
    extra = _complement(texts, "professionnels")
    bullets.append([(plural(f["professionnels"], "professionnel", "professionnels"), True),
                    (f"{' ' + extra if extra else ''} "
                     + ("a été rencontré et a pu" if f["professionnels"] == 1 else
                        "ont été rencontrés et ont pu")
                     + " décrire leur métier ou le faire découvrir par des mises en pratique"
                     + (" : " + ", ".join(roles) + "." if roles else "."), False)])
    outings = notes.get("sorties_proposees", 0)
    if outings:
        which = "à la sortie culturelle proposée" if outings == 1 else \
            f"à au moins une des {outings} sorties culturelles proposées"
        bullets.append([(share(f["sortie_culturelle"]), True),
                        (f" des participants {agree(f['sortie_culturelle'], 'a', 'ont')} assisté "
                         f"{which} sur la semaine"
                         + _tail(texts, "sortie_culturelle"), False)])
    else:
        bullets.append([("Aucune sortie culturelle", True), (" n'était au programme.", False)])
    bullets.append(_projet(f["projet_plus_precis"], texts))
    for key, one, many in (
            ("jusqu_au_bout_satisfaits",
             " des participants est resté jusqu'à la fin du stage et s'en est dit satisfait",
             " des participants sont restés jusqu'à la fin du stage et s'en sont dits satisfaits"),
            ("isolement_rompu", " dit avoir rompu avec son isolement quotidien",
             " disent avoir rompu avec leur isolement quotidien"),
            ("experience_groupe", " a apprécié vivre une expérience de groupe et a aimé se "
                                  "réinvestir dans une démarche active",
             " ont apprécié vivre une expérience de groupe et ont aimé se réinvestir dans une "
             "démarche active")):
        bullets.append([(share(f[key]), True),
                        (agree(f[key], one, many) + _tail(texts, key), False)])
    if notes.get("suivi"):
        bullets.append([(f"Suivi à {months} mois : ", True),
                        (f"prévu le {notes['suivi']:%d/%m/%Y}.", False)])
    return bullets


def _tail(texts: dict, key: str) -> str:
    extra = _complement(texts, key)
    return f" {extra}." if extra else "."


def _projet(value: dict, texts: dict) -> list[Run]:
    count = value["n"]
    orientation = value.get("orientation", {})
    where = [f"{ORIENTATION_WORDS[key]} ({number})" for key, number in orientation.items()
             if number]
    people = "personne" if count == 1 else "personnes"
    _, of, pct, caution = ratio_parts(value)
    runs: list[Run] = [(f"{count} {people} sur {of} ({pct} %{CAUTION_MARK if caution else ''})"
                        if of else "Aucune personne", True)]
    text = f" {'a' if count == 1 else 'ont'} pu ressortir du stage avec un projet professionnel " \
        "plus précis"
    if where:
        text += " : orientation vers " + _join(where)
    runs.append((text + _tail(texts, "projet_plus_precis"), False))
    return runs


def followup(f: dict, notes: dict, months: int) -> list[list[Run]]:
    """The bullets of "Suivi à N mois", once due."""
    bullets: list[list[Run]] = []
    by_team = notes.get("par_l_equipe", 0)
    source = f", dont {by_team} par l'équipe" if by_team else ""
    bullets.append([(share(f["suivi_reponses"]), True),
                    (f" des participants ont donné des nouvelles à {months} mois "
                     f"(réponses des référent·e·s{source}).", False)])
    situations = [f"{number} {SITUATION_WORDS[key]}" for key, number in f["suivi_situation"].items()
                  if number]
    if situations:
        bullets.append([("Situation : ", True), (_join(situations) + ".", False)])
    bullets.append([(share(f["sorties_positives"]), True),
                    (" sont en emploi, en formation, en stage ou bénévoles (sorties positives).",
                     False)])
    for key, sentence in (
            ("suivi_apport", " : le stage a contribué à cette évolution, selon les référent·e·s."),
            ("suivi_confiance", " : plus de confiance en soi observée."),
            ("suivi_mobilite", " : plus de mobilité observée (déplacements, démarches).")):
        bullets.append([(share(f[key]), True), (sentence, False)])
    bullets.append([("Projet annoncé → réalisé : ", True),
                    (f"{share(f['projet_realise'])} des personnes qui annonçaient un projet "
                     "plus précis sont dans une des voies choisies.", False)])
    bullets.append([(share(f["referents_idees"]), True),
                    (" des référent·e·s ont pris des idées pour leur propre accompagnement.",
                     False)])
    return bullets
