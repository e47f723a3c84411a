"""The rich terminal report, in English and Indonesian, and the label tables behind it."""

from __future__ import annotations

import pytest
from rich.console import Console

from collections import namedtuple

from sispam_sim.engine.records import IncidentRecord, ReplicationResult
from sispam_sim.report.i18n import LABELS, LANGUAGES, t
from sispam_sim.report.terminal import fmt_entry, fmt_minutes, render_run, target_value
from sispam_sim.stats.summary import aggregate, summarise_day

Target = namedtuple("Target", "kind metric stat limit")


def record(rep, n, kind, response, resolved=40.0, level=1, label=None, place="kpu"):
    return IncidentRecord(
        replication=rep, id=f"{kind}-{n:04d}", kind=kind, entry=0, label=label or f"{kind} call", priority=2,
        place=place, site=None, lat=-8.17, lon=113.7, call=0.0, need=4,
        first_dispatch=0.5, first_arrival=None if response is None else response,
        full_strength=None if response is None else response + 5, resolved=resolved, max_level=level,
    )


def document(records=None, targets=None, name="Jember Sispamkota drill"):
    results = [
        ReplicationResult(0, records or [record(0, 1, "rapid_response", 6.25),
                                         record(0, 2, "station_disruption", 9.0),
                                         record(0, 3, "crowd_buildup", 12.0, level=2)],
                          [], {"sabhara": 300.0, "brimob": 10.0}, {"sabhara": 1000.0, "brimob": 1000.0}, 600.0),
        ReplicationResult(1, [record(1, 1, "rapid_response", 8.75),
                              record(1, 2, "rapid_response", None, resolved=None, label="Sandera di KPU")],
                          [], {"sabhara": 500.0, "brimob": 30.0}, {"sabhara": 1000.0, "brimob": 1000.0}, 600.0),
    ]
    if targets is None:
        targets = [Target(None, "response_time", "p90", 10.0), Target(None, "full_strength", "p50", 15.0),
                   Target(None, "max_level", "max", 2)]
    summary = aggregate([summarise_day(r, {"kpu": "Kantor KPU Jember"}) for r in results], targets)
    return {"scenario": {"name": name, "file": "jember.yaml"}, "manifest": {"seed": 42, "replications": 2},
            **{k: summary[k] for k in ("metrics", "units", "targets", "slowest")}}


def render(lang, doc=None, width=120):
    console = Console(record=True, width=width)
    render_run(doc or document(), console, lang=lang)
    return console.export_text()


def test_english_report():
    text = render("en")
    for expected in ("Jember Sispamkota drill", "Replications: 2", "Seed: 42", "Rapid response",
                     "TPS disruption", "Crowd build-up", "Response time", "Time to full strength",
                     "mean [95% CI]", "p90", "p99", "Targets", "PASS", "FAIL", "Busiest unit types",
                     "Sabhara", "Slowest responses", "never", "kuning (yellow)", "2 (kuning)",
                     "Sandera di KPU", "Kantor KPU Jember", "≤ limit",
                     "3 incidents over 2 days", "reached 2 of 3 called, resolved 2 of 3"):
        assert expected in text, expected
    assert "40.0%" in text                     # sabhara utilisation (300 + 500) / 2000
    # the unreached call ranks above every response: p90 of 6.25, 8.75, >600 lies on it
    rapid = text.split("Rapid response —")[1].split("TPS disruption")[0]
    assert "> 600.0" in rapid and "≥ " in rapid
    assert "1 of 3 targets failed" in text
    assert "All targets met" not in text


def test_untested_targets_are_shown_and_never_counted_as_met():
    doc = document(records=[record(0, 1, "rapid_response", 3.0)],
                   targets=[Target(None, "response_time", "p99", 1000.0), Target(None, "tps_downtime", "p95", 60.0)])
    text = render("en", doc)
    assert "NOT TESTED" in text and "nothing to judge" in text
    assert "1 of 2 targets not tested" in text and "1 of 2 targets failed" in text
    assert "All targets met" not in text


def test_user_text_is_printed_as_written_never_as_markup_or_control_codes():
    evil = "Kaliwates [/x] [bold]loud[/bold] \x1b[2J\rFAKE"
    doc = document(name=evil, records=[record(0, 1, "rapid_response", 3.0, label=evil, place="kpu")])
    console = Console(record=True, width=200, force_terminal=True)
    render_run(doc, console)
    text = console.export_text()
    assert "Kaliwates [/x] [bold]loud[/bold] \\x1b[2J\\rFAKE" in text
    assert "\x1b[2J" not in text and "\r" not in text


def test_indonesian_report():
    text = render("id")
    for expected in ("Hasil simulasi", "Replikasi: 2", "Respons cepat", "Gangguan TPS", "Penumpukan massa",
                     "Waktu tanggap", "Waktu kekuatan penuh", "Sasaran", "LULUS", "GAGAL",
                     "Utilisasi", "menit", "tidak pernah", "kuning"):
        assert expected in text, expected
    for english in ("Response time", "PASS", "FAIL", "Utilisation", "yellow"):
        assert english not in text, english


