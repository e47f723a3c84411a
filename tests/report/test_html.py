"""report.html and comparison.html: every section with the run's own numbers, the answer first (the
findings' bottom line: what, where and why) and provenance last, the districts apart from the named
places, the crowd panels on the days replay.html shows (and a link to it), the operational maps and
the split of the response, nothing external, user text escaped wherever a scenario puts it (Jinja2
autoescape; a ``$\\frac$`` name too), verdict badges told apart without colour, an A4 stylesheet that
never breaks a word, every label and the scenario's own Indonesian with --lang id, and `sispam-sim
report DIR` rebuilding the same bytes. How the pages look in a real browser (first screen, overflow,
print): tests/report/test_browser.py."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sispam_sim.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
#: report.html's sections, in the order of the page: the answer first, how it was made last.
SECTIONS = ("scenario", "bottom-line", "targets", "why", "map", "response", "personnel", "escalation", "districts",
            "tps", "units", "provenance", "manifest")


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


@pytest.fixture(scope="module")
def ref_run(tmp_path_factory):
    """5 days of the reference scenario (districts, TPS, the KPU office and the Pemkab as places),
    run from a copy of the scenario beside its output folder."""
    folder = tmp_path_factory.mktemp("ref")
    shutil.copy(ROOT / "scenarios" / "jember-pilkada-2024.yaml", folder / "ref.yaml")
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(folder / "ref.yaml"), "-r", "5", "-q", "--out", str(folder / "out")])
    assert exit_.value.code in (0, 1, None)
    return folder / "out"


def _page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def _section(raw: str, start: str, end: str) -> str:
    """The text (tags out, entities decoded, white space folded) between two ids of a page."""
    import html as html_module

    part = raw[raw.index(f'id="{start}"'):raw.index(f'id="{end}"')]
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def _table_rows(raw: str, start: str, end: str, which: int = 0) -> list[list[str]]:
    """The body rows (cells as text) of the ``which``-th table between two ids."""
    import html as html_module

    part = raw[raw.index(f'id="{start}"'):raw.index(f'id="{end}"')]
    body = re.findall(r"<tbody>(.*?)</tbody>", part, flags=re.S)[which]
    return [[" ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", c)).split())
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def test_every_section_with_the_runs_own_numbers(ref_run):
    from sispam_sim.report.terminal import fmt_percent

    page = _page(ref_run / "report.html")
    assert set(SECTIONS) <= page.ids
    results = _results(ref_run)
    text = " ".join(page.text)
    for row in results["targets"]:
        if row["value"] is not None and row["metric"] not in ("max_level", "unresolved"):
            assert f"{row['value']:,.1f} min" in text
    units = _table_rows((ref_run / "report.html").read_text(encoding="utf-8"), "units", "provenance")
    shown = {row[1]: row[2] for row in units}   # id -> utilisation, as the terminal prints it (cut down)
    assert shown == {unit: fmt_percent(row["utilisation"]["value"]) for unit, row in results["units"]["by_type"].items()
                     if row["utilisation"]["value"] is not None}
    assert str(results["manifest"]["seed"]) in text


def test_nothing_external_and_user_text_escaped(crowd_run):
    raw = (crowd_run / "report.html").read_text(encoding="utf-8")
    page = _page(crowd_run / "report.html")
    for name, value in page.attrs:
        if name in ("src", "href") and value:   # the one link out: the day page written beside it
            assert value.startswith(("data:", "#")) or re.fullmatch(r"replay\.html#day-[01]", value), (name, value)
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


def _ids_in_order(raw: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', raw)


@pytest.mark.parametrize("run", ["crowd_run", "ref_run"])
def test_the_answer_comes_first_and_how_it_was_made_last(run, request):
    """The bottom line holds every sentence of the run's findings (a failed or too-close target's what,
    where and why; each single point of failure that made incidents wait), each target with its
    verdict's badge, and nothing of the targets that passed."""
    from sispam_sim.report.findings import sentences
    from sispam_sim.report.terminal import target_name

    folder = request.getfixturevalue(run)
    raw = (folder / "report.html").read_text(encoding="utf-8")
    ids = [i for i in _ids_in_order(raw) if i in SECTIONS]
    assert ids == list(SECTIONS)   # bottom line, then targets; sha256 and versions at the end
    assert raw.index("sha256") > raw.index('id="units"')
    assert '<meta name="sispam-first-screen" content="bottom-line targets">' in raw
    results = _results(folder)
    bottom = _section(raw, "bottom-line", "targets")
    found = sentences(results, "en")
    assert found and all(" ".join(sentence.split()) in bottom for sentence in found)
    badges = re.findall(r'class="verdict (verdict-\w+)"', raw[raw.index('id="bottom-line"'):raw.index('id="targets"')])
    assert badges == [{"fail": "verdict-fail", "too_close": "verdict-too_close"}[f["verdict"]]
                      for f in sorted(results["findings"]["targets"], key=lambda f: f["verdict"] != "fail")]
    for row in results["targets"]:   # "Time to full strength p90" is said only when it failed or is too close
        named = f"{target_name(row, 'en')} {row['stat']} "
        assert (named in bottom) == (row["verdict"] in ("fail", "too_close")), named


