#!/usr/bin/env bash
# Instructions executed by `capsule-migrate diff` and `git grep -l -e process.env HEAD`
# on the two benchmark repositories of bench/large.sh: a count the load of a shared
# machine does not change, unlike wall-clock time (issue 16). See bench/README.md.
#
#   bench/instructions.sh                 # after bench/large.sh has generated the repos
#   BIN=path/to/capsule-migrate bench/instructions.sh
#
# Counts come from valgrind's cachegrind without cache simulation (all threads added
# up); each command runs about 30 times slower under it, so each is run once.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/bench/work
BIN=${BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/capsule-migrate}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed" >&2; exit 2; }
for repo in repo repo-templated; do
    [[ -d $WORK/$repo ]] || { echo "instructions.sh: run bench/large.sh first ($WORK/$repo)" >&2; exit 2; }
done
[[ -x $BIN ]] || { echo "instructions.sh: no binary at $BIN" >&2; exit 2; }

# count CMD...: the instructions CMD executed, in millions.
count() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" \
        >/dev/null 2>"$WORK/valgrind.err" || { cat "$WORK/valgrind.err" >&2; exit 1; }
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$WORK/valgrind.err" | tr -d , |
        awk '{ printf "%.0f", $1 / 1e6 }'
}

echo "Load average $(cut -d' ' -f1-3 /proc/loadavg) (does not change the counts)"
printf '%-16s %16s %16s %8s\n' repo "git grep (M)" "diff (M)" ratio
for repo in repo repo-templated; do
    grep_m=$(count git -C "$WORK/$repo" grep -l -e process.env HEAD)
    diff_m=$(count "$BIN" diff "$WORK/$repo" --jobs "$WORK/jobs.toml")
    printf '%-16s %16s %16s %7sx\n' "$repo" "$grep_m" "$diff_m" \
        "$(awk -v a="$diff_m" -v b="$grep_m" 'BEGIN { printf "%.2f", a / b }')"
done
