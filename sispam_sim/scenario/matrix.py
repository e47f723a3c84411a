"""Read ``map.travel.matrix``: a CSV of minutes between place ids (rows = from).

The first row is ``from`` (or empty) followed by the place ids; each next row starts
with a place id and gives minutes to every column. An empty cell means "no road
given": that pair is only an error when the scenario needs it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sispam_sim.errors import quote
from sispam_sim.scenario.limits import MAX_MATRIX_IDS
from sispam_sim.scenario.loader import TravelMatrix
from sispam_sim.scenario.sites import csv_rows


DQ = '"'  # ids are quoted like ids in the scenario's own messages


class MatrixFileError(ValueError):
    """A problem in the matrix CSV at a line and column (1-based)."""

    def __init__(self, line: int, col: int, message: str):
        self.line, self.col = line, col
        super().__init__(message)


def read_matrix(path: Path) -> TravelMatrix:
    rows = csv_rows(path, MatrixFileError, MAX_MATRIX_IDS, f"rows (at most {MAX_MATRIX_IDS:,} place ids)")
    if not rows:
        raise MatrixFileError(1, 1, "the travel matrix is empty: expected a header row of place ids")
    ids = [cell.strip() for cell in rows[0][1][1:]]
    if len(ids) > MAX_MATRIX_IDS:
        raise MatrixFileError(1, MAX_MATRIX_IDS + 2, f"more than {MAX_MATRIX_IDS:,} place ids in the header row")
    if not ids:
        raise MatrixFileError(1, 1, "the header row needs place ids after the first cell")
    for col, pid in enumerate(ids, start=2):
        if not pid:
            raise MatrixFileError(1, col, "empty place id in the header row")
        if ids.index(pid) != col - 2:
            raise MatrixFileError(1, col, f"place id {quote(pid, DQ)} appears twice in the header row")
    position = {pid: i for i, pid in enumerate(ids)}
    minutes = np.full((len(ids), len(ids)), np.nan)
    np.fill_diagonal(minutes, 0.0)
    seen: set[str] = set()
    for line, row in rows[1:]:
        if not row or all(not c.strip() for c in row):
            continue
        origin = row[0].strip()
        if origin not in position:
            raise MatrixFileError(line, 1, f"row {quote(origin, DQ)} is not a place id of the header row")
        if origin in seen:
            raise MatrixFileError(line, 1, f"row {quote(origin, DQ)} appears twice")
        seen.add(origin)
        if len(row) - 1 > len(ids):
            raise MatrixFileError(line, len(ids) + 2, f"more cells than the {len(ids)} place ids of the header")
        for col, cell in enumerate(row[1:], start=2):
            text = cell.strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                raise MatrixFileError(line, col, f"expected minutes (a number), found {quote(text)}") from None
            if value < 0 or math.isnan(value) or math.isinf(value):
                raise MatrixFileError(line, col, f"minutes must be a finite number >= 0, found {quote(text)}")
            minutes[position[origin], col - 2] = value
    return TravelMatrix(ids=tuple(ids), minutes=minutes)
