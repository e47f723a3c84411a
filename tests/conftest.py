"""Shared test helpers: a minimal valid scenario and a way to write scenario files.

``minimal_scenario()`` is the smallest scenario that validates with no problem at all
(no warning either), so a test changes one thing and sees exactly one problem:

* one place ``polres``, two ``sabhara`` units (crew 4, capability ``response``) there;
* one ``rapid_response`` generator at 1/h, needing 4 response personnel for 30min.
  Offered load = 1/60 per min x 30 min x 4 = 2 personnel of 8 (25 %): no load warning.

``MINIMAL_YAML`` is the same scenario as text, for tests that assert line and column (the dict is
parsed from it: one copy of the scenario).
Fixtures: ``minimal`` (a fresh dict), ``write`` (a file under ``tmp_path``) and ``cli``
(run ``sispam-sim`` in-process: exit code, stdout, stderr).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import yaml

#: The minimal scenario, the one copy of it: YAML text, line by line, so that tests can append to
#: it and know line numbers (line 1 is ``version: 1``); :func:`minimal_scenario` is this text parsed.
MINIMAL_YAML = """\
version: 1
name: minimal
clock: {start: "2024-11-27 06:00", duration: 12h}
map:
  places:
    polres: {lat: -8.1725, lon: 113.6995}
forces:
  types:
    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response]}
  units:
    - {id: patrol, type: sabhara, count: 2, base: polres}
incidents:
  - kind: rapid_response
    rate: 1/h
    where: {place: polres}
    needs: {response: 4}
    work: 30min
"""


def variant(*replacements: tuple[str, str], text: str = MINIMAL_YAML) -> str:
    """``text`` (MINIMAL_YAML) with each ``(old, new)`` replaced; each ``old`` must be there exactly once."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} is not in the text exactly once"
        text = text.replace(old, new)
    return text


def minimal_scenario() -> dict:
    """A fresh copy of the minimal valid scenario, ``MINIMAL_YAML`` as a dict (safe to mutate)."""
    return yaml.safe_load(MINIMAL_YAML)


def write_scenario(tmp_path: Path, data_or_text: dict | str | bytes, name: str = "s.yaml") -> Path:
    """Write a scenario (a dict, YAML text or raw bytes) to ``tmp_path / name``; return the path."""
    path = Path(tmp_path) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data_or_text, bytes):
        path.write_bytes(data_or_text)
    elif isinstance(data_or_text, str):
        path.write_text(data_or_text, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data_or_text, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def minimal() -> dict:
    return minimal_scenario()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(data_or_text, name="s.yaml")`` -> the written file under ``tmp_path``."""
    def _write(data_or_text: dict | str | bytes, name: str = "s.yaml") -> Path:
        return write_scenario(tmp_path, data_or_text, name)
    return _write


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys) -> Callable[..., CliResult]:
    """``cli("validate", "s.yaml")`` runs ``sispam-sim`` in-process: exit code, stdout, stderr.

    Anything but SystemExit (a traceback in real life) propagates and fails the test.
    """
    from sispam_sim.cli.app import main

    def _run(*args: str | os.PathLike) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            main([os.fspath(a) for a in args])
        captured = capsys.readouterr()
        code = info.value.code
        return CliResult(code if isinstance(code, int) else (0 if code is None else 1), captured.out, captured.err)
    return _run
