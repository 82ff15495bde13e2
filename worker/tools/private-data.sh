# Sourced by worker/tools/run.sh and test.sh (bash): keeps CaseClock's data readable by the user
# who runs it only. The data folder holds case data (Temporal's SQLite file, the case record),
# caught emails, logs, the users file and the first administrator's password; .env holds the
# encryption keys and secrets. New files are made private by `umask 077` in the scripts; these
# functions tighten what an older version left readable.

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
