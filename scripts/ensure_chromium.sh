#!/usr/bin/env bash
# Make Debian's chromium available for the browser tests (tests/web/test_web_page.py, test_web_xss.py).
#
# Idempotent: installs the package only when /usr/bin/chromium is missing. The tests drive it through
# Playwright's API but never a downloaded browser build (there is no such download here).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
echo "ensure_chromium: installing Debian's chromium package" >&2
as_root apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >&2
