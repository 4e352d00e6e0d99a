#!/bin/sh
# Builds sse-gdbserver's packet parser fuzzer (tests/fuzz/fuzz_rsp.c: the
# framing and every packet handler, against a stopped loops_calls) with
# clang-14 and runs it.
#   sh tests/fuzz/run_fuzz_rsp.sh BUILD SECONDS
# The server's sources are built with libFuzzer, ASan and UBSan; libsse.so
# is BUILD's. Scratch corpus in BUILD/fuzz/corpus-rsp (seeded from
# tests/fuzz/corpus/rsp), crash files in BUILD/fuzz/artifacts-rsp. Exits
# non-zero on a crash, a sanitizer report or a build failure.
set -u
BUILD=${1:-build}
SECONDS_=${2:-300}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
CLANG=${FUZZ_CC:-clang-14}
OUT="$BUILD/fuzz"
BIN="$OUT/fuzz_rsp"
mkdir -p "$OUT/corpus-rsp" "$OUT/artifacts-rsp" || exit 1
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "run_fuzz_rsp: $CLANG not found (scripts/deps.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 2
fi
SERVER=$(ls "$SRC"/tools/sse-gdbserver/*.c | grep -v '/main\.c$')
need=1
if [ -x "$BIN" ]; then
  need=0
  for f in "$SRC/tests/fuzz/fuzz_rsp.c" $SERVER "$SRC/tools/sse-gdbserver/gdbserver.h" \
           "$SRC/include/sse.h" "$0"; do
    [ "$f" -nt "$BIN" ] && need=1
  done
fi
if [ "$need" = 1 ]; then
  # shellcheck disable=SC2086
  "$CLANG" -g -O1 -std=gnu11 -pthread -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -I"$SRC/include" -I"$SRC/tools/sse-gdbserver" \
    "$SRC/tests/fuzz/fuzz_rsp.c" $SERVER -L"$BUILD" -lsse -Wl,-rpath,"$BUILD" \
    -o "$BIN.tmp" || exit 1
  mv "$BIN.tmp" "$BIN" || exit 1
fi
cp -f "$SRC"/tests/fuzz/corpus/rsp/* "$OUT/corpus-rsp/" 2>/dev/null
export SSE_FUZZ_TARGET="$BUILD/targets/loops_calls"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$BIN" -max_total_time="$SECONDS_" -timeout=10 -max_len=8192 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$OUT/artifacts-rsp/" "$OUT/corpus-rsp"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run_fuzz_rsp: fuzz_rsp failed (exit $rc); crash inputs in $OUT/artifacts-rsp" >&2
  exit 1
fi
exit 0
