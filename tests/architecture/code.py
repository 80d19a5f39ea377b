"""Reading the project's own source (for the architecture tests)."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every package of the project that runs in production, lowest layer first (pyproject's import-linter layers).
APPS = ("core", "accounts", "catalogue", "designs", "slicing", "makers", "billing", "orders", "codesign", "web")
# Standalone pure packages that are not Django apps (the maker agent runs in the maker's workshop, without Django).
STANDALONE = ("agent",)
PROJECT_PACKAGES = ("platform", *APPS, *STANDALONE)


def source_files(*, include_migrations: bool = False) -> Iterator[Path]:
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and not include_migrations:
                continue
            yield path


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def is_project_module(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in PROJECT_PACKAGES


def function_level_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of each import of a project module made inside a function."""
    tree = parsed(path)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and is_project_module(node.module):
                yield node.lineno, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if is_project_module(alias.name):
                        yield node.lineno, alias.name
