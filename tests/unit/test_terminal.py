"""The rich terminal report, in English and Indonesian, and the label tables behind it."""

from __future__ import annotations

import pytest
from rich.console import Console

from sispam_sim.engine.records import IncidentRecord, ReplicationResult
from sispam_sim.report.export import results_document
from sispam_sim.report.i18n import LABELS, LANGUAGES, t
from sispam_sim.report.terminal import fmt_entry, fmt_minutes, render_run
from sispam_sim.stats.summary import summarise, worst_incidents


def record(rep, n, kind, response, resolved=40.0, level=1):
    return IncidentRecord(
        replication=rep, id=f"{kind}-{n:04d}", kind=kind, entry=0, label=kind, priority=2,
        place="kpu", site=None, lat=-8.17, lon=113.7, call=0.0, need=4,
        first_dispatch=0.5, first_arrival=None if response is None else response,
        full_strength=None if response is None else response + 5, resolved=resolved, max_level=level,
    )


def document_and_worst():
    results = [
        ReplicationResult(0, [record(0, 1, "rapid_response", 6.25), record(0, 2, "station_disruption", 9.0),
                              record(0, 3, "crowd_buildup", 12.0, level=2)],
                          [], {"sabhara": 300.0, "brimob": 10.0}, {"sabhara": 1000.0, "brimob": 1000.0}, 600.0),
        ReplicationResult(1, [record(1, 1, "rapid_response", 8.75),
                              record(1, 2, "rapid_response", None, resolved=None)],
                          [], {"sabhara": 500.0, "brimob": 30.0}, {"sabhara": 1000.0, "brimob": 1000.0}, 600.0),
    ]
    targets = {"response_time": {"p90": 10.0}, "full_strength": {"max": 15.0}, "max_level": {"max": 2}}
    summary = summarise(results, targets)
    doc = results_document({"name": "Jember Sispamkota drill", "file": "jember.yaml"},
                           {"seed": 42, "replications": 2}, summary)
    return doc, worst_incidents(results)


def render(lang, worst=None):
    doc, default_worst = document_and_worst()
    console = Console(record=True, width=120)
    render_run(doc, default_worst if worst is None else worst, console, lang=lang)
    return console.export_text()


def test_english_report():
    text = render("en")
    for expected in ("Jember Sispamkota drill", "Replications: 2", "Seed: 42", "Rapid response",
                     "TPS disruption", "Crowd build-up", "Response time", "Time to full strength",
                     "mean [95% CI]", "p90", "Targets", "PASS", "FAIL", "Busiest unit types",
                     "sabhara", "Slowest responses", "rapid_response-0002", "never",
                     "kuning (yellow)", "2 (kuning)"):
        assert expected in text, expected
    assert "7.5 [" in text                     # mean response of rapid_response per replication
    assert "40%" in text                       # sabhara utilisation (0.3 + 0.5) / 2


def test_indonesian_report():
    text = render("id")
    for expected in ("Hasil simulasi", "Replikasi: 2", "Respons cepat", "Gangguan TPS", "Penumpukan massa",
                     "Waktu tanggap", "Waktu kekuatan penuh", "Sasaran", "LULUS", "GAGAL",
                     "Utilisasi", "menit", "tidak pernah", "kuning"):
        assert expected in text, expected
    for english in ("Response time", "PASS", "FAIL", "Utilisation", "yellow"):
        assert english not in text, english


def test_worst_accepts_row_dicts_and_tps_row_only_where_it_applies():
    doc, worst = document_and_worst()
    console = Console(record=True, width=120)
    render_run(doc, [i.as_row() for i in worst], console)
    text = console.export_text()
    assert "rapid_response-0002" in text
    rapid_section = text.split("Rapid response")[1].split("TPS disruption")[0]
    assert "TPS downtime" not in rapid_section


def test_unknown_language_is_rejected():
    doc, worst = document_and_worst()
    with pytest.raises(ValueError, match="unknown language"):
        render_run(doc, worst, Console(record=True), lang="fr")


def test_number_formatting():
    assert fmt_minutes(None) == "—"
    assert fmt_minutes(12.345) == "12.3"
    assert fmt_minutes(-0.01) == "0.0"
    assert fmt_entry({"value": 7.5, "ci": [6.25, 8.75]}) == "7.5 [6.2–8.8]"
    assert fmt_entry({"value": 7.5, "ci": [7.5, 7.5]}) == "7.5"
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
