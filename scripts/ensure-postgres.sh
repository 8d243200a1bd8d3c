#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, postgres) are on this
# machine; casework runs its own private cluster with them. Installs Debian's
# postgresql package when they are missing and we may.
set -euo pipefail

have_pg() {
  local d
  for d in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
    [[ -n "$d" && -x "$d/initdb" && -x "$d/postgres" ]] && return 0
  done
  return 1
}

have_pg && exit 0
if [[ -n "${DATABASE_URL:-}" ]]; then
  exit 0 # an existing server is given; no local binaries needed for make dev
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  # Debian starts a system cluster on install; casework does not use it.
  (command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | \
    while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done) || true
  have_pg && exit 0
fi
echo "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: sudo apt-get install -y postgresql)" >&2
echo "or set DATABASE_URL to an existing PostgreSQL server." >&2
exit 1
