"""Bad input never shows a traceback, for every option of every command.

The README promises it; this test holds it to that for options nobody thought of yet: it
discovers every command and option from the Typer app and gives each option a set of hostile
values (empty, not a number, negative, huge, an overflow, control codes, markup). Each
invocation must end with exit 0, 1 or 2 (never a traceback, which the in-process ``cli``
fixture turns into a test failure), and a value the command refuses must be refused with exit
2 and a message that names the option or says what was wrong.
"""

from __future__ import annotations

import pytest
import typer.main

from sispam_sim.cli import app as app_module
from tests.conftest import minimal_scenario, write_scenario

HOSTILE = ["", "abc", "-1", "0", "1e400", "99999999999999999999", "\x1b[2J\x07", "[red]x[/red]", "=cmd"]


def _command_options() -> list[tuple[str, str]]:
    app_module._register()
    group = typer.main.get_command(app_module.app)
    out = []
    for name, command in sorted(group.commands.items()):
        for param in command.params:
            # Typer may vendor its own click: tell options by what they are, not by their class
            if getattr(param, "param_type_name", "") == "option" and not param.is_flag and param.name != "help":
                out.append((name, max(param.opts, key=len)))
    return out


OPTIONS = _command_options()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny scenario, a plan, and a run folder of it (for report and replay)."""
    from sispam_sim.cli.app import main

    folder = tmp_path_factory.mktemp("options")
    data = minimal_scenario()
    data["clock"]["duration"] = "2h"
    scenario = write_scenario(folder, data)
    run_dir = folder / "run"
    with pytest.raises(SystemExit):
        main(["run", str(scenario), "-r", "2", "--out", str(run_dir), "-q"])
    return {"scenario": scenario, "run": run_dir}


def _base(command: str, files) -> list[str]:
    s, run = str(files["scenario"]), str(files["run"])
    return {
        "run": [s, "-r", "1", "-q"], "check": [s, "-r", "1", "-q", "--allow-no-targets"], "validate": [s],
        "compare": [s, s, "-r", "1", "-q"], "drill": [s, "-r", "1", "--worst"],
        "sweep": [s, "-r", "1", "-q", "--set", "forces.units[patrol].count=1,2"],
        "report": [run], "replay": [run, "--worst", "1"], "verify": ["--quick"], "schema": [],
    }.get(command, [])


def test_every_command_is_covered():
    """A new command must be given its base arguments above (or it is tested without any)."""
    assert {name for name, _ in OPTIONS} <= {"run", "check", "validate", "compare", "drill", "sweep", "report",
                                             "replay", "verify", "schema", "review", "branch", "optimise"}


@pytest.mark.parametrize("command,option", OPTIONS, ids=[f"{c}{o}" for c, o in OPTIONS])
def test_hostile_values_of_every_option(command, option, files, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # an --out that is accepted lands here
    group = typer.main.get_command(app_module.app)
    param = next(p for p in group.commands[command].params if option in p.opts)
    for value in HOSTILE:
        if command == "verify" and _converts(param, value):
            continue   # a valid value would run the whole verification: other tests do that
        if option == "--out" and value in ("0", "abc", "-1"):
            continue   # a valid folder name: the run writes there, as asked
        result = cli(command, *_base(command, files), option, value)
        assert result.code in (0, 1, 2), (option, value, result.code, result.err[-500:])
        assert "Traceback" not in result.err and "Traceback" not in result.out, (option, value)
        if result.code == 2:
            assert result.err.strip(), (option, value)   # refused with a message, not in silence


def _converts(param, value: str) -> bool:
    try:
        param.type.convert(value, param, None)
    except Exception:   # the BadParameter of whichever click Typer uses
        return False
    return True
