"""Look at briefing pages in a real browser, as a room would: headless Chromium renders each page at
laptop (1366x768) and projector (1920x1080) size and prints it to an A4 PDF, and the pages are checked.

    python tools/screenshot_report.py OUT/report.html CMP/comparison.html --out docs/images [--tag jember]
        [--pdf-out DIR] [--first-screen ID ...] [--json FILE] [--no-install]

For each page ``NAME.html`` it writes, into ``--out``:

- ``NAME[-TAG]-laptop.png`` and ``NAME[-TAG]-projector.png``: the first screen at each size;
- ``NAME[-TAG].pdf``: the page printed on A4 (``chromium --print-to-pdf``, no header or footer; into
  ``--pdf-out`` if given), and ``NAME[-TAG]-a4.png``, its first page (``pdftoppm``);

and checks, exiting 1 when any check fails:

- **nothing overflows sideways** at either size: the page is no wider than the window, and no box
  (a table in its scrolling frame) is wider than itself;
- **the first screen holds what the page says it must**: the ids in the page's
  ``<meta name="sispam-first-screen">`` (report.html: ``bottom-line`` and ``targets``; comparison.html:
  ``decision``), or those given with ``--first-screen``, each with
  ``getBoundingClientRect().top < innerHeight`` at both sizes;
- **no word is split in print**: the words of the PDF's text (``pdftotext``) are compared with the
  words of the page; a word broken across two lines shows as two fragments that are not words of
  the page and that join into one that is. A break right after a hyphen (``alun-`` / ``alun``) is
  a line break the text allows, not a split.

The measurements come from a copy of the page with one small inline script (a probe) that writes
them into the page, read back with ``--dump-dom``; the page itself is screenshotted untouched.
``--json FILE`` writes every measurement. Chromium is Debian's ``chromium`` package and pdftotext
and pdftoppm are Debian's ``poppler-utils``: when one is missing the script installs it with the
system package manager (``apt-get``, as root), never a browser build of its own; ``--no-install``
exits 2 instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

SIZES = {"laptop": (1366, 768), "projector": (1920, 1080)}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--disable-extensions", "--mute-audio"]
#: The Debian package that brings each program.
PACKAGES = {"chromium": "chromium", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils",
            "pdfinfo": "poppler-utils"}
#: The first page of the PDF as a PNG, at this resolution (A4 at 80 dpi: 661 x 935 px).
A4_PNG_DPI = 80
#: Reads the page once it has loaded: its width against the window's, every box wider than itself,
#: and where each id the page must show on its first screen begins. Written URL-encoded into a
#: <pre> so that --dump-dom returns it intact.
PROBE = """<script>
window.addEventListener('load', function () {
  var d = document.documentElement, out = {scroll: d.scrollWidth, inner: window.innerWidth,
    height: window.innerHeight, boxes: [], ids: {}};
  var meta = document.querySelector('meta[name="sispam-first-screen"]');
  var wanted = %s || (meta ? meta.content.split(/\\s+/).filter(Boolean) : []);
  document.querySelectorAll('body *').forEach(function (e) {
    var style = getComputedStyle(e);
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1)
      out.boxes.push((e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className) + ' ' + e.scrollWidth +
                     ' px in ' + e.clientWidth);
  });
  wanted.forEach(function (id) {
    var e = document.getElementById(id);
    out.ids[id] = e ? Math.round(e.getBoundingClientRect().top) : null;
  });
  var p = document.createElement('pre');
  p.id = 'sispam-probe';
  p.textContent = 'SISPAM-' + 'PROBE:' + encodeURIComponent(JSON.stringify(out)) + ':END';
  document.body.appendChild(p);
});
</script>"""


def _tool(name: str, install: bool) -> str:
    """The path of ``name``, installing its Debian package with apt-get when it is missing and allowed."""
    candidates = (name, "chromium-browser") if name == "chromium" else (name,)
    for candidate in candidates:
        path = shutil.which(candidate)
        if path:
            return path
    if not install:
        raise SystemExit(f"screenshot_report: {name} is not installed (Debian package {PACKAGES[name]})")
    if shutil.which("apt-get") is None:
        raise SystemExit(f"screenshot_report: {name} is not installed and there is no apt-get to install it")
    print(f"screenshot_report: installing Debian's {PACKAGES[name]} package", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", PACKAGES[name]], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"screenshot_report: {name} still not found after installing {PACKAGES[name]}")
    return path


def tools(install: bool = True) -> dict[str, str]:
    """The programs the checks need, by name: chromium, pdftotext, pdftoppm, pdfinfo."""
    return {name: _tool(name, install) for name in PACKAGES}


def _browse(browser: str, args: list[str], profile: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=180)


# ---------------------------------------------------------------------------------------------- words

class _Text(HTMLParser):
    """The text of a page as a reader (or a printer) gets it: everything but styles and scripts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’«»…"
