"""Province-scale days against the Jember day: time, peak memory and cost per incident.

Run:  python benchmarks/bench_province.py [--replications 5] [--validate]

Two generated scenarios of about 60,000 TPS and 35,000 personnel (the scale of East Java),
built in memory from the Jember reference day (scenarios/jember-pilkada-2024.yaml), never
written out as YAML:

* ``scaled``: the Jember day with every sites.generate count x15 (60,690 TPS in the same 32
  districts), every incident rate x15, and every unit group's count multiplied until units
  and TPS guards hold about 35,000 personnel.
* ``regencies``: 15 copies of the Jember regency side by side (465 districts of the 31
  kecamatan, plus Bandealit, each with its TPS; every place, unit and incident entry copied
  with a regency prefix), each copy's incident entries picking sites of its own districts
  (``where: {sites: {district: [...31 names]}}``), unit counts multiplied as above.

For each (and the Jember day itself) the script reports: the time to prepare the scenario
once (engine.prepared), the mean time per replication (best of --passes), incidents per
replication, ms per incident and its ratio to the Jember day's (goal: within 2x), and the
peak memory of one replication (tracemalloc, Python allocations). ``--validate`` also times
loading and validating each scenario (what `sispam-sim validate` does to a file).
"""

from __future__ import annotations

import argparse
import copy
import gc
import math
import sys
import time
import tracemalloc
from pathlib import Path

from sispam_sim.engine.prepared import prepare
from sispam_sim.runner.replications import run_replications
from sispam_sim.scenario.loader import load_scenario, scenario_from_dict
from sispam_sim.scenario.yamlio import load_document

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
JEMBER = SCENARIOS / "jember-pilkada-2024.yaml"

SITES_FACTOR = 15          # 4,046 TPS -> 60,690
PERSONNEL = 35_000         # units + TPS guards
REGENCIES = 15             # 15 x 31 kecamatan = 465 districts


def _jember() -> dict:
    data = copy.deepcopy(load_document(JEMBER).data)
    data.pop("personnel_limit", None)
    return data


def _scale_rate(rate, factor: float):
    def one(text: str) -> str:
        count, per = text.split("/", 1)
        return f"{float(count) * factor:.12g}/{per}"
    if isinstance(rate, str):
        return one(rate)
    return {at: one(r) for at, r in rate.items()}


def _personnel(data: dict) -> tuple[int, int]:
    """(unit personnel, guard police) of a scenario dict."""
    types = data["forces"]["types"]
    units = sum(types[g["type"]]["crew"] * g.get("count", 1) for g in data["forces"]["units"])
    tps: dict[str, int] = {}
    for g in data["map"]["sites"]["generate"]:
        for risk, share in g["risk"].items():
            tps[risk] = tps.get(risk, 0) + round(g["count"] * share)
    rules = data.get("guard", {}).get("tps", {})
    guards = sum(math.ceil(n / rules[r]["per_tps"]) * rules[r]["police"] for r, n in tps.items() if r in rules)
    return units, guards


def _scale_units(data: dict) -> None:
    """Multiply every unit group's count so that units + guards hold about PERSONNEL."""
    units, guards = _personnel(data)
    factor = max(1, round((PERSONNEL - guards) / units))
    for group in data["forces"]["units"]:
        group["count"] = group.get("count", 1) * factor


def scaled() -> dict:
    data = _jember()
    data["name"] = "Jember scaled to a province"
    for group in data["map"]["sites"]["generate"]:
        group["count"] *= SITES_FACTOR
    for entry in data["incidents"]:
        if "rate" in entry:
            entry["rate"] = _scale_rate(entry["rate"], SITES_FACTOR)
    _scale_units(data)
    return data


