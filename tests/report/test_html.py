"""report.html: every section with the run's own numbers, nothing external, user text escaped,
Indonesian headings with --lang id, and `sispam-sim report DIR` rebuilding the same bytes."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sispam_sim.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("scenario", "manifest", "targets", "response", "personnel", "map", "escalation", "districts", "tps",
            "units")


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.headings, self.attrs, self.text, self._h = set(), [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.attrs.extend(attrs)
        self.ids.update(v for k, v in attrs if k == "id")
        if tag in ("h1", "h2", "h3"):
            self._h = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._h is not None:
            self.headings.append("".join(self._h).strip())
            self._h = None

    def handle_data(self, data):
        self.text.append(data)
        if self._h is not None:
            self._h.append(data)


def _run(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    return exit_.value.code, capsys.readouterr()


@pytest.fixture(scope="module")
def crowd_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scen")
    text = (ROOT / "scenarios" / "crowd-buildup.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^name: .*$", 'name: "Demo <script>alert(1)</script> & co"', text, count=1, flags=re.M)
    (folder / "crowd.yaml").write_text(text, encoding="utf-8")
    out = folder / "out"
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(folder / "crowd.yaml"), "-r", "3", "-q", "--out", str(out)])
    assert exit_.value.code in (0, None)
    return out


def _page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_section_with_the_runs_own_numbers(crowd_run):
    page = _page(crowd_run / "report.html")
    assert set(SECTIONS) <= page.ids
    results = json.loads((crowd_run / "results.json").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    for row in results["targets"]:
        if row["value"] is not None and row["metric"] not in ("max_level", "unresolved"):
            assert f"{row['value']:,.1f} min" in text
    for unit, row in results["units"]["by_type"].items():
        assert f"{row['utilisation']['value']:.1%}" in text and unit in text
    assert str(results["manifest"]["seed"]) in text


def test_nothing_external_and_user_text_escaped(crowd_run):
    raw = (crowd_run / "report.html").read_text(encoding="utf-8")
    page = _page(crowd_run / "report.html")
    for name, value in page.attrs:
        if name in ("src", "href") and value:
            assert value.startswith(("data:", "#")), (name, value)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", re.sub(r'xmlns(:\w+)?="[^"]*"', "", raw)), \
        "an external address"
    assert "<script" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<svg" in raw and "<title>" in raw and 'aria-label="' in raw
    assert "@media print" in raw


def test_report_rebuilds_the_same_bytes_and_speaks_indonesian(crowd_run, tmp_path, capsys):
    shutil.copytree(crowd_run.parent, tmp_path / "copy")   # the folder with its scenario beside it
    copy = tmp_path / "copy" / crowd_run.name
    code, _ = _run(["report", str(copy)], capsys)
    assert code in (0, None)
    assert (copy / "report.html").read_bytes() == (crowd_run / "report.html").read_bytes()
    code, _ = _run(["report", str(copy), "--lang", "id"], capsys)
    headings = _page(copy / "report.html").headings
    assert "Sasaran" in headings and "Peta: kecamatan, TPS menurut kerawanan dan kejadian menurut waktu tanggap" \
        in headings


def test_report_of_a_folder_that_is_not_a_run_exits_2(tmp_path, capsys):
    code, out = _run(["report", str(tmp_path)], capsys)
    assert code == 2 and "lacks results.json" in out.err and "Traceback" not in out.err
    code, out = _run(["report", str(tmp_path / "missing")], capsys)
    assert code == 2 and "not a folder" in out.err


def test_compare_out_writes_a_self_contained_comparison_page(tmp_path, capsys):
    from conftest import minimal_scenario, write_scenario

    base = minimal_scenario()
    more = minimal_scenario()
    more["name"] = "more <b>patrols</b>"
    more["forces"]["units"][0]["count"] = 4
    a, b = write_scenario(tmp_path, base, "a.yaml"), write_scenario(tmp_path, more, "b.yaml")
    code, _ = _run(["compare", str(a), str(b), "-r", "4", "-q", "--out", str(tmp_path / "cmp")], capsys)
    assert code in (0, None)
    raw = (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")
    document = json.loads((tmp_path / "cmp" / "comparison.json").read_text(encoding="utf-8"))
    page = Page()
    page.feed(raw)
    text = " ".join(page.text)
    assert "more <b>patrols</b>" in text and "<b>patrols" not in raw   # shown as written, escaped in the file
    bare = re.sub(r'xmlns(:\w+)?="[^"]*"', "", raw)   # SVG namespaces name, they fetch nothing
    assert not re.search(r"(?i)(https?:|src=[\"'](?!data:)|href=[\"'](?!#))", bare)
    assert "<svg" in raw   # the overlaid response curves
    p90 = document["plans"][0]["differences"]["response_time"]["p90"]["value"]
    assert f"{p90:+.1f}".replace("+0.0", "0.0") in text or f"{p90:.1f}" in text
