"""``sispam-sim replay DIR``: one incident's timeline from a saved run, for a trainer to walk a room through.

Reads only the run's files (:mod:`sispam_sim.report.replay`); days are counted from 1 as people
count them (the files' ``replication`` column counts from 0).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from sispam_sim.cli.app import EXIT_BAD_INPUT, EXIT_OK, app
from sispam_sim.cli.common import FolderAllowOutsideOpt, Format, Lang, LangOpt, format_option
from sispam_sim.scenario.limits import MAX_REPLICATIONS


ReplayFormatOpt = format_option(Format.table, Format.json,
                                help="table (for people) or json (the timeline on stdout).")


@app.command()
def replay(
    folder: Annotated[Path, typer.Argument(help="A run's --out folder (incidents.csv, events.csv, results.json).",
                                           show_default=False, metavar="DIR")],
    incident: Annotated[Optional[str], typer.Option(
        "--incident", metavar="ID", help="The incident to replay, e.g. rapid_response-0023 (see --worst).")] = None,
    day: Annotated[Optional[int], typer.Option(
        "--replication", metavar="K", min=1, max=MAX_REPLICATIONS,
        help="The day, counted from 1 (replication K-1 in the CSV files); needed when the incident id is on "
             "more than one day (ids restart each day).")] = None,
    worst: Annotated[Optional[int], typer.Option(
        "--worst", metavar="N", min=1, max=1000, help="List the N incidents with the longest response, to pick from.")] = None,
    html: Annotated[Optional[Path], typer.Option(
        "--html", metavar="FILE", dir_okay=False,
        help="Write the day to watch (map, Gantt chart of every unit, who waited and why) to FILE: the typical and "
             "the worst day, or day K with --replication K.")] = None,
    output: ReplayFormatOpt = Format.table,
    allow_outside: FolderAllowOutsideOpt = False,
    lang: LangOpt = Lang.en,
) -> None:
    """Replay one incident of a saved run: call, each dispatch (unit, type, base), arrivals, crew on scene,
    full strength and shortfalls, level changes, releases and resolution, in clock time and minutes since
    the call, with where each unit came from (its base, redirected from another incident on its way back,
    or taken from one) and, when the incident waited, what kept each unit with the capability it lacked.
    --worst N lists the slowest incidents first. --html FILE writes the day page instead (as replay.html).

    Exit 0 when shown, 2 for a folder that is not a run's output (a file missing, damaged or from another
    run), a refused scenario path, an unknown incident, a day out of range, an incident id that is on
    several days without --replication K, or --html with --incident or --worst.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from sispam_sim.report.i18n import t
    from sispam_sim.report.numbers import clock_text, decimal, signed
    from sispam_sim.report.replay import replay as story, worst as slowest
    from sispam_sim.report.terminal import fit, fmt_count, fmt_minutes, plain

    if html is not None:
        if incident is not None or worst is not None:
            print("sispam-sim: error: --html FILE writes a whole day: give it alone (the typical and the worst day) "
                  "or with --replication K, not with --incident or --worst", file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT)
        _write_day_page(folder, html, day, allow_outside, lang.value)
        raise typer.Exit(EXIT_OK)
    if (incident is None) == (worst is None):
        print("sispam-sim: error: give --incident ID, or --worst N to list incidents to pick from (or --html FILE: "
              "the day to watch)", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    console = Console()
    if worst is not None:
        rows = slowest(folder, worst, allow_outside, lang.value)
        if output is Format.json:
            sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
            raise typer.Exit(EXIT_OK)
        table = Table(title=t("title_worst", lang.value), title_justify="left", header_style="bold")
        for key in ("replication", "incident", "replay_label", "place", "response"):
            table.add_column(t(key, lang.value), justify="right" if key in ("replication", "response") else "left",
                             no_wrap=key in ("replication", "incident"))   # to be copied whole
        for row in rows:
            table.add_row(str(row["day"]), plain(row["id"]), plain(row["label"] or ""), plain(row["place"]),
                          t("never", lang.value) if row["response_time"] is None
                          else fmt_minutes(row["response_time"], lang.value))
        console.print(fit(table, console.width))
        console.print(Text(t("replay_pick", lang.value, folder=folder), style="dim"))
        raise typer.Exit(EXIT_OK)
    try:
        data = story(folder, incident, day, allow_outside, lang.value)
    except ValueError as err:
        print(f"sispam-sim: error: {err}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if output is Format.json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        raise typer.Exit(EXIT_OK)
    record = data["incident"]
    title = Text(t("replay_title", lang.value, id=record["id"], day=data["day"]) + " — ", style="bold")
    title.append(plain(f"{data['label']} · {data['place']} · "))
    title.append(t("replay_need", lang.value, need=fmt_count(record["need"], lang.value)))
    console.print(title)
    times = {key: t("never", lang.value) if record[f"{key}_time"] is None
             else f"{decimal(record[f'{key}_time'], 1, lang.value, grouping=False)} {t('min', lang.value)}"
             for key in ("response", "full_strength", "resolution")}
    console.print(Text(t("replay_times", lang.value, response=times["response"], full=times["full_strength"],
                         resolution=times["resolution"]), style="dim"))
    if data["scenario_note"]:
        console.print(Text(t("replay_no_scenario", lang.value, why=data["scenario_note"]), style="yellow"))
    table = Table(header_style="bold")
    for key in ("replay_clock", "replay_since_call", "replay_event", "replay_unit", "replay_on_scene"):
        table.add_column(t(key, lang.value), justify="right" if key in ("replay_since_call", "replay_on_scene")
                         else "left")
    for event in data["events"]:
        unit = (event["unit"] or "") + (f" ({event['type_name']}, {event['base']})" if event["type"] else "")
        action = t(f"action_{event['action']}", lang.value, default=event["action"])
        if event["action"] == "dispatch":   # with the arrival it leads to
            arrives = event["arrives"]
            at = clock_text(arrives, lang.value) if isinstance(arrives, str) else \
                decimal(arrives, 1, lang.value, grouping=False) if arrives is not None else None
            action += " " + (t("replay_arrives", lang.value, at=at) if at is not None
                             else t("replay_never_arrives", lang.value))
            if event.get("from_text"):   # where it came from, and its mobilisation and drive
                action += f"; {event['from_text']}; " + t("leg_times", lang.value,
                                                          mobilise=decimal(event["mobilise"], 1, lang.value),
                                                          travel=decimal(event["travel"], 1, lang.value))
        when = clock_text(event["clock"], lang.value) if event["clock"] else \
            decimal(event["minute"], 1, lang.value, grouping=False)
        table.add_row(when, signed(event["since_call"], 1, lang.value), action, plain(unit),
                      fmt_count(event["on_scene"], lang.value))
    console.print(fit(table, console.width))
    if data.get("why"):
        console.print(Text(t("replay_why", lang.value), style="bold"))
        for line in data["why"]:
            console.print(plain(line), soft_wrap=False)
    raise typer.Exit(EXIT_OK)


def _write_day_page(folder: Path, file: Path, day: Optional[int], allow_outside: bool, lang: str) -> None:
    """``--html FILE``: the day page (:mod:`sispam_sim.report.dayview`) written atomically; a day out of range
    is exit 2 with the run's range."""
    from sispam_sim.report.dayview import dayview_from_dir
    from sispam_sim.report.i18n import t
    from sispam_sim.runner.output import write_file

    try:
        page = dayview_from_dir(folder, lang=lang, allow_outside=allow_outside,
                                days=None if day is None else [day - 1])
    except ValueError as err:
        print(f"sispam-sim: error: {err}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    written = write_file(file, page, "--html")
    print(t("wrote", lang, files=written.name, folder=written.parent), file=sys.stderr)