def regencies() -> dict:
    base = _jember()
    data = copy.deepcopy(base)
    data["name"] = f"{REGENCIES} regencies"
    places, districts, generate, units, incidents = {}, {}, [], [], []
    cols = 5
    for r in range(REGENCIES):
        dlat, dlon = -0.6 * (r // cols), 0.8 * (r % cols)   # side by side, as far apart as regencies
        pre = f"r{r + 1}_"
        for pid, p in base["map"]["places"].items():
            places[pre + pid] = {**p, "lat": p["lat"] + dlat, "lon": p["lon"] + dlon}
        for did, d in base["map"]["districts"].items():
            districts[pre + did] = {**d, "lat": d["lat"] + dlat, "lon": d["lon"] + dlon}
        for g in base["map"]["sites"]["generate"]:
            generate.append({**g, "district": pre + g["district"]})
        for g in base["forces"]["units"]:
            units.append({**g, "id": pre + g["id"], "base": pre + g["base"]})
        own = [pre + d for d in base["map"]["districts"]]
        for entry in base["incidents"]:
            entry = copy.deepcopy(entry)
            where = entry["where"]
            if "place" in where:
                where["place"] = pre + where["place"]
            elif "district" in where:
                where["district"] = pre + where["district"]
            elif where["sites"] == "any":
                where["sites"] = {"district": own}
            else:
                f = where["sites"]
                f["district"] = [pre + d for d in f["district"]] if "district" in f else own
            incidents.append(entry)
    data["map"]["places"], data["map"]["districts"] = places, districts
    data["map"]["sites"]["generate"] = generate
    data["forces"]["units"], data["incidents"] = units, incidents
    _scale_units(data)
    return data


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure(name: str, build, replications: int, passes: int, validate: bool) -> dict:
    load_s, sc = timed(build)
    prepare_s, _ = timed(lambda: prepare(sc))
    best, incidents = math.inf, 0.0
    for _ in range(passes):
        total, count = 0.0, 0
        for k in range(replications):
            seconds, (result,) = timed(lambda: run_replications(sc, [k], record_timeline=False, record_events=False))
            total += seconds
            count += len(result.incidents)
            del result
        best, incidents = min(best, total / replications), count / replications
    gc.collect()
    tracemalloc.start()
    run_replications(sc, [0], record_timeline=False, record_events=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    personnel = sum(sc.spec.forces.types[u.type].crew for u in sc.units)
    return {"name": name, "sites": len(sc.sites), "units": len(sc.units), "personnel": personnel,
            "load": load_s if validate else None, "prepare": prepare_s, "rep": best, "incidents": incidents,
            "per_incident": best / incidents, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--validate", action="store_true", help="also time loading and validating each scenario")
    args = parser.parse_args()
    rows = [
        measure("Jember day", lambda: load_scenario(JEMBER), args.replications * 4, args.passes, args.validate),
        measure("scaled x15", lambda: scenario_from_dict(scaled(), base_dir=SCENARIOS), args.replications,
                args.passes, args.validate),
        measure(f"{REGENCIES} regencies", lambda: scenario_from_dict(regencies(), base_dir=SCENARIOS),
                args.replications, args.passes, args.validate),
    ]
    base = rows[0]["per_incident"]
    print(f"mean of {args.replications} replications (Jember: {args.replications * 4}), best of {args.passes} passes; "
          "peak: tracemalloc over one replication")
    print(f"{'scenario':<14} {'sites':>6} {'units':>6} {'unit crew':>9} {'validate s':>10} {'prepare s':>9} "
          f"{'ms / rep':>9} {'incidents':>9} {'ms / inc':>8} {'x Jember':>8} {'peak MiB':>8}")
    for r in rows:
        load = f"{r['load']:10.2f}" if r["load"] is not None else f"{'-':>10}"
        print(f"{r['name']:<14} {r['sites']:6d} {r['units']:6d} {r['personnel']:9d} {load} {r['prepare']:9.3f} "
              f"{r['rep'] * 1e3:9.1f} {r['incidents']:9.1f} {r['per_incident'] * 1e3:8.3f} "
              f"{r['per_incident'] / base:8.2f} {r['peak'] / 2**20:8.1f}")


if __name__ == "__main__":
    sys.exit(main())
