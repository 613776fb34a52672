#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download is not allowed
# here). Install it when missing and we can; otherwise those tests skip with a reason.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "note: /usr/bin/chromium is missing and cannot be installed here;" \
       "the browser tests will be skipped (install Debian's 'chromium' to run them)." >&2
fi
