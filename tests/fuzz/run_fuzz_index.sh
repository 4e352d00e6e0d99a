#!/bin/sh
# Builds the symbol index reader's libFuzzer target with clang-14 and runs it.
#   sh tests/fuzz/run_fuzz_index.sh BUILD SECONDS
# Seeds: index files BUILD/sse-index writes for a few test programs into a
# scratch cache (BUILD/fuzz-index/seeds); new units land in
# BUILD/fuzz-index/corpus, crash files in BUILD/fuzz-index/artifacts.
# Exits non-zero on a crash, a sanitizer report or a build failure.
set -u
BUILD=${1:-build}
SECONDS_=${2:-300}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CLANG=${FUZZ_CC:-clang-14}
OUT="$BUILD/fuzz-index"
BIN="$OUT/fuzz_index"
mkdir -p "$OUT/corpus" "$OUT/artifacts" "$OUT/seeds" || exit 1
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "run_fuzz_index: $CLANG not found (scripts/deps.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 2
fi
SRCS="$SRC/tests/fuzz/fuzz_index.c $SRC/src/index/read.c $SRC/src/index/cachedir.c \
$SRC/src/index/write.c $SRC/src/index/dirfile.c $SRC/src/symtab/persist.c $SRC/src/symtab/modcache.c \
$SRC/src/symtab/strtab.c $SRC/src/symtab/pcmemo.c $SRC/src/symtab/rowtab.c $SRC/src/values/typeindex.c $SRC/src/values/arena.c"
need=1
if [ -x "$BIN" ]; then
  need=0
  for f in $SRCS "$SRC"/src/index/*.h "$SRC"/src/symtab/symtab_int.h "$SRC"/src/values/values.h "$0"; do
    [ "$f" -nt "$BIN" ] && need=1
  done
fi
if [ "$need" = 1 ]; then
  # shellcheck disable=SC2086
  "$CLANG" -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$SRC/src" -I"$SRC/include" -I"$SRC/src/arch/x86_64" $SRCS -o "$BIN.tmp" -ldw -lelf -lpthread || exit 1
  mv "$BIN.tmp" "$BIN" || exit 1
fi
if [ -x "$BUILD/sse-index" ] && [ -d "$BUILD/targets" ]; then
  seeddir=$(mktemp -d) || exit 1
  "$BUILD/sse-index" -q --cache-dir "$seeddir" "$BUILD/targets/symtab_target" \
    "$BUILD/targets/loops_calls" "$BUILD/targets/cxx_shapes" >/dev/null 2>&1
  # A file with segments and a type table: two sessions on values_target.
  for i in 1 2; do
    SSE_CACHE_DIR="$seeddir" "$BUILD/ssedemo" --batch -ex 'break values_target.c:93' -ex run -ex 'p head' \
      -ex 'ptype pts' -ex 'p col' "$BUILD/targets/values_target" >/dev/null 2>&1
  done
  cp -f "$seeddir"/*.sseidx "$OUT/seeds/" 2>/dev/null
  rm -rf "$seeddir"
fi
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$BIN" -max_total_time="$SECONDS_" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
  -artifact_prefix="$OUT/artifacts/" "$OUT/corpus" "$OUT/seeds"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run_fuzz_index: fuzz_index failed (exit $rc); crash inputs in $OUT/artifacts" >&2
  exit 1
fi
exit 0
