#!/usr/bin/env bash
# Fails when a source file under src/<area>/ includes "<other>/..." for an area <other> that
# <area>'s library does not declare as a dependency. Link order cannot catch this (every area's
# headers are on the same include path), so ctest runs this as "layering.includes".
# Usage: check-layering.sh LAYERING_FILE SRC_DIR
#   LAYERING_FILE: lines "area: dep dep ..." written by autoblog_area() in CMakeLists.txt, the
#   one place the allowed dependencies are declared.
set -euo pipefail
table=$1
src=$2

declare -A allowed
while IFS= read -r line; do
  [ -n "$line" ] || continue
  area=${line%%:*}
  allowed[$area]=" ${line#*:} "
done <"$table"

status=0
for dir in "$src"/*/; do
  area=$(basename "$dir")
  if [ -z "${allowed[$area]+set}" ]; then
    echo "layering: src/$area/ has no autoblog_area($area ...) in CMakeLists.txt" >&2
    status=1
    continue
  fi
  # file:line:#include "other/..."
  while IFS= read -r hit; do
    other=$(sed -E 's/.*#[[:space:]]*include[[:space:]]*"([A-Za-z0-9_]+)\/.*/\1/' <<<"$hit")
    [ "$other" = "$area" ] && continue
    [ -n "${allowed[$other]+set}" ] || continue  # not one of our areas (a system header path)
    case "${allowed[$area]}" in
      *" $other "*) ;;
      *)
        echo "layering: ${hit#"$src"/} — $area may not include $other/ (allowed:${allowed[$area]})" >&2
        status=1
        ;;
    esac
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[A-Za-z0-9_]+/' "$dir" || true)
done
[ "$status" = 0 ] && echo "layering: every include follows the declared dependencies"
exit "$status"
