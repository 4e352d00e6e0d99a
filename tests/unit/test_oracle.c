/* Self-test of the gdb oracle (tests/oracle): gdb runs, the script's lines
 * are parsed, and what it reports for known targets is sane.  Targets are
 * looked up in $SSE_TARGETS_DIR, else TARGETS_DIR (a -D), else build/targets. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../oracle/oracle.h"

#ifndef TARGETS_DIR
#define TARGETS_DIR "build/targets"
#endif

static const char *target(const char *name)
{
    static char buf[4096];
    const char *d = getenv("SSE_TARGETS_DIR");
    snprintf(buf, sizeof buf, "%s/%s", d && *d ? d : TARGETS_DIR, name);
    return buf;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

Test(oracle, loops_calls_step_50, .timeout = 60)
{
    oracle_stop *s;
    size_t n;
    cr_assert_eq(oracle_gdb_steps(target("loops_calls"), NULL, "main", "step", 50,
                                  NULL, NULL, &s, &n), 0, "gdb oracle failed to run");
    cr_assert_eq(n, 51, "initial stop + 50 steps, got %zu", n);
    cr_expect_str_eq(s[0].function, "main");
    cr_expect(ends_with(s[0].file, "/tests/targets/loops_calls.c"), "file %s", s[0].file);
    int saw_square = 0, saw_add = 0, saw_sum = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(!s[i].exited && !s[i].error[0], "stop %zu: exited/error %s", i, s[i].error);
        cr_expect_neq(s[i].line, 0, "stop %zu has no line", i);
        cr_expect_neq(s[i].pc, 0);
        cr_expect(ends_with(s[i].file, "loops_calls.c") || s[i].file[0] == '.' ||
                  strstr(s[i].file, "glibc") != NULL,
                  "stop %zu in unexpected file %s", i, s[i].file);
        saw_square |= !strcmp(s[i].function, "square");
        saw_add |= !strcmp(s[i].function, "add");
        saw_sum |= !strcmp(s[i].function, "sum_squares");
        if (i > 0)
            cr_expect(s[i].pc != s[i - 1].pc, "step %zu did not move", i);
    }
    cr_expect(saw_square && saw_add && saw_sum, "nested calls not stepped into");
    oracle_free(s);
}

Test(oracle, runs_to_exit, .timeout = 60)
{
    oracle_stop *s;
    size_t n;
    char *args[] = {"5", NULL};
    cr_assert_eq(oracle_gdb_steps(target("exit_code"), args, "main", "next", 100,
                                  NULL, NULL, &s, &n), 0);
    cr_assert(n >= 2 && n < 101, "n=%zu", n);
    cr_expect(s[n - 1].exited);
    cr_expect_eq(s[n - 1].exit_code, 5);
    oracle_free(s);
}

Test(oracle, finish_outermost_is_error, .timeout = 60)
{
    oracle_stop *s;
    size_t n;
    cr_assert_eq(oracle_gdb_steps(target("recursion"), NULL, "fact if n==3", "finish", 9,
                                  NULL, NULL, &s, &n), 0);
    cr_assert_eq(n, 10);
    cr_expect_str_eq(s[0].function, "fact");
    for (size_t i = 1; i < 8; i++)
        cr_expect_str_eq(s[i].function, "fact");
    cr_expect_str_eq(s[8].function, "main");
    cr_expect(s[9].error[0] != 0);
    oracle_free(s);
}

Test(oracle, qsort_cmp_backtrace, .timeout = 60)
{
    oracle_frame *f;
    size_t n;
    cr_assert_eq(oracle_gdb_bt(target("qsort_cmp"), NULL, "cmp_ints", NULL, NULL, &f, &n), 0,
                 "gdb oracle failed to run");
    cr_assert(n >= 7, "n=%zu", n);
    cr_expect_str_eq(f[0].function, "cmp_ints");
    cr_expect(ends_with(f[0].file, "/tests/targets/qsort_cmp.c"));
    cr_expect_str_eq(f[n - 1].function, "main");
    int qsort_frames = 0, nest_frames = 0;
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(f[i].level, (int)i);
        if (strstr(f[i].function, "qsort") || strstr(f[i].function, "msort"))
            qsort_frames++;
        if (!strcmp(f[i].function, "nest")) {
            nest_frames++;
            cr_expect(f[i].physical);
        }
    }
    cr_expect(qsort_frames >= 1, "no qsort frames");
    cr_expect_eq(nest_frames, 4, "nest depth 0..3");
    oracle_free(f);
}

Test(oracle, signal_frame_backtrace, .timeout = 60)
{
    oracle_frame *f;
    size_t n;
    cr_assert_eq(oracle_gdb_bt(target("sighandler_bt"), NULL, "in_handler", NULL, NULL, &f, &n), 0);
    int sig = -1;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].kind, "sigtramp"))
            sig = (int)i;
    cr_assert(sig > 0, "no <signal handler called> frame");
    cr_expect_str_eq(f[sig].function, "<signal handler called>");
    cr_expect_str_eq(f[0].function, "in_handler");
    cr_expect_str_eq(f[n - 1].function, "main");
    oracle_free(f);
}
