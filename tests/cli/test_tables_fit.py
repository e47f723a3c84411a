"""The terminal tables at 80 columns (the width of a pipe), in English and Indonesian.

A table that is too wide must wrap at spaces, never cut a word with ``…``; ``run``'s
targets table keeps one line per target; ``--lang id`` prints no English label.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sispam_sim.report.i18n import LABELS

#: the scenarios as a user in the checkout names them: relative, so the words of wherever the
#: checkout lives (``/ci/check/...``) never reach the output the tests read
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path("scenarios")
JEMBER = SCENARIOS / "jember-pilkada-2024.yaml"
CROWD = SCENARIOS / "crowd-buildup.yaml"
RAPID = SCENARIOS / "rapid-response.yaml"

COMMANDS = {
    "run": ("run", JEMBER, "-r", "3"),
    "run-crowd": ("run", CROWD, "-r", "3", "--set", "personnel_limit=600"),
    "check": ("check", CROWD, JEMBER, "-r", "3"),
    "compare": ("compare", JEMBER, SCENARIOS / "plans" / "jember-more-qrt.yaml", "-r", "3"),
    "sweep": ("sweep", RAPID, "--set", "forces.units[0].count=1,2", "-r", "2"),
}
#: a word cut short by rich: a letter or digit right before the ellipsis
CUT = re.compile(r"[\w\]\)]…")


@pytest.fixture
def at80(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(ROOT)

    def _run(name: str, lang: str = "en") -> str:
        result = cli(*COMMANDS[name], "--quiet", "--lang", lang)
        assert result.code in (0, 1), result.err
        return result.out
    return _run


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_tables_fit_80_columns_without_cut_words(at80, name, lang):
    text = at80(name, lang)
    table_lines = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
    assert table_lines
    assert all(len(line) <= 80 for line in table_lines), max(table_lines, key=len)
    assert not CUT.search(text), CUT.search(text)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_run_targets_table_has_one_line_per_target(at80, lang):
    text = at80("run", lang)
    title = {"en": "Targets (minutes)", "id": "Sasaran (menit)"}[lang]
    block = text.split(title)[1].split("└")[0]
    rows = [line for line in block.splitlines() if line.startswith("│")]
    assert len(rows) == 4                                   # the reference sets four targets
    assert all(row.split("│")[1].strip() for row in rows)   # no continuation line of a wrapped row


def test_days_are_counted_from_one(at80):
    text = at80("run")
    days = [int(line.split("│")[1]) for line in text.split("Slowest responses")[1].splitlines()
            if line.startswith("│") and line.split("│")[1].strip()]
    assert days and min(days) >= 1 and max(days) <= 3


def _english_words() -> set[str]:
    """The literal words of every English label that Indonesian says differently (4 letters or more)."""
    words = set()
    for key, english in LABELS["en"].items():
        if english == LABELS["id"][key]:
            continue
        for word in re.findall(r"[A-Za-z][A-Za-z-]{3,}", re.sub(r"\{[^}]*\}", " ", english)):
            if word.lower() not in LABELS["id"][key].lower():
                words.add(word)
    return words


#: English words that are also in the scenarios' own text (names, labels, file paths) or YAML keys
#: (``targets.full_strength.p90``, ``clock.duration``), which stay as written
USER_TEXT = {"voting", "Response", "response", "Rapid", "more", "plan", "plans", "crowd", "Crowd", "days", "call",
             "clock", "targets", "stopped", "units"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_indonesian_output_has_no_english_label(at80, name):
    english = _english_words() - USER_TEXT
    text = at80(name, "id")        # a file name (comparison.json) is not a label: a word before ".x" is left out
    found = sorted(w for w in english if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-]|\.\w)", text))
    assert not found, found
