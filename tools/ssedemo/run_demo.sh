#!/bin/sh
# run_demo.sh BUILD — `make demo`: ssedemo on a bundled program.
# Interactive when stdin is a terminal; otherwise a short scripted session.
BUILD=${1:-build}
DEMO="$BUILD/ssedemo"
PROG="$BUILD/targets/loops_calls"
for f in "$DEMO" "$PROG"; do
  if [ ! -x "$f" ]; then
    echo "run_demo.sh: $f is missing: run make all targets-all first" >&2
    exit 1
  fi
done

if [ -t 0 ] && [ -t 1 ]; then
  echo "ssedemo on $PROG — try: break main, run, next, step, bt, list,"
  echo "info registers, finish, continue; help lists the commands; quit exits."
  exec "$DEMO" "$PROG"
fi

echo "== ssedemo --batch on $PROG (stdin is not a terminal: scripted session)"
echo "   break main / run / next / step / bt / info registers rip / finish /"
echo "   list / x/4dw \$sp / disassemble / info breakpoints / continue"
echo
"$DEMO" --batch \
  -ex 'break main' \
  -ex run \
  -ex next \
  -ex next \
  -ex step \
  -ex bt \
  -ex 'info registers rip' \
  -ex finish \
  -ex 'list' \
  -ex 'x/4dw $sp' \
  -ex 'disassemble square' \
  -ex 'info breakpoints' \
  -ex continue \
  "$PROG"
status=$?
echo
echo "== the same stops as JSON (--json), first lines"
"$DEMO" --batch --json -ex 'break square' -ex run -ex bt -ex finish \
  -ex continue "$PROG" 2>&1 | head -8
exit $status
