"""``--lang id`` is fully Indonesian: the scenario's own Indonesian text (format 1.1 ``name_id``,
``label_id``, ``description_id``), capabilities and unit types by name, Indonesian numbers and clock
times, and one glossary of terms that every output's labels follow.

The outputs of the doctrine scenario (``scenarios/jember-doctrine.yaml``, which gives Indonesian text
for its name, description, incident entries and unit types) are run once, on 3 days, and read as a
Polres planner would: no English label of the program, no English text of the scenario where it
gives the Indonesian, and numbers written ``15,3`` / ``1.200`` / ``07.30``. What machines read (JSON,
the CSV columns of times) keeps the English form.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import LABELS
from sispam_sim.scenario import kinds
from tests.conftest import MINIMAL_YAML, variant

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DAYS = "3"


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("call, english, indonesian", [
    # 15.3 minutes; 1,200 minutes (the end of a 20 h run); a share of 89.4 percent
    (lambda lang: numbers.decimal(15.3, 1, lang), "15.3", "15,3"),
    (lambda lang: numbers.whole(1200, lang), "1,200", "1.200"),
    (lambda lang: numbers.decimal(1234.56, 1, lang), "1,234.6", "1.234,6"),   # 1234.56 rounds to 1234.6
    (lambda lang: numbers.decimal(1200.0, 1, lang, grouping=False), "1200.0", "1200,0"),
    (lambda lang: numbers.count(2.5, lang), "2.5", "2,5"),
    (lambda lang: numbers.count(368315.0, lang), "368,315", "368.315"),
    (lambda lang: numbers.percent(89.4, lang), "89.4%", "89,4%"),
    (lambda lang: numbers.signed(-0.04, 2, lang), "-0.04", "-0,04"),
    (lambda lang: numbers.signed(1.25, 1, lang), "+1.2", "+1,2"),    # 1.25 -> 1.2 (round half to even)
    (lambda lang: numbers.decimal(-0.04, 1, lang), "0.0", "0,0"),   # never "-0.0"
    (lambda lang: numbers.clock_text("07:30", lang), "07:30", "07.30"),
    (lambda lang: numbers.clock_text("never", lang), "never", "never"),   # a word stays a word
])
def test_numbers_as_each_language_writes_them(call, english, indonesian):
    assert (call("en"), call("id")) == (english, indonesian)


def test_the_modules_examples_hold():
    import doctest

    for module in (numbers, glossary):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_clock_on_the_scenario_day():
    """90.5 minutes after 06:00 is 07:30:30, shown 07:30 / 07.30; no minute, no clock."""
    from datetime import datetime

    start = datetime(2024, 11, 27, 6, 0)
    assert numbers.clock_at(start, 90.5) == "07:30" and numbers.clock_at(start, 90.5, "id") == "07.30"
    assert numbers.clock_at(start, None, "id") == ""


# ---------------------------------------------------------------- format 1.1: the keys and where they are refused

PLACE = "    polres: {lat: -8.1725, lon: 113.6995}\n"
TYPE = "    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response]}\n"
ENTRY = "  - kind: rapid_response\n"
WITH_TEXT = variant(
    ("name: minimal\n", "name: minimal\nname_id: minimal (Indonesia)\ndescription: a drill\n"
                        "description_id: sebuah latihan\n"),
    (PLACE, "    polres: {lat: -8.1725, lon: 113.6995, name: Police HQ, name_id: Markas Polres}\n"),
    (TYPE, "    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response], name: Sabhara patrol, "
           "name_id: Patroli Sabhara}\n"),
    (ENTRY, ENTRY + "    label: call in town\n    label_id: laporan di kota\n"),
)


def _validate(cli, write, text: str):
    write(text, "s.yaml")
    return cli("validate", "s.yaml", "--format", "json")


def test_a_version_1_file_is_told_at_each_1_1_text_key(cli, write, tmp_path, monkeypatch):
    """Each key is an error at its value: name_id on line 3, description_id on line 5 (the two lines added
    after the name), the place's name_id on line 9, the type's name and name_id on line 12, label_id on
    line 18 (the entry starts on line 16, its label on 17)."""
    monkeypatch.chdir(tmp_path)
    result = _validate(cli, write, WITH_TEXT)
    assert result.code == 2
    lines = WITH_TEXT.splitlines()
    found = {p["path"]: (p["line"], p["col"]) for p in json.loads(result.out) if p["severity"] == "error"}
    expected = {"name_id": (3, "minimal (Indonesia)"), "description_id": (5, "sebuah latihan"),
                "map.places.polres.name_id": (9, "Markas Polres"),
                "forces.types.sabhara.name": (12, "Sabhara patrol"),
                "forces.types.sabhara.name_id": (12, "Patroli Sabhara"),
                "incidents[0].label_id": (18, "laporan di kota")}
    assert found == {path: (line, lines[line - 1].index(value) + 1) for path, (line, value) in expected.items()}
    assert all("version: 1.1" in p["message"] for p in json.loads(result.out) if p["severity"] == "error")


def test_the_same_keys_in_a_version_1_1_file_are_valid(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _validate(cli, write, WITH_TEXT.replace("version: 1\n", "version: 1.1\n", 1))
    assert result.code == 0, result.out


def test_an_empty_indonesian_label_is_refused(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = WITH_TEXT.replace("version: 1\n", "version: 1.1\n", 1).replace("label_id: laporan di kota",
                                                                         'label_id: ""')
    result = _validate(cli, write, text)
    assert result.code == 2
    (problem,) = [p for p in json.loads(result.out) if p["severity"] == "error"]
    assert (problem["path"], problem["line"]) == ("incidents[0].label_id", 18) and "empty" in problem["message"]


def test_the_json_schema_marks_the_text_keys_as_1_1():
    from sispam_sim.scenario.jsonschema import scenario_json_schema
    from sispam_sim.scenario.versions import SINCE

    schema = scenario_json_schema()
    defs = schema["$defs"]
    labels = [d["properties"]["label_id"] for d in defs.values() if "label_id" in d.get("properties", {})]
    assert len(labels) == len(kinds.KINDS)   # every kind's entry takes a label_id
    marked = [schema["properties"]["name_id"], schema["properties"]["description_id"],
              defs["Place"]["properties"]["name_id"], defs["District"]["properties"]["name_id"],
              defs["UnitType"]["properties"]["name"], defs["UnitType"]["properties"]["name_id"], *labels]
    assert all(field[SINCE] == "1.1" for field in marked)


# ---------------------------------------------------------------- the glossary's names


@pytest.fixture
def loaded(write):
    from sispam_sim.scenario.loader import load_scenario

    return load_scenario(write(WITH_TEXT.replace("version: 1\n", "version: 1.1\n", 1)))


def test_scenario_text_in_each_language(loaded):
    spec = loaded.spec
    assert glossary.scenario_text(spec, "name", "id") == "minimal (Indonesia)"
    assert glossary.scenario_text(spec, "name", "en") == "minimal"
    assert glossary.scenario_text(spec, "description", "id") == "sebuah latihan"
    assert glossary.scenario_text({"scenario": "A", "scenario_id": "B"}, "scenario", "id") == "B"
    assert glossary.place_name(loaded, "polres", "id") == "Markas Polres"
    assert glossary.place_names(loaded, "en") == {"polres": "Police HQ"}
    assert glossary.place_shown(loaded, "Police HQ", "id") == "Markas Polres"       # as results.json names it
    assert glossary.place_shown(loaded, "polres-7", "id") == "polres-7"             # a TPS id stays


def test_incident_labels_fall_back_to_the_kind_in_the_reader_s_language(loaded):
    assert glossary.incident_label(loaded, "call in town", "rapid_response", "id") == "laporan di kota"
    assert glossary.incident_label(loaded, None, "rapid_response", "id", entry=0) == "laporan di kota"
    assert glossary.incident_label(loaded, "call in town", "rapid_response", "en") == "call in town"
    # no scenario: an entry without a label was recorded as its kind, shown by the kind's name
    by_kind = kinds.label("rapid_response", "id")
    assert glossary.incident_label(None, "rapid_response", "rapid_response", "id") == by_kind


def test_unit_types_and_capabilities_by_name_never_snake_case(loaded):
    assert glossary.unit_type(loaded, "sabhara", "id") == "Patroli Sabhara"
    assert glossary.unit_type(loaded, "sabhara", "en") == "Sabhara patrol"
    assert glossary.unit_type(None, "dalmas_lanjut_ssk", "id") == "Dalmas Lanjut SSK"
    assert glossary.unit_type(None, "tps_guard", "id") == "Pengamanan TPS"
    assert glossary.capability("crowd_control", "en") == "crowd control"
    assert glossary.capability("crowd_control", "id") == "pengendalian massa"
    assert glossary.capability("water_cannon", "id") == "water cannon"   # unknown: the id in words
    assert all("_" not in names[lang] for names in glossary.CAPABILITIES.values() for lang in ("en", "id"))


# ---------------------------------------------------------------- one word for one thing


def _fields_out(text: str) -> str:
    return re.sub(r"\{[^}]*\}", " ", text)


def _indonesian_labels() -> dict[str, str]:
    """Every Indonesian label an output prints: i18n (terminal, check, sweep, compare, drill, replay,
    HTML), the kinds' names, and the glossary's capabilities and unit types."""
    labels = {f"i18n.{key}": _fields_out(value) for key, value in LABELS["id"].items()}
    labels.update({f"kind.{name}.{form}": text for name, kind in kinds.KINDS.items()
                   for form, text in (kind.labels.get("id") or {}).items()})
    labels.update({f"capability.{name}": names["id"] for name, names in glossary.CAPABILITIES.items()})
    labels.update({f"unit_type.{name}": names["id"] for name, names in glossary.UNIT_TYPES.items()})
    return labels


@pytest.mark.parametrize("term", sorted(glossary.ENGLISH_USES))
def test_every_label_that_means_a_term_says_the_glossary_s_word(term):
    """E.g. every English label with "95% CI" or "95% interval" (mean_ci, value_ci, html_interval, ...)
    says "selang 95%" in Indonesian; every "typical day" (drill_typical, html_typical_day) "hari tipikal"."""
    pattern = re.compile(glossary.ENGLISH_USES[term], re.IGNORECASE)
    meaning = [key for key, english in LABELS["en"].items() if pattern.search(_fields_out(english))]
    assert meaning, f"no label means {term!r}: a glossary term every output should use"
    word = glossary.term(term, "id").lower()
    wrong = {key: LABELS["id"][key] for key in meaning if word not in LABELS["id"][key].lower()}
    assert not wrong, f"these labels mean {term!r} but do not say {word!r}: {wrong}"


@pytest.mark.parametrize("term", sorted(glossary.VARIANTS))
def test_no_label_uses_a_word_the_glossary_replaced(term):
    """E.g. no "IK 95%" beside "selang 95%", no "hari biasa" beside "hari tipikal", no "Tingkat puncak"
    beside "Tingkat tertinggi"."""
    found = {where: text for where, text in _indonesian_labels().items() for variant in glossary.VARIANTS[term]
             if re.search(rf"(?<![\w-]){variant}(?![\w-])", text, re.IGNORECASE)}
    assert not found, f"{term!r} is {glossary.term(term, 'id')!r} in the glossary, not: {found}"


# ---------------------------------------------------------------- the doctrine's outputs in Indonesian


def _sispam(*args) -> tuple[str, str]:
    from sispam_sim.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as info:
        main([os.fspath(a) for a in args])
    assert info.value.code in (0, 1), err.getvalue()
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def doctrine(tmp_path_factory):
    """The doctrine scenario (and the reference it extends) in a folder of its own, a 3-day run of it saved
    beside (for replay), and every output a person reads, with --lang id, on a line wide enough that no
    cell wraps."""
    from sispam_sim.runner.output import OutputWriter
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    folder = tmp_path_factory.mktemp("doctrine")
    for name in ("jember-doctrine.yaml", "jember-pilkada-2024.yaml"):
        shutil.copy(SCENARIOS / name, folder / name)
    scenario_file = folder / "jember-doctrine.yaml"
    scenario = load_scenario(scenario_file)
    out = folder / "out"
    writer = OutputWriter(out)
    writer.finish(simulate(scenario, int(DAYS), writer=writer).document)
    with open(out / "incidents.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    protest = next(r for r in rows if r["replication"] == "0" and r["label"].startswith("protest at KPU"))
    outputs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "400")
        outputs["run"] = _sispam("run", scenario_file, "-r", DAYS, "-q", "--lang", "id")[0]
        outputs["check"] = _sispam("check", scenario_file, "-r", DAYS, "-q", "--lang", "id")[0]
        script = folder / "drill"
        done = _sispam("drill", scenario_file, "--replication", "1", "--out", script, "--lang", "id")[1]
        outputs["drill"] = done + (script / "inject.md").read_text(encoding="utf-8")
        outputs["replay-worst"] = _sispam("replay", out, "--worst", "5", "--lang", "id")[0]
        outputs["replay"] = _sispam("replay", out, "--incident", protest["id"], "--replication", "1",
                                    "--lang", "id")[0]
    return {"scenario": scenario, "outputs": outputs, "csv": (script / "inject.csv").read_text(encoding="utf-8"),
            "out": out, "protest": protest}


def _scenario_words(scenario) -> set[str]:
    """Words of the scenario's text that has no Indonesian beside it, and its ids: shown as written."""
    spec = scenario.spec
    text = [p.name or "" for p in spec.map.places.values() if not p.name_id]
    text += [*spec.map.places, *spec.map.districts, *spec.clock.phases, *spec.forces.types]
    text += [g.id for g in spec.forces.units] + [e.id or "" for e in spec.incidents]
    return {word.lower() for item in text for word in re.findall(r"[A-Za-z]+", item)}


