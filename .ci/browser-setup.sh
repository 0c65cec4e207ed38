#!/usr/bin/env bash
# Install Debian's Chromium and the Noto CJK fonts for the report's browser test and the
# charts (run as root on a fresh machine; CI). Idempotent: installs only what is missing.
# Quiet: apt's output goes to stderr; stdout carries one line, the chromium path:
#   CHROMIUM="$(bash .ci/browser-setup.sh)"
# No browser is downloaded by Playwright: the tests drive this /usr/bin/chromium.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# fonts-noto-cjk: Chinese glyphs for matplotlib (Noto Sans CJK SC) and for the page itself.
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" \
  || missing+=(fonts-noto-cjk)

if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

path="$(command -v chromium)"
"$path" --version >/dev/null 2>&1 || { echo "browser-setup: $path does not run" >&2; exit 1; }
echo "$path"
