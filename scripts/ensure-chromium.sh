#!/usr/bin/env bash
# Makes sure Debian's Chromium is on this machine: the browser tests in e2e/
# drive it headless (through chromedp). Installs the chromium package when it
# is missing and we may. CASEWORK_CHROMIUM names another binary.
set -euo pipefail

bin="${CASEWORK_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$bin" ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Chromium not found at $bin; installing Debian's chromium package (for the browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  [[ -x "$bin" ]] && exit 0
fi
echo "Chromium not found at $bin. Install it (Debian/Ubuntu: sudo apt-get install -y chromium)" >&2
echo "or set CASEWORK_CHROMIUM to a Chromium or Chrome binary." >&2
exit 1
