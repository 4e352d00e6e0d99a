#!/bin/sh
# Builds the JIT blob parser's libFuzzer target with clang-14 and runs it.
#   sh tests/fuzz/run_fuzz.sh BUILD SECONDS
# The fuzzer works on a scratch corpus (BUILD/fuzz/corpus, seeded from
# tests/fuzz/corpus/jitblob; new units land there, never in the repo) and
# leaves crash files in BUILD/fuzz/artifacts. Exits non-zero on a crash, a
# sanitizer report or a build failure.
set -u
BUILD=${1:-build}
SECONDS_=${2:-300}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CLANG=${FUZZ_CC:-clang-14}
OUT="$BUILD/fuzz"
BIN="$OUT/fuzz_jitblob"
mkdir -p "$OUT/corpus" "$OUT/artifacts" || exit 1
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "run_fuzz: $CLANG not found (scripts/deps.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 2
fi
# Rebuild when a source is newer than the binary.
need=1
if [ -x "$BIN" ]; then
  need=0
  for f in "$SRC/tests/fuzz/fuzz_jitblob.c" "$SRC/src/jit/jitblob.c" "$SRC/src/jit/jitblob.h" \
           "$SRC/src/agent/sse_agent.h" "$0"; do
    [ -e "$f" ] && [ "$f" -nt "$BIN" ] && need=1
  done
fi
if [ "$need" = 1 ]; then
  "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$SRC/src" -I"$SRC/src/jit" -I"$SRC/src/agent" \
    "$SRC/tests/fuzz/fuzz_jitblob.c" "$SRC/src/jit/jitblob.c" -o "$BIN.tmp" || exit 1
  mv "$BIN.tmp" "$BIN" || exit 1
fi
# Seeds: copy so the fuzzer never writes into the repository.
cp -f "$SRC"/tests/fuzz/corpus/jitblob/* "$OUT/corpus/" 2>/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$BIN" -max_total_time="$SECONDS_" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$OUT/artifacts/" "$OUT/corpus"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run_fuzz: fuzz_jitblob failed (exit $rc); crash inputs in $OUT/artifacts" >&2
  exit 1
fi
exit 0
