"""Contact details typed by the team or read from a file: French phone numbers, e-mail addresses.

One rule for the team's forms, the spreadsheet import and the stage archive, so that what one
accepts the others accept too. Phones are stored the way the team reads them aloud,
"06 12 34 56 78"; links dial the international form, which works from any phone.
"""
import re

#: The shape of an address (the archive's rule); the mail server has the last word
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX = 254
#: What people put between digits: spaces, dots, dashes, slashes, brackets ("+33 (0)6 …")
_SEPARATORS = re.compile(r"[\s.\-/()]")

PHONE_MESSAGE = ("Numéro de téléphone invalide : écrivez un numéro français de 10 chiffres "
                 "commençant par 0 (exemple : 06 12 34 56 78), ou +33 puis 9 chiffres.")
EMAIL_MESSAGE = "Adresse e-mail invalide : vérifiez-la (exemple : prenom.nom@exemple.fr)."


def normal_phone(text: str) -> str | None:
    """"06 12 34 56 78" from any common French way of writing it; None if it is not one."""
    compact = _SEPARATORS.sub("", text)
    for prefix in ("+330", "00330", "+33", "0033", "0"):
        if compact.startswith(prefix):
            rest = compact[len(prefix):]
            break
    else:
        return None
    # Plain ASCII digits only: "٠٦".isdigit() is True too.
    if len(rest) != 9 or not (rest.isascii() and rest.isdigit()) or rest[0] == "0":
        return None
    digits = "0" + rest
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def normal_email(text: str) -> str | None:
    """The address lowercased and trimmed; None if it does not look like one."""
    address = text.strip().lower()
    if len(address) > EMAIL_MAX or not EMAIL.match(address):
        return None
    return address


def tel_link(phone: str | None) -> str:
    """A `tel:` link in the international form ("tel:+33612345678"); empty without a phone."""
    if not phone:
        return ""
    digits = phone.replace(" ", "")
    return f"tel:+33{digits[1:]}" if digits.startswith("0") else f"tel:{digits}"
