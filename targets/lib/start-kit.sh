# Sourced by the start scripts of the Debian reference targets (not run on its own): the steps
# every one of them takes under samlconf's start contract.
#
# peer_metadata ROLE OUT NAME: copies the harness's peer metadata to OUT. ROLE is IDP (the target
# is an SP and its peer the mock IdP) or SP (the target is an IdP). The start contract gives a file,
# SAMLCONF_<ROLE>_METADATA_FILE; a URL, SAMLCONF_<ROLE>_METADATA_URL, is fetched once, with *.test
# host names pinned to 127.0.0.1 as the harness's browser maps them.
peer_metadata() {
  local role="$1" out="$2" name="$3"
  local file_var="SAMLCONF_${role}_METADATA_FILE" url_var="SAMLCONF_${role}_METADATA_URL"
  local file="${!file_var:-}" url="${!url_var:-}"
  if [ -n "$file" ] && [ -s "$file" ]; then
    cp "$file" "$out"
  elif [ -n "$url" ]; then
    local host port resolve=()
    host="$(printf '%s' "$url" | sed -E 's#^[a-z]+://([^:/]+).*#\1#')"
    port="$(printf '%s' "$url" | sed -E 's#^[a-z]+://[^:/]+:?([0-9]*).*#\1#')"
    case "$host" in *.test) resolve=(--resolve "${host}:${port:-80}:127.0.0.1") ;; esac
    curl -fsS "${resolve[@]}" -o "$out" "$url"
  else
    echo "$name: set $file_var or $url_var (the peer's metadata)" >&2
    exit 1
  fi
}

# run_folder NAME: makes a fresh folder for the target's runtime configuration and keys in $run, and
# arranges that it is removed, and the server started by `serve` stopped, however the script ends
# (the harness stops targets with SIGTERM to their process group).
run_folder() {
  run="$(mktemp -d "${TMPDIR:-/tmp}/samlconf-$1.XXXXXX")"
  server_pid=""
  trap run_folder_cleanup EXIT
  trap 'run_folder_cleanup; exit 143' TERM
  trap 'run_folder_cleanup; exit 130' INT
}

run_folder_cleanup() {
  trap '' INT TERM
  trap - EXIT
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$run"
}

# serve COMMAND...: runs the server in the background (so the traps above can act) and waits for it.
serve() {
  "$@" &
  server_pid=$!
  wait "$server_pid"
}
