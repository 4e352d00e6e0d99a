#!/bin/sh
# Builds and runs the src/symtab suite into build/h-symtab/ (run from the
# repo root). SAN=asan or SAN=tsan selects a sanitizer build.
set -e
OUT=build/h-symtab
mkdir -p "$OUT"
T=tests/targets/symtab_target.c
gcc -g -O0 $T -o "$OUT/symtab_target"
gcc -g -O0 -fcf-protection=full $T -o "$OUT/symtab_target_cet"
gcc -g -O2 $T -o "$OUT/symtab_target_O2"
clang -g -O0 $T -o "$OUT/symtab_target_clang"
LIBS="$(pkg-config --cflags --libs libdw libelf capstone libunwind) -lpthread"
# src/symtab and the arch layer below it (prologue analysis, PLT stubs).
SRCS="$(ls src/symtab/*.c src/arch/x86_64/*.c)"
case "${SAN:-}" in
  asan) SF="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"; EXE="$OUT/test_symtab_asan" ;;
  tsan)
    # Criterion cannot start under TSan (Snaipe/Criterion#274): a plain driver.
    gcc -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=thread -Isrc -Isrc/arch/x86_64 $SRCS tests/unit/tsan_symtab.c \
      $LIBS -o "$OUT/tsan_symtab"
    TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" exec "$OUT/tsan_symtab" "$OUT/symtab_target" ;;
  *) SF=""; EXE="$OUT/test_symtab" ;;
esac
gcc -std=c11 -g -O1 -Wall -Wextra -Werror $SF -Isrc -Isrc/arch/x86_64 $SRCS tests/unit/test_symtab.c \
  $LIBS $(pkg-config --cflags --libs criterion) -o "$EXE"
SSE_SYMTAB_TARGET="$OUT/symtab_target" "$EXE" "$@"
