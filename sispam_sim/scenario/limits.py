"""Bounds on what a scenario may ask for, so that no input crashes, hangs or exhausts the machine.

Each bound is checked before anything is materialised: counts are summed from the
written numbers (``count``, rows of a file counted while reading, the rates integrated
over the day) before a site, unit or incident exists. Each is far above what a real
plan needs (the reference Jember day has 4,046 TPS, 54 units and ~34 incidents a day;
a province-scale plan about 60,000 TPS in 465 districts) and far below what would
overflow the engine's int64 and float arithmetic or take minutes to read.

This module is the one place the numbers live; the schema, the YAML reader, the file
readers, the validator and the ``run`` command read them from here.
"""

from __future__ import annotations

# ---------------------------------------------------------------- forces and incidents

#: Personnel in one unit. A Brimob company is ~100; 10,000 is a whole division in one
#: team, and keeps crew x units (at most 10^8) far inside int64.
MAX_CREW = 10_000
#: Units one ``forces.units`` entry expands to (``count``), and units in the whole force:
#: a province deploys a few thousand teams; the dispatcher looks at every free unit.
MAX_UNITS = 20_000
#: Personnel one incident needs per capability (``needs``, a crowd's need is computed).
MAX_NEED = 1_000_000
#: ``priority``: 1 is most urgent; a planner ranks a handful of levels.
MAX_PRIORITY = 1_000
#: Persons in a crowd (``initial`` and ``peak``): the largest rallies are a few million.
MAX_CROWD = 10_000_000
#: ``per_officer`` (persons per officer), both ways: with MAX_CROWD and the largest
#: factor the need at merah stays below 10^13, a plain int64.
MIN_PER_OFFICER, MAX_PER_OFFICER = 0.01, 100_000.0
#: ``escalation.factor``: need at level 3 is factor^2 x the base need. Doctrine uses
#: 1.5-2; 10 (x100 at merah) is already absurd, and 1e308 overflowed the float.
MAX_ESCALATION_FACTOR = 10.0
#: ``speed_kmh``: slower than this is not a vehicle or a walker; it keeps every travel
#: time finite (20,000 km x road factor 10 / 0.001 km/h ~ 1.2e10 minutes).
MIN_SPEED_KMH = 0.001

#: Any duration a scenario writes (work, mobilise, a crowd's ``lasts``, a target's limit): a run
#: lasts at most clock.duration + drain (14 days), so 100 years is a slip of the digits or the
#: unit (``99999999999999999999d``), refused before it reaches a statistic or a clock time.
MAX_DURATION_MINUTES = 36_525 * 1440.0

# ---------------------------------------------------------------- map

#: Polling stations, generated and read from the sites file together: Indonesia's largest
#: province (West Java) has ~140,000 TPS; a plan is one regency or province.
MAX_SITES = 250_000
#: Ids in the header of a travel matrix: the matrix is ids x ids minutes (2,000 ids is
#: 4 million cells, 32 MB, read in a few seconds).
MAX_MATRIX_IDS = 2_000
#: Size of a sites file or travel matrix before it is read (250,000 TPS rows of ~60 bytes
#: are 15 MB; a 2,000 x 2,000 matrix of "123.4," cells is 24 MB).
MAX_DATA_FILE_BYTES = 64 * 1024 * 1024
#: ``map.boundaries`` (format 1.1), a GeoJSON file of district shapes drawn on the report's map: its
#: size before it is read, its features and its positions (all rings together), counted while it is
#: read. A regency's kecamatan at the detail a map shows are 1-3 MB and ~50,000 positions; a
#: province's 600 kecamatan a few times that. More only makes the report heavy (simplify the shapes,
#: e.g. with mapshaper, first).
MAX_BOUNDARY_BYTES = 16 * 1024 * 1024
MAX_BOUNDARY_FEATURES = 5_000
MAX_BOUNDARY_POSITIONS = 500_000

# ---------------------------------------------------------------- the run

#: ``seed``: what numpy's SeedSequence and the manifest hold as a signed 64-bit integer.
MAX_SEED = 2**63 - 1
#: ``replications`` and ``run -r``: 100,000 days give percentiles to a few hundredths;
#: more only fills memory with records.
MAX_REPLICATIONS = 100_000
#: ``clock.duration`` and ``clock.drain``, in minutes: an operation of a week at most each.
MAX_CLOCK_MINUTES = 7 * 1440.0
#: ``clock.phases`` (format 1.1): a day has a handful; the overlap check compares each with those
#: before it, so a stranger's file with tens of thousands must be refused before it is checked.
MAX_PHASES = 100
#: Expected incidents in one replication (integral of every rate over the incident
#: window, plus scripted events): above the hard bound a replication would hold millions
#: of records; above the soft one validate warns.
MAX_INCIDENTS_PER_REPLICATION = 200_000
WARN_INCIDENTS_PER_REPLICATION = 20_000

#: ``--set KEY.PATH=VALUE`` overrides on one command line, and the characters of one: more
#: changes than this belong in a file that ``extends`` the scenario.
MAX_OVERRIDES = 100
MAX_OVERRIDE_CHARS = 10_000
#: Points of a ``sweep`` grid, and points x replications: a sweep is many runs, each checked
#: before the first starts; 200 points of the Jember day at 100 replications take ~7 min.
MAX_SWEEP_POINTS = 200
MAX_SWEEP_REPLICATIONS = 200_000
#: Plans a ``compare`` takes besides its baseline (they are lettered B to Z in its tables); plans x
#: replications share the sweep's bound.
MAX_COMPARE_PLANS = 20

# ---------------------------------------------------------------- run size estimate

#: Seconds per simulated incident on one core (the engine): benchmarks/bench_engine.py
#: measures 0.15-0.7 ms per incident on the Jember reference day (Python 3.11, 2-core
#: x86_64; the fixed cost of a replication weighs most on small days). An estimate, not
#: a promise: crowds and large forces cost more, a pool of processes less.
SECONDS_PER_INCIDENT = 0.0005
#: validate warns when a run holds more incidents than this (records in memory, CSV rows)
WARN_TOTAL_INCIDENTS = 5_000_000
#: ... or is estimated to take longer than this on one core.
WARN_RUN_SECONDS = 60.0

# ---------------------------------------------------------------- the YAML reader

#: Size of a scenario file (and of each ``extends`` base).
MAX_BYTES = 10 * 1024 * 1024
#: Nesting of mappings and lists: the format needs 7 levels; 64 stops a ``[[[[`` bomb
#: before Python's recursion limit.
MAX_DEPTH = 64
#: Values in one file, aliases counted as full copies: a province-scale plan has ~20,000;
#: a billion-laughs alias bomb stops here.
MAX_NODES = 200_000
#: Lines plus commas of a file, counted before it is parsed: every value needs its own
#: line or a comma, and the reader takes ~25 microseconds per value (a 250,000-key
#: mapping took 10-30 s before this bound; now it is refused at once).
MAX_LINES_AND_COMMAS = 100_000
#: Steps in an ``extends`` chain.
MAX_EXTENDS = 20
#: Digits in a whole number: the largest a scenario uses (the seed) has 19; more is a
#: mistake, and Python refuses to read ints of more than 4,300 digits.
MAX_INT_DIGITS = 100
