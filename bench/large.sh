#!/usr/bin/env bash
# Benchmark: capsule-migrate on a large monorepo, side by side with git on the same
# object database (issues 7 and 16). See bench/README.md.
#
#   bench/large.sh            # 5 runs of each command, best time and peak memory
#   RUNS=9 bench/large.sh     # more runs
#   STRICT=1 bench/large.sh   # exit 1 when a target is missed
#
# Two synthetic repositories (40 apps x 500 sources, about 20,000 files and 260-330 MB
# each) are generated once by bench/gen.py, committed and packed with `git gc`, and
# cached in bench/work/ (ignored by git) until gen.py or the size settings change:
# repo/, whose files are all different (a pack of 91 MB, hardly any deltas), and
# repo-templated/, whose apps are copies of the same templates (a pack of 10 MB, 95% of
# the blobs stored as deltas in chains 11 deep on average).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/bench/work
RUNS=${RUNS:-5}
APPS=${APPS:-40}
FILES=${FILES:-500}
SEED=${SEED:-7}
REPO=$WORK/repo
# The same generator with every app built from the same templates: git stores most
# blobs as deltas of their copy in another app (chains about 20 deep).
TREPO=$WORK/repo-templated
JOBS=$WORK/jobs.toml
SCRATCH=$WORK/scratch
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/capsule-migrate

# Targets of issues 7 and 16.
MAX_DIFF_VS_GREP=1.0
MAX_RSS_MB=150
MAX_APPLY_VS_COMMIT=1.0

die() { echo "large.sh: $*" >&2; exit 2; }

# Git must not read the machine's configuration (hooks, pagers, fsmonitor, signing):
# both tools run as in a fresh account. Identity comes from the environment.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

# generate DIR KEY [--templated]: the synthetic repository in DIR, committed and packed.
generate() {
    local dir=$1 key=$2 tmp=$1.tmp
    shift 2
    echo "Generating $APPS apps x $FILES files into $dir${1:+ ($1)} (once; cached) ..."
    rm -rf "$dir" "$tmp"
    mkdir -p "$WORK"
    python3 "$ROOT/bench/gen.py" "$tmp" --jobs-file "$JOBS" --apps "$APPS" --files "$FILES" --seed "$SEED" "$@"
    # Files older than the index are never "racily clean": status trusts their stat data
    # instead of re-reading them, as in a checkout that has been sitting for a while.
    sleep 1
    git -C "$tmp" init -q -b main
    git -C "$tmp" add -A
    # No automatic gc or maintenance in the background: it would race the packing below
    # and the benchmark runs.
    git -C "$tmp" config gc.auto 0
    git -C "$tmp" config maintenance.auto false
    GIT_AUTHOR_DATE='2025-01-01T00:00:00Z' GIT_COMMITTER_DATE='2025-01-01T00:00:00Z' \
        git -C "$tmp" commit -q -m "Synthetic Heroku monorepo"
    # Packed as git packs by itself: the templated apps' copies become delta chains.
    git -C "$tmp" gc -q --prune=now
    mv "$tmp" "$dir"
    echo "$key" >"$dir.key"
}

cache_key() {
    { sha256sum "$ROOT/bench/gen.py"; echo "$APPS $FILES $SEED"; } | sha256sum | cut -c1-16
}