def _bottom_lines(targets, lang="en"):
    from sispam_sim.report.html import _bottom_line

    return _bottom_line({"targets": targets}, lang)["lines"]


def test_the_bottom_line_is_one_sentence_per_failed_or_too_close_target():
    """Four targets: response p90 17.1 > 15 (fail), TPS downtime p95 70.6 with 60 in its interval
    (too close), full strength p90 18.0 <= 45 (pass), the highest level 3 (merah) > 2 (fail). The
    bottom line says the two failed ones first, in the order given, then the too-close one; the
    passed one is not in it."""
    targets = [
        {"kind": None, "metric": "response_time", "stat": "p90", "limit": 15.0, "value": 17.1, "verdict": "fail"},
        {"kind": None, "metric": "tps_downtime", "stat": "p95", "limit": 60.0, "value": 70.6, "verdict": "too_close"},
        {"kind": None, "metric": "full_strength", "stat": "p90", "limit": 45.0, "value": 18.0, "verdict": "pass"},
        {"kind": None, "metric": "max_level", "stat": "max", "limit": 2, "value": 3, "verdict": "fail"},
    ]
    lines = _bottom_lines(targets)
    assert [line["verdict"] for line in lines] == ["fail", "fail", "too_close"]
    response, level, downtime = (line["text"] for line in lines)
    assert response.startswith("Response time p90: 17.1 min") and "15.0 min" in response and response.endswith("FAIL")
    assert "merah" in level and "kuning" in level and level.endswith("FAIL")
    assert "70.6 min" in downtime and "60.0 min" in downtime and downtime.endswith("TOO CLOSE")
    assert not any("full strength" in line["text"].lower() for line in lines)
    indonesian = _bottom_lines(targets, "id")
    assert indonesian[0]["text"].endswith("GAGAL") and "batas" in indonesian[0]["text"]
    assert indonesian[2]["text"].endswith("TERLALU DEKAT")
    # a p90 among incidents never reached prints as "> X", the end of the run
    censored = _bottom_lines([{**targets[0], "value": 1200.0, "value_censored": True}])
    assert "> 1,200.0 min" in censored[0]["text"]
    assert [line["verdict"] for line in _bottom_lines([targets[2]])] == ["pass"]   # all met: it says so
    assert _bottom_lines([])[0]["text"] == "No targets set"


# ---------------------------------------------------------------------------------------------- where and why

#: A results.json by hand: one failed target and one single point of failure, as stats/findings.py
#: writes them (docs/model.md, "Findings").
FINDINGS = {
    "targets": [
        {"kind": None, "metric": "response_time", "stat": "p90", "limit": 15.0, "value": 17.1, "verdict": "fail"},
        {"kind": None, "metric": "full_strength", "stat": "p90", "limit": 45.0, "value": 18.0, "verdict": "pass"},
    ],
    "findings": {
        "rule": {"min_incidents": 20, "confidence": 0.95, "top": 5},
        "targets": [{
            "target": 0, "kind": None, "metric": "response_time", "stat": "p90", "limit": 15.0, "value": 17.1,
            "value_censored": False, "verdict": "fail", "incidents": 3624, "over_limit": 385, "never_reached": 0,
            "share_over": {"value": 385 / 3624, "ci": [0.096, 0.117]},
            "where": [{"area": "district", "id": "tempurejo", "name": "tempurejo", "incidents": 52, "over_limit": 43,
                       "share_over": {"value": 43 / 52, "ci": [0.69, 0.93]},
                       "split": {"over_limit": {"incidents": 43, "measured": 43, "lower_bound": False, "wait": 1.0,
                                                "mobilise": 6.0, "travel": 24.0, "value": 31.0}}}],
            "why": {"of": "response_time", "dominant": "travel",
                    "over_limit": {"incidents": 385, "measured": 385, "lower_bound": False, "wait": 1.3,
                                   "mobilise": 5.9, "travel": 13.3, "value": 20.5},
                    "all": {"incidents": 3624, "measured": 3624, "lower_bound": False, "wait": 0.1, "mobilise": 4.8,
                            "travel": 5.4, "value": 10.3},
                    "bottleneck": {"unit_type": "polsek_qrt", "first_on_scene": 347, "reached": 385,
                                   "share": 347 / 385, "utilisation": {"value": 0.048}}}}],
        "single_points": [{
            "entry": 7, "incident_kind": "rapid_response", "label": "KPU chair taken hostage",
            "label_id": "Ketua KPU disandera", "capability": "enforcement", "need": 12, "unit": "resmob",
            "unit_type": "resmob_tim", "incidents": 100, "days": 100, "waited": 8, "days_waited": 8,
            "mean_wait": 63.3, "never_sent": 0,
            "longest": {"wait": 131.6, "censored": False, "replication": 74, "incident": "rapid_response-0023",
                        "response_time": 168.1,
                        "held_by": {"incident": "rapid_response-0021", "label": "ballot-box seizure",
                                    "place": "panti-81", "area": {"area": "district", "id": "panti", "name": "panti"},
                                    "call": 679.8}}}],
    },
}


