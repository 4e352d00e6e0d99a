#!/bin/sh
# Runs every Criterion suite in BUILD/tests, then the export check and the
# README example. Prints one closing line "N passed, N failed" and exits
# non-zero when anything failed.
BUILD=${1:-build}
SAN=${2:-}
export SSE_TARGETS_DIR="$(cd "$BUILD/targets" && pwd)"
export SSE_SYMTAB_TARGET="$SSE_TARGETS_DIR/symtab_target"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
# The shared symbol index (issue 17): a cache directory of this run's own,
# so tests never write ~/.cache (a test that wants another sets its own).
if [ -z "${SSE_CACHE_DIR:-}" ]; then
  SSE_CACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sse-cache.XXXXXX") || exit 1
  export SSE_CACHE_DIR
  trap 'rm -rf "$SSE_CACHE_DIR"' EXIT
fi
pass=0
fail=0
failed=""
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  log="$BUILD/tests/$name.log"
  # --jobs 2: the machine has two cores; tests are processes of their own.
  # An outer bound as well: Criterion's own .timeout does not fire for a
  # worker blocked in a futex wait (seen once).
  if timeout -k 10 600 "$t" --jobs 2 --short-filename >"$log" 2>&1; then
    pass=$((pass + 1))
    printf '  ok    %s  (%s)\n' "$name" "$(tail -n 1 "$log" | sed 's/^\[====\] //')"
  else
    fail=$((fail + 1))
    failed="$failed $name"
    printf '  FAIL  %s\n' "$name"
    sed 's/^/        /' "$log" | tail -n 40
  fi
done
# Only sse_ names are exported from the shared library.
extra=$(nm -D --defined-only "$BUILD/libsse.so" | awk '{print $3}' | grep -v '^sse_' | grep -v '^_' )
if [ -n "$extra" ]; then
  fail=$((fail + 1)); failed="$failed exports"
  echo "  FAIL  exports: $extra"
else
  pass=$((pass + 1)); echo "  ok    exports (only sse_ names)"
fi
# Programs are clients of sse.h only: the Makefile compiles them with
# include/ alone and links them against libsse.so (which exports sse_ names
# only), so they link nothing of the library's own dependencies.
for tool in ssedemo sse-gdbserver sse-index; do
  needed=$(readelf -d "$BUILD/$tool" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  direct=$(echo "$needed" | grep -E '^lib(capstone|dw|elf|unwind)')
  if echo "$needed" | grep -q '^libsse\.so' && [ -z "$direct" ]; then
    pass=$((pass + 1)); echo "  ok    tools use sse.h only ($tool: libsse.so)"
  else
    fail=$((fail + 1)); failed="$failed tools"
    echo "  FAIL  tools: $tool needs" $needed
  fi
done
# The README's embedding example compiles (make did it) and runs.
if out=$("$BUILD/tests/readme_example" "$SSE_TARGETS_DIR/loops_calls" 2>&1); then
  pass=$((pass + 1)); echo "  ok    readme_example"
else
  fail=$((fail + 1)); failed="$failed readme_example"
  echo "  FAIL  readme_example"; echo "$out" | tail -n 20
fi
# The fuzzers (the JIT blob parser's, the expression parser's, the remote
# protocol's packet parser's, the symbol index reader's), bounded (make fuzz
# runs them longer). Only in the plain build: they are built with clang's
# own sanitizers. fuzz_suite NAME SCRIPT [ARG]: one of them.
fuzz_suite() {
  [ -z "$SAN" ] || return 0
  flog="$BUILD/tests/fuzz_$1.log"
  if sh "$(dirname "$0")/fuzz/$2" "$BUILD" 10 ${3:+"$3"} >"$flog" 2>&1; then
    pass=$((pass + 1))
    printf '  ok    fuzz_%s  (%s)\n' "$1" "$(grep -o 'number_of_executed_units: *[0-9]*' "$flog" | tr -s ' ' | sed 's/number_of_executed_units:/runs/')"
  else
    fail=$((fail + 1)); failed="$failed fuzz_$1"
    echo "  FAIL  fuzz_$1"; tail -n 40 "$flog" | sed 's/^/        /'
  fi
}
fuzz_suite jitblob run_fuzz.sh jitblob
fuzz_suite expr run_fuzz.sh expr
fuzz_suite rsp run_fuzz_rsp.sh
fuzz_suite index run_fuzz_index.sh
# ssedap: Microsoft's DAP test client (tests/dap, npm packages from its
# package-lock) drives whole editor sessions; and ssedap is a client of
# sse.h only, as the other programs.
needed=$(readelf -d "$BUILD/ssedap" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if echo "$needed" | grep -q '^libsse\.so' && ! echo "$needed" | grep -qE '^lib(capstone|dw|elf|unwind)'; then
  pass=$((pass + 1)); echo "  ok    tools use sse.h only (ssedap: libsse.so)"
else
  fail=$((fail + 1)); failed="$failed tools"; echo "  FAIL  tools: ssedap needs" $needed
fi
dlog="$BUILD/tests/dap.log"
dapdir="$(cd "$(dirname "$0")/dap" && pwd)"
dapbin="$(cd "$BUILD" && pwd)/ssedap"
if { [ -d "$dapdir/node_modules/@vscode/debugadapter-testsupport" ] || \
     (cd "$dapdir" && npm ci --no-audit --no-fund --loglevel=error); } >"$dlog" 2>&1 &&
   (cd "$dapdir" && SSEDAP="$dapbin" DAP_TIMEOUT=$([ -n "$SAN" ] && echo 60000 || echo 20000) \
     timeout -k 10 900 node --test --test-concurrency=1 ./*.test.js) >>"$dlog" 2>&1; then
  pass=$((pass + 1))
  printf '  ok    dap  (%s)\n' "$(grep -E '^# (pass|fail) ' "$dlog" | tr '\n' ' ' | sed 's/# //g; s/ $//')"
else
  fail=$((fail + 1)); failed="$failed dap"
  echo "  FAIL  dap"; grep -E '^not ok|error:|expected|actual' "$dlog" | head -n 40 | sed 's/^/        /'
fi
echo "suites: $pass passed, $fail failed${failed:+ ($failed )}"
[ "$fail" -eq 0 ]
