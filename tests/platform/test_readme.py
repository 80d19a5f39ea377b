"""The README documents every environment variable the settings read, and its two commands exist."""

import re

from tests.meshes import REPO_ROOT


def settings_variables() -> set[str]:
    names = set()
    for path in (REPO_ROOT / "platform" / "settings").glob("*.py"):
        names |= set(re.findall(r'env\.(?:str|int|bool|float|list|db|email_url)\("([A-Z0-9_]+)"', path.read_text()))
    return names


def test_every_setting_is_in_the_configuration_table():
    readme = (REPO_ROOT / "README.md").read_text()
    assert len(settings_variables()) > 40
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in readme)
    assert not missing, f"document these in README.md's configuration table: {missing}"


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "python3 dev.py demo" in readme and "python3 dev.py test" in readme
    assert "python3 dev.py test" in (REPO_ROOT / ".ci" / "run").read_text()
