/* Value handles (issue 12): sse_value_* as a variables view uses them.
 * gdb is the oracle: every child's expression, printed by gdb, gives the
 * child's text; print limits and assignments give gdb's text after gdb's
 * `set print ...` and `set var`. */
#include "values_oracle.h"

#define LINE 93

VO_SUITE("values_target", "values_target.c", LINE)
#define eng V.eng
#define proc V.proc
#define thr V.thr

TestSuite(value_handles, .init = setup, .fini = teardown, .timeout = 90);

static char *text_of(sse_value *v, int fmt, const sse_print_limits *l) {
  char buf[16384];
  bool trunc;
  SSE_OKAY(sse_value_format(v, fmt, l, buf, sizeof buf, &trunc));
  cr_assert(!trunc);
  return strdup(buf);
}

/* The tree under v, depth levels down: each handle's expression and
 * text, appended to ex/tx. */
static void walk(sse_value *v, int depth, char **ex, char **tx, size_t *n, size_t max) {
  if (*n >= max) return;
  ex[*n] = strdup(sse_value_expression(v));
  tx[*n] = text_of(v, 0, NULL);
  ++*n;
  size_t nk;
  SSE_OKAY(sse_value_child_count(v, &nk));
  if (depth == 0 || nk == 0) return;
  sse_value **kids;
  size_t got;
  SSE_OKAY(sse_value_children(v, 0, nk, &kids, &got));
  cr_assert_eq(got, nk, "%s: %zu children of %zu", sse_value_expression(v), got, nk);
  for (size_t i = 0; i < got; i++) walk(kids[i], depth - 1, ex, tx, n, max);
  sse_values_free(kids, got);
}

Test(value_handles, children_expressions_print_as_gdb) {
  static const char *const roots[] = {"head", "pts", "grid", "nm", "num", "fl", "pp", "arr",
                                      "&pt", "ops", "s", "global_text", "*head.next"};
  enum { MAX = 400 };
  char *ex[MAX], *tx[MAX];
  size_t n = 0;
  for (size_t r = 0; r < sizeof roots / sizeof *roots; r++) {
    sse_value *v;
    char err[256];
    SSE_OKAY(sse_value_evaluate(thr, 0, roots[r], &v, err, sizeof err));
    cr_assert_str_eq(sse_value_name(v), roots[r]);
    walk(v, 3, ex, tx, &n, MAX);
    sse_value_free(v);
  }
  char **want = calloc(n, sizeof *want);
  vo_gdb_answers("values_target", "values_target.c", LINE, NULL, "print",
                 (const char *const *)ex, n, want);
  for (size_t i = 0; i < n; i++) {
    vo_mask(tx[i]);
    vo_mask(want[i]);
    size_t tl = strlen(tx[i]); /* a handle's text of an error is "<error: MSG>" */
    if (!strncmp(tx[i], "<error: ", 8) && tx[i][tl - 1] == '>') {
      memmove(tx[i], tx[i] + 8, tl - 8);
      tx[i][tl - 9] = 0;
    }
    cr_expect_str_eq(tx[i], want[i], "print %s: sse \"%s\", gdb \"%s\"", ex[i], tx[i], want[i]);
    free(ex[i]);
    free(tx[i]);
    free(want[i]);
  }
  free(want);
}

static size_t count_of(const char *expr) {
  sse_value *v;
  SSE_OKAY(sse_value_evaluate(thr, 0, expr, &v, NULL, 0));
  size_t n;
  SSE_OKAY(sse_value_child_count(v, &n));
  sse_value_free(v);
  return n;
}

