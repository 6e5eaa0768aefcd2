"""Installed versions for run records: a number is reproducible only with the versions that made it."""

from __future__ import annotations

import platform
from importlib import metadata

from mathforge import __version__


def package_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """mathforge, Python, and each of ``packages`` that is installed."""
    found = {"mathforge": __version__, "python": platform.python_version()}
    for pkg in packages:
        try:
            found[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return found
