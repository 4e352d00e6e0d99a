/* whatis and ptype (issue 12): sse_describe_type() gives gdb's text for
 * C types, type names and expressions, compared with gdb's on the same
 * stop. */
#include "values_oracle.h"

#define LINE 93

VO_SUITE("values_target", "values_target.c", LINE)
#define eng V.eng
#define proc V.proc
#define thr V.thr

TestSuite(ptype, .init = setup, .fini = teardown, .timeout = 60);

static const char *const what[] = {
    "struct node", "fl", "col", "arr", "pp", "fn", "ul", "num", "main", "nm", "sg", "ulong_t",
    "ops", "int", "unsigned long", "head.next", "struct nosuch", "nosuch", "i = 5", "i",
    "1+2", "enum color", "enum sign", "grid", "ld", "vp", "add", "&add", "ulong_t *",
    "struct point *", "char", "(char)1", "esc", "s", "union number", "$pc", "$sp", "head",
    "&head", "*pp", "pts", "d * 2", "union nosuch", "1 +", "label", "&grid[1]", "null_ptr",
    "global_ratio", "f", "inspect", "l", "sh", "(long unsigned int)1", "(short unsigned int)1"};

static void compare(const char *cmd, bool ptype) {
  size_t n = sizeof what / sizeof *what;
  char **want = calloc(n, sizeof *want);
  vo_gdb_answers("values_target", "values_target.c", LINE, NULL, cmd, what, n, want);
  for (size_t i = 0; i < n; i++) {
    char buf[8192], got[8300];
    sse_err e = sse_describe_type(thr, 0, what[i], ptype, buf, sizeof buf);
    snprintf(got, sizeof got, e ? "%s" : "type = %s", buf);
    cr_expect_str_eq(got, want[i], "%s %s:\nsse:\n%s\ngdb:\n%s", cmd, what[i], got, want[i]);
    free(want[i]);
  }
  free(want);
}

Test(ptype, ptype_as_gdb) { compare("ptype", true); }
Test(ptype, whatis_as_gdb) { compare("whatis", false); }

Test(ptype, errors) {
  char buf[256];
  cr_assert_eq(sse_describe_type(thr, 0, "nosuch", true, buf, sizeof buf), SSE_E_NOSYM);
  cr_assert_eq(sse_describe_type(thr, 0, "", true, buf, sizeof buf), SSE_E_INVAL);
  cr_assert_eq(sse_describe_type(thr, 0, NULL, true, buf, sizeof buf), SSE_E_INVAL);
  cr_assert_eq(sse_describe_type(thr, 0, "i", true, buf, 0), SSE_E_INVAL);
  SSE_OKAY(sse_describe_type(thr, 0, "struct node", true, buf, 16));
  cr_assert_eq(strlen(buf), 15);
}
