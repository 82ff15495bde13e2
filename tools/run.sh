#!/usr/bin/env bash
# `npm start`: the whole system on this machine.
#   1. tools/ensure-tools.sh (Node 24 LTS when the machine's is older, node_modules,
#      Temporal CLI 1.9.1; not the Java test server, which only npm test needs)
#   2. a Temporal dev server (SQLite .data/temporal.sqlite, so cases survive restarts; Web UI)
#   3. the codec server (client/codec-server/main.ts), when encryption keys are set
#   4. the worker (worker/main.ts) and the console (client/console/main.ts)
# Settings come from the environment, then from .env if present (the environment wins):
#   TEMPORAL_ADDRESS (default 127.0.0.1:7233; a non-local address means no local dev server),
#   TEMPORAL_UI_PORT (default 8233), CONSOLE_PORT / CONSOLE_PUBLIC_URL (default 8080),
#   CASECLOCK_DATA_DIR (default .data: the SQLite file and logs/),
#   CASECLOCK_ENV_FILE (default .env at the top of the checkout),
#   CASECLOCK_SSD_SOURCE (unset: the worker syncs from a synthetic council's CSV extracts in
#   .data/ssd-demo, made once by tools/ssd/demo.ts; CASECLOCK_SSD_DEMO=off for no sync at all).
# .data and everything in it, and .env, are kept readable by this user only (umask 077;
# tools/lib.sh's private_dir tightens what is already there). Logs go to .data/logs/. Ctrl-C stops everything cleanly (console, worker, then Temporal).
#
# `npm run start:cluster` (run.sh --cluster): the production shape instead. Temporal server v1.32.0
# built from Go modules on PostgreSQL (tools/temporal-cluster.sh; state in .data/temporal-pg/),
# the case record in a database of the same PostgreSQL, and two worker processes. No Web UI
# (the dev server's is built into the CLI); use `temporal` with the address printed.
set -euo pipefail
cluster=""
if [[ "${1:-}" == "--cluster" ]]; then cluster=1; fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=caseclock
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
cd "$ROOT"
DATA="${CASECLOCK_DATA_DIR:-$ROOT/.data}"
LOGS="$DATA/logs"
READY_FILE="$DATA/dev-server.json"
cluster_script="$ROOT/tools/temporal-cluster.sh"


bash "$ROOT/tools/ensure-tools.sh"
# npm may have started this on an older Node: everything from here on runs on the Node
# ensure-tools chose (.tools/node/bin when the machine's is older).
use_tools_node

# Everything made from here on (case data, caught mail, logs, the first password) is this user's only.
umask 077

# --- settings ----------------------------------------------------------------------------

# .env is read by common/env-file.ts, the one reader (the same rules for `npx caseclock` and
# users.ts): it prints KEY=VALUE, NUL-ended, for each setting the environment lacks. A variable
# already set here wins, as in the environment.
env_file="${CASECLOCK_ENV_FILE:-$ROOT/.env}"
if [[ -f "$env_file" ]]; then
  tightened="$(private_file "$env_file")"
  mapfile -d '' -t env_settings < <(node --import tsx "$ROOT/common/env-file.ts" "$env_file")
  wait $! || { say "could not read settings from $env_file" >&2; exit 1; }
  for setting in "${env_settings[@]}"; do
    [[ -v "${setting%%=*}" ]] || export "$setting"
  done
  # It holds the encryption keys and secrets: a copy of .env.example is world-readable.
  if [[ -n "$tightened" ]]; then
    say "read settings from $env_file (made it readable by you only: it holds keys)"
  else
    say "read settings from $env_file"
  fi
fi

TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
export TEMPORAL_ADDRESS
temporal_host="${TEMPORAL_ADDRESS%:*}"
temporal_port="${TEMPORAL_ADDRESS##*:}"
ui_port="${TEMPORAL_UI_PORT:-8233}"
console_url="${CONSOLE_PUBLIC_URL:-http://localhost:${CONSOLE_PORT:-8080}}"

