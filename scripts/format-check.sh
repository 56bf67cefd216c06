#!/usr/bin/env bash
# Checks that every tracked *.c / *.h file is formatted by .clang-format.
#
#   scripts/format-check.sh          report files that differ (exit 1 if any)
#   scripts/format-check.sh --fix    reformat them in place
#
# Uses clang-format-14 (Debian 12's clang-format); set CLANG_FORMAT to override.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
"") ;;
--fix) fix=1 ;;
-h | --help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) echo "format-check.sh: unknown argument '$1'" >&2; exit 2 ;;
esac

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
    for c in clang-format-14 clang-format; do
        if command -v "$c" >/dev/null 2>&1; then cf=$c; break; fi
    done
fi
if [ -z "$cf" ] || ! command -v "$cf" >/dev/null 2>&1; then
    echo "format-check.sh: clang-format${cf:+ ($cf)} not found (scripts/install-deps.sh --dev installs it)" >&2
    exit 2
fi
case "$("$cf" --version)" in
*" version 14."*) ;;
*) echo "format-check.sh: warning: $cf is not version 14; results may differ from CI" >&2 ;;
esac

files=()
while IFS= read -r -d '' f; do
    [ -f "$f" ] && files+=("$f")
done < <(git ls-files -z -- '*.c' '*.h')
[ "${#files[@]}" -eq 0 ] && exit 0

if [ "$fix" = 1 ]; then
    printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$cf" -i --style=file
    exit 0
fi

# One clang-format run over all files; it names each file that differs.
out=$(printf '%s\0' "${files[@]}" | xargs -0 "$cf" --dry-run --Werror --style=file 2>&1) && status=0 || status=$?
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' <<<"$out" | uniq)
if [ "$status" -ne 0 ] && [ "${#bad[@]}" -eq 0 ]; then
    echo "$out" >&2
    echo "format-check.sh: $cf failed" >&2
    exit 2
fi
if [ "${#bad[@]}" -ne 0 ]; then
    echo "format-check.sh: ${#bad[@]} of ${#files[@]} files need formatting (run scripts/format-check.sh --fix):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    echo "first differences:" >&2
    head -n 30 <<<"$out" >&2
    exit 1
fi
echo "format-check.sh: ${#files[@]} files OK"