def test_the_bottom_line_says_what_where_and_why_from_the_findings():
    """One line per failed target, then one per single point of failure that waited. By hand:
    Tempurejo 43 of 52 calls over 15 min = 82.7%, said "83% of 52"; all calls over the limit 385 of
    3624 = 10.62%, rounded up to 10.7%; their response 1.3 + 5.9 + 13.3 = 20.5 min, mostly travel;
    the first unit on scene a Polsek QRT for 347 of 385 = 90%. The hostage call waited for the one
    Resmob team on 8 of 100 days, at most 131.6 min on day 75 (replication 74), while it was at panti-81
    in Panti. The targets that passed (full strength) are not in it; the lead counts the verdicts."""
    lines = _bottom_lines_of(FINDINGS)
    assert [line["verdict"] for line in lines["lines"]] == ["fail", "single_point"]
    assert lines["lead"].startswith("1 of 2 targets failed")
    response, single = (line["text"] for line in lines["lines"])
    assert lines["lines"][0]["badge"] == {"text": "FAIL", "look": "verdict-fail"}
    for words in ("17.1 > 15", "10.7% of 3,624", "Tempurejo (83% of 52)", "waiting for a unit 1.3", "mobilising 5.9",
                  "travel 13.3 of 20.5 min", "mostly travel", "90%"):
        assert words in response, (words, response)
    assert "full strength" not in response.lower()
    for words in ("resmob", "enforcement", "8 of 100 days", "131.6 min", "day 75", "panti-81", "Panti"):
        assert words in single, (words, single)
    indonesian = _bottom_lines_of(FINDINGS, "id")
    response, single = (line["text"] for line in indonesian["lines"])
    assert "Tempurejo (83% dari 52)" in response and "perjalanan" in response and "10,7%" in response
    assert "Ketua KPU disandera" in single and "131,6" in single and "hari ke-75" in single
    assert indonesian["lines"][0]["badge"]["text"] == "GAGAL"


def _bottom_lines_of(document, lang="en"):
    from sispam_sim.report.html import _bottom_line

    return _bottom_line(document, lang)