private_dir "$DATA"
mkdir -p "$LOGS"

# --- process bookkeeping -----------------------------------------------------------------

# Every child runs in its own process group (job control on), so a signal reaches all of
# its processes (npx/tsx/node) and the terminal's Ctrl-C reaches only this script.
set -m
names=() # in start order
pids=()
logs=()
dev_server_pid=""

start() { # start NAME LOGFILE COMMAND...
  local name=$1 log=$2
  shift 2
  "$@" >>"$log" 2>&1 </dev/null &
  names+=("$name")
  pids+=("$!")
  logs+=("$log")
}


# wait_ready NAME SECONDS LOG LOGS_SHOWN CHECK...: waits until CHECK succeeds for the process
# started last; if it dies, shows the end of LOG, and if it takes too long, says so; both exit.
wait_ready() {
  local name=$1 seconds=$2 log=$3 shown=$4
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" 2>/dev/null; do
    if ! alive "${pids[-1]}"; then
      tail -n 20 "$log" >&2 || true
      say "$name did not start (logs: $shown)" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      say "$name did not answer within $seconds s (logs: $shown)" >&2
      exit 1
    fi
    sleep 0.2
  done
}

stop_group() { # stop_group NAME PID GRACE_SECONDS
  local name=$1 pid=$2 grace=$3
  alive "$pid" || return 0
  say "stopping $name"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if alive "$pid"; then
    say "$name did not stop within ${grace}s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

stopping=""
stop_all() {
  [[ -z "$stopping" ]] || return 0
  stopping=1
  trap - INT TERM
  local i
  # Reverse start order: console and worker first (the worker drains in-flight emails,
  # up to its 20 s shutdown grace), Temporal last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_group "${names[i]}" "${pids[i]}" 30
  done
  # The dev-server CLI stops Temporal itself; make sure nothing outlived it.
  if [[ -n "$dev_server_pid" ]] && alive "$dev_server_pid"; then
    kill -TERM "$dev_server_pid" 2>/dev/null || true
    sleep 2
    kill -KILL "$dev_server_pid" 2>/dev/null || true
  fi
  rm -f "$READY_FILE"
  if [[ -n "$cluster" ]]; then bash "$cluster_script" stop || true; fi
  say "stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

# --- 1. Temporal: the cluster on PostgreSQL, or a dev server -----------------------------

worker_store_url="" # the workers' own store URL, when it differs from the console's (not exported)
# with_worker_store COMMAND...: runs COMMAND (in the forked child `start` makes) with the workers'
# own store URL in its environment when they have one: through the environment only, never a
# command line that `ps` shows.
with_worker_store() {
  if [[ -n "$worker_store_url" ]]; then export CASECLOCK_STORE_URL="$worker_store_url"; fi
  exec "$@"
}

if [[ -n "$cluster" ]]; then
  bash "$cluster_script" start
  cluster_env="$DATA/temporal-pg/cluster.env"
  temporal_port="$(sed -n 's/^FRONTEND_PORT=//p' "$cluster_env")"
  pg_port="$(sed -n 's/^PG_PORT=//p' "$cluster_env")"
  export TEMPORAL_ADDRESS="127.0.0.1:$temporal_port"
  # The case record lives in the cluster's PostgreSQL too, in a database of its own, set up by
  # store/provision.ts as the superuser (migrations, store/roles.sql); then the workers connect as
  # caseclock_worker and the console, codec server and command line as caseclock_console, each
  # with a password generated once into the cluster's owner-only secrets folder.
  if [[ -n "$pg_port" && -z "${CASECLOCK_STORE_URL:-}" ]]; then
    secrets="$DATA/temporal-pg/secrets"
    for role in caseclock_worker caseclock_console; do
      [[ -s "$secrets/$role.password" ]] || random_secret >"$secrets/$role.password"
    done
    store_base="127.0.0.1:$pg_port/caseclock_record"
    # URLs with passwords through the environment only: a command line is visible to `ps`.
    CASECLOCK_STORE_OWNER_URL="postgres://temporal:$(cat "$secrets/postgres-superuser.password")@$store_base" node -e '
      const pg = require("pg");
      const url = new URL(process.env.CASECLOCK_STORE_OWNER_URL);
      url.pathname = "/postgres";
      const c = new pg.Client({ connectionString: url.toString() });
      c.connect()
        .then(() => c.query("SELECT 1 FROM pg_database WHERE datname = $1", ["caseclock_record"]))
        .then((r) => (r.rowCount ? null : c.query("CREATE DATABASE caseclock_record")))
        .then(() => c.end(), (e) => { console.error(`caseclock: cannot create the record database: ${e.message}`); process.exit(1); });
    '
    CASECLOCK_STORE_OWNER_URL="postgres://temporal:$(cat "$secrets/postgres-superuser.password")@$store_base" \
      CASECLOCK_WORKER_DB_PASSWORD="$(cat "$secrets/caseclock_worker.password")" \
      CASECLOCK_CONSOLE_DB_PASSWORD="$(cat "$secrets/caseclock_console.password")" \
      node --import tsx "$ROOT/store/provision.ts" | sed 's/^caseclock provision: /caseclock: /'
    worker_store_url="postgres://caseclock_worker:$(cat "$secrets/caseclock_worker.password")@$store_base"
    export CASECLOCK_STORE_URL="postgres://caseclock_console:$(cat "$secrets/caseclock_console.password")@$store_base"
    # For the command line in another shell: `set -a; . .data/temporal-pg/secrets/store.env; set +a`.
    printf 'CASECLOCK_STORE_URL=%s\n' "$CASECLOCK_STORE_URL" >"$secrets/store.env"
  fi
  temporal_summary="Temporal gRPC  $TEMPORAL_ADDRESS (server v1.32.0 on PostgreSQL 127.0.0.1:$pg_port; log $DATA/temporal-pg/server.log)
  PostgreSQL     127.0.0.1:$pg_port (Temporal's databases and caseclock_record; data $DATA/temporal-pg/pgdata)"
elif [[ "$temporal_host" == "127.0.0.1" || "$temporal_host" == "localhost" ]]; then
  rm -f "$READY_FILE"
  say "starting Temporal dev server on $TEMPORAL_ADDRESS (data in $DATA/temporal.sqlite)"
  start dev-server "$LOGS/dev-server.log" \
    node --import tsx "$ROOT/tools/dev-server.ts" \
    --db-file "$DATA/temporal.sqlite" --ip 127.0.0.1 --port "$temporal_port" --ui-port "$ui_port" \
    --log-file "$LOGS/temporal.log" --ready-file "$READY_FILE"
  wait_ready "the Temporal dev server" 120 "$LOGS/dev-server.log" "$LOGS/dev-server.log, $LOGS/temporal.log" test -s "$READY_FILE"
  dev_server_pid="$(sed -nE 's/.*"pid":([0-9]+).*/\1/p' "$READY_FILE")"
  temporal_summary="Temporal gRPC  $TEMPORAL_ADDRESS (dev server, SQLite $DATA/temporal.sqlite)
  Temporal UI    http://localhost:$ui_port"
else
  say "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS is not local: using that server, not starting a dev server"
  temporal_summary="Temporal gRPC  $TEMPORAL_ADDRESS (external)"
fi

# --- 2. mail catcher ----------------------------------------------------------------------
# With the default local SMTP_URL, MailDev (tools/mail-catcher.sh, on 127.0.0.1 only)
# receives every email and shows it in a web inbox, with a JSON API at /api/email; messages are
# kept in $DATA/mail. Any other SMTP_URL is a real server: nothing is started.

smtp_url="${SMTP_URL:-smtp://127.0.0.1:1025}"
if [[ "$smtp_url" =~ ^smtp://(127\.0\.0\.1|localhost):([0-9]+)$ ]]; then
  smtp_port="${BASH_REMATCH[2]}"
  mail_web_port="${MAIL_CATCHER_PORT:-8025}"
  start mail "$LOGS/mail.log" bash "$ROOT/tools/mail-catcher.sh" "$smtp_port" "$mail_web_port" "$DATA/mail"
  # The worker's first email must not find the port closed (it would wait for a retry).
  wait_ready "the mail catcher" 30 "$LOGS/mail.log" "$LOGS/mail.log" bash -c ': </dev/tcp/127.0.0.1/$0' "$smtp_port"
  mail_summary="Mail inbox     http://localhost:$mail_web_port (MailDev; catches $smtp_url)"
else
  mail_summary="Mail (SMTP)    $smtp_url (external)"
fi

# --- 2b. case-record store ---------------------------------------------------------------
# Unless CASECLOCK_STORE_URL names another PostgreSQL, the embedded store (PGlite, PostgreSQL
# compiled to WebAssembly) serves the case record from $DATA/store over the PostgreSQL protocol on
# a Unix socket in $DATA/store.socket/, a folder only this user may enter (0700): it has no
# authentication, so no other account on this machine may reach it. Any other URL is the
# council's PostgreSQL: nothing is started. CASECLOCK_STORE_TCP=1 with a
# postgres://postgres@127.0.0.1:PORT/postgres URL serves it on TCP instead, for tools that cannot
# use a socket; then any local account can connect to it as superuser.

store_socket_dir="$DATA/store.socket"
embedded_store_url="$(node -e 'process.stdout.write(`postgres://postgres@${encodeURIComponent(require("node:path").resolve(process.argv[1]))}/postgres`)' "$store_socket_dir")"
export CASECLOCK_STORE_URL="${CASECLOCK_STORE_URL:-$embedded_store_url}"
store_ready="$LOGS/store.ready"
if [[ "$CASECLOCK_STORE_URL" == "$embedded_store_url" ]]; then
  rm -f "$store_ready"
  say "starting the case-record store on its socket in $store_socket_dir (data in $DATA/store)"
  start store "$LOGS/store.log" bash -c 'node --import tsx "$0/store/serve.ts" --data-dir "$1" --socket-dir "$2" | tee "$3"' \
    "$ROOT" "$DATA/store" "$store_socket_dir" "$store_ready"
  wait_ready "the case-record store" 60 "$LOGS/store.log" "$LOGS/store.log" grep -q 'store listening' "$store_ready"
  store_summary="Case record    embedded, on its socket in $store_socket_dir (this user only; data in $DATA/store)"
elif [[ "$CASECLOCK_STORE_URL" =~ ^postgres(ql)?://postgres@(127\.0\.0\.1|localhost):([0-9]+)/postgres$ ]]; then
  if [[ "${CASECLOCK_STORE_TCP:-}" != 1 ]]; then
    say "CASECLOCK_STORE_URL=$CASECLOCK_STORE_URL would serve the embedded store on TCP, where any account on this machine could connect to it as superuser." >&2
    say "Remove CASECLOCK_STORE_URL (from .env too) to use its private socket, or set CASECLOCK_STORE_TCP=1 to serve it on TCP all the same." >&2
    exit 1
  fi
  store_port="${BASH_REMATCH[3]}"
  rm -f "$store_ready"
  say "starting the case-record store on TCP 127.0.0.1:$store_port (CASECLOCK_STORE_TCP=1: any local account can connect; data in $DATA/store)"
  start store "$LOGS/store.log" bash -c 'node --import tsx "$0/store/serve.ts" --data-dir "$1" --port "$2" | tee "$3"' \
    "$ROOT" "$DATA/store" "$store_port" "$store_ready"
  wait_ready "the case-record store" 60 "$LOGS/store.log" "$LOGS/store.log" grep -q 'store listening' "$store_ready"
  store_summary="Case record    $CASECLOCK_STORE_URL (embedded, on TCP: open to every local account; data in $DATA/store)"
elif [[ -n "$worker_store_url" ]]; then
  store_summary="Case record    PostgreSQL 127.0.0.1:$pg_port/caseclock_record: workers as caseclock_worker, console and codec server as
                 caseclock_console (passwords in $DATA/temporal-pg/secrets; for the command line: set -a; . $DATA/temporal-pg/secrets/store.env; set +a)"
else
  store_summary="Case record    $(node -e 'process.stdout.write(process.env.CASECLOCK_STORE_URL.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/, "$1:***@"))') (external)"
fi

# --- 2c. a case system to sync from ------------------------------------------------------
# Unless CASECLOCK_SSD_SOURCE names the council's SSD, the worker syncs from a small synthetic
# council (tools/ssd/demo.ts): about 60 children's CSV extracts written once into $DATA/ssd-demo
# and kept across restarts, with the team and staff directories seeded to match while they are
# empty; it reads them every minute (CASECLOCK_SSD_INTERVAL, unless set), so a newcomer sees cases
# arrive on their own (docs/ssd.md). Not for `npm run start:cluster`, the production shape.
# The console gets the same settings: its reconciliation page reads the source, and how fresh the
# sync is depends on its interval. CASECLOCK_SSD_DEMO=off: no sync at all.
ssd_summary=""
if [[ -n "${CASECLOCK_SSD_SOURCE:-}" ]]; then
  ssd_summary="
  SSD sync       from CASECLOCK_SSD_SOURCE every ${CASECLOCK_SSD_INTERVAL:-15m} (runs in ssd_sync_runs; docs/ssd.md)"
elif [[ -z "$cluster" && "${CASECLOCK_SSD_DEMO:-on}" != off ]]; then
  ssd_dir="$DATA/ssd-demo"
  if node --import tsx "$ROOT/tools/ssd/demo.ts" --dir "$ssd_dir" 2>&1 | sed "s/^/$TOOL: /"; then
    ssd_interval="${CASECLOCK_SSD_INTERVAL:-1m}"
    export CASECLOCK_SSD_SOURCE="csv:$ssd_dir" CASECLOCK_SSD_INTERVAL="$ssd_interval"
    ssd_summary="
  SSD (demo)     a synthetic council's CSV extracts in $ssd_dir: cases arrive from them
                 within a minute (synced every $ssd_interval; docs/ssd.md)"
  else
    say "the demo SSD could not be prepared (above): the worker starts without a sync" >&2
  fi
fi

# --- 3. codec server (with encryption keys, and a token or a console session secret) -------
# The codec server accepts the console's session cookie (administrators, for the Web UI), so the
# console and it must share one session secret. The console would otherwise make up its own, in
# memory; make one for this run instead (sign-ins still end when `npm start` restarts, as before).
if [[ -z "${CASECLOCK_SESSION_SECRET:-}" && "${NODE_ENV:-development}" != "production" ]]; then
  CASECLOCK_SESSION_SECRET="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))')"
  export CASECLOCK_SESSION_SECRET
  say "CASECLOCK_SESSION_SECRET is not set: made one for this run, shared by the console and codec server (set it in .env to keep sign-ins across restarts)"
fi
codec_summary=""
if [[ -n "${CASECLOCK_ENCRYPTION_KEYS:-}" && ( -n "${CASECLOCK_CODEC_TOKEN:-}" || -n "${CASECLOCK_SESSION_SECRET:-}" ) ]]; then
  export CASECLOCK_CODEC_CORS_ORIGINS="${CASECLOCK_CODEC_CORS_ORIGINS:-http://localhost:$ui_port}"
  codec_host="${CASECLOCK_CODEC_HOST:-127.0.0.1}"
  # The browser sends the console's cookie (host-only) to the console's host name only: localhost.
  if [[ "$codec_host" == "127.0.0.1" || "$codec_host" == "::1" ]]; then codec_host=localhost; fi
  codec_url="http://$codec_host:${CASECLOCK_CODEC_PORT:-8888}"
  start codec "$LOGS/codec.log" node --import tsx "$ROOT/client/codec-server/main.ts"
  codec_summary="
  Codec server   $codec_url (log $LOGS/codec.log)"
  # The dev server's --ui-codec-endpoint cannot also turn on "include credentials" (CLI 1.9.1 has
  # no flag for it, nor had 1.5.1), and with it set the Web UI would call the codec server without
  # the cookie: so the browser setting is the one way, a one-off per browser.
  if [[ -n "${CASECLOCK_SESSION_SECRET:-}" ]]; then
    codec_summary+="
                 Web UI: sign in to the console as an administrator, then in the Web UI at
                 http://localhost:$ui_port open Data Encoder, enter $codec_url, tick \"Include cross-origin credentials\""
  fi
  if [[ -n "${CASECLOCK_CODEC_TOKEN:-}" ]]; then
    codec_summary+="
                 CLI: temporal ... --codec-endpoint $codec_url --codec-auth \"Bearer \$CASECLOCK_CODEC_TOKEN\""
  fi
fi

# --- 4. worker and console ---------------------------------------------------------------

app_summary=""
if [[ -f "$ROOT/worker/main.ts" ]]; then
  metrics_port="${CASECLOCK_METRICS_PORT:-9464}"
  sdk_metrics_port="${CASECLOCK_SDK_METRICS_PORT:-9465}"
  start worker "$LOGS/worker.log" with_worker_store node --import tsx "$ROOT/worker/main.ts"
  app_summary+="
  Worker         log $LOGS/worker.log"
  if [[ "$metrics_port" != off ]]; then
    app_summary+=", metrics http://${CASECLOCK_METRICS_HOST:-127.0.0.1}:$metrics_port/metrics (/healthz, /readyz)"
  fi
  if [[ -n "$cluster" ]]; then
    # A second replica on the same task queue, as production runs several.
    # Its metrics on the next two ports up, so both can be scraped.
    metrics_env=()
    if [[ "$metrics_port" != off ]]; then
      metrics_env=("CASECLOCK_METRICS_PORT=$((metrics_port + 2))" "CASECLOCK_SDK_METRICS_PORT=$((sdk_metrics_port + 2))")
    fi
    start worker-2 "$LOGS/worker-2.log" with_worker_store env "${metrics_env[@]}" node --import tsx "$ROOT/worker/main.ts"
    app_summary+="
  Worker 2       log $LOGS/worker-2.log"
    if [[ "$metrics_port" != off ]]; then
      app_summary+=", metrics http://${CASECLOCK_METRICS_HOST:-127.0.0.1}:$((metrics_port + 2))/metrics"
    fi
  fi
else
  say "note: worker/main.ts does not exist yet: no worker started"
fi
users_line=""
if [[ -f "$ROOT/client/console/main.ts" ]]; then
  # Before the console, so the two never both make a first administrator: creates the development
  # users file when there is none, then one line, FIRST RUN and where the password is while it is
  # unchanged (choosing one's own deletes the file), else how many users the file holds.
  users_line="$(node --import tsx "$ROOT/client/cli/users.ts" first-run 2>&1)" || true
  start console "$LOGS/console.log" node --import tsx "$ROOT/client/console/main.ts"
  app_summary+="
  Console        $console_url (log $LOGS/console.log)"
else
  say "note: client/console/main.ts does not exist yet: no console started"
fi

cat <<EOF

CaseClock is running:
  $temporal_summary
  $mail_summary
  $store_summary$codec_summary$app_summary$ssd_summary
  Logs           $LOGS/ (temporal.log, dev-server.log, worker.log, console.log)${users_line:+
$users_line}
Press Ctrl-C to stop everything.

EOF

# --- wait --------------------------------------------------------------------------------
# Runs until Ctrl-C; if any part stops on its own, say which, show its log, stop the rest.
set +m # every child has its own process group by now; no job-status chatter from here on
set +e
wait -n "${pids[@]}"
status=$?
set -e
for i in "${!pids[@]}"; do
  if ! alive "${pids[i]}"; then
    say "${names[i]} exited (status $status); last lines of ${logs[i]}:" >&2
    tail -n 20 "${logs[i]}" >&2 || true
    break
  fi
done
stop_all
exit 1
