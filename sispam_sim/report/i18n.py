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
    "short_minutes": "Minutes short of need",
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
    "p99": "p99",
    "max": "max",
    "mean_ci": "mean [95% CI]",
    # verdicts
    "pass": "PASS",
    "fail": "FAIL",
    "untested": "NOT TESTED",
    "nothing_to_judge": "nothing to judge",
    # table titles and headers
    "title_run": "Simulation results",
    "title_targets": "Targets",
    "title_units": "Busiest unit types (utilisation over the operating day; crew-minutes per day)",
    "title_worst": "Slowest responses",
    "scenario": "Scenario",
    "replications": "Replications",
    "seed": "Seed",
    "metric": "Metric",
    "target": "Target",
    "within_limit": "Within limit",
    "stat": "Statistic",
    "limit": "Limit",
    "value": "Value",
    "value_ci": "Value [95% CI]",
    "result": "Result",
    "unit_type": "Unit type",
    "utilisation": "Utilisation",
    "busy_crew_minutes": "Busy crew-min/day",
    "drain_crew_minutes": "In drain",
    "replication": "Day",
    "incident": "Incident",
    "kind": "Kind",
    "place": "Place",
    "response": "Response",
    "full_strength_short": "Full strength",
    "resolution": "Resolution",
    "minutes": "minutes",
    "min": "min",
    "never": "never",
    "times_note": ("Times in minutes from the call, over all incidents of all days (replications) pooled; "
                   "[95% interval, days taken as independent]. Utilisation covers the operating day (clock.duration)."),
    "n_incidents": "{n} incidents over {days} days ({per_day} per day)",
    "reached_resolved": "n counts incidents: reached {reached} of {called} called, resolved {resolved} of {called}",
    "unresolved_days": "Unresolved at the end of the run: {per_day} per day (worst day {worst})",
    "censored_note": ("> X: lies among incidents not reached or not resolved by the end of the run (more than X); "
                      "≥ X: a mean that counts them at their wait so far"),
    "days_reaching": "Days reaching",
    "minutes_at_level": "Minutes per crowd at each level",
    "days_exceeding": "({days} of {total} days above)",
    "targets_met": "All targets met",
    "targets_failed": "{failed} of {total} targets failed",
    "targets_untested": "{untested} of {total} targets not tested",
    "no_targets": "No targets set",
    # sispam-sim sweep
    "title_sweep": "Sweep",
    "sweep_header": ("{points} of {planned} points run, each on replications 1 to {replications} with seed {seed} "
                     "(common random numbers)"),
    "sweep_table": "Headline statistics per point (Open: incidents still open at the end, per day)",
    "sweep_targets": "{passed}/{total}",
    "sweep_breaks": "BREAKS",
    "sweep_holds": "holds",
    "unresolved_per_day": "Unresolved per day",
    # sispam-sim check
    "borderline": "BORDERLINE",
    "title_check": "Check",
    "margin": "Margin (limit − value)",
    "within_limit_ci": "Within limit [95% CI]",
    "check_run": "{replications} replications · seed {seed}",
    "check_file_passed": "{file}: all {total} targets passed",
    "check_file_failed": "{file}: {failed} of {total} targets did not pass",
    "check_file_borderline": ("{file}: {borderline} of {total} targets borderline (the 95% interval straddles the "
                              "limit; more replications would settle it)"),
    "check_no_targets": "the scenario sets no targets: nothing to check",
    "check_no_targets_fail": "pass --allow-no-targets to let a scenario without targets pass",
    "check_summary_passed": "check passed: {files} file(s), {targets} target(s)",
    "check_summary_failed": "check failed: {failed} of {files} file(s)",
    "check_line": "{name} {limit}: {result} — {details}",
    "check_value": "value {value}",
    "check_within": "{share} within the limit",
    "check_margin": "margin {margin}",
    "check_strict": "borderline fails with --strict",
    "check_straddles": "the 95% interval straddles the limit",
    # sispam-sim compare
    "per_day": "per day",
    "worst_day": "worst day",
    "title_compare": "Comparison of plans",
    "baseline": "baseline",
    "plan": "Plan",
    "verdict": "Verdict",
    "better": "better",
    "worse": "worse",
    "no_difference": "no difference",
    "difference": "Difference",
    "difference_ci": "Difference [95% CI]",
    "paired_ci": "Paired 95% CI (width)",
    "unpaired_ci": "As if independent (width)",
    "narrower": "Narrower by",
    "not_paired": "not paired",
    "title_pairing": "What pairing buys: the same days for every plan (common random numbers)",
    "compare_paired": ("Paired: every plan meets the same incidents as the baseline on every day (same clock, seed, "
                       "map and incidents: common random numbers)"),
    "compare_unpaired": ("Not paired: differs from the baseline in {keys}, so its days meet other incidents; its "
                         "intervals treat the plans as independent"),
    "compare_differing_entries": "differing incident entries: {entries}",
    "compare_headline_only": "Headline statistics only: --detail shows every one (comparison.json has them all).",
    "sweep_col_response": "Resp.",
    "sweep_col_full_strength": "Full",
    "sweep_col_tps_downtime": "TPS down",
    "sweep_col_unresolved": "Open",
    "sweep_col_level": "Level",
    "sweep_until": "Until",
    "compare_note": ("Difference = plan − baseline: minutes, incidents per day, or percentage points of days; "
                     "[95% interval, bootstrap over days]; lower is better. A metric on which every plan equals the "
                     "baseline exactly is left out."),
    "compare_holm": ("Verdicts corrected for {plans} plans (Holm), per statistic: each row is one family of "
                     "comparisons with the baseline."),
    "compare_censored": ("*: depends on incidents not reached or not resolved by the end of the run; the difference "
                         "is not exact."),
    "compare_pairing_note": ("Paired: the difference is resampled over the same days for both plans. As if "
                             "independent: each plan over its own resampled days, as two separate runs would be."),
    "compare_targets_met": "Targets met: {met}",
    "compare_most": "most: {names}",
}

