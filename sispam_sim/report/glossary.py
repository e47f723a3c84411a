"""One glossary for every output: the same word for the same thing, in English and Indonesian.

Its tables and the functions that read them:

* :data:`TERMS`: the program's own terms (the 95% interval, the typical day, the verdicts, the
  escalation levels, call, unit, base ...), each with the one Indonesian word every label uses,
  where labels use it (:data:`ENGLISH_USES`) and the words it replaces (:data:`VARIANTS`). The
  labels themselves live in :mod:`sispam_sim.report.i18n`; ``tests/unit/test_indonesian.py``
  holds them to these words.
* :data:`CAPABILITIES`: a unit's capabilities as words (``crowd_control`` -> "crowd control",
  "pengendalian massa"); one the glossary does not know is shown as its id in words.
  :data:`UNIT_TYPES`: the unit types the program makes itself (the TPS guards).
* the scenario's own text (format 1.1 ``name_id``, ``label_id``, ``description_id``): with
  ``--lang id`` an output shows the Indonesian where the author gave it, the English otherwise
  (:func:`scenario_text`, :func:`place_name`, :func:`unit_type`, :func:`incident_label`).

Every function returns plain text: the renderer makes it inert (rich ``Text``, Markdown or HTML
escaping), as it does with everything a scenario's author wrote.

    >>> capability("crowd_control", "id"), term("typical_day", "id"), level(2, "en")
    ('pengendalian massa', 'hari tipikal', 'kuning (yellow)')
"""

from __future__ import annotations

from typing import Any, Mapping

from sispam_sim.report.organisations import ABBREVIATIONS, unit_name
from sispam_sim.scenario import kinds
from sispam_sim.scenario.sites import GUARD_TYPE

__all__ = ["TERMS", "ENGLISH_USES", "VARIANTS", "CAPABILITIES", "UNIT_TYPES", "term", "level", "capability",
           "unit_type", "scenario_text", "place_name", "place_names", "place_shown", "incident_label", "in_words"]

#: The program's terms: key -> language -> the word. An Indonesian label that means a term uses this word.
TERMS: dict[str, dict[str, str]] = {
    "interval_95": {"en": "95% interval", "id": "selang 95%"},
    "typical_day": {"en": "typical day", "id": "hari tipikal"},
    "worst_day": {"en": "worst day", "id": "hari terburuk"},
    "pass": {"en": "PASS", "id": "LULUS"},
    "fail": {"en": "FAIL", "id": "GAGAL"},
    "too_close": {"en": "TOO CLOSE", "id": "TERLALU DEKAT"},
    "untested": {"en": "NOT TESTED", "id": "TIDAK DIUJI"},
    "better": {"en": "better", "id": "lebih baik"},
    "worse": {"en": "worse", "id": "lebih buruk"},
    "no_difference": {"en": "no difference", "id": "tidak berbeda"},
    "level_1": {"en": "hijau (green)", "id": "hijau"},
    "level_2": {"en": "kuning (yellow)", "id": "kuning"},
    "level_3": {"en": "merah (red)", "id": "merah"},
    "highest_level": {"en": "highest level", "id": "tingkat tertinggi"},
    "call": {"en": "call", "id": "laporan"},
    "incident": {"en": "incident", "id": "kejadian"},
    "unit": {"en": "unit", "id": "satuan"},
    "unit_type": {"en": "unit type", "id": "jenis satuan"},
    "base": {"en": "base", "id": "markas"},
    "place": {"en": "place", "id": "lokasi"},
    "district": {"en": "district", "id": "kecamatan"},
    "personnel": {"en": "personnel", "id": "personel"},
    "on_scene": {"en": "on scene", "id": "di lokasi"},
    "first_on_scene": {"en": "first on scene", "id": "pertama tiba"},
    "free": {"en": "free", "id": "siaga"},
    "seed": {"en": "seed", "id": "benih acak"},
    "target": {"en": "target", "id": "sasaran"},
    "crowd": {"en": "crowd", "id": "massa"},
    "full_strength": {"en": "full strength", "id": "kekuatan penuh"},
    "response_time": {"en": "response time", "id": "waktu tanggap"},
    "mean": {"en": "mean", "id": "rata-rata"},
    "day": {"en": "day", "id": "hari"},
    "report": {"en": "briefing report", "id": "bahan paparan"},
}

