"""The layer order (README "Architecture") is enforced by import-linter; these tests run it and show that a
wrong arrow fails it."""

import shutil
import subprocess
import sys

from tests.architecture.code import PROJECT_PACKAGES, ROOT, function_level_imports, source_files

LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(folder) -> subprocess.CompletedProcess:
    # Through the interpreter from the project folder, so that the project's `platform` package is found first.
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_the_layer_and_purity_contracts_are_kept():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def copy_of_the_project(tmp_path):
    for package in PROJECT_PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_a_lower_app_importing_a_higher_one_breaks_the_layers(tmp_path):
    project = copy_of_the_project(tmp_path)
    selectors = project / "designs" / "selectors.py"
    # Given the arrow the issue found: designs reaching into orders from inside a function.
    selectors.write_text(
        selectors.read_text() + "\n\ndef _jobs():\n    from orders.models import Job\n\n    return Job\n"
    )

    result = lint_imports(project)

    assert result.returncode == 1
    assert "Apps stand in layers: a lower app never imports a higher one BROKEN" in result.stdout
    assert "designs.selectors -> orders.models" in result.stdout


def test_a_pure_package_importing_django_breaks_its_contract(tmp_path):
    project = copy_of_the_project(tmp_path)
    prices = project / "orders" / "pricing" / "prices.py"
    prices.write_text("from django.conf import settings  # noqa\n" + prices.read_text())

    result = lint_imports(project)

    assert result.returncode == 1
    assert "Pure packages import no Django and no app code outside themselves BROKEN" in result.stdout


# Each one with the reason on the line(s) above it. Adding one means saying why, here and there.
STATED_FUNCTION_LEVEL_IMPORTS = {
    ("core/apps.py", "platform.celery"),
    ("core/apps.py", "core.queueing"),
    # The read cache's write tracker goes on every database connection: models must be loaded first.
    ("core/apps.py", "core"),
    ("accounts/apps.py", "accounts.lockout"),
    ("accounts/apps.py", "accounts.staff"),
    ("orders/apps.py", "designs.selectors"),
    ("orders/apps.py", "orders.selectors"),
    ("orders/apps.py", "billing.services"),
    ("orders/apps.py", "orders.services"),
    # Counter-offers (orders' own) listen to the job's door, as co-design does, so that every way a job leaves
    # "offered" ends its open counter-offer without each service knowing about them.
    ("orders/apps.py", "core.state"),
    ("orders/apps.py", "orders.models"),
    # The slicing app tells the foundation's health check how to report the slicer (core imports no app), and
    # listens to the status door for versions made ready and slices ended (designs does not know the slicer).
    ("slicing/apps.py", "core.health"),
    ("slicing/apps.py", "slicing.selectors"),
    ("slicing/apps.py", "core.state"),
    ("slicing/apps.py", "designs.models"),
    ("slicing/apps.py", "slicing"),
    ("slicing/apps.py", "slicing.models"),
    ("codesign/apps.py", "codesign"),
    ("codesign/apps.py", "core.state"),
    ("codesign/apps.py", "orders.models"),
}


def comment_above(lines: list[str], line: int) -> bool:
    """A comment on one of the lines above the import (within its function's opening lines)."""
    for number in range(line - 2, max(line - 8, -1), -1):
        text = lines[number].strip()
        if text.startswith("#"):
            return True
        if text.startswith(("def ", "async def ")):
            return False
    return False


def test_function_level_imports_of_project_modules_are_few_and_each_says_why():
    found = set()
    for path in source_files():
        lines = path.read_text().splitlines()
        for line, module in function_level_imports(path):
            relative = path.relative_to(ROOT).as_posix()
            found.add((relative, module))
            assert comment_above(lines, line), f"{relative}:{line} imports {module} inside a function without a reason"

    assert found == STATED_FUNCTION_LEVEL_IMPORTS
    assert len(found) == 20
