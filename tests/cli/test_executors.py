"""Replications anywhere give the same results; interrupted runs leave nothing behind; memory stays flat.

* ``--jobs 1``, ``--jobs 2`` and ``--cluster local`` write byte-identical CSVs and the same
  results.json apart from the executor fields of the manifest.
* Ctrl-C during a parallel run exits 130, leaves the output folder as it was, and no worker
  process survives.
* ``--replications auto`` adds replications until the targeted statistics are precise enough.
* The Jember day's peak memory with ``--out`` hardly grows from 200 to 2,000 replications.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import minimal_scenario

ROOT = Path(__file__).resolve().parents[2]
CROWD = ROOT / "scenarios" / "crowd-buildup.yaml"
JEMBER = ROOT / "scenarios" / "jember-pilkada-2024.yaml"
EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 2, 130
OUTPUTS = ("incidents.csv", "timeline.csv", "events.csv")
#: what may differ between executors: how the run was spread, and the command that asked for it
EXECUTOR_FIELDS = ("executor", "workers", "command")


def sispam(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sispam_sim", *map(str, args)], capture_output=True, text=True,
                          timeout=300, **kwargs)


def comparable(path: Path) -> dict:
    doc = json.loads((path / "results.json").read_text(encoding="utf-8"))
    for key in EXECUTOR_FIELDS:
        doc["manifest"].pop(key)
    return doc


@pytest.fixture(scope="module")
def spread(tmp_path_factory):
    """The crowd example, 7 replications, run serially, on 2 processes and on a local Dask cluster."""
    runs = {"serial": ["--jobs", "1"], "pool": ["--jobs", "2"]}
    try:
        import distributed  # noqa: F401
        runs["dask"] = ["--cluster", "local", "--jobs", "2"]
    except ImportError:
        pass
    out = {}
    for name, args in runs.items():
        folder = tmp_path_factory.mktemp(name)
        result = sispam("run", CROWD, "-r", "7", "--out", folder, "--format", "json", "--quiet", *args)
        assert result.returncode == EXIT_OK, result.stderr
        out[name] = (folder, json.loads(result.stdout))
    return out


@pytest.mark.slow
def test_every_executor_writes_the_same_bytes(spread):
    serial = spread["serial"][0]
    for name, (folder, _) in spread.items():
        for output in OUTPUTS:
            assert (folder / output).read_bytes() == (serial / output).read_bytes(), (name, output)
        assert comparable(folder) == comparable(serial), name


@pytest.mark.slow
def test_the_manifest_says_how_the_run_was_spread(spread):
    manifests = {name: doc["manifest"] for name, (_, doc) in spread.items()}
    assert (manifests["serial"]["executor"], manifests["serial"]["workers"]) == ("serial", 1)
    assert (manifests["pool"]["executor"], manifests["pool"]["workers"]) == ("process-pool", 2)
    if "dask" in manifests:
        assert (manifests["dask"]["executor"], manifests["dask"]["workers"]) == ("dask", 2)


def test_dask_is_installed_where_the_test_extra_is():
    # .ci/run installs the test extra, which brings dask: the cluster path must be tested in CI.
    if os.environ.get("CI"):
        import distributed  # noqa: F401


def test_a_missing_dask_is_a_clear_message_and_exit_2(cli, write, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith(("dask", "distributed")):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    result = cli("run", write(minimal_scenario()), "--cluster", "local", "-r", "2")
    assert result.code == EXIT_BAD_INPUT
    assert result.err.strip().endswith(
        "sispam-sim: error: --cluster needs Dask, which is not installed: pip install 'sispam-sim[dask]'")


def test_an_unreachable_cluster_is_a_clear_message_and_exit_2(cli, write, monkeypatch):
    pytest.importorskip("distributed")
    from sispam_sim.runner import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    result = cli("run", write(minimal_scenario()), "--cluster", "tcp://127.0.0.1:9", "-r", "2")
    assert result.code == EXIT_BAD_INPUT
    assert "sispam-sim: error: --cluster: cannot reach a Dask scheduler at tcp://127.0.0.1:9" in result.err


def test_an_error_from_distributed_while_connecting_is_a_clear_message_and_exit_2(cli, write, monkeypatch):
    pytest.importorskip("distributed")

    def refuse(*args, **kwargs):
        raise ValueError("a scheduler address that distributed cannot use")

    monkeypatch.setattr("dask.distributed.Client", refuse)
    result = cli("run", write(minimal_scenario()), "--cluster", "tcp://127.0.0.1:8786", "-r", "2")
    assert result.code == EXIT_BAD_INPUT
    assert "sispam-sim: error: --cluster: cannot reach a Dask scheduler at tcp://127.0.0.1:8786" in result.err


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        children = _children(todo.pop())
        todo.extend(children - found)
        found |= children
    return found


def _busy(pid: int) -> bool:
    """A process that has used CPU for more than half a second (a worker computing replications)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") > 0.5


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_ctrl_c_stops_a_parallel_run_leaves_the_folder_as_it_was_and_no_worker(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("previous run")
    process = subprocess.Popen([sys.executable, "-m", "sispam_sim", "run", str(JEMBER), "-r", "20000", "--jobs", "2",
                                "--out", str(out), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:   # wait until both workers compute
        time.sleep(0.2)
        # forkserver: the workers are children of the fork server, itself a child of the run
        workers = {pid for pid in _descendants(process.pid) - _children(process.pid) if _busy(pid)}
    assert len(workers) >= 2, "the workers did not start"
    spawned = _descendants(process.pid)   # the workers, and whatever started them (a fork server)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == EXIT_INTERRUPTED, err
    assert err.strip().endswith("sispam-sim: run interrupted; nothing was written")
    assert "Traceback" not in err
    assert os.listdir(out) == ["results.json"] and (out / "results.json").read_text() == "previous run"
    time.sleep(0.5)
    assert not [pid for pid in spawned if _alive(pid)], "a worker process was left behind"


def test_replications_auto_adds_days_until_the_targets_are_precise(cli, write):
    data = minimal_scenario()
    data["map"]["places"]["far"] = {"lat": -8.2, "lon": 113.75}
    data["incidents"][0]["where"] = {"place": "far"}
    data["targets"] = {"response_time": {"p90": "15min"}, "resolution_time": {"mean": "1h"}}
    result = cli("run", write(data), "-r", "auto", "--precision", "10%", "--format", "json", "--jobs", "1")
    assert result.code == EXIT_OK, result.err
    doc = json.loads(result.out)
    precision = doc["manifest"]["precision"]
    assert precision["asked"] == 0.1 and precision["stopped"] == "precision reached"
    assert precision["replications"] == doc["manifest"]["replications"] >= 20
    for target in doc["targets"]:
        lo, hi = target["ci"]
        assert max(hi - target["value"], target["value"] - lo) <= 0.1 * target["value"]


def test_replications_auto_stops_at_the_maximum_and_says_so(cli, write):
    data = minimal_scenario()
    data["map"]["places"]["far"] = {"lat": -8.2, "lon": 113.75}
    data["incidents"][0]["where"] = {"place": "far"}
    data["targets"] = {"response_time": {"p90": "15min"}}
    result = cli("run", write(data), "-r", "auto", "--precision", "0.1%", "--max-replications", "30",
                 "--format", "json", "--jobs", "1")
    assert result.code == EXIT_OK, result.err
    precision = json.loads(result.out)["manifest"]["precision"]
    assert (precision["stopped"], precision["replications"]) == ("max-replications reached", 30)
    assert precision["worst"]["statistic"] == "response_time p90"
    assert precision["worst"]["relative_half_width"] > 0.001


def test_progress_is_a_plain_line_in_a_log_and_nothing_with_quiet(cli, write, monkeypatch):
    from sispam_sim.cli import common

    monkeypatch.setattr(common, "PLAIN_PROGRESS_SECONDS", 0.0)
    path = write(minimal_scenario())
    result = cli("run", path, "-r", "3", "--jobs", "1")
    lines = [line for line in result.err.splitlines() if line.startswith("sispam-sim: ")]
    assert lines[0].startswith("sispam-sim: 1/3 replications, ") and lines[-1].startswith("sispam-sim: 3/3 ")
    assert "/s" in lines[0]
    assert cli("run", path, "-r", "3", "--jobs", "1", "--quiet").err == ""


def test_the_executor_is_serial_when_the_run_is_too_small_to_gain():
    from sispam_sim.runner.executors import Pool, Serial, chunk_size, make_executor

    assert isinstance(make_executor(None, None, 100, seconds_estimate=0.5), Serial)
    assert isinstance(make_executor(2, None, 1, seconds_estimate=100.0), Serial)   # one replication: one worker
    pool = make_executor(2, None, 100, seconds_estimate=0.5)
    assert isinstance(pool, Pool) and pool.workers == 2
    assert [chunk_size(n, 2) for n in (1, 10, 100, 1000, 100_000)] == [1, 1, 6, 62, 64]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="peak memory of a child from getrusage (Linux: KiB)")
def test_peak_memory_does_not_grow_with_replications(tmp_path):
    peaks = {}
    for replications in (200, 2000):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = sispam("run", JEMBER, "-r", replications, "--jobs", "1", "--out", tmp_path / str(replications),
                        "--format", "json", "--quiet")
        assert result.returncode == EXIT_OK, result.stderr
        peaks[replications] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        assert peaks[replications] >= before
    assert peaks[2000] < 1.2 * peaks[200], peaks
