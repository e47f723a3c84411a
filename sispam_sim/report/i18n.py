"""Labels for reports in English (``en``) and Indonesian (``id``).

Trainers show results to a room of officers, so ``--lang id`` must give a fully
Indonesian report: every label a renderer prints comes from here, and a test checks
that each key exists in both languages. The escalation levels keep their doctrinal
Indonesian names (hijau, kuning, merah) in both languages; English adds the colour
in brackets.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "LABELS", "t"]

LANGUAGES = ("en", "id")

_EN = {
    # metrics
    "response_time": "Response time",
    "dispatch_delay": "Dispatch delay",
    "full_strength_time": "Time to full strength",
    "full_strength": "Time to full strength",
    "resolution_time": "Resolution time",
    "tps_downtime": "TPS downtime",
    "unresolved": "Unresolved",
    "incidents": "Incidents",
    "max_level": "Highest level",
    # incident kinds
    "rapid_response": "Rapid response",
    "station_disruption": "TPS disruption",
    "crowd_buildup": "Crowd build-up",
    "all_kinds": "All incidents",
    # escalation levels
    "level_1": "hijau (green)",
    "level_2": "kuning (yellow)",
    "level_3": "merah (red)",
    # statistics
    "mean": "mean",
    "p50": "p50",
    "p90": "p90",
    "p95": "p95",
    "max": "max",
    "n": "n",
    "mean_ci": "mean [95% CI]",
    # verdicts
    "pass": "PASS",
    "fail": "FAIL",
    "no_incidents": "no incidents",
    # table titles and headers
    "title_run": "Simulation results",
    "title_targets": "Targets",
    "title_units": "Busiest unit types",
    "title_worst": "Slowest responses",
    "scenario": "Scenario",
    "replications": "Replications",
    "seed": "Seed",
    "metric": "Metric",
    "stat": "Statistic",
    "limit": "Limit",
    "value": "Value",
    "result": "Result",
    "unit_type": "Unit type",
    "utilisation": "Utilisation",
    "busy_crew_minutes": "Busy crew-minutes",
    "replication": "Rep.",
    "incident": "Incident",
    "kind": "Kind",
    "place": "Place",
    "response": "Response",
    "full_strength_short": "Full strength",
    "resolution": "Resolution",
    "minutes": "minutes",
    "min": "min",
    "per_replication": "per replication",
    "worst_replication": "worst replication",
    "never": "never",
    "times_note": "Times in minutes from the call; each statistic is computed per replication, then averaged (95% CI).",
    "levels_reached": "Highest level reached",
    "targets_met": "All targets met",
    "targets_failed": "{failed} of {total} targets failed",
    "no_targets": "No targets set",
}

_ID = {
    "response_time": "Waktu tanggap",
    "dispatch_delay": "Tunda pemberangkatan",
    "full_strength_time": "Waktu kekuatan penuh",
    "full_strength": "Waktu kekuatan penuh",
    "resolution_time": "Waktu penyelesaian",
    "tps_downtime": "Waktu henti TPS",
    "unresolved": "Belum selesai",
    "incidents": "Kejadian",
    "max_level": "Tingkat tertinggi",
    "rapid_response": "Respons cepat",
    "station_disruption": "Gangguan TPS",
    "crowd_buildup": "Penumpukan massa",
    "all_kinds": "Semua kejadian",
    "level_1": "hijau",
    "level_2": "kuning",
    "level_3": "merah",
    "mean": "rata-rata",
    "p50": "p50",
    "p90": "p90",
    "p95": "p95",
    "max": "maks",
    "n": "n",
    "mean_ci": "rata-rata [IK 95%]",
    "pass": "LULUS",
    "fail": "GAGAL",
    "no_incidents": "tidak ada kejadian",
    "title_run": "Hasil simulasi",
    "title_targets": "Sasaran",
    "title_units": "Jenis satuan tersibuk",
    "title_worst": "Tanggapan terlama",
    "scenario": "Skenario",
    "replications": "Replikasi",
    "seed": "Benih acak",
    "metric": "Ukuran",
    "stat": "Statistik",
    "limit": "Batas",
    "value": "Nilai",
    "result": "Hasil",
    "unit_type": "Jenis satuan",
    "utilisation": "Utilisasi",
    "busy_crew_minutes": "Menit-personel sibuk",
    "replication": "Rep.",
    "incident": "Kejadian",
    "kind": "Jenis",
    "place": "Lokasi",
    "response": "Tanggap",
    "full_strength_short": "Kekuatan penuh",
    "resolution": "Selesai",
    "minutes": "menit",
    "min": "mnt",
    "per_replication": "per replikasi",
    "worst_replication": "replikasi terburuk",
    "never": "tidak pernah",
    "times_note": "Waktu dalam menit sejak laporan; tiap statistik dihitung per replikasi, lalu dirata-ratakan (IK 95%).",
    "levels_reached": "Tingkat tertinggi yang dicapai",
    "targets_met": "Semua sasaran tercapai",
    "targets_failed": "{failed} dari {total} sasaran gagal",
    "no_targets": "Tidak ada sasaran",
}

#: Language code -> key -> label.
LABELS: dict[str, dict[str, str]] = {"en": _EN, "id": _ID}

_MISSING = object()


def t(key: str, lang: str = "en", default: str | object = _MISSING, **fields: object) -> str:
    """The label for ``key`` in ``lang``, with ``{fields}`` filled in.

    An unknown ``lang`` raises :class:`ValueError` (the CLI validates ``--lang``
    first). An unknown key raises :class:`KeyError` unless ``default`` is given —
    renderers pass the raw name as default for things a newer engine may add
    (e.g. a new incident kind), so an old label table never crashes a report.
    """
    try:
        table = LABELS[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}") from None
    if key in table:
        text = table[key]
    elif default is not _MISSING:
        text = str(default)
    else:
        raise KeyError(f"no {lang} label for {key!r}")
    return text.format(**fields) if fields else text
