"""The ``sispam-sim`` command: a thin Typer app and the one error boundary.

Each command lives in its own module and registers itself here. Commands compute
nothing themselves: they call the library (scenario, runner, stats, report) and
choose an exit code. User mistakes become a located message and exit code 2; only a
bug in sispam-sim itself may show a traceback.
"""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

import typer

from sispam_sim import __version__
from sispam_sim.errors import ScenarioError, UsageError, printable

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: Ctrl-C: the shell convention (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: The other signals that stop a command as Ctrl-C does: what ``timeout``, a cancelled CI job,
#: ``docker stop`` and systemd send (SIGTERM), and a closed terminal (SIGHUP). The exit code is
#: 128 + the signal number, as a shell reports it: 143 and 129.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP), raised where Ctrl-C raises ``KeyboardInterrupt`` so that
    the same clean-up runs: workers stopped, partial files and created folders removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

app = typer.Typer(
    name="sispam-sim",
    help="Simulate Sispamkota (city security) deployments for election drills.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sispam-sim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                           help="Show the version and exit."),
) -> None:
    """Simulate Sispamkota (city security) deployments for election drills."""


#: The commands, in the order ``--help`` lists them; each is the module of the same name in this folder.
COMMANDS = ("validate", "check", "compare", "run", "schema", "report", "sweep", "verify", "drill", "replay")


def _register(argv: Optional[Sequence[str]] = None) -> None:
    """Import the command modules, each adding its command to ``app``.

    When ``argv`` names a command, only that one is imported: its options, help and messages are the
    same as with every command there, and start-up does not pay for the other nine (their imports and
    Typer building their parameters). Otherwise (``--help``, no command, a misspelt one, or no
    ``argv``) every command is imported, listed in the order of :data:`COMMANDS` whatever was
    imported first. Each module keeps its heavy imports inside the command.
    """
    import importlib

    # No option of the root takes a value, so the first word that is not an option is the command.
    name = next((arg for arg in argv or () if not arg.startswith("-")), None)
    wanted = (name,) if name in COMMANDS else COMMANDS
    for module in wanted:
        importlib.import_module(f"sispam_sim.cli.{module}")
    if wanted is COMMANDS:
        order = {f"sispam_sim.cli.{module}": i for i, module in enumerate(COMMANDS)}
        app.registered_commands.sort(key=lambda info: order.get(info.callback.__module__, len(order)))


#: The arguments of this invocation (what ``main`` was given), for the manifest of results.
invocation: list[str] = []


def print_problems(problems, stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems:
        print(problem.format(), file=stream)


@contextmanager
def _stop_signals_interrupt(received: list[int]) -> Iterator[None]:
    """While the command runs, a stop signal raises :class:`Terminated` (recorded in ``received``);
    the handlers before are put back afterwards. A second stop signal is ignored, so that it does
    not cut the clean-up of the first short (SIGKILL remains for that)."""
    def stop(signum, frame):
        if not received:
            received.append(signum)
            raise Terminated(signum)

    previous = {}
    try:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, stop)
    except ValueError:   # not the main thread of the interpreter (an embedding caller): leave them be
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _interrupted(received: list[int]) -> int:
    """Say that the command was stopped and wrote nothing (the same words for every signal: the exit
    code tells which); the exit code for the signal that stopped it."""
    command = next((arg for arg in invocation if not arg.startswith("-")), "sispam-sim")
    try:
        print(f"sispam-sim: {printable(command)} interrupted; nothing was written", file=sys.stderr)
    except OSError:   # SIGHUP: the terminal may be gone
        pass
    return 128 + received[0] if received else EXIT_INTERRUPTED


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of the console script; exits with the command's code.

    Typer runs in standalone mode, so usage errors (unknown command or option, a bad
    choice) are its own: a message and exit 2. What reaches this boundary is ours, and so is
    Ctrl-C: one message and exit 130 for every command; SIGTERM and SIGHUP are handled the same
    way (:class:`Terminated`), with exit 143 and 129.
    """
    invocation[:] = list(argv) if argv is not None else sys.argv[1:]
    received: list[int] = []
    try:
        with _stop_signals_interrupt(received):
            _register(invocation)
            app(args=list(invocation), prog_name="sispam-sim")
    except ScenarioError as err:
        print_problems(err.problems)
        sys.exit(EXIT_BAD_INPUT)
    except (OSError, UsageError) as err:  # a file or --out that cannot be read or written; an option
        print(f"sispam-sim: error: {printable(err)}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:   # before or after Typer's own handling (while the commands are imported)
        sys.exit(_interrupted(received))
    except SystemExit as done:
        # Typer turns Ctrl-C (KeyboardInterrupt, and so Terminated) in a command into a silent exit
        # 130; by then the command has stopped its workers and removed its partial files, and every
        # output is written atomically, so the same words are true of every command.
        if done.code == EXIT_INTERRUPTED:
            sys.exit(_interrupted(received))
        raise
