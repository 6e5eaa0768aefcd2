"""Every third-party module the package imports is declared in ``pyproject.toml`` (as a dependency or
in an extra), so an install from the project's own metadata has what the code needs."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + [r for extra in meta["optional-dependencies"].values() for r in extra]
    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def _imported() -> dict[str, str]:
    """Top-level module → the first file that imports it (module level or inside a function)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "src" / "mathforge").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_imported_distribution_is_declared():
    dists = packages_distributions()
    declared = _declared()
    missing = []
    for module, where in _imported().items():
        if module in sys.stdlib_module_names or module in ("mathforge", "__future__"):
            continue
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if not names:
            continue  # not installed here (e.g. vllm): its extra is checked by name below
        if not names & declared:
            missing.append(f"{module} ({where}) from {sorted(names)}")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_optional_engines_are_declared_by_name():
    declared = _declared()
    imported = _imported()
    for module, dist in (("vllm", "vllm"), ("ray", "ray"), ("llama_cpp", "llama-cpp-python")):
        if module in imported:
            assert dist in declared, f"{module} is imported in {imported[module]} but {dist} is not declared"
