"""The house rules the tree keeps: the architecture's import contracts, small folders, short modules.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``): no import cycle anywhere, data flowing one way
through the layers of ``components/``, the Infisical providers standing alone, the policy pack loading only the
shared rules. ``lint-imports`` reads every import, those inside functions and under ``TYPE_CHECKING`` included.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_SIDE_BY_SIDE = 12
MAX_MODULE_LINES = 350


def test_the_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_components_show_the_architecture_at_a_glance() -> None:
    entries = [p.name for p in (ROOT / "components").iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MAX_SIDE_BY_SIDE, sorted(entries)


def test_no_module_is_longer_than_one_idea_needs() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    lengths = {name: len((ROOT / name).read_text(encoding="utf-8").splitlines()) for name in tracked.stdout.split()}
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}