#: Breaks the text allows after a letter or digit: hyphens, and the dashes of a range (07:00–13:00).
_HYPHENS = ("-", "\u2010", "\u2011", "\u2013", "\u2014")


def _word(token: str) -> str:
    return token.strip(_PUNCTUATION)


def page_words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return {_word(token) for token in " ".join(parser.parts).split()} - {""}


def split_words(pdf_text: str, words: set[str], reach: int = 60) -> list[str]:
    """Words of the page broken across lines in the PDF: a fragment that is not a word of the page,
    followed (within ``reach`` tokens: a table's columns may come between) by another that is not
    either, the two joining into a word of the page. ``["PAS|S", ...]``. A fragment that ends in a
    hyphen or a range's dash after a letter or digit (``alun-``, ``07:00–``) is a break the text
    allows, not a split; an option's own dash (``-`` / ``r``) is not."""
    tokens = [_word(token) for token in pdf_text.split()]
    stray = [i for i, token in enumerate(tokens) if token and token not in words]
    found, used = [], set()
    for k, i in enumerate(stray):
        head = tokens[i]
        if i in used or (head.endswith(_HYPHENS) and len(head) > 2 and head[-2].isalnum()):
            continue
        for j in stray[k + 1:]:
            if j - i > reach:
                break
            if j not in used and head + tokens[j] in words:
                found.append(f"{head}|{tokens[j]}")
                used.update((i, j))
                break
    return found


# ---------------------------------------------------------------------------------------------- checks

def _probe(browser: str, page: Path, size: tuple[int, int], wanted: list[str] | None, folder: Path,
           profile: str) -> dict:
    probe = folder / f"probe-{page.stem}.html"
    script = PROBE % (json.dumps(wanted) if wanted else "null")
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", script + "</body>", 1) if "</body>" in html else html + script,
                     encoding="utf-8")
    dom = _browse(browser, [f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=10000", "--dump-dom",
                            probe.as_uri()], profile).stdout
    found = re.search(r"SISPAM-PROBE:([^:<]*):END", dom)
    if not found:
        return {"error": "the probe did not run (the page did not load?)"}
    return json.loads(unquote(found.group(1)))


