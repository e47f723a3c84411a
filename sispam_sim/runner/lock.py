"""One writer per output folder: an advisory lock held for the whole of a run.

Two runs into one ``--out`` would otherwise mix their files (the first run's ``results.json``
beside the second one's ``incidents.csv``). :func:`claim` locks the folder with ``flock`` on a
hidden lock file, ``DIR/.sispam-sim.lock``, that records who holds it (pid, start time,
command). A second run is refused at once, before any work, with a message naming the holder.

The operating system releases a ``flock`` when its process ends, however it ends: a lock file
left behind by a killed run (SIGKILL, a power cut) locks nothing, and the next run takes it
over. Whoever holds the lock is the only live writer, so it may remove the hidden partial
files that a killed run left (:func:`remove_stale_partials`).

Within one process the claim is re-entrant: a command that claims its folder for the whole run
and then writes through :class:`~sispam_sim.runner.output.OutputWriter` or
:func:`~sispam_sim.runner.output.write_texts` (which claim it too) holds one lock.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sispam_sim.errors import UsageError, printable

__all__ = ["LOCK_NAME", "claim", "run_token", "partial_name", "remove_stale_partials", "tidy_if_idle"]

#: The lock file in a claimed folder (removed when the run ends; left, harmless, after a kill).
LOCK_NAME = ".sispam-sim.lock"
#: What the lock file may hold at most (it is read to name the holder).
_LOCK_BYTES = 4096
#: The hidden files a run writes before it puts its outputs in place: ``.NAME.partial`` (older
#: versions), ``.NAME.PID-HEX.partial``, and the write probe of ``prepare_out_dir``.
_PARTIAL = re.compile(r"^\.[\w.-]+\.(?:json|csv|html|md|yaml)(?:\.[0-9]+-[0-9a-f]{8})?\.partial$"
                      r"|^\.sispam-sim-write-check\.\w+$")

try:
    import fcntl
except ImportError:   # Windows: no flock; msvcrt's byte-range lock does the same job
    fcntl = None


def run_token() -> str:
    """This process's mark in the names of its partial files (pid and a random part)."""
    global _TOKEN
    if _TOKEN is None or _TOKEN[0] != os.getpid():   # a forked child is another writer
        _TOKEN = (os.getpid(), f"{os.getpid()}-{os.urandom(4).hex()}")
    return _TOKEN[1]


_TOKEN: tuple[int, str] | None = None


def partial_name(name: str) -> str:
    """The hidden file an output ``name`` grows in before it is put in place (per run)."""
    return f".{name}.{run_token()}.partial"


class _Held:
    def __init__(self, fd: int, path: Path):
        self.fd, self.path, self.count = fd, path, 1


#: The folders this process holds, by (pid, resolved path).
_HELD: dict[tuple[int, str], _Held] = {}


def _try_lock(fd: int) -> bool:
    """Lock ``fd`` exclusively without waiting; False when another process holds it."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:   # a file system without flock (some network mounts): nothing to lock with
            return True
        return True
    import msvcrt   # pragma: no cover - Windows

    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _holder(path: Path) -> str:
    """``pid N, started HH:MM`` from a held lock file, as far as it can be read."""
    try:
        with open(path, "rb") as fh:
            info = json.loads(fh.read(_LOCK_BYTES).decode("utf-8", "replace"))
        pid, started = int(info["pid"]), float(info["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
    return f"pid {pid}, started {time.strftime('%H:%M', time.localtime(started))}"


def _acquire(folder: Path) -> _Held | None:
    """Lock ``folder`` for this process, or raise :class:`UsageError` naming the holder.

    After the lock is taken, the path must still name the file that was locked: a run that
    was just ending may have removed its lock file between our open and our lock, and a lock
    on a removed file guards nothing (then open the new file and try again).
    """
    path = folder / LOCK_NAME
    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as err:
            raise PermissionError(f"--out: cannot lock {folder}: {err.strerror or err}") from None
        if not _try_lock(fd):
            os.close(fd)
            raise UsageError(f"{printable(str(folder))} is being written by another run ({_holder(path)}); "
                             "wait for it to finish or choose another --out")
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        record = {"pid": os.getpid(), "started": time.time(), "command": " ".join(sys.argv)[:1000]}
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(record).encode("utf-8"))
        except OSError:
            pass   # the lock holds without its note (a full disk): the refusal says "another process"
        return _Held(fd, path)
    raise UsageError(f"--out: cannot lock {printable(str(folder))}: its lock file keeps changing")


def _release(held: _Held) -> None:
    try:
        os.unlink(held.path)   # before unlocking: whoever waits on this file will see it is gone
    except OSError:
        pass
    os.close(held.fd)


@contextmanager
def claim(folder: str | os.PathLike) -> Iterator[Path]:
    """Hold ``folder`` (which must exist) for this process for the ``with`` block.

    Refuses at once (:class:`UsageError`, exit 2) when another live run holds it; removes the
    partial files of dead runs when this is the process's first claim on it.
    """
    folder = Path(folder)
    key = (os.getpid(), os.path.realpath(folder))   # a forked child is not the holder
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
    else:
        held = _HELD[key] = _acquire(folder)
        try:
            remove_stale_partials(folder)
        except BaseException:
            del _HELD[key]
            _release(held)
            raise
    try:
        yield folder
    finally:
        held.count -= 1
        if held.count == 0:
            del _HELD[key]
            _release(held)


def remove_stale_partials(folder: Path) -> list[str]:
    """Remove the hidden partial files in ``folder`` that no live run owns; return their names.

    Only safe while holding the folder's lock (then every such file is a dead run's) and
    sparing this process's own files of a claim already in progress.
    """
    mine = f".{run_token()}.partial"
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if _PARTIAL.match(entry.name) and not entry.name.endswith(mine) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                pass
    return removed


def tidy_if_idle(folder: str | os.PathLike) -> None:
    """For readers (``replay``): remove dead runs' partial files when no run is writing ``folder``;
    leave everything alone when one is (or when the folder cannot be locked at all)."""
    try:
        with claim(folder):
            pass
    except (UsageError, OSError):
        pass
