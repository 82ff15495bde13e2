#!/usr/bin/env bash
# Checks CaseClock's Prometheus alert rules (docs/operations/caseclock-alerts.yml) with promtool:
# `promtool check rules` (syntax, PromQL, templates), then `promtool test rules` (the unit tests
# beside it: each alert fires when it should, and not before). Run by `npm test` (test.sh).
#
# promtool: $PROMTOOL, else a `promtool` on PATH, else the one cached in the git-ignored
# .tools/promtool/, else taken from Debian's `prometheus` package into .tools/promtool/ (apt-get
# download and dpkg-deb: only the promtool binary is kept, no server is installed or started;
# about 5 seconds, a 19 MB download). Building promtool from Go modules instead
# (go install github.com/prometheus/prometheus/cmd/promtool) took over 12 minutes here with cold
# caches, for 1.8 GB of modules: too slow for a clean clone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=check-alerts
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
DEST="$ROOT/.tools/promtool"
RULES="$ROOT/docs/operations/caseclock-alerts.yml"


promtool="${PROMTOOL:-}"
if [[ -z "$promtool" ]] && command -v promtool >/dev/null 2>&1; then promtool="$(command -v promtool)"; fi
if [[ -z "$promtool" && -x "$DEST/promtool" ]]; then promtool="$DEST/promtool"; fi
if [[ -z "$promtool" ]]; then
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 ||
    die "promtool not found: install Prometheus's promtool (apt-get install prometheus, or go install github.com/prometheus/prometheus/cmd/promtool@latest) or set PROMTOOL"
  if [[ -z "$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]]; then
    [[ "$(id -u)" == 0 ]] || die "promtool not found and apt knows no prometheus package: run sudo apt-get update (or set PROMTOOL)"
    say "apt-get update (to find Debian's prometheus package)"
    apt-get update -qq
  fi
  work="$(mktemp -d)"
  chmod 755 "$work" # apt's download user must be able to write here when run as root
  say "taking promtool from Debian's prometheus package into $DEST"
  (cd "$work" && apt-get download -qq prometheus 2>/dev/null) || die "apt-get download prometheus failed"
  deb="$(ls "$work"/prometheus_*.deb)"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./usr/bin/promtool
  mkdir -p "$DEST"
  mv "$work/usr/bin/promtool" "$DEST/promtool.new"
  mv "$DEST/promtool.new" "$DEST/promtool"
  rm -rf "$work"
  promtool="$DEST/promtool"
fi
"$promtool" --version 2>&1 | head -n 1 | sed 's/^/check-alerts: /'
"$promtool" check rules "$RULES"
# The unit tests name the rules file relative to themselves.
cd "$ROOT/docs/operations"
"$promtool" test rules caseclock-alerts.test.yml caseclock-alerts-bst.test.yml
# Every query of the Grafana dashboard parses as PromQL too (each checked as a recording rule).
dashboard_rules="$(mktemp)"
trap 'rm -f "$dashboard_rules"' EXIT
node -e '
  const d = require(process.argv[1]);
  const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  console.log("groups:\n  - name: grafana-caseclock\n    rules:");
  exprs.forEach((e, i) => console.log(`      - record: caseclock_dashboard_query_${i}\n        expr: ${JSON.stringify(e)}`));
' "$ROOT/docs/operations/grafana-caseclock.json" >"$dashboard_rules"
"$promtool" check rules "$dashboard_rules" | sed 's/^/dashboard /'
