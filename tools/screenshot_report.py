"""Look at a report in a real browser: render it with the system's headless Chromium to PNG at
laptop (1366x768) and projector (1920x1080) sizes, and check that nothing overflows sideways.

    python tools/screenshot_report.py OUT/report.html --out docs/images [--full-height 2400]

Chromium is Debian's ``chromium`` package; when it is missing the script installs it with the
system package manager (``apt-get``), never a browser build of its own. The overflow check loads a
copy of the report with one small inline script that writes ``scrollWidth`` and ``innerWidth`` into
the page, and reads them back with ``--dump-dom``. Exit 1 when the page overflows at any size.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = {"laptop": (1366, 768), "projector": (1920, 1080)}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
PROBE = ("<script>window.addEventListener('load',function(){var d=document.documentElement;"
         "var p=document.createElement('pre');p.id='sispam-probe';"
         "p.textContent='scroll='+d.scrollWidth+' inner='+window.innerWidth;document.body.appendChild(p);});</script>")


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if shutil.which("apt-get") is None:
        sys.exit("screenshot_report: chromium is not installed and there is no apt-get to install it")
    print("screenshot_report: installing Debian's chromium package", file=sys.stderr)
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", "chromium"], check=True)
    return shutil.which("chromium") or sys.exit("screenshot_report: chromium still not found")


def browse(browser: str, args: list[str], profile: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the PNGs")
    parser.add_argument("--full-height", type=int, default=0,
                        help="also take a taller laptop-width screenshot of this height (for the README)")
    args = parser.parse_args(argv)
    browser = chromium()
    args.out.mkdir(parents=True, exist_ok=True)
    page = args.report.resolve()
    failed = False
    with tempfile.TemporaryDirectory(prefix="sispam-chromium-") as profile:
        probe = Path(profile) / "probe.html"
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
        shots = {name: size for name, size in SIZES.items()}
        if args.full_height:
            shots["laptop-full"] = (SIZES["laptop"][0], args.full_height)
        for name, (width, height) in shots.items():
            png = (args.out / f"{page.stem}-{name}.png").resolve()
            browse(browser, [f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()], profile)
            if not png.is_file():
                print(f"{name}: no screenshot made", file=sys.stderr)
                failed = True
                continue
            dom = browse(browser, [f"--window-size={width},{height}", "--dump-dom", probe.as_uri()], profile).stdout
            found = re.search(r"scroll=(\d+) inner=(\d+)", dom)
            if not found:
                print(f"{name}: could not measure the page width", file=sys.stderr)
                failed = True
                continue
            scroll, inner = int(found.group(1)), int(found.group(2))
            ok = scroll <= inner
            failed |= not ok
            print(f"{name} {width}x{height}: {png} ({png.stat().st_size / 1024:.0f} KB); page width {scroll} px "
                  f"in a {inner} px window: {'fits' if ok else 'OVERFLOWS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
