/* Values (issue 12): sse_evaluate() and sse_frame_variables() print what
 * gdb prints. gdb is the oracle: it runs values_target to the same line
 * and prints the same expressions; every value line must be equal
 * (stack addresses are masked: gdb's environment moves the stack). */
#include "values_oracle.h"
#include <sys/wait.h>

#include "values/values.h"

#define BREAK_LINE 93

static sse_engine *eng;
static sse_process *proc;
static sse_thread *thr;
/* the target and the breakpoint both sides run to */
static const char *g_prog = "values_target", *g_file = "values_target.c";
static int g_line = BREAK_LINE;

static void start(const char *prog, const char *file, int line) {
  g_prog = prog;
  g_file = file;
  g_line = line;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  proc = spawn_target(eng, prog, NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_line(proc, file, line, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(proc, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  thr = main_thread(proc);
}

static void setup(void) {
  start("values_target", "values_target.c", BREAK_LINE);
}

static void teardown(void) {
  if (proc) sse_kill(proc);
  sse_engine_free(eng);
  eng = NULL;
  proc = NULL;
}

static void mask(char *s) { vo_mask(s); }

static void gdb_answers(const char *cmd, const char *const *exprs, size_t n, char **out) {
  vo_gdb_answers(g_prog, g_file, g_line, NULL, cmd, exprs, n, out);
}

static void compare_prints(const char *const *exprs, size_t n) {
  char **want = calloc(n, sizeof *want);
  gdb_answers("print", exprs, n, want);
  for (size_t i = 0; i < n; i++) {
    char got[8192];
    sse_value_info info;
    if (exprs[i][0] == '/') /* "/x expr": print/x */
      sse_evaluate_format(thr, 0, exprs[i] + 3, exprs[i][1], got, sizeof got, &info);
    else
      sse_evaluate(thr, 0, exprs[i], got, sizeof got, &info);
    mask(got);
    mask(want[i]);
    cr_expect_str_eq(got, want[i], "print %s: sse \"%s\", gdb \"%s\"", exprs[i], got, want[i]);
    free(want[i]);
  }
  free(want);
}

TestSuite(values, .init = setup, .fini = teardown, .timeout = 60);

Test(values, scalars_as_gdb) {
  static const char *const e[] = {"i", "u", "ch", "sc", "flag", "sh", "l", "ul", "d", "f",
                                  "third", "col", "x", "n", "c", "global_counter",
                                  "global_ratio", "global_color", "sg", "ld", "ff", "uc",
                                  "negz", "huge", "tiny", "no", "NEG", "POS", "RED"};
  compare_prints(e, sizeof e / sizeof *e);
}

Test(values, aggregates_as_gdb) {
  static const char *const e[] = {"pt", "arr", "rep", "word", "fl", "num", "head", "p",
                                  "zeros", "mixed", "label", "big", "head.where", "*pp",
                                  "pts", "grid", "grid[1]", "nm", "esc", "ops", "*esc@3",
                                  "arr[0]@2", "pts[11]"};
  compare_prints(e, sizeof e / sizeof *e);
}

Test(values, pointers_as_gdb) {
  static const char *const e[] = {"pp", "fn", "vp", "s", "global_text", "null_ptr", "add",
                                  "&global_counter", "&pt", "head.next", "head.next->name",
                                  "&arr[1]", "head.op", "&add", "*head.next"};
  compare_prints(e, sizeof e / sizeof *e);
}

Test(values, expressions_as_gdb) {
  static const char *const e[] = {"pp->x + 3 * 2", "arr[1]", "arr[2] - arr[0] * 4", "-i",
                                  "10/3", "7 % 4", "(1 + 2) * 3", "pt.x == 1", "u + 1",
                                  "head.next->where.y", "*&pt", "'A'", "i * 2 - x",
                                  "global_counter / 5", "d * 2", "1 << 4", "!flag",
                                  "sizeof(int)", "sizeof head", "sizeof(struct point)",
                                  "-sizeof(int)", "(long)x", "(char)65", "(unsigned char)300",
                                  "(struct point *)pp", "((struct point *)pp)->y", "(float)1.1",
                                  "(ulong_t)-1", "(enum color)1", "(_Bool)5", "(int)pt",
                                  "(struct flags)pt", "ff * 2", "ff + d", "10 / 4.0", "3u - 4",
                                  "2147483647 + 1", "-5 / 2", "ip - arr", "POS + 1", "'\\n'",
                                  "sc * 2", "i > 3 && x", "~i", "0x10", "010", "$pc", "$sp",
                                  "$rip", "$fp", "$foo", "$rax == $rax", "$eax", "$pc + 1",
                                  "$al", "$sp + 8", "/x $sp"};
  compare_prints(e, sizeof e / sizeof *e);
}

Test(values, errors_as_gdb) {
  static const char *const e[] = {"nosuch", "1 +", "(1", "1 )", "*null_ptr", "1/0",
                                  "pt.nosuch", "i.x", "*i", "null_ptr->x", "arr[", "i->x",
                                  "(struct nosuch *)0", "a\\b", "x@0", "1@2", "(int",
                                  "sizeof(struct nosuch)", "nullstr[0]", "*vp"};
  compare_prints(e, sizeof e / sizeof *e);
}

Test(values, formats_as_gdb) {
  static const char *const e[] = {"/x i", "/x pt", "/x pp", "/x d", "/x ch", "/x word",
                                  "/x flag", "/x col", "/o i", "/t x", "/t 0", "/o 0", "/d u",
                                  "/u i", "/c 65", "/c i", "/a fn", "/a pp", "/z x", "/x sc",
                                  "/x fl", "/d ch", "/x ff", "/s word", "/s global_text",
                                  "/x head", "/x -1", "/x rep", "/d global_text", "/x sh", "/u sc",
                                  "/c arr", "/x ld", "/f i", "/f d", "/x num", "/x add",
                                  "/d sg", "/x pts", "/x esc", "/x nosuch"};
  compare_prints(e, sizeof e / sizeof *e);
  char buf[128];
  cr_assert_eq(sse_evaluate_format(thr, 0, "i", 'q', buf, sizeof buf, NULL), SSE_E_INVAL);
  cr_assert_str_eq(buf, "Undefined output format \"q\".");
}

Test(values, error_codes) {
  char buf[256];
  cr_assert_eq(sse_evaluate(thr, 0, "nosuch", buf, sizeof buf, NULL), SSE_E_NOSYM);
  cr_assert_str_eq(buf, "No symbol \"nosuch\" in current context.");
  cr_assert_eq(sse_evaluate(thr, 0, "*null_ptr", buf, sizeof buf, NULL), SSE_E_FAULT);
  cr_assert_str_eq(buf, "Cannot access memory at address 0x0");
  cr_assert_eq(sse_evaluate(thr, 0, "1 +", buf, sizeof buf, NULL), SSE_E_INVAL);
  cr_assert_eq(sse_evaluate(thr, 0, "", buf, sizeof buf, NULL), SSE_E_INVAL);
  cr_assert_eq(sse_evaluate(thr, 0, "i", buf, 0, NULL), SSE_E_INVAL);
  cr_assert_eq(sse_evaluate(thr, 0, NULL, buf, sizeof buf, NULL), SSE_E_INVAL);
  sse_value_info info;
  SSE_OKAY(sse_evaluate(thr, 0, "head", buf, 8, &info));
  cr_assert(info.truncated);
  cr_assert_str_eq(info.type, "struct node");
  cr_assert(info.has_address);
  /* deep nesting and garbage: an error, no crash */
  char deep[4096];
  memset(deep, '(', sizeof deep - 1);
  deep[sizeof deep - 1] = 0;
  cr_assert_neq(sse_evaluate(thr, 0, deep, buf, sizeof buf, NULL), SSE_OK);
  memset(deep, '*', sizeof deep - 2);
  deep[sizeof deep - 2] = 'i';
  cr_assert_neq(sse_evaluate(thr, 0, deep, buf, sizeof buf, NULL), SSE_OK);
  cr_assert_eq(sse_evaluate(thr, 0, "\x01\xff", buf, sizeof buf, NULL), SSE_E_INVAL);
}

Test(values, types_named_as_gdb) {
  static const char *const e[] = {"pp", "fn", "arr", "word", "s", "add", "head", "ul", "col",
                                  "&arr", "num", "global_text", "fl", "pts", "grid", "ops",
                                  "sg", "NEG", "sizeof(int)", "(char)1", "ff * 2", "*esc@3",
                                  "ld", "nm.tag", "&grid[1]", "&add"};
  size_t n = sizeof e / sizeof *e;
  char **want = calloc(n, sizeof *want);
  gdb_answers("whatis", e, n, want);
  for (size_t i = 0; i < n; i++) {
    char got[1024];
    sse_value_info info;
    SSE_OKAY(sse_evaluate(thr, 0, e[i], got, sizeof got, &info));
    char w[1100];
    snprintf(w, sizeof w, "type = %s", info.type);
    cr_expect_str_eq(w, want[i], "whatis %s: sse \"%s\", gdb \"%s\"", e[i], w, want[i]);
    free(want[i]);
  }
  free(want);
}

/* gdb's info locals / info args, line by line. */
static void compare_vars(const char *cmd, unsigned kinds) {
  const char *none[] = {""};
  char *want;
  gdb_answers(cmd, none, 1, &want);
  sse_variable *v;
  size_t n;
  char err[256];
  SSE_OKAY(sse_frame_variables(thr, 0, kinds, &v, &n, err, sizeof err));
  char *got = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&got, &len);
  for (size_t i = 0; i < n; i++) fprintf(f, "%s%s = %s", i ? "\n" : "", v[i].name, v[i].value);
  fclose(f);
  sse_variables_free(v, n);
  mask(got);
  mask(want);
  cr_expect_str_eq(got, want, "%s:\nsse:\n%s\ngdb:\n%s", cmd, got, want);
  free(got);
  free(want);
}

Test(values, info_locals_as_gdb) { compare_vars("info locals", SSE_VARS_LOCALS); }
Test(values, info_args_as_gdb) { compare_vars("info args", SSE_VARS_ARGS); }

Test(values, shadowed_and_outer_frame) {
  char buf[256];
  SSE_OKAY(sse_evaluate(thr, 0, "x", buf, sizeof buf, NULL));
  cr_assert_str_eq(buf, "2");
  /* main's frame: its own p, through the CFA */
  SSE_OKAY(sse_evaluate(thr, 1, "p", buf, sizeof buf, NULL));
  cr_assert_str_eq(buf, "{x = 10, y = 20}");
  cr_assert_eq(sse_evaluate(thr, 1, "inner", buf, sizeof buf, NULL), SSE_E_NOSYM);
  cr_assert_eq(sse_evaluate(thr, 100, "x", buf, sizeof buf, NULL), SSE_E_NOTFOUND);
}

/* ---- -O2 builds: registers, location lists, pieces, <optimized out>
 * (not "print a.count + 1": gdb 13 aborts on arithmetic over a value of
 * pieces, "Should not be able to create a lazy value with an enclosing
 * type");
 * gdb runs the same commands ("up" moves both a frame up). */

static char *sse_answer(const char *cmd, size_t *frame) {
  char *out = NULL;
  if (!strcmp(cmd, "up")) {
    ++*frame;
    return strdup("");
  }
  if (!strncmp(cmd, "print ", 6)) {
    char buf[8192];
    sse_evaluate(thr, *frame, cmd + 6, buf, sizeof buf, NULL);
    return strdup(buf);
  }
  bool args = !strcmp(cmd, "info args");
  sse_variable *v;
  size_t n;
  char err[256];
  sse_err e = sse_frame_variables(thr, *frame, args ? SSE_VARS_ARGS : SSE_VARS_LOCALS, &v, &n,
                                  err, sizeof err);
  if (e) return strdup(err);
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (n == 0) fputs(args ? "No arguments." : "No locals.", f);
  for (size_t i = 0; i < n; i++) fprintf(f, "%s%s = %s", i ? "\n" : "", v[i].name, v[i].value);
  fclose(f);
  sse_variables_free(v, n);
  return out;
}

static void compare_script(const char *const *cmds, size_t n) {
  char **want = calloc(n, sizeof *want);
  gdb_answers("", cmds, n, want);
  size_t frame = 0;
  for (size_t i = 0; i < n; i++) {
    char *got = sse_answer(cmds[i], &frame);
    if (strcmp(cmds[i], "up") != 0) {
      mask(got);
      mask(want[i]);
      cr_expect_str_eq(got, want[i], "%s:%d %s:\nsse:\n%s\ngdb:\n%s", g_prog, g_line, cmds[i], got,
                       want[i]);
    }
    free(got);
    free(want[i]);
  }
  free(want);
}

TestSuite(values_opt, .fini = teardown, .timeout = 60);

static const char *const opt_loop[] = {"info args", "info locals", "print a", "print n",
                                       "print tag", "print a.sum", "print a.count", "print n * 2",
                                       "up", "info args",
                                       "info locals", "print argc"};
/* inside the inlined scale(): its own variables */
static const char *const opt_inline[] = {"info args", "info locals", "print v", "print k",
                                         "print prod"};

/* One build stopped at one line, the script compared with gdb's. */
#define OPT_TEST(name, prog, line, script)                    \
  Test(values_opt, name) {                                    \
    start(prog, "values_opt.c", line);                        \
    compare_script(script, sizeof script / sizeof *script);   \
  }

OPT_TEST(gcc_loop_as_gdb, "values_opt_gcc", 26, opt_loop)
OPT_TEST(clang_loop_as_gdb, "values_opt_clang", 26, opt_loop)
OPT_TEST(gcc_inline_as_gdb, "values_opt_gcc", 19, opt_inline)
OPT_TEST(clang_inline_as_gdb, "values_opt_clang", 19, opt_inline)

/* ---- bad input: random token soup never crashes nor hangs, and every
 * failure says why (a poor man's fuzzer; seeded, so reproducible). */
Test(values, random_expressions_never_crash, .timeout = 120) {
  static const char *const tok[] = {"i", "pp", "head", "arr", "null_ptr", "global_text", "x",
                                    "(", ")", "[", "]", ".", "->", "*", "&", "-", "+", "/", "%",
                                    "!", "~", "<<", ">>", "==", "&&", "||", "@", "0", "1",
                                    "0x7fffffff", "'a'", "1.5", "sizeof", "(int)", "(char *)",
                                    "(struct node *)", "struct", "next", "name", "where", "y",
                                    "\\", "\"", "'", " ", "99999999999999999999", "$", "?"};
  unsigned seed = 12345;
  char expr[256], buf[1024];
  for (int k = 0; k < 3000; k++) {
    size_t len = 0;
    int ntok = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
    for (int j = 0; j < ntok; j++) {
      const char *t = tok[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof tok / sizeof *tok)];
      size_t l = strlen(t);
      if (len + l + 1 >= sizeof expr) break;
      memcpy(expr + len, t, l);
      len += l;
    }
    expr[len] = 0;
    sse_err e = sse_evaluate(thr, 0, expr, buf, sizeof buf, NULL);
    if (e != SSE_OK) cr_assert(buf[0], "no message for \"%s\" (%s)", expr, sse_err_name(e));
  }
}

/* ---- ssedemo: print with gdb's $N history, info locals, info args, up,
 * the same lines as gdb's. */
static char *lines_of(const char *prog, const char *const *cmds, size_t n, bool gdb) {
  char *out = NULL, pre[64];
  size_t olen = 0;
  snprintf(pre, sizeof pre, "-ex 'break values_target.c:%d' -ex run", BREAK_LINE);
  FILE *p = vo_session(prog, pre, cmds, n, gdb);
  FILE *o = open_memstream(&out, &olen);
  char line[8192];
  bool on = false;
  while (fgets(line, sizeof line, p)) {
    /* from the first value on; frame lines ("#1 ...", source) differ in
     * gdb's arguments and are not compared */
    if (line[0] == '$') on = true;
    if (!on || line[0] == '#' || isdigit((unsigned char)line[0])) continue;
    if (!strncmp(line, "[Inferior", 9) || !strncmp(line, "Kill", 4)) continue;
    mask(line);
    fputs(line, o);
  }
  pclose(p);
  fclose(o);
  return out;
}

Test(values, ssedemo_prints_as_gdb) {
  static const char *const cmds[] = {"print i", "p head", "p &pt", "info locals", "info args",
                                     "p nosuch", "print pts", "up", "info locals", "p p",
                                     "p global_text"};
  size_t n = sizeof cmds / sizeof *cmds;
  char *want = lines_of("values_target", cmds, n, true);
  char *got = lines_of("values_target", cmds, n, false);
  cr_expect_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}

static char *buf2_unused(void) {
  static char b[4096];
  return b;
}

/* Types are transcoded once per module: a second print of the same
 * value, and the same program in a second process, make no new record.
 * Without the on-disk index, which would give the first print its types
 * (test_index_types covers that). */
static void setup_no_index(void) {
  setenv("SSE_CACHE_DIR", "off", 1);
  setup();
}

Test(values, types_transcoded_once_per_module, .init = setup_no_index) {
  char buf[4096];
  SSE_OKAY(sse_evaluate(thr, 0, "head", buf, sizeof buf, NULL));
  unsigned long made = sse__types_shared_made();
  cr_assert_gt(made, 0);
  SSE_OKAY(sse_evaluate(thr, 0, "head", buf, sizeof buf, NULL));
  SSE_OKAY(sse_evaluate(thr, 0, "*head.next", buf2_unused(), 4096, NULL));
  cr_assert_eq(sse__types_shared_made(), made);
  sse_process *p2 = spawn_target(eng, "values_target", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_line(p2, "values_target.c", BREAK_LINE, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p2, &s));
  char buf2[4096];
  SSE_OKAY(sse_evaluate(main_thread(p2), 0, "head", buf2, sizeof buf2, NULL));
  cr_assert_eq(sse__types_shared_made(), made, "the second process transcoded again");
  mask(buf);
  mask(buf2);
  cr_assert_str_eq(buf, buf2);
  sse_kill(p2);
}

/* finish: the returned value by the function's type, as gdb's "Value
 * returned is $1 = ..." */
static char *gdb_finish_value(const char *fn) {
  char *sh = NULL;
  cr_assert(asprintf(&sh, "gdb -batch -nx -ex 'break %s' -ex run -ex finish %s </dev/null 2>&1",
                     fn, tpath("values_target")) > 0);
  FILE *p = popen(sh, "r");
  char line[4096], *v = strdup("(none)");
  while (p && fgets(line, sizeof line, p)) {
    line[strcspn(line, "\n")] = 0;
    const char *k = strstr(line, "Value returned is $1 = ");
    if (k) {
      free(v);
      v = strdup(k + 23);
    }
  }
  if (p) pclose(p);
  free(sh);
  return v;
}

Test(values_opt, return_values_as_gdb) {
  static const char *const fns[] = {"mkpoint", "half", "fhalf", "mkbig", "mkmixed", "greet",
                                    "pick", "nothing"};
  SSE_OKAY(sse_engine_new(NULL, &eng));
  proc = spawn_target(eng, "values_target", NULL, NULL, -1);
  thr = main_thread(proc);
  for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
    int id;
    SSE_OKAY(sse_break_function(proc, fns[i], false, &id));
  }
  for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
    sse_stop s;
    SSE_OKAY(sse_continue(proc, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
    const char *fn = s.loc.function;
    uint64_t pc = s.pc;
    SSE_OKAY(sse_finish(thr, &s));
    char got[1024];
    sse_err e = sse_return_value(thr, pc, &s, got, sizeof got, NULL);
    if (e == SSE_E_NOTFOUND) snprintf(got, sizeof got, "(none)");
    else cr_assert_eq(e, SSE_OK, "%s: %s", fn, got);
    char *want = gdb_finish_value(fn);
    cr_expect_str_eq(got, want, "finish from %s: sse \"%s\", gdb \"%s\"", fn, got, want);
    free(want);
  }
}
