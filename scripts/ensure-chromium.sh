#!/usr/bin/env bash
# Makes sure Debian's Chromium is on this machine: the browser tests in e2e/
# drive it headless (through chromedp). Installs the chromium package when it
# is missing and we may, and a Chinese font (fonts-wqy-zenhei) when there is
# none, so the screenshots show 简体中文 rather than empty boxes.
# CASEWORK_CHROMIUM names another binary.
set -euo pipefail

bin="${CASEWORK_CHROMIUM:-/usr/bin/chromium}"
have_cjk() { command -v fc-list >/dev/null && [[ -n "$(fc-list :lang=zh 2>/dev/null)" ]]; }
root_apt() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; }

if [[ -x "$bin" ]] && { have_cjk || ! root_apt; }; then
  exit 0
fi
if root_apt; then
  export DEBIAN_FRONTEND=noninteractive
  pkgs=()
  [[ -x "$bin" ]] || { echo "Chromium not found at $bin; installing Debian's chromium package (for the browser tests)"; pkgs+=(chromium); }
  have_cjk || { echo "no Chinese font; installing fonts-wqy-zenhei (for readable screenshots)"; pkgs+=(fonts-wqy-zenhei); }
  apt-get update -qq && apt-get install -y -qq "${pkgs[@]}" >/dev/null
  [[ -x "$bin" ]] && exit 0
fi
echo "Chromium not found at $bin. Install it (Debian/Ubuntu: sudo apt-get install -y chromium)" >&2
echo "or set CASEWORK_CHROMIUM to a Chromium or Chrome binary." >&2
exit 1
