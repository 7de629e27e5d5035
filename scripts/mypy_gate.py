"""Type-check gate for `make lint`: mypy (with django-stubs) must find no error that is not in the
committed baseline, and the baseline only shrinks.

    python scripts/mypy_gate.py            # fail on a new error, or on a fixed one still listed
    python scripts/mypy_gate.py --update   # drop the fixed errors from the baseline (never adds)

An error is keyed by file, message and code, without its line number, so moving code does not
change the baseline.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<msg>.*)$")


def current() -> Counter[str]:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "hotline", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"mypy failed to run (exit {out.returncode})")
    keys = []
    for line in out.stdout.splitlines():
        if m := ERROR.match(line):
            keys.append(f"{m['path']}: {m['msg'].strip()}")
    return Counter(keys)


def main() -> int:
    now = current()
    base = Counter(BASELINE.read_text().splitlines()) if BASELINE.exists() else Counter()
    base.pop("", None)
    new, fixed = now - base, base - now
    if "--update" in sys.argv:
        kept = base - fixed
        BASELINE.write_text("".join(f"{k}\n" for k in sorted(kept.elements())))
        print(f"baseline: {sum(base.values())} -> {sum(kept.values())} errors")
        return 1 if new else 0
    for key in sorted(new.elements()):
        print(f"new type error: {key}")
    if fixed:
        print(
            f"{sum(fixed.values())} error(s) of the baseline are fixed: "
            "run `python scripts/mypy_gate.py --update` and commit mypy-baseline.txt"
        )
    print(
        f"mypy: {sum(now.values())} errors, baseline {sum(base.values())}, new {sum(new.values())}"
    )
    return 1 if new or fixed else 0


if __name__ == "__main__":
    raise SystemExit(main())
