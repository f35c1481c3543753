"""The pictograms of the tablet and referent pages, drawn inline as SVG (no image files, no fonts).

Constants, so they are built once here rather than rendered by a Jinja macro for every option of
every question: a section page shows dozens of them, and the macros were a visible part of its
CPU (bench/README.md). Decorative: the text beside each one says it all (aria-hidden).
"""
from markupsafe import Markup

_INK = "#1d2433"
_FACE_COLORS = {1: "#c0392b", 2: "#e67e22", 3: "#7cb342", 4: "#2e7d32"}
_MOUTHS = {
    1: f'<path d="M18 48 Q32 34 46 48" fill="none" stroke="{_INK}" stroke-width="4" stroke-linecap="round"/>',
    2: f'<path d="M20 45 Q32 39 44 45" fill="none" stroke="{_INK}" stroke-width="4" stroke-linecap="round"/>',
    3: f'<path d="M20 40 Q32 48 44 40" fill="none" stroke="{_INK}" stroke-width="4" stroke-linecap="round"/>',
    4: f'<path d="M16 37 Q32 56 48 37 Z" fill="{_INK}"/>',
}
_SVG = '<svg class="picto" viewBox="0 0 64 64" aria-hidden="true" focusable="false">\n  {}\n</svg>'

#: The four faces of the "echelle4" scale, from "pas du tout" (1) to "tout à fait" (4)
FACES = {
    level: Markup(_SVG.format(
        f'<circle cx="32" cy="32" r="29" fill="{color}" opacity=".18" stroke="{color}" stroke-width="3"/>\n'
        f'  <circle cx="22" cy="26" r="4" fill="{_INK}"/><circle cx="42" cy="26" r="4" fill="{_INK}"/>\n'
        f'  {_MOUTHS[level]}'))
    for level, color in _FACE_COLORS.items()
}

#: Oui (a tick), non (a cross), and "je ne sais pas" (a question mark) for anything else
YES_NO = {
    "oui": Markup(_SVG.format(
        '<circle cx="32" cy="32" r="29" fill="#2e7d32" opacity=".18" stroke="#2e7d32" stroke-width="3"/>'
        f'<path d="M18 33 L28 43 L47 22" fill="none" stroke="{_INK}" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>')),
    "non": Markup(_SVG.format(
        '<circle cx="32" cy="32" r="29" fill="#c0392b" opacity=".18" stroke="#c0392b" stroke-width="3"/>'
        f'<path d="M21 21 L43 43 M43 21 L21 43" stroke="{_INK}" stroke-width="6" stroke-linecap="round"/>')),
}
_DONT_KNOW = Markup(_SVG.format(
    '<circle cx="32" cy="32" r="29" fill="#5a6275" opacity=".15" stroke="#5a6275" stroke-width="3"/>'
    f'<path d="M24 24 Q24 14 32 14 Q41 14 41 23 Q41 29 33 32 L33 38" fill="none" stroke="{_INK}" stroke-width="5" stroke-linecap="round"/>'
    f'<circle cx="33" cy="48" r="3.5" fill="{_INK}"/>'))

#: The "Écouter" button's loudspeaker
SPEAKER = Markup(
    '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 9v6h4l5 4V5L8 9H4z" fill="currentColor"/>'
    '<path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>')


def face(level) -> Markup:
    """The face of a scale answer (1–4); nothing for anything else."""
    return FACES.get(level, Markup(""))


def yes_no(value) -> Markup:
    """The pictogram of "oui", "non" or "je ne sais pas"."""
    return YES_NO.get(value, _DONT_KNOW)


_KIND_SVG = ('<svg class="picto picto--kind" viewBox="0 0 48 48" aria-hidden="true" focusable="false">'
             '<circle cx="24" cy="24" r="23" fill="{color}" opacity=".16"/>{drawing}</svg>')
_STROKE = f'fill="none" stroke="{_INK}" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"'
#: One pictogram per kind of half-day of the programme (models.values.SLOT_KINDS), for the
#: activities the tablet shows as cards: a place to visit, hands-on work, people to meet, a
#: show, the bilan, anything else
KINDS = {
    "visite": Markup(_KIND_SVG.format(color="#1a5fd0", drawing=(
        f'<path d="M11 20 L24 12 L37 20 Z M13 35 H35 M16 22 V33 M24 22 V33 M32 22 V33" {_STROKE}/>'))),
    "atelier": Markup(_KIND_SVG.format(color="#b35c00", drawing=(
        f'<path d="M14 34 L30 18 L34 22 L18 38 Z M30 18 L33 15 L37 19 L34 22 M14 34 L12 40 L18 38" '
        f'{_STROKE}/>'))),
    "rencontre": Markup(_KIND_SVG.format(color="#1e6b3a", drawing=(
        f'<circle cx="17" cy="18" r="5" {_STROKE}/><circle cx="31" cy="18" r="5" {_STROKE}/>'
        f'<path d="M9 36 Q9 26 17 26 Q25 26 25 36 M23 36 Q23 26 31 26 Q39 26 39 36" {_STROKE}/>'))),
    "sortie_culturelle": Markup(_KIND_SVG.format(color="#8a1538", drawing=(
        f'<path d="M10 16 H38 V21 A3 3 0 0 0 38 27 V32 H10 V27 A3 3 0 0 0 10 21 Z M29 16 V32" '
        f'{_STROKE}/><path d="M16 24 L18 22 L20 24 L18 26 Z" fill="{_INK}"/>'))),
    "bilan": Markup(_KIND_SVG.format(color="#5a3d8a", drawing=(
        f'<path d="M15 12 H33 V38 H15 Z M20 20 L22 22 L26 18 M20 29 L22 31 L26 27 M28 21 H30 '
        f'M28 30 H30" {_STROKE}/>'))),
    "autre": Markup(_KIND_SVG.format(color="#5a6275", drawing=(
        f'<path d="M24 12 L27.5 20 L36 21 L29.5 27 L31.5 35.5 L24 31 L16.5 35.5 L18.5 27 L12 21 '
        f'L20.5 20 Z" {_STROKE}/>'))),
}


def kind(slot_kind) -> Markup:
    """The pictogram of a kind of half-day ("visite"…); the star of "autre" for anything else."""
    return KINDS.get(slot_kind, KINDS["autre"])
