/* test_gdbserver_avx512.c — the AVX-512 registers through sse-gdbserver
 * (the org.gnu.gdb.i386.avx512 feature: xmm16-31, ymm16h-31h, k0-7,
 * zmm0h-31h, from which gdb makes zmm0-31): avx512_regs stops with known
 * values in zmm3, zmm17, k1 and k7, and reads back what gdb wrote.
 *
 * The oracle: gdb 13 (native, and with gdbserver) reads the AVX-512 XSAVE
 * components at Intel's fixed offsets (opmask at 1088); CPUs that lay the
 * area out otherwise (AMD's Zen 4: CPUID leaf 0xD gives 832) get zeros
 * from it. So the output equals native gdb's where the CPU's offsets are
 * Intel's, and the program's known values everywhere. Skipped on a CPU
 * without avx512f and avx512bw. */
#include <cpuid.h>

#include "test_gdbserver.h"

TestSuite(gdbserver_avx512, .fini = cleanup, .timeout = 90);

static void need_avx512(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw"))
    cr_skip_test("no AVX-512 on this CPU");
}

/* Whether native gdb 13 reads this CPU's AVX-512 state right. */
static bool intel_xsave_layout(void) {
  unsigned a, b, c, d;
  return __get_cpuid_count(0xd, 5, &a, &b, &c, &d) && b == 1088;
}

static const char *const read_cmds[] = {
    "break avx512_here", "continue", "p $zmm3.v16_float", "info registers k1 k7",
    "p $zmm17.v64_int8", "p $ymm17.v32_int8", "p $xmm17.v16_int8", "p/x $zmm17.v8_int64[7]",
    "kill", NULL};

Test(gdbserver_avx512, registers_read) {
  need_avx512();
  const char *prog = tgt("avx512_regs");
  server_start_prog(prog);
  char *rem = run_gdb(prog, read_cmds);
  cr_assert(strstr(rem, "$1 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}\n"), "%s",
            rem);
  cr_assert(strstr(rem, "k1             0x5a5a"), "%s", rem);
  cr_assert(strstr(rem, "k7             0x8000000000000001"), "%s", rem);
  cr_assert(strstr(rem, "$2 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, "
                        "19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, "
                        "37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, "
                        "55, 56, 57, 58, 59, 60, 61, 62, 63, 64}"),
            "%s", rem);
  cr_assert(strstr(rem, "$3 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, "
                        "19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}"),
            "%s", rem);
  cr_assert(strstr(rem, "$4 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}"), "%s",
            rem);
  cr_assert(strstr(rem, "$5 = 0x403f3e3d3c3b3a39"), "%s", rem);
  cr_assert_eq(server_wait(), 0);
  if (intel_xsave_layout()) {
    const char *ncmds[] = {read_cmds[0], "run", read_cmds[2], read_cmds[3], read_cmds[4],
                           read_cmds[5], read_cmds[6], read_cmds[7], "kill", NULL};
    char *nat = run_gdb_target(NULL, prog, ncmds);
    const char *n = strstr(nat, "$1 = "), *r = strstr(rem, "$1 = ");
    cr_assert(n && r, "native: %s", nat);
    size_t nl = (size_t)(strstr(n, "[Inferior 1") - n), rl = (size_t)(strstr(r, "[Inferior 1") - r);
    cr_assert(nl == rl && !memcmp(n, r, nl), "remote:\n%.*s\nnative:\n%.*s", (int)rl, r,
              (int)nl, n);
    free(nat);
  }
  free(rem);
}

/* Written through P: the program reads zmm3, k1 and zmm17 back after
 * avx512_here returns and says with its exit code (7: all three). */
Test(gdbserver_avx512, registers_written) {
  need_avx512();
  server_start_prog(tgt("avx512_regs"));
  const char *cmds[] = {"break avx512_here", "continue", "set var $zmm3.v16_float[15] = 99",
                        "set var $k1 = 0x1234", "set var $zmm17.v64_int8[63] = 0x7f",
                        "p $zmm3.v16_float[15]", "p/x $k1", "p $zmm17.v64_int8[63]", "continue",
                        NULL};
  char *out = run_gdb(tgt("avx512_regs"), cmds);
  cr_assert(strstr(out, "$1 = 99"), "%s", out);
  cr_assert(strstr(out, "$2 = 0x1234"), "%s", out);
  cr_assert(strstr(out, "$3 = 127"), "%s", out);
  cr_assert(strstr(out, "exited with code 07"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}
