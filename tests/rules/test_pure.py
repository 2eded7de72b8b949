"""The rule engines are pure: importing any of them loads no Django (docs/architecture.md)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import casework.rules

MODULES = sorted(info.name for info in pkgutil.walk_packages(casework.rules.__path__, "casework.rules."))


def test_no_rule_module_imports_django() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "casework.rules.calendar" in MODULES and "casework.rules.reductions" in MODULES
    assert done.stdout.strip() == ""