def _english_words(scenario) -> set[str]:
    """The English words of the program's labels that Indonesian says otherwise (4 letters or more), less
    the words of the scenario's own text that stays as written."""
    pairs = [(LABELS["en"][key], LABELS["id"][key]) for key in LABELS["en"]]
    pairs += [(kind.labels["en"].get(form, ""), kind.labels["id"].get(form, "")) for kind in kinds.KINDS.values()
              for form in ("name", "short")]
    pairs += [(names["en"], names["id"]) for table in (glossary.TERMS, glossary.CAPABILITIES, glossary.UNIT_TYPES)
              for names in table.values()]
    words = set()
    for english, indonesian in pairs:
        for word in re.findall(r"[A-Za-z][A-Za-z-]{3,}", _fields_out(english)):
            if word.lower() not in indonesian.lower():
                words.add(word)
    return {word for word in words if word.lower() not in _scenario_words(scenario)}


OUTPUTS = ("run", "check", "drill", "replay-worst", "replay")


@pytest.mark.parametrize("name", OUTPUTS)
def test_no_english_label_of_the_program(doctrine, name):
    text = doctrine["outputs"][name]
    english = _english_words(doctrine["scenario"])
    found = sorted(w for w in english if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-]|\.\w)", text))
    assert not found, found


def _translated(scenario) -> list[tuple[str, str]]:
    """(English, Indonesian) of every scenario text the doctrine gives in both languages."""
    spec = scenario.spec
    pairs = [(spec.name, spec.name_id), (" ".join(spec.description.split()), spec.description_id)]
    pairs += [(e.label, e.label_id) for e in spec.incidents]
    pairs += [(p.name, p.name_id) for p in (*spec.map.places.values(), *spec.map.districts.values())]
    pairs += [(t.name, t.name_id) for t in spec.forces.types.values()]
    return [(en, id_) for en, id_ in pairs if en and id_ and en != id_]


