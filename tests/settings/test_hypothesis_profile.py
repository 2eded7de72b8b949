"""Property tests on CI run without deadlines: a shared runner's pauses must not fail them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings as hypothesis_settings

ROOT = Path(__file__).resolve().parents[2]
SHOW_DEADLINE = ("import django; django.setup(); import tests.conftest; "
                 "from hypothesis import settings; print(settings.default.deadline)")


def _deadline_with(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    environment |= {"DJANGO_SETTINGS_MODULE": "casework.settings.test", **env}
    result = subprocess.run([sys.executable, "-c", SHOW_DEADLINE], cwd=ROOT, env=environment, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


def test_the_ci_profile_has_no_deadline():
    assert hypothesis_settings.get_profile("ci").deadline is None


def test_a_ci_environment_loads_it_and_elsewhere_the_default_deadline_stays():
    assert _deadline_with(CI="true") == "None"
    assert _deadline_with() != "None"