#: Where a label means a term: a regular expression on the English label (case-insensitive, after its
#: ``{fields}`` are taken out). The Indonesian label of each such key must use the term's word.
ENGLISH_USES: dict[str, str] = {
    "interval_95": r"95% (CI|interval)",
    "typical_day": r"typical day",
    "worst_day": r"worst day",
    "pass": r"(?-i:\bPASS\b)",
    "fail": r"(?-i:\bFAIL\b)",
    "too_close": r"(?-i:\bTOO CLOSE\b)",
    "untested": r"(?-i:\bNOT TESTED\b)",
    "better": r"^better$",
    "worse": r"^worse$",
    "no_difference": r"^no difference$",
    "level_1": r"\(green\)",
    "level_2": r"\(yellow\)",
    "level_3": r"\(red\)",
    "highest_level": r"highest level",
    "call": r"(?<!close to )\bcalls?\b(?! for help)",
    "incident": r"(?<!-)\bincidents?\b(?!\.csv)",
    "unit": r"(?<!first )\bunits?\b(?! on scene)",
    "unit_type": r"\bunit types?\b",
    "base": r"\bbases?\b",
    "place": r"\bplaces?\b",
    "district": r"\bdistricts?\b",
    "personnel": r"\bpersonnel\b",
    "on_scene": r"(?<!first )(?<!unit )\bon scene\b",
    "first_on_scene": r"\bfirst (unit )?on scene\b",
    "free": r"\bfree\b",
    "seed": r"\bseeds?\b",
    "target": r"\btargets?\b",
    "crowd": r"\bcrowds?\b",
    "full_strength": r"\bfull strength\b",
    "response_time": r"\bresponse times?\b",
    "mean": r"\bmean\b",
    "day": r"(?<!of )(?<!of the )\bdays?\b",
    "report": r"\bbriefing report\b",
}

#: Indonesian words a label must not use for a term, because the glossary says it otherwise
#: (term key -> regular expressions, matched case-insensitively on whole words).
VARIANTS: dict[str, tuple[str, ...]] = {
    "interval_95": (r"IK", r"interval", r"interval kepercayaan"),
    "typical_day": (r"hari biasa", r"hari khas", r"hari median"),
    "unit": (r"unit",),
    "call": (r"panggilan",),
    "seed": (r"benih(?! acak)",),
    "highest_level": (r"tingkat puncak", r"level tertinggi"),
    "personnel": (r"personil", r"petugas"),
    "free": (r"bebas tugas", r"unit bebas", r"satuan bebas"),
    "report": (r"laporan paparan",),
    "district": (r"distrik",),
    "base": (r"pangkalan",),
}

#: Capabilities as words: what a unit can give an incident (``needs: {crowd_control: 60}``).
CAPABILITIES: dict[str, dict[str, str]] = {
    "response": {"en": "response", "id": "respons"},
    "patrol": {"en": "patrol", "id": "patroli"},
    "crowd_control": {"en": "crowd control", "id": "pengendalian massa"},
    "negotiation": {"en": "negotiation", "id": "negosiasi"},
    "enforcement": {"en": "enforcement", "id": "penindakan"},
    "fire": {"en": "firefighting", "id": "pemadam kebakaran"},
    "medical": {"en": "medical", "id": "medis"},
    "perimeter": {"en": "perimeter", "id": "pengamanan perimeter"},
    "rescue": {"en": "rescue", "id": "penyelamatan"},
    "traffic": {"en": "traffic", "id": "lalu lintas"},
    "intelligence": {"en": "intelligence", "id": "intelijen"},
    "escort": {"en": "escort", "id": "pengawalan"},
}

#: Unit types the program makes itself (not written in a scenario): the TPS guards.
UNIT_TYPES: dict[str, dict[str, str]] = {
    GUARD_TYPE: {"en": "TPS guards", "id": "Pengamanan TPS"},
}


def term(key: str, lang: str = "en") -> str:
    """The glossary's word for ``key`` in ``lang`` (a :class:`KeyError` for a term it does not hold)."""
    return TERMS[key][lang]


def level(number: int, lang: str = "en") -> str:
    """An escalation level by its doctrinal name: ``hijau``, ``kuning``, ``merah`` (English adds the
    colour); a number outside 1-3 as itself."""
    found = TERMS.get(f"level_{int(number)}")
    return found[lang] if found else str(number)


