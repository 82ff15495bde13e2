# The shell helpers every script in tools/ shares, sourced after the script sets TOOL (its name
# in messages) and ROOT:  TOOL=ensure-tools; source "$ROOT/tools/lib.sh"
# Functions only: sourcing it changes no setting and starts nothing.

: "${TOOL:=caseclock}"

# note/say MESSAGE: a line on stdout, prefixed with the script's name.
note() { printf '%s: %s\n' "$TOOL" "$*"; }
say() { note "$@"; }
# die MESSAGE: the line on stderr, and exit 1.
die() {
  printf '%s: %s\n' "$TOOL" "$*" >&2
  exit 1
}
# elapsed_ms START: milliseconds since START, an EPOCHREALTIME value.
elapsed_ms() {
  local now=${EPOCHREALTIME//[.,]/} then=${1//[.,]/}
  echo $(((now - then) / 1000))
}
# fmt_ms MS: 12.3s
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }
# alive PID: the process is running.
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
# port_is_free PORT: nothing accepts connections on 127.0.0.1:PORT.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# random_secret: 48 hex characters from /dev/urandom (for passwords kept in owner-only files).
random_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# use_tools_node: from here on, run on the Node ensure-tools.sh chose (.tools/node/bin when the
# machine's is older; recorded as NODE_BIN in .tools/env). npm may have started the script on
# the machine's Node.
use_tools_node() {
  local node_bin
  node_bin="$(sed -n 's/^NODE_BIN=//p' "$ROOT/.tools/env" 2>/dev/null || true)"
  if [[ -n "$node_bin" && -x "$node_bin" && "$(command -v node)" != "$node_bin" ]]; then
    export PATH="${node_bin%/*}:$PATH" NODE="$node_bin" npm_node_execpath="$node_bin"
  fi
}

# --- private data ------------------------------------------------------------------------------
# The data folder holds case data (Temporal's SQLite file, the case record), caught emails, logs,
# the users file and the first administrator's password; .env holds the encryption keys and
# secrets. New files are made private by `umask 077` in the scripts; these functions tighten what
# an older version left readable.

# private_dir DIR: creates DIR if needed; DIR and every folder in it 0700, every file in it
# without group or other access (0600, or 0700 if executable). An ordinary user changes only
# what they own; root also closes what PostgreSQL (running as `postgres`) left open, its log.
private_dir() {
  local dir=$1 uid
  uid="$(id -u)"
  local mine=(-user "$uid")
  if [[ "$uid" == 0 ]]; then mine=(); fi
  mkdir -p "$dir"
  find "$dir" -xdev \( -type d -o -type f \) "${mine[@]}" -perm /077 -exec chmod go-rwx {} +
  # Run as root, PostgreSQL (the cluster's, running as `postgres`) must pass through to its data:
  # execute only (0711), so it can reach a known path but not list or read anything.
  if [[ "$uid" == 0 && -d "$dir/temporal-pg" ]]; then chmod 711 "$dir" "$dir/temporal-pg"; fi
}

# private_file FILE: FILE (when it exists and is ours) without group or other access. Prints
# "tightened" when it changed something, so the caller can say so.
private_file() {
  local file=$1
  [[ -f "$file" && -O "$file" ]] || return 0
  if [[ -n "$(find "$file" -maxdepth 0 -perm /077)" ]]; then
    chmod go-rwx "$file"
    echo tightened
  fi
}
