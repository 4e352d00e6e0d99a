#!/bin/sh
# make_stripped.sh OUTDIR [INPUT]
#
# Builds the "stripped program, debuginfo found by build ID" layout for the
# source-stepping tests (issue 3):
#   OUTDIR/loops_calls_stripped               stripped copy of INPUT
#   OUTDIR/debug/.build-id/xx/yyyy....debug   objcopy --only-keep-debug of INPUT
# INPUT is loops_calls linked with -Wl,--build-id (targets.mk builds it as
# $(BUILD)/targets/loops_calls_buildid; default: the file of that name next to
# this script's build dir, or $SSE_TARGETS_DIR/loops_calls_buildid).
# No .gnu_debuglink is added: the build ID is the only way to find the
# debuginfo.  Prints the debug directory (OUTDIR/debug) on stdout; pass it as
# debug-file-directory (gdb) / debuginfo path (libdwfl).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [INPUT]" >&2; exit 2; }
out=$1
in=${2:-${SSE_TARGETS_DIR:-build/targets}/loops_calls_buildid}
[ -f "$in" ] || { echo "$0: $in: not found (build the targets first)" >&2; exit 1; }
OBJCOPY=${OBJCOPY:-objcopy}
STRIP=${STRIP:-strip}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Build ID as hex from the note (readelf prints "Build ID: <hex>").
id=$(LC_ALL=C readelf -n "$in" | sed -n 's/^[[:space:]]*Build ID:[[:space:]]*\([0-9a-f]*\).*/\1/p' | head -n 1)
[ -n "$id" ] || { echo "$0: $in has no build ID" >&2; exit 1; }
pre=$(printf %s "$id" | cut -c1-2)
rest=$(printf %s "$id" | cut -c3-)

mkdir -p "$out/debug/.build-id/$pre"
"$OBJCOPY" --only-keep-debug "$in" "$out/debug/.build-id/$pre/$rest.debug"
"$STRIP" --strip-debug --strip-unneeded -o "$out/loops_calls_stripped" "$in"
chmod +x "$out/loops_calls_stripped"
echo "$out/debug"
