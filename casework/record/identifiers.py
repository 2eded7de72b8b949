"""Case reference number (CRN) and Police National Computer (PNC) number rules. Pure Python."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

CRN_RE = re.compile(r"^[A-Z][0-9]{6}$")
_PNC_RE = re.compile(r"^(\d{4})/?(\d{1,7})([A-Z])$")
# The short form police officers also write: a two-digit year, always with the slash (``14/198449T``);
# without it ``140198449T`` could as well be the year 1401.
_PNC_SHORT_RE = re.compile(r"^(\d{2})/(\d{1,7})([A-Z])$")
# The PNC check character: (two-digit year followed by the 7-digit serial) mod 23 indexes this
# alphabet, which leaves out I, O and S (confusable with 1, 0 and 5).
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

CRN_ERROR = "Enter a CRN as one letter followed by six numbers, like X123456"
PNC_FORMAT_ERROR = ("Enter a PNC number in the format year/serial number and check letter, like 2001/0012345H "
                    "or 01/12345H")
PHONE_ERROR = "Enter a {noun} number, like {example}"
PHONE_EXAMPLES = {"phone": "01632 960 001 or +44 1632 960 001", "mobile": "07700 900 982 or +44 7700 900 982"}
PNC_CHECK_ERROR = "Enter a valid PNC number; the check letter does not match the year and serial number"


def normalise_crn(value: str) -> str:
    """Upper-case and strip a CRN as typed."""
    return value.strip().upper()


def is_valid_crn(value: str) -> bool:
    """Whether ``value`` is a CRN: one letter and six digits, upper case."""
    return bool(CRN_RE.fullmatch(value))


def pnc_check_letter(year: int, serial: int) -> str:
    """The check letter of a PNC number with a four-digit year and a serial number."""
    return _PNC_LETTERS[int(f"{year % 100:02d}{serial:07d}") % 23]


def pnc_full_year(two_digits: int, today: dt.date | None = None) -> int:
    """The four-digit year of a two-digit PNC year: this century unless that is still to come."""
    this_year = (today or dt.date.today()).year
    year = this_year - this_year % 100 + two_digits
    return year if year <= this_year else year - 100


def normalise_pnc(value: str, today: dt.date | None = None) -> str:
    """The canonical ``YYYY/NNNNNNNA`` form of a PNC number; ``ValueError`` with a user message if invalid.

    Accepts the short form with a two-digit year (``14/198449T`` is ``2014/0198449T``; a year still
    to come this century is read as last century's: ``85/…`` is 1985).
    """
    typed = value.strip().upper().replace(" ", "")
    match = _PNC_RE.fullmatch(typed)
    if match:
        year = int(match[1])
    else:
        match = _PNC_SHORT_RE.fullmatch(typed)
        if not match:
            raise ValueError(PNC_FORMAT_ERROR)
        year = pnc_full_year(int(match[1]), today)
    serial, letter = int(match[2]), match[3]
    if pnc_check_letter(year, serial) != letter:
        raise ValueError(PNC_CHECK_ERROR)
    return f"{year:04d}/{serial:07d}{letter}"


def is_valid_pnc(value: str) -> bool:
    """Whether ``value`` is a PNC number with a correct check letter."""
    try:
        normalise_pnc(value)
    except ValueError:
        return False
    return True


# Names, made comparable for search: no accents, no case, single spaces. A few letters have no
# decomposition into a base letter and an accent, so they are mapped by hand.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i",
                          "ŀ": "l", "ħ": "h", "ŧ": "t"})


def search_text(value: str) -> str:
    """``value`` as search compares it: ``"  Wiśniewski "`` → ``"wisniewski"``, ``"Łukasz"`` → ``"lukasz"``."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).translate(_LETTERS)
    return " ".join(plain.split())


def surname_key(first_name: str, last_name: str) -> str:
    """The ``last first`` search key of a name (stored as ``Case.name_key``)."""
    return f"{search_text(last_name)} {search_text(first_name)}"


def first_name_key(first_name: str, last_name: str) -> str:
    """The ``first last`` search key of a name (stored as ``Case.first_name_key``)."""
    return f"{search_text(first_name)} {search_text(last_name)}"


_PHONE_RE = re.compile(r"^\+?[0-9 ()\-]+$")


def normalise_phone(value: str, *, noun: str = "phone") -> str:
    """A phone number as typed, tidied (single spaces); ``ValueError`` with a user message if it is not one.

    Digits, spaces, brackets and hyphens, an optional leading ``+``, and 10 to 15 digits (a UK
    number has 10 or 11; an international one up to 15).
    """
    tidy = " ".join(value.split())
    digits = sum(ch.isdigit() for ch in tidy)
    if not _PHONE_RE.fullmatch(tidy) or not 10 <= digits <= 15:
        raise ValueError(PHONE_ERROR.format(noun=noun, example=PHONE_EXAMPLES.get(noun, PHONE_EXAMPLES["phone"])))
    return tidy
