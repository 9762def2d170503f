"""Name the packages whose installed versions differ from constraints.txt.

Run by `.ci/run` after the drift step: `version_drift.py CONSTRAINTS FREEZE STATUS`, where
FREEZE is `pip freeze` of the newest-allowed environment and STATUS the test run's exit code.
On a failed run the differences are the suspects; on a passing run they are the packages
whose new versions are known to work, ready for `.ci/update-constraints`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a constraints or freeze file, by normalised name (PEP 503)."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        name, sep, version = line.partition("==")
        if sep:
            found[re.sub(r"[-_.]+", "-", name).lower()] = version.split(";", 1)[0].strip()
    return found


def main(constraints: str, freeze: str, status: str) -> None:
    tested, newest = pins(Path(constraints)), pins(Path(freeze))
    changed = [
        f"  {name}: tested {tested[name]}, now {newest[name]}"
        for name in sorted(tested.keys() & newest.keys())
        if tested[name] != newest[name]
    ]
    added = [f"  {name}: {newest[name]} (not in constraints.txt)" for name in sorted(newest.keys() - tested.keys())]
    lines = changed + added
    if status != "0":
        print("The suite fails with the newest versions pyproject.toml allows.", file=sys.stderr)
        if lines:
            print("Packages whose versions differ from constraints.txt:", *lines, sep="\n", file=sys.stderr)
        else:
            print("Every package is at its constraints.txt version: the failure is not drift.", file=sys.stderr)
    elif lines:
        print("Newer versions pass the suite (refresh with .ci/update-constraints):", *lines, sep="\n")
    else:
        print("The newest allowed versions are the tested set.")


if __name__ == "__main__":
    main(*sys.argv[1:4])