Test(value_handles, child_counts_and_names) {
  cr_expect_eq(count_of("head"), 5);
  cr_expect_eq(count_of("arr"), 3);
  cr_expect_eq(count_of("grid"), 2);
  cr_expect_eq(count_of("pp"), 1);
  cr_expect_eq(count_of("head.name"), 1);
  cr_expect_eq(count_of("null_ptr"), 1);
  cr_expect_eq(count_of("vp"), 0);
  cr_expect_eq(count_of("fn"), 0);
  cr_expect_eq(count_of("add"), 0);
  cr_expect_eq(count_of("i"), 0);
  cr_expect_eq(count_of("big"), 300);
  sse_value *v, **k;
  size_t n;
  SSE_OKAY(sse_value_evaluate(thr, 0, "pts", &v, NULL, 0));
  SSE_OKAY(sse_value_children(v, 10, 5, &k, &n)); /* clipped to the count */
  cr_assert_eq(n, 2);
  cr_expect_str_eq(sse_value_name(k[0]), "[10]");
  cr_expect_str_eq(sse_value_expression(k[1]), "pts[11]");
  cr_expect_str_eq(sse_value_type(k[1]), "struct point");
  sse_values_free(k, n);
  SSE_OKAY(sse_value_children(v, 12, 5, &k, &n));
  cr_expect_eq(n, 0);
  sse_values_free(k, n);
  sse_value_free(v);
  /* a pointer's pointee that cannot be read: a handle with the error */
  SSE_OKAY(sse_value_evaluate(thr, 0, "null_ptr", &v, NULL, 0));
  SSE_OKAY(sse_value_children(v, 0, 1, &k, &n));
  cr_assert_eq(n, 1);
  cr_expect_str_eq(sse_value_name(k[0]), "*null_ptr");
  char *t = text_of(k[0], 0, NULL);
  cr_expect_str_eq(t, "<error: Cannot access memory at address 0x0>");
  free(t);
  sse_values_free(k, n);
  sse_value_free(v);
  char err[256];
  cr_assert_eq(sse_value_evaluate(thr, 0, "nosuch", &v, err, sizeof err), SSE_E_NOSYM);
  cr_assert_str_eq(err, "No symbol \"nosuch\" in current context.");
  cr_assert_null(v);
}

/* The variables as handles: info locals' list, the shadowed x too. */
Test(value_handles, variables_as_info_locals) {
  sse_variable *fv;
  size_t fn;
  SSE_OKAY(sse_frame_variables(thr, 0, SSE_VARS_ARGS | SSE_VARS_LOCALS, &fv, &fn, NULL, 0));
  sse_value **hv;
  size_t hn;
  SSE_OKAY(sse_value_variables(thr, 0, SSE_VARS_ARGS | SSE_VARS_LOCALS, &hv, &hn, NULL, 0));
  cr_assert_eq(hn, fn);
  int xs = 0;
  for (size_t i = 0; i < hn; i++) {
    cr_expect_str_eq(sse_value_name(hv[i]), fv[i].name);
    cr_expect_str_eq(sse_value_type(hv[i]), fv[i].type, "%s", fv[i].name);
    char buf[8192], want[8192];
    SSE_OKAY(sse_value_format(hv[i], 0, NULL, buf, sizeof buf, NULL));
    /* print's text: info locals' with print's "(type *) " before pointers */
    snprintf(want, sizeof want, "%s", fv[i].value);
    if (strcmp(buf, want) != 0) {
      const char *paren = strstr(buf, ") ");
      cr_expect(buf[0] == '(' && paren && !strcmp(paren + 2, want), "%s: \"%s\" vs \"%s\"",
                fv[i].name, buf, want);
    }
    if (!strcmp(fv[i].name, "x")) cr_expect_str_eq(buf, xs++ ? "1" : "2");
  }
  cr_expect_eq(xs, 2);
  sse_values_free(hv, hn);
  sse_variables_free(fv, fn);
  /* main's frame */
  SSE_OKAY(sse_value_variables(thr, 1, SSE_VARS_LOCALS, &hv, &hn, NULL, 0));
  cr_assert_gt(hn, 0);
  cr_expect_str_eq(sse_value_name(hv[0]), "p");
  char buf[256];
  SSE_OKAY(sse_value_format(hv[0], 0, NULL, buf, sizeof buf, NULL));
  cr_expect_str_eq(buf, "{x = 10, y = 20}");
  sse_values_free(hv, hn);
}

/* sse_print_limits as gdb's print elements / repeats / max-depth. */
Test(value_handles, limits_as_gdb) {
  static const struct { const char *set, *expr; sse_print_limits l; char fmt; } cases[] = {
      {"set print elements 4", "mixed", {4, 10, 20}, 0},
      {"set print elements 4", "global_text", {4, 10, 20}, 0},
      {"set print elements 2", "label", {2, 10, 20}, 0},
      {"set print repeats 3", "mixed", {200, 3, 20}, 0},
      {"set print repeats unlimited", "zeros", {200, 0, 20}, 0},
      {"set print max-depth 1", "head", {200, 10, 1}, 0},
      {"set print max-depth 0", "head", {200, 10, 0}, 0},
      {"set print elements unlimited", "big", {0, 10, 20}, 0},
      {"set print elements 3", "pts", {3, 10, 20}, 'x'},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char pre[128];
    snprintf(pre, sizeof pre, "%s%c", cases[i].set, 0);
    char cmd[16], *want;
    snprintf(cmd, sizeof cmd, cases[i].fmt ? "print/%c" : "print", cases[i].fmt);
    const char *e[] = {cases[i].expr};
    vo_gdb_answers("values_target", "values_target.c", LINE, pre, cmd, e, 1, &want);
    sse_value *v;
    SSE_OKAY(sse_value_evaluate(thr, 0, cases[i].expr, &v, NULL, 0));
    sse_print_limits l = cases[i].l;
    if (!strcmp(cases[i].set, "set print max-depth 0")) l.max_depth = 0, l.max_elements = 200;
    char *got = text_of(v, cases[i].fmt, &l);
    vo_mask(got);
    vo_mask(want);
    /* gdb's max-depth 0 is "{...}"; sse's 0: no limit */
    if (strcmp(cases[i].set, "set print max-depth 0") != 0)
      cr_expect_str_eq(got, want, "%s; print %s: sse \"%s\", gdb \"%s\"", cases[i].set,
                     cases[i].expr, got, want);
    free(got);
    free(want);
    sse_value_free(v);
  }
  sse_print_limits d;
  sse_print_limits_init(&d);
  cr_expect_eq(d.max_elements, 200);
  cr_expect_eq(d.repeats, 10);
  cr_expect_eq(d.max_depth, 20);
}

