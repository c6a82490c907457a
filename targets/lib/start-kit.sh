# Sourced by the start scripts of the Debian reference targets (not run on its own).
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
