"""Who is who on the charts: the organisation of each unit type, its colour, and the kind of each base.

A Sispamkota day brings together the Polres (Polsek, Sabhara, Dalmas, Resmob, the TPS guards),
Brimob, the TNI, Satpol PP, the fire service and ambulances. The charts give each organisation its
own hue (police blues and violets, Brimob greys, TNI greens, Satpol PP khaki, fire reds, medical
magentas) and each unit type within it its own shade and hatching, so that twelve and more series
stay apart on a projector and in greyscale print. The scenario format has no organisation field:
it is read from the unit type's id and capabilities (:data:`KEYWORDS`), police when nothing says
otherwise; a caller with better names passes its own.

Bases are drawn with one symbol per kind (:data:`BASE_KINDS`): the Polres, a Polsek, another
police post, Brimob, TNI, Satpol PP, fire, medical; a place where no unit is based is a landmark.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

__all__ = ["ORGANISATIONS", "BASE_KINDS", "organisation", "unit_name", "series_styles", "place_kind",
           "map_places", "unit_organisations"]

#: Organisations in the order the legends list them.
ORGANISATIONS = ("police", "brimob", "tni", "satpol_pp", "fire", "medical", "other")

#: Words in a unit type's id (or base id) that name its organisation, tried in this order; a
#: capability ``fire`` or ``medical`` names the fire service or the ambulances too.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("brimob", ("brimob", "phh", "gegana", "pelopor")),
    ("tni", ("tni", "kodim", "koramil", "korem", "yonif", "marinir", "army", "babinsa")),
    ("satpol_pp", ("satpol", "linmas")),
    ("fire", ("damkar", "fire", "pemadam", "bpbd")),
    ("medical", ("ambulan", "medic", "dinkes", "psc", "rsud", "rsd", "hospital", "puskesmas")),
)

#: Shades per organisation, darkest first: far apart in lightness within a hue, and the hues far
#: apart from each other (CIE76 distance above 15 between any two of the reference's 12 types).
SHADES: dict[str, tuple[str, ...]] = {
    "police": ("#08306b", "#2f6fba", "#7fb2e5", "#54278f", "#9e86d6", "#1b7a8c", "#8fd0dc", "#c6dbef"),
    "brimob": ("#252525", "#737373", "#bdbdbd"),
    "tni": ("#00441b", "#41ab5d", "#a1d99b"),
    "satpol_pp": ("#8c6d1f", "#d4b04a", "#efe0a6"),
    "fire": ("#99000d", "#ef3b2c", "#fcae91"),
    "medical": ("#7a0177", "#e7298a", "#fbb4d9"),
    "other": ("#8c510a", "#dfc27d", "#f6e8c3"),
}
#: Hatching by position within an organisation: every other series is hatched, so neighbours of
#: one hue differ in texture as well as shade. Lines only: a dotted hatch is a pattern of Bezier
#: circles, some 40 kB of SVG each.
HATCHES = ("", "///", "", "\\\\\\", "", "xx", "", "---")

#: Abbreviations kept in capitals when a snake_case id is turned into a name.
ABBREVIATIONS = {"qrt", "sst", "ssk", "phh", "tni", "pp", "tps", "bko", "sar", "rsd", "rsud", "dprd", "kpu", "psc",
                 "bpbd", "jsg", "pps", "ppk"}

#: Kinds of base, in legend order, each with its marker, size (points squared) and colour.
BASE_KINDS: dict[str, tuple[str, float, str]] = {
    "polres": ("*", 260.0, "#08306b"),
    "polsek": ("^", 55.0, "#2f6fba"),
    "police_post": ("s", 50.0, "#54278f"),
    "brimob": ("D", 60.0, "#252525"),
    "tni": ("p", 85.0, "#00441b"),
    "satpol_pp": ("h", 80.0, "#8c6d1f"),
    "fire": ("v", 70.0, "#ef3b2c"),
    "medical": ("P", 85.0, "#e7298a"),
    "other_base": ("X", 60.0, "#8c510a"),
    "landmark": ("o", 34.0, "#ffffff"),
}


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", text.casefold()) if w]


def organisation(type_id: str, capabilities: Iterable[str] = ()) -> str:
    """The organisation of a unit type, from its id (``brimob_phh_ssk`` -> brimob) or capabilities."""
    words = _words(type_id)
    joined = "".join(words)
    for org, keys in KEYWORDS:
        if any(key in words or (len(key) > 4 and key in joined) for key in keys):
            return org
    capabilities = set(capabilities)
    if "fire" in capabilities:
        return "fire"
    if "medical" in capabilities:
        return "medical"
    return "police"


def unit_name(type_id: str) -> str:
    """``dalmas_lanjut_ssk`` -> ``Dalmas Lanjut SSK``: a name for a legend when none is given."""
    words = [w for w in re.split(r"[_\-\s]+", type_id) if w]
    return " ".join(w.upper() if w.casefold() in ABBREVIATIONS else w[:1].upper() + w[1:] for w in words) or type_id


def series_styles(types: Sequence[str], organisations: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``type -> (colour, hatch)``, in legend order: the types grouped by organisation
    (:data:`ORGANISATIONS` order, the types of one organisation in the order given), each its
    organisation's next shade; past the shades of an organisation the hatching tells them apart."""
    ordered = sorted(types, key=lambda u: (ORGANISATIONS.index(organisations.get(u, "other"))
                                           if organisations.get(u, "other") in ORGANISATIONS else len(ORGANISATIONS),
                                           list(types).index(u)))
    seen: dict[str, int] = {}
    out = {}
    for u in ordered:
        org = organisations.get(u, "other")
        org = org if org in SHADES else "other"
        k = seen.get(org, 0)
        seen[org] = k + 1
        shades = SHADES[org]
        hatch = HATCHES[k % len(HATCHES)] if k < len(shades) else HATCHES[(k // len(shades) * 2 - 1) % len(HATCHES)]
        out[u] = (shades[k % len(shades)], hatch)
    return out


def unit_organisations(spec) -> dict[str, str]:
    """Every unit type of a scenario (and the TPS guards) -> its organisation."""
    from sispam_sim.scenario.sites import GUARD_TYPE

    out = {name: organisation(name, t.capabilities) for name, t in spec.forces.types.items()}
    out[GUARD_TYPE] = "police"
    return out


def place_kind(place_id: str, name: str | None, based: Mapping[str, int]) -> str:
    """The kind of base a place is: by its id or name (Polres, Polsek, ...), else by the organisation
    with the most crew based there (``based``: organisation -> crew), else a landmark."""
    words = _words(place_id) + _words(name or "")
    if any(w in ("polres", "mapolres", "polresta") for w in words):
        return "polres"
    if any(w.startswith(("polsek", "polsubsektor", "mapolsek")) for w in words):
        return "polsek"
    by_name = organisation(place_id + " " + (name or "")) if based else None
    if based:
        org = max(sorted(based), key=lambda o: based[o])
        if by_name not in (None, "police") and by_name in based:
            org = by_name
        return {"police": "police_post", "other": "other_base"}.get(org, org)
    org = organisation(place_id + " " + (name or ""))
    return org if org in ("brimob", "tni", "satpol_pp", "fire", "medical") else "landmark"


def map_places(spec, names: Mapping[str, str] | None = None) -> list[dict]:
    """The places of a scenario for :func:`~sispam_sim.report.charts.district_map`: ``{"id", "name",
    "lat", "lon", "kind"}``, ``kind`` from :func:`place_kind` (``names``: place id -> the name to show,
    e.g. the Indonesian one)."""
    types = spec.forces.types
    crew: dict[str, dict[str, int]] = {}
    for group in spec.forces.units:
        if group.type not in types:
            continue
        org = organisation(group.type, types[group.type].capabilities)
        at = crew.setdefault(group.base, {})
        at[org] = at.get(org, 0) + types[group.type].crew * (group.count or 1)
    names = names or {}
    return [{"id": pid, "name": names.get(pid) or p.name or pid, "lat": p.lat, "lon": p.lon,
             "kind": place_kind(pid, p.name, crew.get(pid, {}))} for pid, p in spec.map.places.items()]
