"""Links and paths in the docs lead somewhere.

* Every relative Markdown link (``[text](target)``, images, ``[ref]: target`` definitions) in
  README.md, docs/*.md, scenarios/**/README.md and benchmarks/README.md points to a file or
  folder that exists, and its ``#anchor`` to a heading of the target (GitHub's slugs) or to an
  ``<a id=...>``. Links to other sites are not fetched.
* Every path that those files or the comments of scenarios/**/*.yaml mention
  (``docs/domain.md``, ``scenarios/plans/*.yaml``, ``../docs/model.md``) exists, beside the
  mentioning file or at the repository root. A path counts as a mention of this repository when
  it starts with ``../``, one of the repository's folders (``REPO_FOLDERS``) or a folder beside
  a Markdown file below the root (``plans/`` in scenarios/README.md); so another project's path
  (``prisma/data/...``), a file the user makes (``./sispam-sim.schema.json``) and a rate
  (``6/h``) are left alone.
* Every section named in quotes after a document (``the README's "Quick start"``,
  ``domain.md "Suggested model defaults"``, ``docs/model.md ("Statistics")``) begins a heading
  of that document; a bare ``README`` is the repository's, a bare ``domain.md`` may be in docs/.
* No absolute path into a checkout (``/home/me/sispam-sim/docs/x.md``): it exists on no
  other machine.

Headings and links inside fenced code blocks are not links; paths inside them (the commands
the docs tell you to run) are still checked. Every failure names file:line.
"""

from __future__ import annotations

import difflib
import glob
import re
import sys
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "scenarios").rglob("README.md")),
    ROOT / "benchmarks" / "README.md",
]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))
# The folders a path written from the repository root starts with.
REPO_FOLDERS = {"docs", "scenarios", "tests", "sispam_sim", "benchmarks", "tools", ".ci"}