_ID = {
    "response_time": "Waktu tanggap",
    "dispatch_delay": "Tunda pemberangkatan",
    "full_strength_time": "Waktu kekuatan penuh",
    "full_strength": "Waktu kekuatan penuh",
    "resolution_time": "Waktu penyelesaian",
    "tps_downtime": "Waktu henti TPS",
    "short_minutes": "Menit kurang kekuatan",
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
    "p99": "p99",
    "max": "maks",
    "mean_ci": "rata-rata [IK 95%]",
    "pass": "LULUS",
    "fail": "GAGAL",
    "untested": "TIDAK DIUJI",
    "nothing_to_judge": "tidak ada yang dinilai",
    "title_run": "Hasil simulasi",
    "title_targets": "Sasaran",
    "title_units": "Jenis satuan tersibuk (utilisasi selama hari operasi; menit-personel per hari)",
    "title_worst": "Tanggapan terlama",
    "scenario": "Skenario",
    "replications": "Replikasi",
    "seed": "Benih acak",
    "metric": "Ukuran",
    "target": "Sasaran",
    "within_limit": "Dalam batas",
    "stat": "Statistik",
    "limit": "Batas",
    "value": "Nilai",
    "value_ci": "Nilai [IK 95%]",
    "result": "Hasil",
    "unit_type": "Jenis satuan",
    "utilisation": "Utilisasi",
    "busy_crew_minutes": "Menit-personel sibuk/hari",
    "drain_crew_minutes": "Masa drain",
    "replication": "Hari",
    "incident": "Kejadian",
    "kind": "Jenis",
    "place": "Lokasi",
    "response": "Tanggap",
    "full_strength_short": "Kekuatan penuh",
    "resolution": "Selesai",
    "minutes": "menit",
    "min": "mnt",
    "never": "tidak pernah",
    "times_note": ("Waktu dalam menit sejak laporan, atas semua kejadian di semua hari (replikasi) digabung; "
                   "[selang 95%, hari dianggap saling bebas]. Utilisasi mencakup hari operasi (clock.duration)."),
    "n_incidents": "{n} kejadian dalam {days} hari ({per_day} per hari)",
    "reached_resolved": "n menghitung kejadian: terjangkau {reached} dari {called} laporan, selesai {resolved} dari {called}",
    "unresolved_days": "Belum selesai saat simulasi berakhir: {per_day} per hari (hari terburuk {worst})",
    "censored_note": ("> X: jatuh pada kejadian yang belum terjangkau atau belum selesai saat simulasi berakhir "
                      "(lebih dari X); ≥ X: rata-rata yang menghitungnya dengan waktu tunggunya sejauh ini"),
    "days_reaching": "Hari yang mencapai",
    "minutes_at_level": "Menit per massa di tiap tingkat",
    "days_exceeding": "({days} dari {total} hari di atas)",
    "targets_met": "Semua sasaran tercapai",
    "targets_failed": "{failed} dari {total} sasaran gagal",
    "targets_untested": "{untested} dari {total} sasaran tidak diuji",
    "no_targets": "Tidak ada sasaran",
    "title_sweep": "Sapuan nilai",
    "sweep_header": ("{points} dari {planned} titik dijalankan, masing-masing pada replikasi 1 sampai {replications} "
                     "dengan benih acak {seed} (bilangan acak bersama)"),
    "sweep_table": "Statistik utama per titik (Buka: kejadian yang masih terbuka di akhir, per hari)",
    "sweep_targets": "{passed}/{total}",
    "sweep_breaks": "GAGAL",
    "sweep_holds": "bertahan",
    "unresolved_per_day": "Belum selesai per hari",
    "borderline": "DI AMBANG BATAS",
    "title_check": "Pemeriksaan",
    "margin": "Selisih (batas − nilai)",
    "within_limit_ci": "Dalam batas [IK 95%]",
    "check_run": "{replications} replikasi · benih acak {seed}",
    "check_file_passed": "{file}: semua {total} sasaran lulus",
    "check_file_failed": "{file}: {failed} dari {total} sasaran tidak lulus",
    "check_file_borderline": ("{file}: {borderline} dari {total} sasaran di ambang batas (selang 95% melintasi "
                              "batas; tambah replikasi untuk memastikannya)"),
    "check_no_targets": "skenario tidak menetapkan sasaran: tidak ada yang diperiksa",
    "check_no_targets_fail": "gunakan --allow-no-targets agar skenario tanpa sasaran lulus",
    "check_summary_passed": "pemeriksaan lulus: {files} berkas, {targets} sasaran",
    "check_summary_failed": "pemeriksaan gagal: {failed} dari {files} berkas",
    "check_line": "{name} {limit}: {result} — {details}",
    "check_value": "nilai {value}",
    "check_within": "{share} dalam batas",
    "check_margin": "selisih {margin}",
    "check_strict": "di ambang batas gagal dengan --strict",
    "check_straddles": "selang 95% melintasi batas",
    "per_day": "per hari",
    "worst_day": "hari terburuk",
    "title_compare": "Perbandingan rencana",
    "baseline": "acuan",
    "plan": "Rencana",
    "verdict": "Putusan",
    "better": "lebih baik",
    "worse": "lebih buruk",
    "no_difference": "tidak berbeda",
    "difference": "Selisih",
    "difference_ci": "Selisih [IK 95%]",
    "paired_ci": "IK 95% berpasangan (lebar)",
    "unpaired_ci": "Seolah saling bebas (lebar)",
    "narrower": "Lebih sempit",
    "not_paired": "tidak berpasangan",
    "title_pairing": "Manfaat pemasangan: hari yang sama untuk setiap rencana (bilangan acak bersama)",
    "compare_paired": ("Berpasangan: setiap rencana menghadapi kejadian yang sama dengan acuan setiap hari (jam, "
                       "benih acak, peta dan kejadian sama: bilangan acak bersama)"),
    "compare_unpaired": ("Tidak berpasangan: berbeda dari acuan pada {keys}, sehingga harinya menghadapi kejadian lain; "
                         "selangnya menganggap rencana saling bebas"),
    "compare_differing_entries": "entri kejadian yang berbeda: {entries}",
    "compare_headline_only": "Hanya statistik utama: --detail menampilkan semuanya (comparison.json memuat semuanya).",
    "sweep_col_response": "Tanggap",
    "sweep_col_full_strength": "Penuh",
    "sweep_col_tps_downtime": "Henti TPS",
    "sweep_col_unresolved": "Buka",
    "sweep_col_level": "Tingkat",
    "sweep_until": "Batas",
    "compare_note": ("Selisih = rencana − acuan: menit, kejadian per hari, atau poin persen hari; "
                     "[selang 95%, bootstrap atas hari]; makin rendah makin baik. Ukuran yang sama persis "
                     "dengan acuan untuk setiap rencana tidak ditampilkan."),
    "compare_holm": ("Putusan dikoreksi untuk {plans} rencana (Holm), per statistik: tiap baris satu keluarga "
                     "perbandingan dengan acuan."),
    "compare_censored": ("*: bergantung pada kejadian yang belum terjangkau atau belum selesai saat simulasi "
                         "berakhir; selisihnya tidak pasti."),
    "compare_pairing_note": ("Berpasangan: selisih diambil ulang atas hari yang sama untuk kedua rencana. Seolah "
                             "saling bebas: tiap rencana atas hari ulangnya sendiri, seperti dua simulasi terpisah."),
    "compare_targets_met": "Sasaran tercapai: {met}",
    "compare_most": "terbanyak: {names}",
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
