"""The briefing pages in a real browser: a small run of the reference scenario and a comparison of the
bundled plans, rendered by ``tools/screenshot_report.py`` in headless Chromium at 1366x768 and
1920x1080 and printed to A4, as a Polres planner would see them in a briefing room.

Checked for report.html (English and Indonesian), comparison.html and every other page the run
writes (replay.html): nothing overflows sideways at either size, the first screen holds what the page
says it must (report.html: the bottom line and the targets; comparison.html: the decision), no word
is split across lines in print, the paper is A4, and the comparison prints in a few pages.

Skipped, with the reason, where Chromium or poppler-utils is missing; under CI (``CI`` set, as
``.ci/run`` is run) the tool installs them with apt-get first, so CI always runs these checks.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
from pathlib import Path

import pytest

from sispam_sim.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
PLANS = ("jember-central-reserve.yaml", "jember-forward-posts.yaml", "jember-more-qrt.yaml")
#: A4 in points, and the most pages the comparison of the bundled plans may print on.
A4_PT = (595.3, 841.9)
COMPARISON_PAGES = 4

pytestmark = pytest.mark.slow


def _tool():
    spec = importlib.util.spec_from_file_location("screenshot_report", ROOT / "tools" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    module = _tool()
    try:
        module.programs = module.tools(install=bool(os.environ.get("CI")))
    except SystemExit as err:
        pytest.skip(f"{err}: install Debian's chromium and poppler-utils, or run with CI=true to let the tool "
                    "install them")
    return module


def _cli(*args: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code in (0, 1, None)   # 1: a target or a plan check failed, the pages are written


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """report.html (and whatever other page ``run`` writes) of 5 days of the reference scenario, its
    Indonesian rebuild, and comparison.html of the bundled plans over the same 5 days."""
    folder = tmp_path_factory.mktemp("browser")
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    scenarios = folder / "scenarios"
    run, comparison = folder / "run", folder / "cmp"
    _cli("run", str(scenarios / "jember-pilkada-2024.yaml"), "-r", "5", "-q", "--out", str(run))
    _cli("compare", str(scenarios / "jember-pilkada-2024.yaml"), *(str(scenarios / "plans" / p) for p in PLANS),
         "-r", "5", "-q", "--allow-outside", "--out", str(comparison))   # the plans extend ../ the reference
    indonesian = folder / "run-id"
    shutil.copytree(run, indonesian)
    for page in indonesian.glob("*.html"):
        page.unlink()
    _cli("report", str(indonesian), "--lang", "id")
    found = {f"run/{p.name}": p for p in sorted(run.glob("*.html"))}
    found["id/report.html"] = indonesian / "report.html"
    found["comparison.html"] = comparison / "comparison.html"
    assert "run/report.html" in found
    return found


def _png_size(path: str) -> tuple[int, int]:
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.fixture(scope="module")
def checked(tool, pages, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("shots")
    tags = {"run": "", "id": "id", "comparison.html": ""}   # report.html and report-id.html side by side
    return {name: tool.check_page(page, out, tool.programs, tag=tags[name.split("/")[0]])
            for name, page in pages.items()}


def test_nothing_overflows_sideways_at_laptop_and_projector_size(checked):
    for name, result in checked.items():
        for size, (width, height) in (("laptop", (1366, 768)), ("projector", (1920, 1080))):
            measured = result["sizes"][size]
            assert "error" not in measured, (name, size, measured)
            assert measured["inner"] == width and measured["scroll"] <= width, (name, size, measured)
            assert measured["boxes"] == [], (name, size, measured["boxes"])   # no table scrolls in its frame
            assert _png_size(measured["png"]) == (width, height), (name, size)


def test_the_first_screen_holds_the_bottom_line_the_targets_and_the_decision(checked):
    wanted = {"run/report.html": ("bottom-line", "targets"), "id/report.html": ("bottom-line", "targets"),
              "comparison.html": ("decision",)}
    for name, ids in wanted.items():
        for size in ("laptop", "projector"):
            measured = checked[name]["sizes"][size]
            assert set(ids) <= set(measured["ids"]), (name, size, measured["ids"])
            for id_ in ids:   # the browser's own window: 625 px of a 1366x768 screen, toolbars aside
                assert measured["ids"][id_] is not None and 0 <= measured["ids"][id_] < measured["height"], \
                    (name, size, id_, measured)


def test_no_word_is_split_in_print_and_the_paper_is_a4(checked):
    problems = {}
    for name, result in checked.items():
        printed = result["print"]
        wrong = [f"split: {printed['split']}"] if printed["split"] else []
        if printed["words"] <= 100:   # the PDF has the page's text, not an image of it
            wrong.append(f"{printed['words']} words")
        if not all(abs(a - b) < 2 for a, b in zip(printed["paper_pt"], A4_PT)):
            wrong.append(f"paper {printed['paper_pt']} pt, not A4")
        if not (Path(printed["png"]).is_file() and _png_size(printed["png"])[1] > _png_size(printed["png"])[0]):
            wrong.append("no portrait PNG of the first page")
        if wrong:
            problems[name] = wrong
    assert problems == {}
    assert checked["comparison.html"]["print"]["pages"] <= COMPARISON_PAGES


def test_a_split_word_is_found_and_a_break_at_a_hyphen_is_not():
    """The print check itself, on text made by hand: "PAS" / "S" across two lines (and "tempu" /
    "rejo-84" across a table's columns) are splits; "alun-" / "alun" breaks where the text allows;
    "-" / "r" breaks an option's own dash."""
    tool = _tool()
    words = tool.page_words("<style>p{x:y}</style><p>PASS tempurejo-84 Pemkab alun-alun, sispam-sim -r 10</p>")
    assert words == {"PASS", "tempurejo-84", "Pemkab", "alun-alun", "sispam-sim", "-r", "10"}
    assert tool.split_words("PAS\nS tempurejo-84", words) == ["PAS|S"]
    assert tool.split_words("tempu 12 31.2 min rejo-84", words | {"12", "31.2", "min"}) == ["tempu|rejo-84"]
    assert tool.split_words("Pemkab alun-\nalun, sispam-\nsim", words) == []
    assert tool.split_words("sispam-sim -\nr 10", words) == ["-|r"]