# describe DIR: one line on the repository's size and how deltified its pack is.
describe() {
    local files bytes pack blobs deltas
    files=$(git -C "$1" ls-tree -r HEAD --name-only | wc -l)
    bytes=$(git -C "$1" ls-tree -r -l HEAD | awk '{ s += $4 } END { print s }')
    pack=$(du -cb "$1"/.git/objects/pack/*.pack | tail -n 1 | cut -f1)
    read -r blobs deltas < <(git -C "$1" cat-file --batch-all-objects --batch-check='%(objecttype) %(deltabase)' |
        awk '$1 == "blob" { b++; if ($2 !~ /^0+$/) d++ } END { print b + 0, d + 0 }')
    echo "$(basename "$1"): $files files, $((bytes / 1000000)) MB in HEAD, pack $((pack / 1000000)) MB, $deltas of $blobs blobs stored as deltas"
}

# measure OUT CMD...: runs CMD with stdout into $WORK/stdout; writes "milliseconds peak-KiB" to
# OUT. Time is wall clock around the process; peak memory is the maximum resident set
# size the kernel recorded for it (GNU time's %M, or getrusage in a Python fallback).
measure() {
    local out=$1 start end
    shift
    start=$(date +%s%N)
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f %M -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || failed "$@"
    else
        python3 -c '
import resource, subprocess, sys
code = subprocess.call(sys.argv[3:], stdout=open(sys.argv[2], "wb"))
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)' "$WORK/rss" "$WORK/stdout" "$@" 2>"$WORK/stderr" || failed "$@"
    fi
    end=$(date +%s%N)
    echo "$(((end - start) / 1000000)) $(tail -n 1 "$WORK/rss")" >"$out"
}

failed() {
    echo "large.sh: command failed: $*" >&2
    cat "$WORK/stderr" >&2
    exit 1
}

seconds() { awk -v ms="$1" 'BEGIN { printf "%.3f s", ms / 1000 }'; }
megabytes() { awk -v kb="$1" 'BEGIN { printf "%.0f MB", kb / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
within() { awk -v v="$1" -v max="$2" 'BEGIN { exit !(v <= max) }'; }

# --- the repository -----------------------------------------------------------------
command -v git >/dev/null || die "git is not installed"
command -v python3 >/dev/null || die "python3 is needed to generate the repository"
[[ -x /usr/bin/time ]] || echo "note: /usr/bin/time is missing; peak memory comes from getrusage"

key=$(cache_key)
if [[ ! -d $REPO || ! -f $JOBS || "$(cat "$REPO.key" 2>/dev/null)" != "$key" ]]; then
    generate "$REPO" "$key"
fi
if [[ ! -d $TREPO || ! -f $JOBS || "$(cat "$TREPO.key" 2>/dev/null)" != "$key" ]]; then
    generate "$TREPO" "$key" --templated
fi

echo "Building the release binary ..."
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
[[ -x $BIN ]] || die "no binary at $BIN"

describe "$REPO"
describe "$TREPO"
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(git --version)"
echo "Runs: $RUNS of each, side by side; the summary gives the best time and the highest peak"

# --- diff against git grep ----------------------------------------------------------
# The patch is the change both commit measurements make.
"$BIN" diff "$REPO" --jobs "$JOBS" >"$WORK/change.patch" 2>"$WORK/stderr" || failed "$BIN diff"
changed=$(grep -c '^diff --git' "$WORK/change.patch" || true)
echo "Change: $changed files ($(wc -c <"$WORK/change.patch") bytes of patch)"
echo

best() { sort -n "$1" | head -n 1 | cut -d' ' -f1; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
peak() { sort -n -k2 "$1" | tail -n 1 | cut -d' ' -f2; }

# Both repositories in each run, git grep and diff alternating, so that the load of the
# machine weighs on all four alike.
for name in repo templated; do
    : >"$WORK/grep-$name.all"
    : >"$WORK/diff-$name.all"
    : >"$WORK/ratio-$name.all"
done
printf '%-4s  %-10s  %-24s  %-24s  %s\n' run repo "git grep -l process.env" "capsule-migrate diff" ratio
for ((run = 1; run <= RUNS; run++)); do
    for name in repo templated; do
        dir=$REPO
        [[ $name == templated ]] && dir=$TREPO
        measure "$WORK/one" git -C "$dir" grep -l -e process.env HEAD
        read -r grep_ms grep_kb <"$WORK/one"
        echo "$grep_ms $grep_kb" >>"$WORK/grep-$name.all"
        measure "$WORK/one" "$BIN" diff "$dir" --jobs "$JOBS"
        read -r diff_ms diff_kb <"$WORK/one"
        echo "$diff_ms $diff_kb" >>"$WORK/diff-$name.all"
        ratio "$diff_ms" "$grep_ms" >>"$WORK/ratio-$name.all"
        echo >>"$WORK/ratio-$name.all"
        printf '%-4s  %-10s  %-24s  %-24s  %sx\n' "$run" "$name" "$(seconds "$grep_ms"), $(megabytes "$grep_kb")" \
            "$(seconds "$diff_ms"), $(megabytes "$diff_kb")" "$(tail -n 1 "$WORK/ratio-$name.all")"
    done
done

# --- apply against git commit -------------------------------------------------------
# A scratch clone keeps the cached repository pristine. Each run starts from a clean
# checkout of main and follows the tool's workflow: `diff` (not timed) shows the change
# and saves its plan, then `apply` commits that plan (timed). The same patch is then
# staged with `git apply --index` and only `git commit` is timed. For the record,
# `apply --rescan` (no saved plan: read, plan and commit) is timed too.
echo
echo "Cloning a scratch copy for apply and commit ..."
rm -rf "$SCRATCH"
git clone -q "$REPO" "$SCRATCH"
sleep 1 # as in generate(): no racily clean index entries

: >"$WORK/commit.all"
: >"$WORK/apply.all"
: >"$WORK/cold.all"
printf '%-4s  %-24s  %-24s  %s\n' run "git commit" "capsule-migrate apply" "apply --rescan"
for ((run = 1; run <= RUNS; run++)); do
    git -C "$SCRATCH" checkout -q -f -B git-commit-bench main
    "$BIN" diff "$SCRATCH" --jobs "$JOBS" >/dev/null 2>"$WORK/stderr" || failed "$BIN diff"
    measure "$WORK/one" "$BIN" apply "$SCRATCH" --jobs "$JOBS" --branch "capsule-bench-$run"
    grep -q "It is the change the last plan or diff showed" "$WORK/stdout" ||
        die "apply did not use the plan diff saved"
    read -r apply_ms apply_kb <"$WORK/one"
    echo "$apply_ms $apply_kb" >>"$WORK/apply.all"
    measure "$WORK/one" "$BIN" apply "$SCRATCH" --jobs "$JOBS" --rescan --branch "capsule-cold-$run"
    read -r cold_ms cold_kb <"$WORK/one"
    echo "$cold_ms $cold_kb" >>"$WORK/cold.all"
    git -C "$SCRATCH" apply --index "$WORK/change.patch"
    measure "$WORK/one" git -C "$SCRATCH" commit -m "Migrate to Code Capsules"
    read -r commit_ms commit_kb <"$WORK/one"
    echo "$commit_ms $commit_kb" >>"$WORK/commit.all"
    printf '%-4s  %-24s  %-24s  %s\n' "$run" "$(seconds "$commit_ms"), $(megabytes "$commit_kb")" \
        "$(seconds "$apply_ms"), $(megabytes "$apply_kb")" \
        "$(seconds "$cold_ms"), $(megabytes "$cold_kb")"
done
# Same change: the diff applied by git and the commits written by capsule-migrate must
# give the same tree, or the comparison (and the tool) is wrong.
theirs=$(git -C "$SCRATCH" rev-parse "git-commit-bench^{tree}")
for branch in "capsule-bench-$RUNS" "capsule-cold-$RUNS"; do
    ours=$(git -C "$SCRATCH" rev-parse "$branch^{tree}")
    [[ $ours == "$theirs" ]] || die "$branch's tree $ours differs from the applied diff's tree $theirs"
done

# --- summary ------------------------------------------------------------------------
commit_ms=$(best "$WORK/commit.all")
apply_ms=$(best "$WORK/apply.all")
apply_ratio=$(ratio "$apply_ms" "$commit_ms")
missed=0
# check LABEL VALUE UNIT MAX TARGET: one line of the verdict; remembers a miss.
check() {
    local verdict=ok
    within "$2" "$4" || { verdict=MISSED; missed=1; }
    printf '%-36s %6s%-3s (target %s)  %s\n' "$1" "$2" "$3" "$5" "$verdict"
}
line() { printf '%-36s %10s %8s\n' "$@"; }

echo
line "" "best" "peak"
for name in repo templated; do
    line "git grep -l process.env ($name)" "$(seconds "$(best "$WORK/grep-$name.all")")" \
        "$(megabytes "$(peak "$WORK/grep-$name.all")")"
    line "capsule-migrate diff ($name)" "$(seconds "$(best "$WORK/diff-$name.all")")" \
        "$(megabytes "$(peak "$WORK/diff-$name.all")")"
done
line "git commit" "$(seconds "$commit_ms")" "$(megabytes "$(peak "$WORK/commit.all")")"
line "capsule-migrate apply" "$(seconds "$apply_ms")" "$(megabytes "$(peak "$WORK/apply.all")")"
line "apply --rescan" "$(seconds "$(best "$WORK/cold.all")")" "$(megabytes "$(peak "$WORK/cold.all")")"
echo
for name in repo templated; do
    echo "diff / git grep ($name): best $(ratio "$(best "$WORK/diff-$name.all")" "$(best "$WORK/grep-$name.all")")x," \
        "median of the runs $(median "$WORK/ratio-$name.all")x (noise on a shared machine)"
done
echo "Load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
for name in repo templated; do
    check "diff / git grep ($name)" "$(ratio "$(best "$WORK/diff-$name.all")" "$(best "$WORK/grep-$name.all")")" \
        x "$MAX_DIFF_VS_GREP" "<= ${MAX_DIFF_VS_GREP}x"
    check "peak memory diff ($name)" "$(( $(peak "$WORK/diff-$name.all") / 1024 ))" " MB" \
        "$((MAX_RSS_MB - 1))" "< $MAX_RSS_MB MB"
done
check "apply / git commit" "$apply_ratio" x "$MAX_APPLY_VS_COMMIT" "<= ${MAX_APPLY_VS_COMMIT}x"
check "peak memory apply --rescan" "$(( $(peak "$WORK/cold.all") / 1024 ))" " MB" "$((MAX_RSS_MB - 1))" "< $MAX_RSS_MB MB"
echo "(apply commits the plan the diff before it saved; apply --rescan reads and plans"
echo " all that diff does, then commits. See bench/README.md.)"

if [[ ${STRICT:-0} == 1 && $missed == 1 ]]; then
    exit 1
fi
