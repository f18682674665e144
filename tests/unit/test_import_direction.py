"""One direction of imports (import-linter's contracts in setup.cfg): only views import views,
HTML and API views keep apart, vocabularies stand alone, and rules import nothing of the app. The second test breaks a copy of the package on purpose
and sees the contracts catch it."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
        " sys.exit(lint_imports_command())", str(ROOT / "setup.cfg"), "--no-cache"]


def lint(pythonpath: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run(LINT, capture_output=True, text=True, env=env, cwd=pythonpath,
                          timeout=120)


def test_the_package_keeps_its_contracts():
    result = lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken." in result.stdout


@pytest.mark.parametrize("module,wrong,contract", [
    ("schemas/course.py", "from ..views import errors", "Only views import views"),
    ("rules/hours.py", "from .. import clock", "Rules import nothing of the app"),
    ("views/api/sharing.py", "from ..sharing import kind_titles", "API views never import HTML"),
    ("views/search.py", "from .api import course_search", "HTML views never import API views"),
    ("vocabularies.py", "from .resources import course", "Vocabularies import nothing"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, wrong, contract):
    shutil.copytree(ROOT / "src" / "inservice_portal", tmp_path / "inservice_portal",
                    ignore=shutil.ignore_patterns("templates", "static", "data", "__pycache__"))
    target = tmp_path / "inservice_portal" / module
    target.write_text(f"{wrong}  # noqa\n" + target.read_text("utf-8"), "utf-8")
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
