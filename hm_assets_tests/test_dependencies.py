"""Every third-party package the code imports is pinned in pyproject.toml, as requirements.lock
pins it, so that a fresh install gets what the code was tested with."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN = {"hm_assets", "hm_assets_tests", "benchmarks"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, str]:
    """Top-level module -> one file importing it, over hm_assets, benchmarks and the tests."""
    found = {}
    for folder in ("hm_assets", "benchmarks", "hm_assets_tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def _pins(requirements) -> dict[str, str]:
    pins = {}
    for line in requirements:
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_norm(name)] = version.strip()
    return pins


def test_every_imported_package_is_pinned_as_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _pins(project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds])
    locked = _pins((ROOT / "requirements.lock").read_text().splitlines())
    to_dist = packages_distributions()
    missing, mismatched = [], []
    for module, where in sorted(_imported_modules().items()):
        if module in sys.stdlib_module_names or module in OWN:
            continue
        dists = to_dist.get(module)
        assert dists, f"{module} (imported in {where}) is not installed"
        dist = _norm(dists[0])
        if not declared.get(dist):
            missing.append(f"{dist} (import {module} in {where})")
        elif declared[dist] != locked.get(dist, "").split("+")[0]:  # torch: 2.13.0 is 2.13.0+cpu
            mismatched.append(f"{dist}: pyproject {declared[dist]}, lock {locked.get(dist)}")
    assert not missing, f"imported but not pinned in pyproject.toml: {missing}"
    assert not mismatched, f"pyproject pins differ from requirements.lock: {mismatched}"