def check_page(page: Path, out: Path, programs: dict[str, str], tag: str = "", wanted: list[str] | None = None,
               pdf_out: Path | None = None) -> dict:
    """Screenshots, PDF (into ``pdf_out``, default ``out``) and checks of one page (see the module's
    docstring); the result as a dict with ``ok`` and, per check, what was measured."""
    page = page.resolve()
    stem = f"{page.stem}-{tag}" if tag else page.stem
    result: dict = {"page": str(page), "sizes": {}, "problems": []}
    with tempfile.TemporaryDirectory(prefix="sispam-chromium-") as profile:
        folder = Path(profile)
        for name, size in SIZES.items():
            png = (out / f"{stem}-{name}.png").resolve()
            png.unlink(missing_ok=True)
            _browse(programs["chromium"], [f"--window-size={size[0]},{size[1]}", f"--screenshot={png}",
                                           page.as_uri()], profile)
            measured = _probe(programs["chromium"], page, size, wanted, folder, profile)
            measured["png"] = str(png) if png.is_file() else None
            result["sizes"][name] = measured
            if measured["png"] is None:
                result["problems"].append(f"{name}: no screenshot made")
            if "error" in measured:
                result["problems"].append(f"{name}: {measured['error']}")
                continue
            if measured["scroll"] > measured["inner"]:
                result["problems"].append(f"{name}: the page is {measured['scroll']} px wide in a "
                                          f"{measured['inner']} px window")
            result["problems"] += [f"{name}: {box} scrolls sideways" for box in measured["boxes"]]
            for id_, top in measured["ids"].items():
                if top is None:
                    result["problems"].append(f"{name}: no #{id_} on the page")
                elif not top < measured["height"]:
                    result["problems"].append(f"{name}: #{id_} begins at {top} px, below the first screen "
                                              f"({measured['height']} px)")
        pdf = ((pdf_out or out) / f"{stem}.pdf").resolve()
        pdf.unlink(missing_ok=True)
        _browse(programs["chromium"], ["--no-pdf-header-footer", "--print-to-pdf-no-header",
                                       "--virtual-time-budget=10000", f"--print-to-pdf={pdf}", page.as_uri()], profile)
    if not pdf.is_file():
        result["problems"].append("print: no PDF made")
        result["ok"] = False
        return result
    text = subprocess.run([programs["pdftotext"], "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    info = subprocess.run([programs["pdfinfo"], str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
    paper = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    splits = split_words(text, page_words(page.read_text(encoding="utf-8")))
    first = out / f"{stem}-a4"
    subprocess.run([programs["pdftoppm"], "-png", "-r", str(A4_PNG_DPI), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(first)], check=True)
    result["print"] = {"pdf": str(pdf), "png": f"{first}.png", "pages": int(pages.group(1)) if pages else None,
                       "paper_pt": [float(paper.group(1)), float(paper.group(2))] if paper else None,
                       "words": len(text.split()), "split": splits}
    if splits:
        result["problems"].append(f"print: {len(splits)} word(s) split across lines: {', '.join(splits[:10])}")
    if paper and not (abs(float(paper.group(1)) - 595.3) < 2 and abs(float(paper.group(2)) - 841.9) < 2):
        result["problems"].append(f"print: the paper is {paper.group(1)} x {paper.group(2)} pt, not A4")
    result["ok"] = not result["problems"]
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path, nargs="+", help="the HTML pages (report.html, comparison.html, ...)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the PNGs and PDFs")
    parser.add_argument("--tag", default="", help="added to every file name: report-TAG-laptop.png")
    parser.add_argument("--pdf-out", type=Path, help="folder for the PDFs (default: --out)")
    parser.add_argument("--first-screen", action="append", metavar="ID",
                        help="an id that must begin on the first screen (instead of the page's own list)")
    parser.add_argument("--json", type=Path, help="write every measurement to this file")
    parser.add_argument("--no-install", action="store_true", help="exit 2 when Chromium or poppler-utils is missing")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.pages if not p.is_file()]
    if missing:
        print(f"screenshot_report: no such page: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        programs = tools(install=not args.no_install)
    except SystemExit as err:
        print(err, file=sys.stderr)
        return 2
    for folder in (args.out, args.pdf_out or args.out):
        folder.mkdir(parents=True, exist_ok=True)
    results = [check_page(page, args.out, programs, args.tag, args.first_screen, args.pdf_out) for page in args.pages]
    for result in results:
        print(f"{result['page']}: {'ok' if result['ok'] else 'PROBLEMS'}")
        for name, measured in result["sizes"].items():
            if "error" not in measured:
                tops = ", ".join(f"#{k} at {v} px" for k, v in measured["ids"].items())
                print(f"  {name}: {measured['scroll']} px wide in {measured['inner']} x {measured['height']}; "
                      f"{tops or 'no first-screen ids'}; {measured['png']}")
        if "print" in result:
            p = result["print"]
            print(f"  A4: {p['pages']} page(s), {p['words']} words, {len(p['split'])} split; {p['pdf']}")
        for problem in result["problems"]:
            print(f"  problem: {problem}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