def test_the_districts_are_ranked_apart_from_the_named_places(ref_run):
    """incidents.csv by hand: each incident at a TPS counts in its district, each at a place (the KPU
    office, the Pemkab) at that place. A district is ranked only with at least 20 incidents (the
    findings' rule), by the share of its calls over 15 min (response over 15, or never reached); the
    others follow, unranked; the places are in a table of their own, never ranked as a kecamatan."""
    import csv

    from sispam_sim.scenario.loader import load_scenario
    from sispam_sim.stats.districts import Areas

    scenario = load_scenario(ref_run.parent / "ref.yaml")
    areas = Areas(scenario)
    counts: dict[tuple[str, str], list[int]] = {}
    with open(ref_run / "incidents.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            area = areas.locate(row["place"], row["site"] or None, int(row["entry"]))
            n_over = counts.setdefault((area.kind, area.name), [0, 0])
            n_over[0] += 1
            n_over[1] += row["response_time"] == "" or float(row["response_time"]) > 15
    raw = (ref_run / "report.html").read_text(encoding="utf-8")
    districts = _table_rows(raw, "districts", "tps", 0)
    places = _table_rows(raw, "districts", "tps", 1)
    place_names = {name for kind, name in counts if kind == "place"}
    assert place_names == {"Kantor KPU Jember", "Pemkab Jember / alun-alun"} <= {row[0] for row in places}
    assert not place_names & {row[1] for row in districts}   # never a kecamatan
    ranked = [row for row in districts if row[0] != "–"]
    assert ranked and [row[0] for row in ranked] == [str(i + 1) for i in range(len(ranked))]
    shares = []
    for row in districts:
        n, over = counts[("district", row[1].lower())]
        assert row[2] == f"{n:,}" and row[4] == f"{100 * over / n:.1f}%", row
        assert (row[0] != "–") == (n >= 20), row
        if row[0] != "–":
            shares.append(over / n)
    assert shares == sorted(shares, reverse=True)
    kpu = next(row for row in places if row[0] == "Kantor KPU Jember")
    n, over = counts[("place", "Kantor KPU Jember")]
    assert kpu[1] == f"{n:,}" and kpu[3] == f"{100 * over / n:.1f}%"


def test_the_crowd_panels_are_the_days_replay_html_shows_and_the_report_links_it(ref_run):
    """The typical and the worst day by the one rule of stats/days.py (chosen_days over the days'
    statistics of incidents.csv): the escalation section's headings and its panels' titles name those
    days, replay.html's two sections are those days, and report.html links them."""
    import csv

    from sispam_sim.stats.days import DayTally, chosen_days

    results = _results(ref_run)
    tally = DayTally(results["manifest"]["replications"])
    with open(ref_run / "incidents.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            tally.add(int(row["replication"]), float(row["response_time"]) if row["response_time"] else None,
                      float(row["resolution_time"]) if row["resolution_time"] else None)
    typical, worst = chosen_days(tally.statistics())
    raw = (ref_run / "report.html").read_text(encoding="utf-8")
    crowds = _section(raw, "escalation", "districts")
    assert f"Typical day (day {typical + 1})" in crowds and f"Day {typical + 1} · " in crowds
    if worst != typical:
        assert f"Worst day (day {worst + 1})" in crowds and f"Day {worst + 1} · " in crowds
    days = set(re.findall(r"\bDay (\d+) · ", crowds))
    assert days == {str(typical + 1), str(worst + 1)}   # no other day's crowd
    replay = (ref_run / "replay.html").read_text(encoding="utf-8")
    assert f"(day {typical + 1})" in _section(replay, "day-0", "day-1")
    for section in ("bottom-line", "escalation"):
        start = raw.index(f'id="{section}"')
        assert f'href="replay.html#day-0">the typical day (day {typical + 1})</a>' in raw[start:]
        assert f'href="replay.html#day-1">the worst day (day {worst + 1})</a>' in raw[start:]


def test_the_split_of_the_response_and_the_maps(ref_run):
    """The decomposition chart of each response-time finding: a bar for all the calls over the limit
    (its n the finding's measured count) and one for all calls; the two operational maps, every
    district of the scenario a shape in each, the colour scale breaking at the target's share (10% for
    the response p90, 5% for the TPS downtime p95)."""
    results = _results(ref_run)
    raw = (ref_run / "report.html").read_text(encoding="utf-8")
    why = raw[raw.index('id="why"'):raw.index('id="map"')]
    findings = [f for f in results["findings"]["targets"] if f["metric"] == "response_time"]
    assert findings, "5 days of the reference scenario leave the response p90 too close to call"
    for finding in findings:
        over, every = finding["why"]["over_limit"], finding["why"]["all"]
        assert f"n = {over['measured']:,}" in why and f"n = {every['measured']:,}" in why
        assert "all calls over 15 min" in why and "all calls (for comparison)" in why
    maps = raw[raw.index('id="map"'):raw.index('id="response"')]
    assert maps.count("<svg") == 2
    from sispam_sim.scenario.loader import load_scenario

    for district in load_scenario(ref_run.parent / "ref.yaml").spec.map.districts:
        assert maps.count(f'id="district-{district}"') == 2, district
    assert re.search(r">10%\s+◀ target<", maps) and re.search(r">5%\s+◀ target<", maps)
    assert "Calls over the response limit (15 min) by district" in maps and "(60 min)" in maps


# ---------------------------------------------------------------------------------------------- Indonesian

@pytest.fixture(scope="module")
def doctrine_id(tmp_path_factory):
    """The doctrine scenario (format 1.1, Indonesian beside the English) run on 3 days with --lang id,
    and compared with a copy of itself under another name (name_id too), with --lang id."""
    folder = tmp_path_factory.mktemp("doctrine")
    for name in ("jember-doctrine.yaml", "jember-pilkada-2024.yaml"):
        shutil.copy(ROOT / "scenarios" / name, folder / name)
    (folder / "again.yaml").write_text("version: 1.1\nextends: jember-doctrine.yaml\nname: The doctrine again\n"
                                       "name_id: Doktrin sekali lagi\n", encoding="utf-8")
    for args in (["run", "jember-doctrine.yaml", "--out", "run"],
                 ["compare", "jember-doctrine.yaml", "again.yaml", "--out", "cmp"]):
        with pytest.MonkeyPatch.context() as patch, pytest.raises(SystemExit) as exit_:
            patch.chdir(folder)
            main([*args, "-r", "3", "-q", "--lang", "id"])
        assert exit_.value.code in (0, 1, None)
    from sispam_sim.scenario.loader import load_scenario

    return {"scenario": load_scenario(folder / "jember-doctrine.yaml"), "report.html": folder / "run" / "report.html",
            "comparison.html": folder / "cmp" / "comparison.html"}


def _words_shown(path: Path) -> str:
    """What a reader reads on a page: its text and the charts' text, without the style sheets, the
    script, and the values of the provenance (a file path, the command line)."""
    import html as html_module

    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(style|script)\b[^>]*>.*?</\1>", " ", raw, flags=re.S)
    raw = re.sub(r"<dd>.*?</dd>", " ", raw, flags=re.S)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.mark.parametrize("page", ["report.html", "comparison.html"])
def test_indonesian_pages_have_no_english_label_of_the_program(doctrine_id, page):
    """As tests/unit/test_indonesian.py reads the terminal: no English word of the program's labels that
    the Indonesian says otherwise (a key path such as map.boundaries is not a word), and numbers with a
    decimal comma, the charts' ticks too (a dot only between thousands or in a clock time, 16.05)."""
    from tests.unit.test_indonesian import DECIMAL_POINT, _english_words

    text = _words_shown(doctrine_id[page])
    english = _english_words(doctrine_id["scenario"])
    found = sorted(w for w in english if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w-]|\.\w)", text))
    assert not found, found
    assert re.search(r"\d,\d", text)
    points = [m.group() for m in DECIMAL_POINT.finditer(text)
              if not re.fullmatch(r"\d{1,3}(\.\d{3})+|[0-2]\d\.[0-5]\d", m.group())]
    assert not points, points


