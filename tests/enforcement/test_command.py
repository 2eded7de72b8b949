"""``casework manage recompute_enforcement``: one PDU or all, refusing an unknown PDU code."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_command_recomputes_a_pdu_and_says_what_it_wrote(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case)
    out = io.StringIO()
    call_command("recompute_enforcement", "--pdu", case.pdu.code, "--workers", "1", stdout=out)
    assert "signals raised" in out.getvalue() and "closed by what answered them" in out.getvalue()


def test_an_unknown_pdu_is_refused():
    with pytest.raises(CommandError, match="There is no PDU with the code NOPE"):
        call_command("recompute_enforcement", "--pdu", "NOPE")
