#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after the other in a
# single process each, and prints per target: inputs run, seconds, and crashes.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     # default 60 s, all targets
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and nightly rustc flags: the nightly
# toolchain when rustup has one, else the default (stable) one with RUSTC_BOOTSTRAP=1.
# FUZZ_TOOLCHAIN=stable|nightly forces the choice. The corpus libFuzzer grows goes to
# fuzz/corpus-gen/<target> (not committed); the committed seeds in fuzz/corpus/<target>
# are read only. A crash stops that target and is saved under fuzz/artifacts/<target>/;
# the script goes on with the next target and exits 1 at the end.
set -uo pipefail

cd "$(dirname "$0")"
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
case $seconds in
  '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: run 'cargo install cargo-fuzz'" >&2
  exit 2
fi

toolchain=${FUZZ_TOOLCHAIN:-}
if [[ -z $toolchain ]]; then
  if rustup run nightly rustc --version >/dev/null 2>&1; then toolchain=nightly; else toolchain=stable; fi
fi
if [[ $toolchain == nightly ]]; then
  cargo=(cargo +nightly fuzz)
else
  # cargo-fuzz passes -Z flags (sanitizer, coverage); stable accepts them only this way.
  export RUSTC_BOOTSTRAP=1
  cargo=(cargo fuzz)
fi

if (( $# > 0 )); then targets=("$@"); else mapfile -t targets < <("${cargo[@]}" list); fi

echo "building ${#targets[@]} targets with the $toolchain toolchain..."
"${cargo[@]}" build >logs.build.txt 2>&1 || { cat logs.build.txt >&2; exit 2; }
rm -f logs.build.txt
mkdir -p logs

failed=0
printf '%-14s %12s %10s %8s %10s  %s\n' target runs exec/s seconds corpus crashes
for target in "${targets[@]}"; do
  mkdir -p "corpus-gen/$target" "corpus/$target"
  log="logs/$target.log"
  start=$(date +%s)
  # -timeout: an input taking 20 s is a hang worth a report; -max_len: files of a few KiB
  # reach every branch of these parsers, larger ones only slow the search down.
  "${cargo[@]}" run "$target" "corpus-gen/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  done_secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  corpus=$(find "corpus-gen/$target" -type f | wc -l)
  crashes=0
  detail=""
  if (( status != 0 )); then
    crashes=1
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    detail=" (exit $status; ${artifact:-see $log})"
  fi
  printf '%-14s %12s %10s %8s %10s  %s\n' "$target" "${runs:-?}" "${rate:-?}" \
    "${done_secs:-$elapsed}" "$corpus" "$crashes$detail"
done
exit $failed