@pytest.mark.parametrize("name", OUTPUTS)
def test_no_english_scenario_text_where_the_indonesian_is_given(doctrine, name):
    text = " ".join(doctrine["outputs"][name].split())
    pairs = _translated(doctrine["scenario"])
    assert len(pairs) >= 20          # the name, 9 labels and 11 unit types at least
    found = [english for english, _ in pairs if english in text]
    assert not found, found


@pytest.mark.parametrize("name, shown", [
    # (the TPS guards, busy 0.1% of their duty, are not among the busiest types the run table names)
    ("run", ["Pilkada Jember 2024 — hari pemungutan suara, menurut doktrin", "Kompi Dalmas Lanjut",
             "rata-rata [selang 95%]", "Nilai [selang 95%]"]),   # the brackets are not eaten as rich markup
    ("check", ["Pilkada Jember 2024 — hari pemungutan suara, menurut doktrin", "≤ batas [selang 95%]"]),
    ("drill", ["Pilkada Jember 2024 — hari pemungutan suara, menurut doktrin",
               "laporan 110 di kota", "pengendalian massa saat puncak"]),
    ("replay", ["unjuk rasa di KPU Jember atas hasil penghitungan", "Tim negosiator (Srikandi)"]),
])
def test_the_indonesian_text_is_what_is_shown(doctrine, name, shown):
    text = " ".join(doctrine["outputs"][name].split())
    assert all(words in text for words in shown), [w for w in shown if w not in text]