/* A handle made before a resume is stale after it; freeing still works,
 * also once the engine is gone. */
Test(value_handles, stale_after_resume) {
  sse_value *v, **k;
  size_t n;
  SSE_OKAY(sse_value_evaluate(thr, 0, "head", &v, NULL, 0));
  SSE_OKAY(sse_value_children(v, 0, 5, &k, &n));
  sse_stop s;
  SSE_OKAY(sse_step_instruction(thr, &s));
  char buf[256];
  cr_expect_eq(sse_value_format(v, 0, NULL, buf, sizeof buf, NULL), SSE_E_STALE);
  cr_expect_eq(sse_value_format(k[0], 0, NULL, buf, sizeof buf, NULL), SSE_E_STALE);
  cr_expect_eq(sse_value_child_count(k[1], &n), SSE_E_STALE);
  cr_expect_eq(sse_value_assign(k[0], "5", buf, sizeof buf), SSE_E_STALE);
  cr_expect_str_eq(sse_value_name(k[3]), "next"); /* names stay */
  sse_kill(proc);
  proc = NULL;
  sse_engine_free(eng);
  eng = NULL;
  sse_values_free(k, 5);
  sse_value_free(v);
}

/* Assignments: gdb's print after gdb's set var, and print x = 5. */
Test(value_handles, assign_as_gdb) {
  static const char *const sets[] = {"i", "-42", "pt.x", "99", "fl.b", "-2", "fl.a", "13",
                                     "f", "2.75", "ch", "66", "d", "i / 4", "pp", "&pt.y",
                                     "col", "BLUE", "uc", "-1", "head.next->value", "7"};
  size_t ns = sizeof sets / sizeof *sets / 2;
  char pre[4096];
  size_t len = 0;
  for (size_t i = 0; i < ns; i++)
    len += (size_t)snprintf(pre + len, sizeof pre - len, "set var %s = %s%c", sets[2 * i],
                            sets[2 * i + 1], 0);
  pre[len] = 0;
  const char *prints[32];
  for (size_t i = 0; i < ns; i++) prints[i] = sets[2 * i];
  char *want[32];
  vo_gdb_answers("values_target", "values_target.c", LINE, pre, "print", prints, ns, want);
  for (size_t i = 0; i < ns; i++) {
    sse_value *v;
    char err[256];
    SSE_OKAY(sse_value_evaluate(thr, 0, sets[2 * i], &v, NULL, 0));
    SSE_OKAY(sse_value_assign(v, sets[2 * i + 1], err, sizeof err));
    char *got = text_of(v, 0, NULL);
    vo_mask(got);
    vo_mask(want[i]);
    cr_expect_str_eq(got, want[i], "set var %s = %s: sse \"%s\", gdb \"%s\"", sets[2 * i],
                     sets[2 * i + 1], got, want[i]);
    free(got);
    free(want[i]);
    sse_value_free(v);
  }
  sse_value *v;
  char err[256];
  SSE_OKAY(sse_value_evaluate(thr, 0, "i + 1", &v, NULL, 0));
  cr_expect_eq(sse_value_assign(v, "3", err, sizeof err), SSE_E_INVAL);
  cr_expect_str_eq(err, "Left operand of assignment is not an lvalue.");
  sse_value_free(v);
}

