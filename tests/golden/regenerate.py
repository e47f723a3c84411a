"""Rewrite ``tests/golden/expected/`` from the current code (see tests/golden/test_examples.py).

    python -m tests.golden.regenerate      # from the repository root

It runs the golden tests with ``SISPAM_REGENERATE_GOLDEN=1``, so the files are produced
by exactly the code path the tests check. Review ``git diff tests/golden/expected``
and say in the commit message why the numbers changed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    import pytest

    os.environ["SISPAM_REGENERATE_GOLDEN"] = "1"
    test_file = Path(__file__).resolve().parent / "test_examples.py"
    return int(pytest.main([str(test_file), "-q", "-rs", "-p", "no:cacheprovider"]))


if __name__ == "__main__":
    sys.exit(main())
