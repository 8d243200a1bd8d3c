#!/usr/bin/env bash
# Fetches the workbench's and the API docs' third-party browser assets from
# the npm registry at pinned versions (npm pack, no install, no build step)
# into web/vendor/, and checks them against web/vendor/SHA256SUMS. The files
# are committed, so neither make dev nor make test needs the registry; run
# this only to re-fetch or to check them (scripts/vendor-web.sh --check).
#
#   @stoplight/elements 9.0.15  web-components.min.js, styles.min.css  (/docs)
#   echarts             5.6.0   dist/echarts.min.js                    (驾驶舱)
set -euo pipefail
cd "$(dirname "$0")/../web/vendor"

if [[ "${1:-}" != "--check" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @stoplight/elements@9.0.15 echarts@5.6.0 >/dev/null)
  tar -xzf "$tmp/stoplight-elements-9.0.15.tgz" -C "$tmp" package/web-components.min.js package/styles.min.css package/LICENSE
  cp "$tmp/package/web-components.min.js" "$tmp/package/styles.min.css" elements/
  cp "$tmp/package/LICENSE" elements/LICENSE
  rm -rf "$tmp/package"
  tar -xzf "$tmp/echarts-5.6.0.tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE
  cp "$tmp/package/dist/echarts.min.js" echarts/
  cp "$tmp/package/LICENSE" echarts/LICENSE
fi
sha256sum --check --quiet SHA256SUMS
echo "web/vendor: every file matches SHA256SUMS"
