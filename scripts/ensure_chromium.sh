#!/usr/bin/env bash
# Make Debian's chromium available for the browser tests (tests/web/test_web_page.py, test_web_xss.py,
# tests/brief/), and poppler-utils' pdftotext, which the brief tests use to read the PDFs chromium prints.
#
# Idempotent: installs the packages only when /usr/bin/chromium or /usr/bin/pdftotext is missing. The tests drive it through
# Playwright's API but never a downloaded browser build (there is no such download here).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/pdftotext ] || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
echo "ensure_chromium: installing Debian's ${missing[*]}" >&2
as_root apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