def test_tps_row_only_where_it_applies():
    text = render("en")
    rapid_section = text.split("Rapid response —")[1].split("TPS disruption")[0]
    assert "TPS downtime" not in rapid_section
    assert "Minutes short of need" in text.split("Crowd build-up —")[1]


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError, match="unknown language"):
        render_run(document(), Console(record=True), lang="fr")


def test_number_formatting():
    assert fmt_minutes(None) == "—"
    assert fmt_minutes(12.345) == "12.3"
    assert fmt_minutes(-0.01) == "0.0"
    assert fmt_entry({"value": 7.5, "ci": [6.25, 8.75]}) == "7.5 [6.2–8.8]"
    assert fmt_entry({"value": 7.5, "ci": [7.5, 7.5]}) == "7.5"
    assert fmt_entry({"value": 7.5, "ci": [7.46, 7.54]}) == "7.5"   # no spread at the shown precision
    assert fmt_entry({"value": 60.0, "ci": [50.0, None], "censored": True}) == "> 60.0 [50.0–∞]"
    assert fmt_entry({"value": 40.0, "ci": [30.0, 50.0], "lower_bound": True}) == "≥ 40.0 [30.0–50.0]"
    assert fmt_entry({"value": None, "ci": None}) == "—"


def test_every_label_exists_in_every_language():
    assert set(LANGUAGES) == set(LABELS)
    keys = set().union(*(table.keys() for table in LABELS.values()))
    for lang in LANGUAGES:
        missing = keys - LABELS[lang].keys()
        assert not missing, f"{lang} lacks {sorted(missing)}"
        assert all(LABELS[lang][k].strip() for k in keys)


def test_label_lookup():
    assert t("pass", "id") == "LULUS" and t("fail", "id") == "GAGAL"
    assert t("response_time", "id") == "Waktu tanggap"
    assert t("level_1", "en") == "hijau (green)" and t("level_1", "id") == "hijau"
    assert t("targets_failed", "en", failed=1, total=3) == "1 of 3 targets failed"
    assert t("new_kind", "en", default="new_kind") == "new_kind"
    with pytest.raises(KeyError):
        t("new_kind", "en")


def test_a_kind_names_itself_and_t_asks_it():
    from sispam_sim.scenario import kinds

    for lang in LANGUAGES:
        assert not set(kinds.names()) & LABELS[lang].keys()   # the kinds hold their names, not the tables
        for name in kinds.names():
            assert t(name, lang) == kinds.label(name, lang) != name
            assert t(f"short_{name}", lang) == kinds.label(name, lang, short=True)
    assert t("crowd_buildup", "id") == "Penumpukan massa" and t("short_station_disruption", "en") == "TPS"
    assert kinds.label("new_kind", "id") == "new_kind" and t("short_new_kind", "en", default="x") == "x"


def test_every_metric_statistic_kind_and_verdict_of_the_metric_table_has_a_label():
    from sispam_sim.scenario.kinds import names
    from sispam_sim.scenario.metrics import INCIDENT_STATS, METRICS, TARGET_METRICS
    from sispam_sim.stats.targets import VERDICTS

    for lang in LANGUAGES:
        for key in (*METRICS, *TARGET_METRICS, *INCIDENT_STATS, *names(), *VERDICTS):
            assert t(key, lang), (lang, key)


def test_a_target_value_is_marked_only_when_it_lies_among_censored_incidents():
    # 3 censored incidents in the pool, but the p90 lies below them: no "> ".
    row = {"kind": None, "metric": "full_strength", "stat": "p90", "limit": 45.0, "n": 200, "censored": 3,
           "value": 17.2, "ci": [16.5, 18.1], "value_censored": False, "verdict": "pass"}
    assert target_value(row, "en") == "17.2 [16.5–18.1]"
    assert target_value({**row, "value_censored": True, "verdict": "fail"}, "en") == "> 17.2 [16.5–18.1]"


def test_a_share_never_prints_as_reaching_a_threshold_it_misses():
    from sispam_sim.report.terminal import fmt_percent, fmt_percent_entry

    assert fmt_percent(0.8998) == "89.9%"          # not 90.0% beside a failed p90
    assert fmt_percent(0.9) == "90.0%" and fmt_percent(0.894) == "89.4%"
    assert fmt_percent(1.0) == "100.0%" and fmt_percent(0.0) == "0.0%" and fmt_percent(None) == "—"
    assert fmt_percent_entry({"value": 0.8937, "ci": [0.8838, 0.9037]}) == "89.3% [88.3–90.4]"
    assert fmt_percent_entry({"value": 1.0, "ci": [1.0, 1.0]}) == "100.0%"
    assert fmt_percent_entry({"value": 0.3453, "ci": [0.3453, 0.3453]}) == "34.5%"   # no fake [34.5–34.6]
