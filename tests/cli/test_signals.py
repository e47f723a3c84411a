"""SIGTERM and SIGHUP stop a command as Ctrl-C does; no process outlives the run; --cluster is checked first.

* SIGTERM (``timeout``, a cancelled CI job, ``docker stop``, systemd) and SIGHUP (a closed
  terminal) during a parallel run: exit 128 + the signal (143, 129), "nothing was written", no
  partial file left, a folder the run created removed, and every process the run started gone.
* SIGKILL of the run (nothing in it can clean up): its workers, the fork server and the resource
  tracker, and a local Dask cluster's workers, still end within seconds.
* A malformed ``--cluster`` is exit 2 and a message naming the option, before anything runs.

The processes are real (``python -m sispam_sim``), and the process table is read from /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import minimal_scenario

ROOT = Path(__file__).resolve().parents[2]
JEMBER = ROOT / "scenarios" / "jember-pilkada-2024.yaml"
MORE_QRT = ROOT / "scenarios" / "plans" / "jember-more-qrt.yaml"
EXIT_BAD_INPUT = 2
#: A run of the Jember day that lasts a few seconds on two workers: long enough to be stopped.
RUN = ("run", JEMBER, "-r", "400", "--jobs", "2", "-q")

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), or None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, ppid in parents.items() if ppid == parent} - found
        found |= children
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _poll(condition, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


class Command:
    """``sispam-sim ARGS`` in a real process; stderr goes to a file, so that a process the run left
    behind (holding the pipe) cannot hang the test."""

    def __init__(self, tmp_path: Path, *args):
        self.err_path = tmp_path / "stderr.txt"
        with open(self.err_path, "w") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "sispam_sim", *map(str, args)], cwd=ROOT,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        self.pid = self.process.pid
        self.started: set[int] = set()

    def wait_for(self, condition, what: str, timeout: float = 60) -> None:
        ok = _poll(lambda: self.process.poll() is not None or condition(), timeout)
        assert self.process.poll() is None, f"the command ended before {what}: {self.err()}"
        assert ok, f"timed out waiting for {what}"

    def workers(self) -> set[int]:
        """The processes computing replications: the grandchildren of a process pool (forked by
        the fork server), the children of a local Dask cluster that run its workers."""
        found = set()
        for pid in _descendants(self.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            fields = _stat(pid)
            if fields is not None and (int(fields[1]) != self.pid or b"spawn_main" in cmdline):
                found.add(pid)
        return found

    def stop(self, signum: int) -> set[int]:
        """Send ``signum``; return the processes the run had started just before."""
        started = self.started = _descendants(self.pid)
        self.process.send_signal(signum)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the command did not end after {signal.Signals(signum).name}")
        return started

    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def kill_left(self) -> None:
        """Whatever a failed test left behind: not for the next test to meet."""
        left = self.started | (_descendants(self.pid) if self.process.poll() is None else set())
        for pid in [self.pid, *left]:
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        self.process.wait()


@pytest.fixture
def launch(tmp_path):
    """``launch(*args)`` starts ``sispam-sim ARGS``; what is left of it is killed after the test."""
    commands = []

    def _launch(*args) -> Command:
        commands.append(Command(tmp_path, *args))
        return commands[-1]
    yield _launch
    for command in commands:
        command.kill_left()


def _partial_files(folder: Path) -> bool:
    return folder.is_dir() and any(name.endswith(".partial") for name in os.listdir(folder))


def _assert_all_gone(pids: set[int], timeout: float) -> None:
    assert _poll(lambda: not any(_alive(pid) for pid in pids), timeout), (
        f"left behind: {sorted(pid for pid in pids if _alive(pid))}")


def _stopped_run(launch, out: Path, signum: int) -> tuple[Command, set[int]]:
    """A parallel run into ``out``, stopped by ``signum`` once both workers compute and the partial
    files are there."""
    command = launch(*RUN, "--out", out)
    command.wait_for(lambda: _partial_files(out) and len(command.workers()) >= 2, "the workers and partial files")
    return command, command.stop(signum)


@needs_proc
def test_sigterm_stops_a_parallel_run_like_ctrl_c(tmp_path, launch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("previous run")
    command, started = _stopped_run(launch, out, signal.SIGTERM)
    assert len(started) >= 3   # two workers and the fork server (and the resource tracker)
    assert command.process.returncode == 128 + signal.SIGTERM == 143, command.err()
    assert "nothing was written" in command.err() and "Traceback" not in command.err()
    assert os.listdir(out) == ["results.json"] and (out / "results.json").read_text() == "previous run"
    _assert_all_gone(started, timeout=5)


@needs_proc
@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")
def test_sighup_stops_a_parallel_run_and_removes_the_folder_it_created(tmp_path, launch):
    out = tmp_path / "out"
    command, started = _stopped_run(launch, out, signal.SIGHUP)
    assert command.process.returncode == 128 + signal.SIGHUP == 129, command.err()
    assert "nothing was written" in command.err() and "Traceback" not in command.err()
    assert not out.exists()
    _assert_all_gone(started, timeout=5)


@needs_proc
@pytest.mark.parametrize("attempt", range(3))
def test_sigterm_as_a_worker_starts_is_a_clean_stop(tmp_path, launch, attempt):
    # A starting worker is sent the job through a pipe: a signal in the middle of that must not
    # leave it half a job (a traceback from the worker). The moment is a race, hence three tries.
    command = launch(*RUN, "--out", tmp_path / "out")
    command.wait_for(lambda: len(command.workers()) >= 1, "a worker")
    started = command.stop(signal.SIGTERM)
    assert command.process.returncode == 143, command.err()
    assert "nothing was written" in command.err() and "Traceback" not in command.err()
    _assert_all_gone(started, timeout=5)


@needs_proc
def test_sigkill_of_a_parallel_run_leaves_no_process(tmp_path, launch):
    # Nothing in the run can act on SIGKILL: the workers see it go and end themselves, and then the
    # fork server and the resource tracker end too.
    command, started = _stopped_run(launch, tmp_path / "out", signal.SIGKILL)
    assert command.process.returncode == -signal.SIGKILL
    _assert_all_gone(started, timeout=5)


@needs_proc
def test_sigterm_stops_a_parallel_compare(launch):
    command = launch("compare", JEMBER, MORE_QRT, "-r", "400", "--jobs", "2", "-q")
    command.wait_for(lambda: len(command.workers()) >= 2, "the workers")
    started = command.stop(signal.SIGTERM)
    assert command.process.returncode == 143, command.err()
    assert "nothing was written" in command.err() and "Traceback" not in command.err()
    _assert_all_gone(started, timeout=5)


@pytest.mark.slow
@needs_proc
def test_sigterm_while_a_local_dask_cluster_starts_is_a_clean_stop(launch):
    # The worker processes exist before the cluster is ready: the signal comes while it starts.
    pytest.importorskip("distributed")
    command = launch(*RUN, "--cluster", "local")
    command.wait_for(lambda: len(command.workers()) >= 2, "the Dask workers")
    started = command.stop(signal.SIGTERM)
    assert command.process.returncode == 143, command.err()
    assert "nothing was written" in command.err() and "Traceback" not in command.err()
    _assert_all_gone(started, timeout=10)


@pytest.mark.slow
@needs_proc
def test_sigkill_of_a_run_on_a_local_dask_cluster_leaves_no_process(launch):
    pytest.importorskip("distributed")
    command = launch(*RUN, "--cluster", "local")
    command.wait_for(lambda: len(command.workers()) >= 2, "the Dask workers")
    started = command.stop(signal.SIGKILL)
    _assert_all_gone(started, timeout=10)


# --cluster is checked as the command line is read --------------------------------------------

BAD_CLUSTERS = ["bogus", "tcp://bogus", "inproc://x", "tcp://h:0", "h:99999", "", "tls://h:8786", "::1:8786",
                "999.1.2.3:8786", "h:80x", "h :80", "-h:80"]
GOOD_CLUSTERS = ["local", "tcp://scheduler:8786", "scheduler:8786", "tcp://10.0.0.5:8786", "10.0.0.5:1",
                 "tcp://[::1]:8786", "[2001:db8::1]:65535", "dask-scheduler.example.org:8786", "dask_scheduler:8786"]


@pytest.mark.parametrize("value", GOOD_CLUSTERS)
def test_good_cluster_addresses_are_kept_as_given(value):
    from sispam_sim.cli.common import parse_cluster

    assert parse_cluster(value) == value


@pytest.mark.parametrize("value", BAD_CLUSTERS)
def test_bad_cluster_addresses_say_what_is_accepted(value):
    import typer

    from sispam_sim.cli.common import parse_cluster

    with pytest.raises(typer.BadParameter) as info:
        parse_cluster(value)
    message = str(info.value)
    assert repr(value) in message and "local" in message and "tcp://HOST:PORT" in message and "HOST:PORT" in message


@pytest.mark.parametrize("value", ["bogus", "tcp://bogus", "inproc://x", "tcp://h:0", "h:99999", ""])
@pytest.mark.parametrize("command", ["run", "check", "compare", "sweep"])
def test_a_bad_cluster_is_exit_2_before_anything_runs(cli, write, command, value, monkeypatch):
    from sispam_sim.runner import executors

    def no_run(*args, **kwargs):
        raise AssertionError("an executor was made despite a bad --cluster")

    monkeypatch.setattr(executors, "make_executor", no_run)
    scenario = write(minimal_scenario())
    files = [scenario, scenario] if command == "compare" else [scenario]
    extra = ["--set", "forces.units[patrol].count=2,3"] if command == "sweep" else []
    result = cli(command, *files, *extra, "-r", "2", "--cluster", value)
    assert result.code == EXIT_BAD_INPUT, result.err
    assert "--cluster" in result.err and repr(value) in result.err and "Traceback" not in result.err


def test_the_cluster_is_checked_before_the_scenario_is_read(cli, tmp_path):
    result = cli("run", tmp_path / "missing.yaml", "--cluster", "bogus")
    assert result.code == EXIT_BAD_INPUT
    assert "--cluster" in result.err and "missing.yaml" not in result.err


def test_the_signal_handlers_are_put_back_after_a_command(cli, write):
    from sispam_sim.cli.app import STOP_SIGNALS

    before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    cli("validate", write(minimal_scenario()))
    assert {signum: signal.getsignal(signum) for signum in STOP_SIGNALS} == before
