#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang into BUILD_DIR and runs each for SECONDS,
# one after another. Exits non-zero when any target reports a crash, a leak, a sanitizer error,
# a timeout or running out of memory. Docs: docs/FUZZING.md.
#
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]   (targets by name: job_json, sigv4, ...)
#
# Per target, in BUILD_DIR/fuzz/<target>/:
#   corpus/     inputs found while fuzzing (the checked-in seeds stay untouched)
#   crashes/    crash-*, leak-*, timeout-*, oom-* inputs to turn into corpus files
#   log.txt     libFuzzer's output, final statistics included
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: SECONDS must be a positive whole number, not '$seconds'" >&2
  exit 2
fi

export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
# A sanitizer report names where it happened.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DPICTOR_FUZZ=ON -DPICTOR_BUILD_TESTS=OFF -DPICTOR_BUILD_BENCH=OFF >/dev/null
ninja -C "$build_dir" -j"${JOBS:-2}" pictor_fuzz_targets

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

failed=()
printf '%-16s %8s %10s %8s %8s %10s  %s\n' target seconds execs exec/s cov ft result
for name in "${targets[@]}"; do
  binary="$build_dir/tests/fuzz/fuzz_$name"
  if [[ ! -x "$binary" || ! -d "tests/fuzz/corpus/$name" ]]; then
    echo "fuzz: no target '$name' (tests/fuzz/${name}_fuzz.cc and tests/fuzz/corpus/$name/)" >&2
    exit 2
  fi
  work="$build_dir/fuzz/$name"
  mkdir -p "$work/corpus" "$work/crashes"
  status=0
  # The first corpus folder receives new inputs; the checked-in seeds are only read.
  "$binary" "$work/corpus" "tests/fuzz/corpus/$name" \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
    -artifact_prefix="$work/crashes/" >"$work/log.txt" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log.txt" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log.txt" | tail -1)
  # The last status line ("#N DONE cov: C ft: F ...", or the last progress line) has the coverage.
  last=$(grep -E '^#[0-9]+.*cov: ' "$work/log.txt" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  # Sanitizer reports without an abort would still be failures.
  if ((status != 0)) || grep -qE '^SUMMARY: |runtime error:' "$work/log.txt"; then
    result="FAILED (see $work/log.txt; inputs in $work/crashes/)"
    failed+=("$name")
  fi
  printf '%-16s %8s %10s %8s %8s %10s  %s\n' "$name" "$seconds" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$result"
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  echo "fuzz: copy each reproducer into tests/fuzz/corpus/<target>/ so make test runs it" >&2
  exit 1
fi
