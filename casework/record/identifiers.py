"""Case reference number (CRN) and Police National Computer (PNC) number rules. Pure Python."""

from __future__ import annotations

import re

CRN_RE = re.compile(r"^[A-Z][0-9]{6}$")
_PNC_RE = re.compile(r"^(\d{4})/?(\d{1,7})([A-Z])$")
# The PNC check character: (two-digit year followed by the 7-digit serial) mod 23 indexes this
# alphabet, which leaves out I, O and S (confusable with 1, 0 and 5).
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

CRN_ERROR = "Enter a CRN as one letter followed by six numbers, like X123456"
PNC_FORMAT_ERROR = "Enter a PNC number in the format year/serial number and check letter, like 2001/0012345H"
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


def normalise_pnc(value: str) -> str:
    """The canonical ``YYYY/NNNNNNNA`` form of a PNC number; ``ValueError`` with a user message if invalid."""
    match = _PNC_RE.fullmatch(value.strip().upper().replace(" ", ""))
    if not match:
        raise ValueError(PNC_FORMAT_ERROR)
    year, serial, letter = int(match[1]), int(match[2]), match[3]
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
