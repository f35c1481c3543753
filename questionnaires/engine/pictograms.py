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


# The kinds of slot, on "Aujourd'hui" and the participants' "Ma semaine" sheets (HTML and PDF:
# fpdf2 draws the same SVG, hence the xmlns and plain fills, no opacity).
_KIND_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" class="picto picto--kind" viewBox="0 0 64 64" '
             'width="64" height="64" aria-hidden="true" focusable="false">'
             '<circle cx="32" cy="32" r="30" fill="{bg}"/>{body}</svg>')
_STROKE = f'fill="none" stroke="{_INK}" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"'
_KIND_BODIES = {
    # a pencil on a sheet: doing things together
    "atelier": ("#f3e3ea", f'<rect x="16" y="14" width="26" height="34" rx="3" {_STROKE}/>'
                           f'<path d="M30 46 L46 26 L52 31 L36 51 L29 53 Z" fill="#fff" stroke="{_INK}" '
                           f'stroke-width="3" stroke-linejoin="round"/>'),
    # a building with columns: visiting a place
    "visite": ("#e3eef8", f'<path d="M12 26 L32 13 L52 26 Z" {_STROKE}/>'
                          f'<path d="M18 30 V46 M27 30 V46 M37 30 V46 M46 30 V46 M12 50 H52" {_STROKE}/>'),
    # two people: meeting professionals
    "rencontre": ("#e6f2ea", f'<circle cx="23" cy="24" r="7" {_STROKE}/><circle cx="42" cy="24" r="7" {_STROKE}/>'
                             f'<path d="M11 49 Q23 32 33 49 M31 49 Q42 32 53 49" {_STROKE}/>'),
    # a ticket: a show, a concert
    "sortie_culturelle": ("#fbeedd", f'<path d="M12 22 H52 V29 A4 4 0 0 0 52 37 V44 H12 V37 A4 4 0 0 0 '
                                     f'12 29 Z" {_STROKE}/><path d="M38 24 V42" fill="none" '
                                     f'stroke="{_INK}" stroke-width="3" stroke-dasharray="3 3"/>'),
    # a speech bubble with a tick: saying what one thought of it
    "bilan": ("#e9f5ec", f'<path d="M12 16 H52 V40 H30 L19 50 V40 H12 Z" {_STROKE}/>'
                         f'<path d="M22 28 L29 34 L42 22" {_STROKE}/>'),
    # a star: anything else
    "autre": ("#eceef3", f'<path d="M32 12 L38 26 L52 27 L41 36 L45 50 L32 42 L19 50 L23 36 L12 27 '
                         f'L26 26 Z" {_STROKE}/>'),
}
#: One pictogram per kind of slot (models/values.py SLOT_KINDS)
SLOT_KIND_PICTOS = {kind: Markup(_KIND_SVG.format(bg=bg, body=body))
                    for kind, (bg, body) in _KIND_BODIES.items()}


def slot_kind(kind: str) -> Markup:
    """The pictogram of a kind of slot ("atelier", "visite"…); the star for an unknown one."""
    return SLOT_KIND_PICTOS.get(kind, SLOT_KIND_PICTOS["autre"])