def test_indonesian_report_shows_the_scenario_s_own_indonesian(doctrine_id):
    from tests.unit.test_indonesian import _translated

    text = _words_shown(doctrine_id["report.html"])
    pairs = _translated(doctrine_id["scenario"])
    assert len(pairs) >= 20
    assert [english for english, _ in pairs if english in text] == []
    shown = ("Pilkada Jember 2024 — hari pemungutan suara, menurut doktrin", "Kompi Dalmas Lanjut", "Pengamanan TPS",
             "Tingkat tertinggi", "hari tipikal")
    assert [words for words in shown if words not in text] == []


def test_indonesian_comparison_shows_the_scenario_s_own_indonesian_but_the_plan_names(doctrine_id):
    from tests.unit.test_indonesian import _translated

    text = _words_shown(doctrine_id["comparison.html"])
    spec = doctrine_id["scenario"].spec
    pairs = [(en, id_) for en, id_ in _translated(doctrine_id["scenario"]) if en != spec.name]
    assert [english for english, _ in pairs if english in text] == []


def test_indonesian_comparison_names_the_plans_by_their_name_id(doctrine_id):
    text = _words_shown(doctrine_id["comparison.html"])
    assert "Doktrin sekali lagi" in text and "The doctrine again" not in text
    assert doctrine_id["scenario"].spec.name not in text


def test_indonesian_verdicts_in_the_comparison(comparison):
    """Every verdict word of comparison.html in Indonesian: better, worse, no difference, not better,
    too close and the plans' decisions, as the glossary says them."""
    from sispam_sim.report import glossary
    from sispam_sim.report.html import build_comparison

    document = json.loads((comparison / "comparison.json").read_text(encoding="utf-8"))
    responses = [{"values": [5.0, 10.0, 20.0], "n": 4}] * (1 + len(document["plans"]))
    text = _words_shown_of(build_comparison(document, responses, lang="id"))
    badges = re.findall(r'<span class="verdict verdict-[\w-]+">([^<]*)</span>', build_comparison(document, responses,
                                                                                               lang="id"))
    assert badges and not {"better", "worse", "no difference", "not better", "PASS", "FAIL", "TOO CLOSE", "undecided",
                           "kept", "ruled out"} & set(badges), badges
    assert any(word in badges for word in (glossary.term(k, "id") for k in ("better", "worse", "no_difference")))
    assert "Keputusan: rencana terhadap sasaran" in text and "Decision" not in text