FENCE = re.compile(r"^ {0,3}(```|~~~)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:id|name)=\"([^\"]+)\"")
CODE_SPAN = re.compile(r"`[^`]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)")
EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")  # https:, mailto:, //host
URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
RELATIVE_PATH = re.compile(r"(?<![\w.:/@~%-])((?:[\w.-]+/)+[\w.*?-]*)")
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/@~%-])~?(/[\w.-]+)+/?")
SECTION_REFERENCE = re.compile(r"(?<![\w./-])([\w./-]*README|[\w./-]+\.md)(?:['’]s)?\s+\(?[\"“]([^\"”]+)[\"”]")
YAML_COMMENT = re.compile(r"(?:^|\s)#(.*)$")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def numbered_lines(path: Path, *, prose_only: bool):
    """(line number, line) of a Markdown file; with ``prose_only``, outside fenced code blocks."""
    fence = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        mark = FENCE.match(line)
        if mark and (fence is None or mark.group(1) == fence):
            fence = mark.group(1) if fence is None else None
            continue
        if fence is None or not prose_only:
            yield number, line


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: the rendered text, lower case, with every character
    but letters, digits, ``_``, ``-`` and spaces removed, then each space made a ``-``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link renders as its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    kept = "".join(c for c in text if c in " _-" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Every anchor of a Markdown file: its headings' slugs (a repeated one gets -1, -2, ...)
    and its explicit ``<a id="...">`` / ``<a name="...">``."""
    found: set[str] = set()
    used: Counter[str] = Counter()
    for _, line in numbered_lines(path, prose_only=True):
        found.update(HTML_ANCHOR.findall(line))
        heading = HEADING.match(line)
        if heading:
            slug = github_slug(heading.group(1))
            found.add(f"{slug}-{used[slug]}" if used[slug] else slug)
            used[slug] += 1
    return frozenset(found)


def link_problem(source: Path, target: str) -> str | None:
    """What is wrong with a link from ``source`` to ``target``, or None."""
    if EXTERNAL.match(target):
        return None
    address, _, anchor = target.partition("#")
    address = unquote(address)
    if address.startswith("/"):
        return f"({target}) is an absolute link: write it relative to {rel(source)}"
    destination = (source.parent / address).resolve() if address else source
    if not destination.exists():
        return f"({target}) leads to {rel(destination)}, which does not exist"
    if not destination.is_relative_to(ROOT):
        return f"({target}) leads out of the repository, to {destination}"
    if anchor and destination.suffix == ".md" and unquote(anchor) not in anchors(destination):
        close = difflib.get_close_matches(anchor, anchors(destination), n=1)
        hint = f' (did you mean "#{close[0]}"?)' if close else ""
        return f"({target}): {rel(destination)} has no heading with the anchor #{anchor}{hint}"
    return None


def section_problem(source: Path, document: str, section: str) -> str | None:
    """What is wrong with a mention of ``section`` of ``document``, or None."""
    if document == "README":
        candidates = [ROOT / "README.md"]
    else:
        candidates = [source.parent / document, ROOT / document, ROOT / "docs" / document]
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        return f'{document} (named with its section "{section}") does not exist'
    wanted = github_slug(section)
    if not any(anchor.startswith(wanted) for anchor in anchors(path)):
        return f'{rel(path)} has no section "{section}"'
    return None


def mention_problems(source: Path, text: str) -> list[str]:
    """What is wrong with the paths and sections that ``text`` (a line of ``source``) mentions."""
    text = URL.sub("", text)
    problems = [problem for document, section in SECTION_REFERENCE.findall(text)
                if (problem := section_problem(source, document, section))]
    for match in ABSOLUTE_PATH.finditer(text):
        parts = match.group(0).strip("/").split("/")
        inside = [i for i, part in enumerate(parts[:-1]) if part in REPO_FOLDERS]
        if inside:
            relative = "/".join(parts[inside[0]:])
            exists = "" if (ROOT / relative).exists() else f", and {relative} does not exist"
            problems.append(f"{match.group(0)} is an absolute path that exists on no other machine: "
                            f"write it relative to the repository, as {relative}{exists}")
    folders_beside = set() if source.parent == ROOT else {p.name for p in source.parent.iterdir() if p.is_dir()}
    for match in RELATIVE_PATH.finditer(text):
        path = match.group(1).rstrip(".,;:").removeprefix("./")
        first = path.split("/", 1)[0]
        if first not in REPO_FOLDERS | folders_beside | {".."}:
            continue
        bases = [source.parent, ROOT]
        if not any(glob.glob(str(base / path)) for base in bases):
            problems.append(f"{path} exists neither beside {rel(source)} nor at the repository root")
    return problems


def located(source: Path, number: int, problem: str) -> str:
    return f"{rel(source)}:{number}: {problem}"


@pytest.mark.parametrize("source", MARKDOWN, ids=rel)
def test_relative_links_lead_to_a_file_and_heading(source):
    problems = []
    for number, line in numbered_lines(source, prose_only=True):
        prose = CODE_SPAN.sub("", line)
        for target in INLINE_LINK.findall(prose) + LINK_DEFINITION.findall(prose):
            problem = link_problem(source, target)
            if problem:
                problems.append(located(source, number, problem))
    assert not problems, "broken links:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("source", MARKDOWN, ids=rel)
def test_paths_the_docs_mention_exist(source):
    lines = list(numbered_lines(source, prose_only=False))
    # help text in docs/cli.md wraps at hyphens ("docs/scenario-" + "format.md"): join such words again
    joined = [(number, line + lines[k + 1][1].lstrip() if line.endswith("-") and k + 1 < len(lines) else line)
              for k, (number, line) in enumerate(lines)]
    problems = [located(source, number, problem)  # link targets are checked above
                for number, line in joined
                for problem in mention_problems(source, LINK_TARGET.sub("]", line))]
    assert not problems, "references that lead nowhere:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("source", SCENARIOS, ids=rel)
def test_paths_scenario_comments_mention_exist(source):
    problems = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        comment = YAML_COMMENT.search(line)
        if comment:
            problems += [located(source, number, p) for p in mention_problems(source, comment.group(1))]
    assert not problems, "references that lead nowhere:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(("heading", "slug"), [
    ("Quick start", "quick-start"),
    ("`extends`", "extends"),
    ("What `validate` checks", "what-validate-checks"),
    ("Editor set-up (JSON Schema)", "editor-set-up-json-schema"),
    ("Scenario format, version 1", "scenario-format-version-1"),
    ("Waktu tanggap — ringkasan", "waktu-tanggap--ringkasan"),
    ("[docs/model.md](docs/model.md) in short", "docsmodelmd-in-short"),
    ("per_kind targets", "per_kind-targets"),
])
def test_github_slugs(heading, slug):
    assert github_slug(heading) == slug


def test_the_checker_finds_what_it_is_for(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "domain.md").write_text("# Domain\n\n## Sources\n\n## Sources\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")

    assert link_problem(readme, "docs/domain.md#sources-1") is None
    assert link_problem(readme, "https://example.org/nowhere") is None
    assert "has no heading with the anchor #source" in link_problem(readme, "docs/domain.md#source")
    assert 'did you mean "#sources"' in link_problem(readme, "docs/domain.md#source")
    assert "does not exist" in link_problem(readme, "docs/domain.md.md")
    assert "#scenario-format" in link_problem(readme, "#scenario-format")

    assert mention_problems(readme, "see docs/domain.md, ./docs/domain.md, 6/h, prisma/data/x.ts") == []
    (absolute,) = mention_problems(readme, "# [S x.y] = sourced (section of /work/shared/docs/domain.md.md)")
    assert "as docs/domain.md.md, and docs/domain.md.md does not exist" in absolute
    assert mention_problems(readme, 'the README\'s "Title", domain.md "Domain" and docs/domain.md ("Sources")') == []
    assert mention_problems(readme, 'the README\'s "Scenario format"') == ['README.md has no section "Scenario format"']
    assert mention_problems(readme, "`docs/model.md`") == ["docs/model.md exists neither beside README.md "
                                                           "nor at the repository root"]
