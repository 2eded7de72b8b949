"""CRN and PNC rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from casework.record import identifiers
from casework.record.models import validate_crn, validate_pnc


@pytest.mark.parametrize(
    "value, valid",
    [
        pytest.param("X123456", True, id="letter-six-digits"),
        pytest.param("A000000", True, id="zeros"),
        pytest.param("x123456", False, id="lower-case"),
        pytest.param("X12345", False, id="five-digits"),
        pytest.param("X1234567", False, id="seven-digits"),
        pytest.param("XX23456", False, id="two-letters"),
        pytest.param("1234567", False, id="no-letter"),
        pytest.param(" X123456", False, id="leading-space"),
        pytest.param("X12345６", False, id="non-ascii-digit"),
    ],
)
def test_crn_format(value, valid):
    assert identifiers.is_valid_crn(value) is valid


def test_crn_validator_message():
    with pytest.raises(ValidationError) as exc:
        validate_crn("X12")
    assert exc.value.messages == [identifiers.CRN_ERROR]


@pytest.mark.parametrize(
    "typed, canonical",
    [
        pytest.param("2001/0012345H", "2001/0012345H", id="canonical"),
        pytest.param("2001/12345H", "2001/0012345H", id="short-serial-padded"),
        pytest.param("20010012345H", "2001/0012345H", id="no-slash"),
        pytest.param(" 2001/0012345h ", "2001/0012345H", id="lower-case-and-spaces"),
        pytest.param("1999/0000001G", "1999/0000001G", id="1999"),
        pytest.param("14/198449T", "2014/0198449T", id="two-digit-year"),
        pytest.param("01/12345h", "2001/0012345H", id="two-digit-year-short-serial"),
    ],
)
def test_pnc_normalised(typed, canonical):
    assert identifiers.normalise_pnc(typed) == canonical


@pytest.mark.parametrize(
    "value, message",
    [
        pytest.param("2001/0012345A", identifiers.PNC_CHECK_ERROR, id="wrong-check-letter"),
        pytest.param("2001/001234567H", identifiers.PNC_FORMAT_ERROR, id="serial-too-long"),
        pytest.param("1/12345H", identifiers.PNC_FORMAT_ERROR, id="one-digit-year"),
        pytest.param("14/198449A", identifiers.PNC_CHECK_ERROR, id="two-digit-year-wrong-letter"),
        pytest.param("2001/0012345", identifiers.PNC_FORMAT_ERROR, id="no-letter"),
        pytest.param("", identifiers.PNC_FORMAT_ERROR, id="empty"),
    ],
)
def test_pnc_invalid(value, message):
    with pytest.raises(ValueError, match=message.split(";")[0]):
        identifiers.normalise_pnc(value)


def test_pnc_check_letter_worked_example():
    # (01 followed by 0012345) = 10012345; 10012345 mod 23 = 8; the 9th letter of the alphabet is H.
    assert identifiers.pnc_check_letter(2001, 12345) == "H"


def test_stored_pnc_must_be_canonical():
    with pytest.raises(ValidationError):
        validate_pnc("2001/12345H")
    validate_pnc("2001/0012345H")


@given(year=st.integers(1900, 2099), serial=st.integers(0, 9_999_999))
def test_every_generated_pnc_is_valid_and_one_wrong_letter_is_not(year, serial):
    letter = identifiers.pnc_check_letter(year, serial)
    pnc = f"{year}/{serial:07d}{letter}"
    assert identifiers.is_valid_pnc(pnc)
    wrong = next(c for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if c != letter)
    assert not identifiers.is_valid_pnc(f"{year}/{serial:07d}{wrong}")


@pytest.mark.parametrize(
    "two_digits, today, year",
    [
        pytest.param(14, "2026-12-05", 2014, id="this-century"),
        pytest.param(26, "2026-12-05", 2026, id="this-year"),
        pytest.param(27, "2026-12-05", 1927, id="next-year-is-last-century"),
        pytest.param(85, "2026-12-05", 1985, id="eighties"),
        pytest.param(0, "2026-12-05", 2000, id="2000"),
    ],
)
def test_pnc_two_digit_year(two_digits, today, year):
    import datetime as dt

    assert identifiers.pnc_full_year(two_digits, dt.date.fromisoformat(today)) == year
    serial = 4321
    letter = identifiers.pnc_check_letter(year, serial)
    typed = f"{two_digits:02d}/{serial}{letter}"
    assert identifiers.normalise_pnc(typed, dt.date.fromisoformat(today)) == f"{year}/{serial:07d}{letter}"


@pytest.mark.parametrize(
    "typed, key",
    [
        pytest.param("Wiśniewski", "wisniewski", id="acute"),
        pytest.param("ŁUKASZ", "lukasz", id="stroke-and-upper-case"),
        pytest.param("  Zoë   Anne ", "zoe anne", id="spaces"),
        pytest.param("Straße", "strasse", id="sharp-s"),
        pytest.param("Ødegård", "odegard", id="slashed-o"),
    ],
)
def test_search_text(typed, key):
    assert identifiers.search_text(typed) == key


def test_name_keys():
    assert identifiers.surname_key("Zoë", "Wiśniewski") == "wisniewski zoe"
    assert identifiers.first_name_key("Zoë", "Wiśniewski") == "zoe wisniewski"


@pytest.mark.parametrize(
    "typed, valid",
    [
        pytest.param("07700 900982", True, id="uk-mobile"),
        pytest.param("+44 7700 900 982", True, id="international"),
        pytest.param("(0114) 496-0000", True, id="brackets-and-hyphen"),
        pytest.param("abc", False, id="letters"),
        pytest.param("0114 496", False, id="too-few-digits"),
        pytest.param("0777 12345 ext 2", False, id="words"),
        pytest.param("1234567890123456", False, id="too-many-digits"),
    ],
)
def test_phone_numbers(typed, valid):
    if valid:
        assert identifiers.normalise_phone(typed) == " ".join(typed.split())
    else:
        with pytest.raises(ValueError, match="Enter a mobile number"):
            identifiers.normalise_phone(typed, noun="mobile")