def _words_shown_of(page: str) -> str:
    import html as html_module

    page = re.sub(r"<(style|script)\b[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_decision_table_carries_each_plan_s_call_outs(tmp_path, capsys):
    """Two plans of the reference scenario (one with half the Polsek QRTs' speed) on 3 days: the
    decision table has a call-outs row with a cell per plan (where and mostly what of each failed or
    too-close target), the whole sentences folded below it."""
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(ROOT / "scenarios" / "jember-pilkada-2024.yaml", folder / "ref.yaml")
    (folder / "slow.yaml").write_text("version: 1\nextends: ref.yaml\nname: slower QRTs\n"
                                      "forces: {types: {polsek_qrt: {speed_kmh: 20}}}\n", encoding="utf-8")
    code, _ = _run(["compare", str(folder / "ref.yaml"), str(folder / "slow.yaml"), "-r", "3", "-q", "--out",
                    str(folder / "cmp")], capsys)
    assert code in (0, 1, None)
    raw = (folder / "cmp" / "comparison.html").read_text(encoding="utf-8")
    document = json.loads((folder / "cmp" / "comparison.json").read_text(encoding="utf-8"))
    rows = _table_rows(raw, "decision", "response")
    callouts = next(row for row in rows if row[0] == "Findings (where, why)")
    assert len(callouts) == 3 and all(cell for cell in callouts[1:])
    for plan, cell_text in zip(document["decision"]["plans"], callouts[1:]):
        for callout in plan["callouts"]:
            finding = callout["finding"]
            if callout["from"] == "targets" and finding["why"].get("dominant") == "travel":
                assert "mostly travel" in cell_text
    assert rows.index(callouts) == len(rows) - 2   # just above the decision
    folded = raw[raw.index('id="callouts"'):raw.index('id="response"')]
    assert folded.startswith('id="callouts">') and "<summary" in folded


# ---------------------------------------------------------------------------------------------- text in charts

def test_a_name_with_a_formula_renders_as_written(tmp_path, capsys):
    """``$\\frac$`` (and an unbalanced ``$x``) in the scenario's name, a place's name and a crowd's label:
    matplotlib reads no mathematics (text.parse_math off), so the report is written and shows them."""
    text = (ROOT / "scenarios" / "crowd-buildup.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^name: .*$", r"name: 'Protest $\\frac$ drill'", text, count=1, flags=re.M)
    text = text.replace("name: Kantor KPU Jember}", r"name: 'KPU $\frac{1}{0}$ office'}", 1)
    text = text.replace("label: protest at KPU Jember", r"label: 'protest $x at KPU'", 1)
    assert text.count("$") == 5
    (tmp_path / "frac.yaml").write_text(text, encoding="utf-8")
    code, out = _run(["run", str(tmp_path / "frac.yaml"), "-r", "2", "-q", "--out", str(tmp_path / "out")], capsys)
    assert code in (0, 1, None) and "Traceback" not in out.err, out.err
    raw = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    svg_text = " ".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", raw))
    assert r"KPU $\frac{1}{0}$ office" in svg_text and "protest $x at KPU" in svg_text   # in the charts
    assert r"Protest $\frac$ drill" in raw


# ---------------------------------------------------------------------------------------------- style

STYLE = ROOT / "sispam_sim" / "report" / "templates" / "style.css"


def _rules(css: str) -> tuple[dict[str, dict[str, str]], str]:
    """The screen rules of style.css by class selector (declarations in order, later ones win) and
    the text of its ``@media print`` block."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    start = css.index("@media print")
    depth, end = 0, start
    for end in range(css.index("{", start), len(css)):
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        if depth == 0:
            break
    screen, printed = css[:start] + css[end + 1:], css[start:end + 1]
    screen = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)[^{}]*\}", "", screen)
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", screen):
        for selector in (s.strip() for s in selectors.split(",")):
            for declaration in filter(None, (d.strip() for d in body.split(";"))):
                name, _, value = declaration.partition(":")
                rules.setdefault(selector, {})[name.strip()] = value.strip()
    return rules, printed


def _lightness(colour: str, variables: dict[str, str]) -> float:
    """Relative luminance (0 black, 1 white) of ``#rgb`` / ``#rrggbb`` / ``var(--x)``: what greyscale keeps."""
    colour = colour.split()[0]
    if colour.startswith("var("):
        colour = variables[colour[4:-1]]
    if colour == "transparent":
        return 1.0
    hexa = colour.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    r, g, b = (int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _greyscale_look(rules, variables, cls: str) -> tuple:
    """What a badge keeps on a greyscale print: its fill's lightness (in tenths), its border's
    style and its font weight."""
    own = {**rules[".verdict"], **rules[f".{cls}"]}
    border = own.get("border", "")
    style = next((w for w in border.split() if w in ("solid", "dashed", "dotted", "double")), "solid")
    return round(_lightness(own.get("background", "#fff"), variables), 1), style, own.get("font-weight", "400")


def test_each_verdict_has_a_word_and_a_look_of_its_own_even_in_greyscale():
    from sispam_sim.report.html import _verdict_part

    rules, _ = _rules(STYLE.read_text(encoding="utf-8"))
    variables = {name.lstrip(): value for name, value in rules[":root"].items()}
    for group in (("pass", "fail", "too_close", "untested"), ("better", "worse", "no difference", "too_close")):
        parts = [_verdict_part(verdict, "en") for verdict in group]
        assert len({p["look"] for p in parts}) == len(group), parts   # a class each
        assert len({p["text"] for p in parts}) == len(group), parts   # a word each
        looks = [_greyscale_look(rules, variables, p["look"]) for p in parts]
        assert len(set(looks)) == len(group), looks                   # told apart without colour
        assert len({rules[f".{p['look']}"].get("color", rules[f".{p['look']}"].get("background"))
                    for p in parts}) == len(group)                    # and a colour each
    assert _verdict_part("fail", "id")["text"] == "GAGAL"


def test_the_a4_stylesheet_never_breaks_a_word_and_keeps_tables_whole():
    css = STYLE.read_text(encoding="utf-8")
    rules, printed = _rules(css)
    flat = re.sub(r"\s+", "", printed)
    assert "@page{size:A4" in flat
    for declaration in ("overflow-wrap:normal", "word-break:normal", "hyphens:manual"):
        assert declaration in flat
    assert re.search(r"(^|[},])table\{[^}]*break-inside:avoid", flat) and \
        re.search(r"[},]tr,figure[^{]*\{break-inside:avoid", flat)
    assert "thead{display:table-header-group}" in flat   # a long table repeats its header on every page
    # on screen no cell may break anywhere either (it gave "PAS/S", a letter per line in Indonesian)
    for selector in ("th", "td", "table", "td.num"):
        assert "anywhere" not in rules.get(selector, {}).get("overflow-wrap", "")
        assert "break-all" not in rules.get(selector, {}).get("word-break", "")


def test_the_pages_are_jinja2_templates_with_autoescape_and_no_markup_in_python():
    """html.py holds no HTML (no tag in any string, f-strings included, docstrings aside) and no
    escape() call: the templates own the markup, autoescape the text, StrictUndefined a typo."""
    import ast

    from jinja2 import StrictUndefined

    from sispam_sim.report.html import _environment

    env = _environment()
    assert env.autoescape is True and env.undefined is StrictUndefined
    source = (ROOT / "sispam_sim" / "report" / "html.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    tags = [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and re.search(r"<[a-zA-Z/!]", node.value)]
    assert tags == []
    calls = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", None)) == "escape"]
    assert calls == []
    templates = ROOT / "sispam_sim" / "report" / "templates"
    assert {"_base.html.j2", "report.html.j2", "comparison.html.j2"} <= {p.name for p in templates.iterdir()}
    assert "|safe" not in re.sub(r"\s", "", "".join(p.read_text(encoding="utf-8") for p in templates.glob("*.j2")))


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    from conftest import minimal_scenario, write_scenario

    folder = tmp_path_factory.mktemp("cmp")
    base, more = minimal_scenario(), minimal_scenario()
    for plan in (base, more):
        plan["targets"] = {"response_time": {"p90": "15min"}}
    more["name"] = "more patrols"
    more["forces"]["units"][0]["count"] = 4
    a, b = write_scenario(folder, base, "a.yaml"), write_scenario(folder, more, "b.yaml")
    with pytest.raises(SystemExit) as exit_:
        main(["compare", str(a), str(b), "-r", "4", "-q", "--out", str(folder / "cmp")])
    assert exit_.value.code in (0, None)
    return folder / "cmp"


def test_the_comparison_opens_with_the_decision_and_folds_every_difference(comparison):
    raw = (comparison / "comparison.html").read_text(encoding="utf-8")
    document = json.loads((comparison / "comparison.json").read_text(encoding="utf-8"))
    order = [i for i in _ids_in_order(raw) if i in ("decision", "targets", "response", "differences", "detail",
                                                    "provenance")]
    assert order[:3] == ["decision", "targets", "response"] and order[-1] == "provenance"
    decision = raw[raw.index('id="decision"'):raw.index('id="response"')]
    for letter, plan in zip("AB", [document["baseline"], *document["plans"]]):
        assert f"{letter}: {plan['name']}" in decision   # one column per plan, by letter and name
    assert 'class="verdict verdict-' in decision   # the targets' verdicts, as badges
    folded = raw[raw.index('id="differences"'):raw.index('id="provenance"')]
    assert re.search(r"<details>\s*<summary", folded) and "<details open" not in raw   # collapsed
    p90 = document["plans"][0]["differences"]["response_time"]["p90"]
    assert f"{p90['base']:,.2f}" in folded and f"{p90['plan']:,.2f}" in folded


# ---------------------------------------------------------------------------------------------- hostile text

#: What a hostile scenario author writes in every free-text field: markup, an attribute break-out
#: and template syntax (that must print as written: ``{{ 7*7 }}``, never ``49``).
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{ 7*7 }} {% raw %}'


def _hostile(field: str) -> str:
    return f"{HOSTILE} @{field}@"


def _hostile_scenario() -> dict:
    """Format 1.1 (so that the Indonesian fields are allowed too): every field a user writes as free
    text carries :data:`HOSTILE` and a tag naming the field."""
    return {
        "version": 1.1, "name": _hostile("name"), "name_id": _hostile("name_id"),
        "description": _hostile("description"), "description_id": _hostile("description_id"),
        "clock": {"start": "2024-11-27 06:00", "duration": "8h"}, "seed": 17, "replications": 3,
        "map": {
            "places": {"polres": {"lat": -8.1725, "lon": 113.6995, "name": _hostile("place"),
                                  "name_id": _hostile("place_id")},
                       "kpu": {"lat": -8.165, "lon": 113.703, "name": _hostile("kpu"), "name_id": _hostile("kpu_id")}},
            "districts": {"kota": {"lat": -8.18, "lon": 113.68, "radius_km": 3, "name": _hostile("district"),
                                   "name_id": _hostile("district_id")}},
            "sites": {"generate": [{"district": "kota", "count": 30, "risk": {"aman": 0.5, "rawan": 0.5}}],
                      "file": "tps.csv"},
        },
        "forces": {
            "types": {"sabhara": {"name": _hostile("type"), "name_id": _hostile("type_id"), "crew": 4,
                                  "speed_kmh": 40, "mobilise": "2min", "capabilities": ["response", "crowd_control"]}},
            "units": [{"id": "patrol", "type": "sabhara", "count": 4, "base": "polres"}],
        },
        "incidents": [
            {"kind": "rapid_response", "label": _hostile("label"), "label_id": _hostile("label_id"), "rate": "2/h",
             "where": {"sites": "any"}, "needs": {"response": 4}, "work": "20min"},
            {"kind": "station_disruption", "label": _hostile("tps_label"), "rate": "1/h",
             "where": {"sites": "any"}, "needs": {"response": 4}, "work": "20min"},
            {"kind": "crowd_buildup", "label": _hostile("crowd_label"), "label_id": _hostile("crowd_label_id"),
             "at": "08:00", "where": {"place": "kpu"}, "crowd": {"initial": 20, "growth": "2/min", "peak": 60,
                                                                 "lasts": "30min"},
             "per_officer": 10, "escalation": {"below": 0.8, "after": "15min", "factor": 1.5}},
        ],
        "targets": {"response_time": {"p90": "15min"}},
    }


def _assert_escaped(path: Path) -> list[str]:
    """No markup of the hostile text is live in ``path``; every place it shows, it shows exactly as
    written. The fields it shows, by tag."""
    import html as html_module

    raw = path.read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img src=x" not in raw.lower(), path.name
    assert "onerror=alert(1)>" not in raw.replace('"&gt;', ""), path.name
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", raw))
    shown = re.findall(r"@(\w+)@", text)
    for tag in set(shown):
        for found in re.finditer(f"@{tag}@", text):   # each time the field shows, it reads as written
            assert text[:found.start()].endswith(HOSTILE + " "), (path.name, tag, text[found.start() - 90:found.end()])
    assert "49 @" not in text, path.name   # {{ 7*7 }} was never evaluated
    return shown


def test_hostile_text_in_every_field_is_shown_as_written_in_every_page(tmp_path, capsys):
    import yaml

    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "hostile.yaml").write_text(yaml.safe_dump(_hostile_scenario(), allow_unicode=True), encoding="utf-8")
    quoted = _hostile("tps_district").replace('"', '""')   # a CSV cell: its quotes doubled
    (folder / "tps.csv").write_text(f'id,lat,lon,risk,district\nfile-1,-8.19,113.69,rawan,"{quoted}"\n',
                                    encoding="utf-8")
    plan = _hostile_scenario()
    plan["name"] = _hostile("plan_name")
    plan["forces"]["units"][0]["count"] = 5
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    shown: dict[str, set] = {}
    for lang in ("en", "id"):
        out = tmp_path / f"run-{lang}"
        code, captured = _run(["run", str(folder / "hostile.yaml"), "-q", "--lang", lang, "--out", str(out)], capsys)
        assert code in (0, 1, None) and "Traceback" not in captured.err, captured.err
        code, captured = _run(["compare", str(folder / "hostile.yaml"), str(folder / "plan.yaml"), "-q", "--lang",
                               lang, "--out", str(tmp_path / f"cmp-{lang}")], capsys)
        assert code in (0, 1, None) and "Traceback" not in captured.err, captured.err
        pages = sorted(out.glob("*.html")) + [tmp_path / f"cmp-{lang}" / "comparison.html"]
        assert {"report.html", "comparison.html"} <= {p.name for p in pages}
        for page in pages:
            shown.setdefault(f"{lang}:{page.name}", set()).update(_assert_escaped(page))
    # the fields each page shows in English today (the Indonesian ones show where the page uses them)
    assert {"name", "description", "place", "kpu", "district", "tps_district", "crowd_label"} \
        <= shown["en:report.html"], shown["en:report.html"]
    assert {"name", "plan_name"} <= shown["en:comparison.html"], shown["en:comparison.html"]