DECIMAL_POINT = re.compile(r"(?<![\w.-])\d+\.\d+(?![\w.])")
CLOCK_COLON = re.compile(r"(?<![\d:])\d{2}:\d{2}(?![\d:])")


@pytest.mark.parametrize("name", ["run", "check", "replay", "replay-worst"])
def test_numbers_have_a_decimal_comma(doctrine, name):
    """Minutes such as 12.3 print 12,3; counts such as 368315 print 368.315: a dot is only ever between
    thousands (followed by three digits) or in a clock time (16.05)."""
    text = doctrine["outputs"][name]
    assert re.search(r"\d,\d", text)
    points = [m.group() for m in DECIMAL_POINT.finditer(text)
              if not re.fullmatch(r"\d{1,3}(\.\d{3})+|[0-2]\d\.[0-5]\d", m.group())]
    assert not points, points


@pytest.mark.parametrize("name", ["drill", "replay"])
def test_clock_times_are_hh_dot_mm(doctrine, name):
    text = doctrine["outputs"][name]
    assert re.search(r"\b(0\d|1\d|2[0-3])\.[0-5]\d\b", text)
    assert not CLOCK_COLON.findall(text), CLOCK_COLON.findall(text)[:5]


def test_inject_csv_keeps_machine_times_beside_the_indonesian_words(doctrine):
    """inject.csv: ``time`` and the other time columns are HH:MM (a spreadsheet reads them as times), the
    minute has a decimal point; the words are Indonesian."""
    rows = list(csv.DictReader(io.StringIO(doctrine["csv"])))
    assert rows and all(re.fullmatch(r"\d{2}:\d{2}", row["time"]) for row in rows)
    assert all(re.fullmatch(r"\d{2}:\d{2}|tidak pernah", row["first_arrival"]) for row in rows)
    assert any("." in row["minute"] for row in rows) and not any("," in row["minute"] for row in rows)
    assert any(row["label"] == "unjuk rasa di KPU Jember atas hasil penghitungan" for row in rows)


def test_replay_json_keeps_machine_times(doctrine):
    """--format json: clock times HH:MM and minutes as numbers, whatever the language."""
    text = _sispam("replay", doctrine["out"], "--incident", doctrine["protest"]["id"], "--replication", "1",
                   "--format", "json", "--lang", "id")[0]
    events = json.loads(text)["events"]
    assert all(re.fullmatch(r"\d{2}:\d{2}", e["clock"]) and isinstance(e["minute"], float) for e in events)


def test_markdown_shows_the_indonesian_name(doctrine):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "400")
        text = _sispam("run", doctrine["scenario"].file, "-r", "1", "-q", "--lang", "id", "--format", "markdown")[0]
    spec = doctrine["scenario"].spec
    assert spec.name_id in text and spec.name not in text