/* print with = and op= and ?:, as gdb's. */
Test(value_handles, assignment_expressions_as_gdb) {
  static const char *const e[] = {"i = 5", "i", "pt.x += 3", "pt", "fl.a = 6", "fl",
                                  "f = 2.75", "ch = 66", "x = x * 2 + 1", "u -= 1",
                                  "i ? 10 : 20", "no ? 1 : 2.5", "arr[1] <<= 3", "arr",
                                  "1 = 2", "add = 0", "i = nosuch", "sh |= 0xf", "i == 5 ? pt.x : 0"};
  size_t n = sizeof e / sizeof *e;
  char *want[32];
  vo_gdb_answers("values_target", "values_target.c", LINE, NULL, "print", e, n, want);
  for (size_t i = 0; i < n; i++) {
    char got[4096];
    sse_evaluate(thr, 0, e[i], got, sizeof got, NULL);
    cr_expect_str_eq(got, want[i], "print %s: sse \"%s\", gdb \"%s\"", e[i], got, want[i]);
    free(want[i]);
  }
  /* a handle on an assignment does it once, and then is its left side */
  sse_value *v;
  SSE_OKAY(sse_value_evaluate(thr, 0, "i += 100", &v, NULL, 0));
  cr_expect_str_eq(sse_value_expression(v), "i");
  char *t1 = text_of(v, 0, NULL), *t2 = text_of(v, 0, NULL);
  cr_expect_str_eq(t1, t2);
  free(t1);
  free(t2);
  sse_value_free(v);
}

/* __thread variables: each thread's own copy, as gdb (libthread_db)
 * reads them: in the worker stopped at values_tls.c:17 and in main. */
#undef eng
#undef proc
#undef thr
Test(value_handles_tls, thread_locals_as_gdb, .timeout = 60) {
  vo_stop T;
  vo_start(&T, "values_tls", "values_tls.c", 17);
  static const char *const e[] = {"tls_count", "tls_pt", "tls_name", "&tls_count", "tls_zero",
                                  "tls_pt.x + tls_count", "sizeof(tls_pt)", "&tls_pt.y"};
  size_t n = sizeof e / sizeof *e;
  sse_thread *main = main_thread(T.proc);
  cr_assert_neq(main, T.thr, "the worker stopped");
  /* one gdb session: the worker's, then (thread 1) main's */
  const char *cmds[2 * 8 + 1];
  char *want[2 * 8 + 1];
  for (size_t i = 0; i < n; i++) {
    cr_assert(asprintf((char **)&cmds[i], "print %s", e[i]) > 0);
    cmds[n + 1 + i] = cmds[i];
  }
  cmds[n] = "thread 1";
  vo_gdb_answers("values_tls", "values_tls.c", 17, NULL, "", cmds, 2 * n + 1, want);
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n; i++) {
      char got[1024];
      sse_evaluate(pass ? main : T.thr, 0, e[i], got, sizeof got, NULL);
      const char *w = want[pass * (n + 1) + i];
      cr_expect_str_eq(got, w, "thread %d: print %s: sse \"%s\", gdb \"%s\"", pass, e[i], got, w);
    }
  for (size_t i = 0; i < 2 * n + 1; i++) free(want[i]);
  for (size_t i = 0; i < n; i++) free((char *)cmds[i]);
  vo_stop_free(&T);
}

/* A C++ reference's children are its referent's: p (const point &) has
 * x and y, reached as p.x and p.y; its own text is print's. */
Test(value_handles_cxx, reference_children, .timeout = 60) {
  vo_stop T;
  vo_start(&T, "values_cxx", "values_cxx.cc", 13);
  sse_value *v, **k;
  size_t n;
  SSE_OKAY(sse_value_evaluate(T.thr, 0, "p", &v, NULL, 0));
  cr_expect_str_eq(sse_value_type(v), "const point &");
  SSE_OKAY(sse_value_child_count(v, &n));
  cr_assert_eq(n, 2);
  SSE_OKAY(sse_value_children(v, 0, 2, &k, &n));
  cr_assert_eq(n, 2);
  cr_expect_str_eq(sse_value_name(k[1]), "y");
  cr_expect_str_eq(sse_value_expression(k[1]), "p.y");
  char buf[256];
  SSE_OKAY(sse_value_format(k[1], 0, NULL, buf, sizeof buf, NULL));
  cr_expect_str_eq(buf, "4");
  SSE_OKAY(sse_value_format(v, 0, NULL, buf, sizeof buf, NULL));
  cr_expect(strstr(buf, "(const point &) @0x") == buf && strstr(buf, ": {x = 3, y = 4}"), "%s", buf);
  sse_values_free(k, n);
  sse_value_free(v);
  SSE_OKAY(sse_value_evaluate(T.thr, 0, "r", &v, NULL, 0));
  SSE_OKAY(sse_value_child_count(v, &n));
  cr_expect_eq(n, 0);
  sse_value_free(v);
  vo_stop_free(&T);
}
