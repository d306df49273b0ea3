"""A brief as PDF: its HTML printed by headless chromium (the browser the page's tests drive).

Chromium opens the HTML from a private temporary folder with networking and
no scripts to run; the HTML's own Content-Security-Policy forbids any fetch anyway.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from armstrack.errors import ArmstrackError

CHROMIUM_ENV = "ARMSTRACK_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Printing a brief takes ~1-2 s on 2 cores; a cold first start of chromium up to ~10 s.
PRINT_TIMEOUT = 90
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw")


class BriefError(ArmstrackError):
    """A brief that cannot be produced (no chromium for a PDF, or chromium failed)."""


def find_chromium() -> str:
    """$ARMSTRACK_CHROMIUM, else the first chromium or chrome on the PATH."""
    if configured := os.environ.get(CHROMIUM_ENV):
        return configured
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    raise BriefError(f"a PDF brief needs chromium: install it (apt-get install chromium) or set ${CHROMIUM_ENV}")


def html_to_pdf(html: str, chromium: str | None = None) -> bytes:
    """Print ``html`` to PDF (A4 by chromium's default margins) and return the PDF's bytes."""
    browser = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="armstrack-brief-") as tmp:
        source, target = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        source.write_text(html, encoding="utf-8")
        command = [browser, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}",
                   source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BriefError(f"chromium could not print the brief: {exc}") from exc
        if not target.exists() or target.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise BriefError(f"chromium did not write a PDF (exit {done.returncode}): {detail[0]}")
        return target.read_bytes()
