"""results.json / incidents.csv / timeline.csv: exact formats and atomic writes."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from sispam_sim.engine.records import INCIDENT_COLUMNS, IncidentRecord, ReplicationResult, TimelinePoint
from sispam_sim.runner import output as export
from sispam_sim.runner.output import (
    format_cell,
    incidents_csv,
    missing_ancestor,
    prepare_out_dir,
    remove_created,
    timeline_csv,
    write_outputs,
)
from sispam_sim.stats.summary import aggregate, summarise_day


def document(results) -> dict:
    summary = aggregate([summarise_day(r) for r in results])
    return {"scenario": {"name": "x"}, "manifest": {"seed": 1, "replications": len(results)},
            "metrics": summary["metrics"], "units": summary["units"], "targets": summary["targets"]}

INCIDENT_HEADER = (
    "replication,id,kind,priority,place,lat,lon,call,first_dispatch,first_arrival,full_strength,"
    "resolved,dispatch_delay,response_time,full_strength_time,resolution_time,tps_downtime,need,"
    "max_level,units,entry,label,site,level_minutes,short_minutes"
)


def results():
    resolved = IncidentRecord(
        replication=0, id="station_disruption-0001", kind="station_disruption", entry=1,
        label="TPS rawan", priority=1, place="tps-012", site="tps-012", lat=-8.1725, lon=113.7,
        call=100.0, need=8, first_dispatch=100.25, first_arrival=112.1234, full_strength=115.5,
        resolved=145.5, units=["sabhara-1", "brimob-2"], short_minutes=15.5,
    )
    unreached = IncidentRecord(
        replication=1, id="rapid_response-0003", kind="rapid_response", entry=0,
        label="rapid_response", priority=2, place="kpu", site=None, lat=-8.17, lon=113.69,
        call=50.0, need=4,
    )
    return [
        ReplicationResult(0, [resolved], [TimelinePoint(0, 0.0, "sabhara", 0, 0, 40),
                                          TimelinePoint(0, 100.25, "sabhara", 4, 0, 36)],
                          {"sabhara": 10.0}, {"sabhara": 100.0}, 600.0),
        ReplicationResult(1, [unreached], [], {"sabhara": 0.0}, {"sabhara": 100.0}, 600.0),
    ]


def test_format_cell():
    assert format_cell(None) == ""
    assert format_cell(3) == "3"
    assert format_cell(2.0) == "2"
    assert format_cell(12.5) == "12.5"
    assert format_cell(0.1 + 0.2) == "0.3"
    assert format_cell(112.12349) == "112.123"
    assert format_cell(-0.0001) == "0"
    assert format_cell("kpu") == "kpu"


def test_incidents_csv_header_and_cells():
    text = incidents_csv(results())
    lines = text.splitlines()
    assert lines[0] == INCIDENT_HEADER
    assert tuple(lines[0].split(",")) == INCIDENT_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    first, second = rows
    assert first["call"] == "100" and first["dispatch_delay"] == "0.25"
    assert first["first_arrival"] == "112.123" and first["response_time"] == "12.123"
    assert first["tps_downtime"] == "45.5"   # minutes: 3 decimals at most
    assert first["short_minutes"] == "15.5"
    assert first["lat"] == "-8.1725"         # coordinates keep 6 (1e-3 degree is about 110 m)
    assert first["units"] == "sabhara-1;brimob-2" and first["need"] == "8"
    # never dispatched: every derived time is an empty cell, not "None"
    for column in ("first_dispatch", "first_arrival", "full_strength", "resolved", "dispatch_delay",
                   "response_time", "full_strength_time", "resolution_time", "tps_downtime", "site", "units"):
        assert second[column] == "", column
    assert "None" not in text


def test_timeline_csv():
    assert timeline_csv(results()) == (
        "replication,time,unit_type,committed,on_scene,free\n"
        "0,0,sabhara,0,0,40\n"
        "0,100.25,sabhara,4,0,36\n"
    )


def test_write_outputs_creates_directory_and_three_files(tmp_path):
    doc = document(results())
    out = tmp_path / "new" / "dir"
    paths = write_outputs(out, doc, results())
    assert [p.name for p in paths] == ["results.json", "incidents.csv", "timeline.csv", "events.csv"]
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == doc
    assert (out / "results.json").read_text(encoding="utf-8").startswith('{\n  "scenario"')
    assert (out / "incidents.csv").read_text(encoding="utf-8") == incidents_csv(results())
    assert sorted(os.listdir(out)) == ["events.csv", "incidents.csv", "results.json", "timeline.csv"]


def test_write_outputs_refuses_a_file_as_out_dir(tmp_path):
    target = tmp_path / "results"
    target.write_text("not a dir")
    with pytest.raises(OSError, match=r"--out: .*results is a file, expected a directory"):
        write_outputs(target, {"scenario": {}}, [])
    assert target.read_text() == "not a dir"


def test_write_outputs_serialises_before_touching_files(tmp_path):
    (tmp_path / "results.json").write_text("old")
    with pytest.raises(ValueError):
        write_outputs(tmp_path, {"value": float("nan")}, results())      # strict JSON refuses NaN
    assert (tmp_path / "results.json").read_text() == "old"
    assert not (tmp_path / "incidents.csv").exists()


@pytest.mark.parametrize("fails", ["replace", "fsync"])
def test_a_failed_write_keeps_the_old_files_and_leaves_no_partial_file(tmp_path, monkeypatch, fails):
    (tmp_path / "results.json").write_text("old content", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, fails, boom)
    with pytest.raises(OSError, match="No space left on device"):
        write_outputs(tmp_path, document(results()), results())
    assert (tmp_path / "results.json").read_text(encoding="utf-8") == "old content"
    assert os.listdir(tmp_path) == ["results.json"]


def test_outputs_replace_old_ones_and_keep_their_mode(tmp_path):
    write_outputs(tmp_path, document(results()), results())
    assert (tmp_path / "results.json").stat().st_mode & 0o777 == 0o644
    (tmp_path / "results.json").chmod(0o600)
    write_outputs(tmp_path, document(results()[:1]), results()[:1])
    assert (tmp_path / "results.json").stat().st_mode & 0o777 == 0o600
    assert json.loads((tmp_path / "results.json").read_text())["manifest"]["replications"] == 1
    assert sorted(os.listdir(tmp_path)) == ["events.csv", "incidents.csv", "results.json", "timeline.csv"]


def test_the_writer_streams_replications_and_an_interrupted_one_leaves_the_folder_as_it_was(tmp_path):
    (tmp_path / "incidents.csv").write_text("previous run")
    with pytest.raises(KeyboardInterrupt):
        with export.OutputWriter(tmp_path) as writer:
            writer.add(export.replication_csv(results()[0]))
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == ["incidents.csv"]
    assert (tmp_path / "incidents.csv").read_text() == "previous run"
    with export.OutputWriter(tmp_path) as writer:
        for result in results():
            writer.add(export.replication_csv(result))
        writer.finish(document(results()))
    assert (tmp_path / "incidents.csv").read_text(encoding="utf-8") == incidents_csv(results())


def test_events_csv_has_a_row_per_event():
    from sispam_sim.engine.records import Event, ReplicationResult
    from sispam_sim.runner.output import events_csv

    result = ReplicationResult(replication=3, incidents=[], timeline=[], busy_crew_minutes={},
                               available_crew_minutes={}, end=60.0,
                               events=[Event(1.5, "", "rapid_response-0001", "call"),
                                       Event(1.5, "patrol-1", "rapid_response-0001", "dispatch")])
    assert events_csv([result]) == ("replication,time,unit,incident,action\n"
                                    "3,1.5,,rapid_response-0001,call\n"
                                    "3,1.5,patrol-1,rapid_response-0001,dispatch\n")


def test_an_empty_out_is_refused_not_taken_as_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for empty in ("", "  "):
        with pytest.raises(OSError, match=r'^--out: the folder name is empty; give a folder, e\.g\. --out results'):
            prepare_out_dir(empty)
    assert os.listdir(tmp_path) == []


def test_an_unwritable_out_folder_is_named_before_the_run(tmp_path, monkeypatch):
    # root writes into a read-only folder, and CI runs as root: the file system's refusal is simulated
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(export.tempfile, "mkstemp", refuse)
    with pytest.raises(OSError, match=r"^--out: cannot write in .*locked: Permission denied$"):
        prepare_out_dir(tmp_path / "locked")


def test_a_failing_write_names_the_output_file_not_a_temporary_one(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "fsync", boom)
    with pytest.raises(OSError) as info:
        write_outputs(tmp_path, document(results()), results())
    assert str(info.value) == f"--out: cannot write incidents.csv in {tmp_path}: No space left on device"
    assert os.listdir(tmp_path) == []


def test_an_interrupted_run_removes_only_the_folders_it_created(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    out = keep / "a" / "b"
    created = missing_ancestor(out)
    assert created == (keep / "a").absolute()
    prepare_out_dir(out)
    remove_created(out, created)
    assert os.listdir(keep) == []
    assert missing_ancestor(keep) is None
    remove_created(keep, None)                 # existed before: stays
    assert keep.is_dir()
    (keep / "a").mkdir()
    (keep / "a" / "mine.txt").write_text("x")  # not empty: stays
    remove_created(keep / "a", (keep / "a").absolute())
    assert (keep / "a" / "mine.txt").exists()