def in_words(identifier: str) -> str:
    """An id as words, for a name nobody wrote: ``dalmas_lanjut_ssk`` -> "Dalmas lanjut SSK",
    ``tni_sst`` -> "TNI SST" (the forces' abbreviations as they write them)."""
    words = identifier.replace("_", " ").replace("-", " ").split()
    if not words:
        return identifier
    shown = [w.upper() if w.casefold() in ABBREVIATIONS else w for w in words]
    first = shown[0]
    shown[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(shown)


def capability(name: str, lang: str = "en") -> str:
    """A capability as words in ``lang``; one the glossary does not know, as its id in words
    (``water_cannon`` -> "water cannon")."""
    found = CAPABILITIES.get(name)
    if found is not None:
        return found[lang]
    words = in_words(name)
    return words[:1].lower() + words[1:]


def _spec(source: Any) -> Any:
    """The scenario model of a loaded scenario (``LoadedScenario.spec``), or ``source`` itself."""
    return getattr(source, "spec", source)


def scenario_text(obj: Any, field: str, lang: str = "en") -> str | None:
    """The scenario's own text ``field`` (``name``, ``label``, ``description``) of ``obj`` (a model or a
    mapping): with ``lang`` id the format 1.1 ``FIELD_id`` where the author gave it, else ``field``.
    None when neither is given."""
    def get(key: str) -> Any:
        return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)

    if lang == "id":
        translated = get(f"{field}_id")
        if translated:
            return translated
    return get(field)


def place_name(source: Any, place_id: str, lang: str = "en") -> str:
    """A place's or district's name in ``lang`` (the id when it has none) from a scenario (loaded or its
    model); a TPS or an id the map does not name stays as it is."""
    spec = _spec(source)
    found = spec.map.places.get(place_id) or spec.map.districts.get(place_id)
    if found is None:
        return place_id
    return scenario_text(found, "name", lang) or place_id


def place_names(source: Any, lang: str = "en") -> dict[str, str]:
    """Every place and district id -> its name in ``lang`` (the id when it has none)."""
    spec = _spec(source)
    names = {pid: scenario_text(p, "name", lang) or pid for pid, p in spec.map.places.items()}
    names.update({did: scenario_text(d, "name", lang) or did for did, d in spec.map.districts.items()})
    return names


def place_shown(source: Any, shown: str, lang: str = "en") -> str:
    """A place as a run's record shows it (results.json's ``slowest``, a replay: the English name of a
    place or district, or a TPS id) in ``lang``: the ``name_id`` of the place that English name (or id)
    belongs to; anything else as it is. ``source`` None: without a scenario."""
    if source is None or lang == "en":
        return shown
    spec = _spec(source)
    for pid, found in (*spec.map.places.items(), *spec.map.districts.items()):
        if shown in (found.name or pid, pid):
            return scenario_text(found, "name", lang) or shown
    return shown


def unit_type(source: Any, type_id: str, lang: str = "en") -> str:
    """A unit type's name in ``lang``: its format 1.1 ``name_id`` / ``name`` from the scenario (loaded, its
    model, or the ``forces.types`` mapping), the program's name for the TPS guards, else the id in words
    (``dalmas_lanjut_ssk`` -> "Dalmas Lanjut SSK", as the charts' legends name it). ``source`` None:
    without a scenario."""
    if type_id in UNIT_TYPES:
        return UNIT_TYPES[type_id][lang]
    types = None
    if source is not None:
        spec = _spec(source)
        types = spec if isinstance(spec, Mapping) else getattr(getattr(spec, "forces", None), "types", None)
    found = types.get(type_id) if types is not None else None
    if found is not None:
        name = scenario_text(found, "name", lang)
        if name:
            return name
    return unit_name(type_id)


def incident_label(source: Any, label: str | None, kind: str, lang: str = "en",
                   entry: int | None = None) -> str:
    """An incident's name in ``lang``: the ``label_id`` of its entry when the author gave one, its label
    as written, or its kind's name (the program's words, in ``lang``) when the entry has no label.

    ``label`` is what the run recorded (an entry's label, or its kind when it has none); the entry is
    found by its index ``entry`` when known, else by that label among the scenario's entries (the first
    that has it). ``source`` None: without a scenario (the label as recorded)."""
    entries = list(_spec(source).incidents) if source is not None else []
    found = None
    if entry is not None and 0 <= entry < len(entries):
        found = entries[entry]
    elif label is not None:
        found = next((e for e in entries if (e.label or e.kind) == label), None)
    if found is not None:
        return scenario_text(found, "label", lang) or kinds.label(kind, lang)
    if label is None or label == kind:
        return kinds.label(kind, lang)
    return label
