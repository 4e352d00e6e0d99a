#!/bin/sh
# Builds a libFuzzer target with clang-14 and runs it.
#   sh tests/fuzz/run_fuzz.sh BUILD SECONDS [TARGET]
# TARGET: jitblob (the JIT blob parser, the default) or expr (the C
# expression parser and evaluator, tests/fuzz/fuzz_expr.c).
# The fuzzer works on a scratch corpus (BUILD/fuzz/corpus[_expr], seeded from
# tests/fuzz/corpus/TARGET; new units land there, never in the repo) and
# leaves crash files in BUILD/fuzz/artifacts[_expr]. Exits non-zero on a
# crash, a sanitizer report or a build failure.
set -u
BUILD=${1:-build}
SECONDS_=${2:-300}
TARGET=${3:-jitblob}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CLANG=${FUZZ_CC:-clang-14}
OUT="$BUILD/fuzz"
case "$TARGET" in
  jitblob)
    SUFFIX=""
    SRCS="$SRC/src/jit/jitblob.c"
    DEPS="$SRC/src/jit/jitblob.h $SRC/src/agent/sse_agent.h"
    FLAGS="-I$SRC/src -I$SRC/src/jit -I$SRC/src/agent"
    LIBS=""
    MAXLEN="" ;;
  expr)
    SUFFIX="_expr"
    V="$SRC/src/values"
    SRCS="$V/expr.c $V/eval.c $V/arena.c $V/typeparse.c $V/fetch.c $V/assign.c $V/types.c \
      $V/format.c $V/fmtletter.c $V/strings.c $V/typename.c $V/ptype.c $V/statics.c \
      $V/ptype_cxx.c $V/cxxcanon.c $V/tdtab.c $V/msym.c $V/memptr.c $V/methods.c $V/typeindex.c"
    DEPS="$V/values.h"
    FLAGS="-I$SRC/include -I$SRC/src -I$SRC/src/arch/x86_64"
    LIBS="-ldw -lelf -lm"
    MAXLEN="-max_len=512" ;;
  *) echo "run_fuzz: unknown target $TARGET" >&2; exit 2 ;;
esac
BIN="$OUT/fuzz_$TARGET"
mkdir -p "$OUT/corpus$SUFFIX" "$OUT/artifacts$SUFFIX" || exit 1
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "run_fuzz: $CLANG not found (scripts/deps.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 2
fi
# Rebuild when a source is newer than the binary.
need=1
if [ -x "$BIN" ]; then
  need=0
  for f in "$SRC/tests/fuzz/fuzz_$TARGET.c" $SRCS $DEPS "$0"; do
    [ -e "$f" ] && [ "$f" -nt "$BIN" ] && need=1
  done
fi
if [ "$need" = 1 ]; then
  # shellcheck disable=SC2086
  "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $FLAGS "$SRC/tests/fuzz/fuzz_$TARGET.c" $SRCS $LIBS -o "$BIN.tmp" || exit 1
  mv "$BIN.tmp" "$BIN" || exit 1
fi
# Seeds: copy so the fuzzer never writes into the repository.
cp -f "$SRC"/tests/fuzz/corpus/"$TARGET"/* "$OUT/corpus$SUFFIX/" 2>/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# shellcheck disable=SC2086
"$BIN" -max_total_time="$SECONDS_" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $MAXLEN \
  -artifact_prefix="$OUT/artifacts$SUFFIX/" "$OUT/corpus$SUFFIX"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run_fuzz: fuzz_$TARGET failed (exit $rc); crash inputs in $OUT/artifacts$SUFFIX" >&2
  exit 1
fi
exit 0
