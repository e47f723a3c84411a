"""``sispam-sim report DIR``: rebuild ``report.html`` and ``replay.html`` from a run's ``--out`` folder alone.

The pages are made from the files the run wrote (:mod:`sispam_sim.report.html`, :mod:`sispam_sim.report.dayview`)
and the scenario file ``results.json`` names; they replace the old ones atomically and together, so a reader
never sees half a report. The same folder gives the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sispam_sim.cli.app import app
from sispam_sim.cli.common import FolderAllowOutsideOpt, Lang, LangOpt


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(
        help="A run's --out folder (results.json, incidents.csv, timeline.csv, events.csv).", show_default=False,
        metavar="DIR")],
    allow_outside: FolderAllowOutsideOpt = False,
    lang: LangOpt = Lang.en,
) -> None:
    """Rebuild report.html and replay.html (the typical and the worst day to watch) in DIR from the run's
    files there (and the scenario file results.json names, relative to DIR), the same bytes from any working
    folder. The CSVs are checked against the rows and sha256 results.json records of them first.

    Exit 0 when written, 2 when DIR is not a run's output folder (a file is missing, damaged or from
    another run), its scenario path is refused, or it cannot be written.
    """
    from sispam_sim.runner.output import write_texts
    from sispam_sim.report.dayview import dayview_from_dir
    from sispam_sim.report.html import report_from_dir
    from sispam_sim.report.i18n import t

    page = report_from_dir(folder, lang=lang.value, allow_outside=allow_outside)   # errors: exit 2 at the boundary
    day = dayview_from_dir(folder, lang=lang.value, allow_outside=allow_outside)
    written = write_texts(folder, {"report.html": page, "replay.html": day})   # both, or neither
    print(t("wrote", lang.value, files=", ".join(p.name for p in written), folder=folder), file=sys.stderr)
