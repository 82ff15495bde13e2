#!/usr/bin/env bash
# Builds the production Temporal server from Go modules, once, into the git-ignored .tools/:
#   .tools/temporal-server-1.32.0/temporal-server     (go.temporal.io/server/cmd/server)
#   .tools/temporal-server-1.32.0/temporal-sql-tool   (go.temporal.io/server/cmd/tools/sql)
#   .tools/temporal-server-1.32.0/schema/postgresql/v12/{temporal,visibility}/versioned
#                                                      (copied from the module source, for update-schema)
# Used by tools/temporal-cluster.sh (the PostgreSQL-backed cluster). Needs Go and the Go
# module proxy only (no GitHub, no Docker). Build flags as upstream's Makefile (CGO_ENABLED=0,
# -tags disable_grpc_modules), plus -trimpath (no local paths in binaries and logs).
# GOPATH, GOCACHE, GOMODCACHE, GOPROXY and CGO_ENABLED are taken from the environment when set.
# Measured on 2 vCPUs: about 5 minutes with empty module and build caches, 9-15 s with warm ones.
# Runs from any directory; with everything in place it only checks the versions (well under 1 s).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=ensure-temporal-server
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
TOOLS="$ROOT/.tools"
TEMPORAL_SERVER_VERSION=1.32.0
MODULE=go.temporal.io/server
GO_MIN_VERSION=1.26.8 # the `go` line of go.temporal.io/server v1.32.0's go.mod
DEST="$TOOLS/temporal-server-$TEMPORAL_SERVER_VERSION"
STAMP="$DEST/stamp"

mkdir -p "$TOOLS"

# One build at a time per checkout (npm run start:cluster and a CI job may race on a fresh clone).
exec 9>"$TOOLS/.temporal-server.lock"
flock 9


# Both binaries report the server version (headers.ServerVersion) with --version.
reports_version() { # reports_version BINARY
  [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -Eq " version ${TEMPORAL_SERVER_VERSION//./\\.}$"
}
is_complete() { # is_complete DIR
  reports_version "$1/temporal-server" && reports_version "$1/temporal-sql-tool" &&
    [[ -d "$1/schema/postgresql/v12/temporal/versioned" && -d "$1/schema/postgresql/v12/visibility/versioned" ]]
}

if [[ -f "$STAMP" ]] && is_complete "$DEST"; then
  note "Temporal server v$TEMPORAL_SERVER_VERSION ready ($DEST)"
  exit 0
fi

# --- Go ----------------------------------------------------------------------------------

go_hint="install Go $GO_MIN_VERSION or later from https://go.dev/dl or apt-get install golang (Go 1.21+ also works when GOTOOLCHAIN allows it to fetch go$GO_MIN_VERSION through the module proxy)"
command -v go >/dev/null 2>&1 || die "go not found: building the Temporal server v$TEMPORAL_SERVER_VERSION needs Go: $go_hint"
go_version="$(go env GOVERSION 2>/dev/null || true)"
go_toolchain="$(go env GOTOOLCHAIN 2>/dev/null || true)"
version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }
if ! version_at_least "${go_version#go}" "$GO_MIN_VERSION"; then
  # Go 1.21+ switches to the toolchain a module asks for, unless GOTOOLCHAIN=local forbids it.
  if ! version_at_least "${go_version#go}" 1.21 || [[ "$go_toolchain" == local ]]; then
    die "Go ${go_version:-unknown} (GOTOOLCHAIN=${go_toolchain:-unset}) cannot build Temporal server v$TEMPORAL_SERVER_VERSION, which needs go$GO_MIN_VERSION: $go_hint"
  fi
  note "Go $go_version is older than $GO_MIN_VERSION: go will fetch the go$GO_MIN_VERSION toolchain (GOTOOLCHAIN=$go_toolchain)"
fi

# --- build -------------------------------------------------------------------------------
# `go install pkg@version` builds in module mode from the proxy, with the module's own go.sum
# (v1.32.0's go.mod has no replace directives, so no throwaway module is needed).

note "building Temporal server v$TEMPORAL_SERVER_VERSION from Go modules with $go_version (CGO_ENABLED=${CGO_ENABLED:-0}; several minutes with an empty build cache)"
started_at=$EPOCHREALTIME
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
CGO_ENABLED="${CGO_ENABLED:-0}" GOBIN="$DEST.tmp" \
  go install -trimpath -tags disable_grpc_modules "$MODULE/cmd/server@v$TEMPORAL_SERVER_VERSION" "$MODULE/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" ||
  die "go install failed (messages above): check the Go module proxy ($(go env GOPROXY)) is reachable"
build_ms=$(elapsed_ms "$started_at")
mv "$DEST.tmp/server" "$DEST.tmp/temporal-server"
mv "$DEST.tmp/sql" "$DEST.tmp/temporal-sql-tool"

# The versioned schema ships in the module source, which go install just put in the module cache.
module_dir="$(go env GOMODCACHE)/$MODULE@v$TEMPORAL_SERVER_VERSION"
for schema in temporal visibility; do
  src="$module_dir/schema/postgresql/v12/$schema/versioned"
  [[ -d "$src" ]] || die "the module source has no $src"
  mkdir -p "$DEST.tmp/schema/postgresql/v12/$schema"
  cp -R "$src" "$DEST.tmp/schema/postgresql/v12/$schema/"
done
chmod -R u+w "$DEST.tmp/schema" # module-cache files are read-only; keep the copy removable

is_complete "$DEST.tmp" || die "the build finished but $DEST.tmp does not hold v$TEMPORAL_SERVER_VERSION binaries and schema ($("$DEST.tmp/temporal-server" --version 2>&1 || true))"
printf 'version=%s go=%s built=%s\n' "$TEMPORAL_SERVER_VERSION" "$go_version" "$(date -u +%FT%TZ)" >"$DEST.tmp/stamp"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"

note "$("$DEST/temporal-server" --version), $("$DEST/temporal-sql-tool" --version)"
note "built Temporal server v$TEMPORAL_SERVER_VERSION in $(fmt_ms "$build_ms") ($DEST)"
