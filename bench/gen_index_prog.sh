#!/bin/sh
# Generates and builds the large program bench/index measures: NFILES C
# files of NFUNCS functions each (a call chain through all of them), every
# file including a header of NTYPES struct types emitted in every CU
# (-fno-eliminate-unused-debug-types), for thousands of functions and tens
# of MB of DWARF. Output: OUT/bigprog (and its sources in OUT/src).
#   sh bench/gen_index_prog.sh OUT [NFILES NFUNCS NTYPES]
set -eu
OUT=$1
NFILES=${2:-300}
NFUNCS=${3:-20}
NTYPES=${4:-250}
CC=${CC:-gcc}
[ -x "$OUT/bigprog" ] && [ "$(cat "$OUT/params" 2>/dev/null)" = "$NFILES $NFUNCS $NTYPES" ] && exit 0
rm -rf "$OUT/src" && mkdir -p "$OUT/src"
awk -v n="$NTYPES" 'BEGIN {
  print "#ifndef BIG_TYPES_H\n#define BIG_TYPES_H"
  for (t = 0; t < n; t++) {
    printf "struct big_type_%d {\n", t
    for (f = 0; f < 10; f++) printf "  %s field_%d_%d;\n", (f % 3 ? "long" : "int"), t, f
    printf "  struct big_type_%d *next;\n};\n", t
  }
  print "#endif"
}' > "$OUT/src/big_types.h"
awk -v nf="$NFILES" -v nn="$NFUNCS" -v dir="$OUT/src" 'BEGIN {
  for (i = 0; i < nf; i++) {
    file = sprintf("%s/mod_%03d.c", dir, i)
    print "#include \"big_types.h\"" > file
    if (i + 1 < nf) printf "long mod_%03d_f00(long x);\n", i + 1 > file
    for (j = nn - 1; j >= 0; j--) {
      printf "long mod_%03d_f%02d(long x)\n{\n", i, j > file
      printf "  struct big_type_%d v;\n", (i * nn + j) % 50 > file
      printf "  long acc = x;\n  for (int k = 0; k < 3; k++) {\n    acc += k * %d;\n    acc ^= acc >> 3;\n  }\n", j + 1 > file
      printf "  v.next = 0;\n  acc += (long)(v.next != 0);\n" > file
      if (j + 1 < nn) printf "  acc = mod_%03d_f%02d(acc);\n", i, j + 1 > file
      else if (i + 1 < nf) printf "  acc = mod_%03d_f00(acc);\n", i + 1 > file
      printf "  return acc;\n}\n\n" > file
    }
    close(file)
  }
  main = dir "/main.c"
  print "long mod_000_f00(long x);\nint main(void)\n{\n  long r = mod_000_f00(1);\n  return (int)(r & 1);\n}" > main
}'
cat > "$OUT/src/Makefile" <<MK
SRC := \$(wildcard *.c)
OBJ := \$(SRC:.c=.o)
../bigprog: \$(OBJ)
	$CC -o \$@ \$(OBJ)
%.o: %.c big_types.h
	$CC -g -O0 -fno-eliminate-unused-debug-types -c -o \$@ \$<
MK
make -s -C "$OUT/src" -j2
echo "$NFILES $NFUNCS $NTYPES" > "$OUT/params"
