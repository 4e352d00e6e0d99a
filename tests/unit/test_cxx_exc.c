/* C++ exceptions while stepping, on tests/targets/cxx_exc.cc built with
 * gcc -O0, clang -O0, gcc -O2 and clang -O2: `next` and `step` over a call that
 * throws, `next` on the `throw` line, `finish` and `until` out of a frame
 * the exception unwinds past, all stop at the first line of the catch
 * block that takes the exception, a cleanup (a destructor run on the way)
 * being no stop. The source is the oracle here: gdb 13 on Debian has no
 * unwinder hook (libgcc_s carries no `libgcc:unwind` probe and no
 * _Unwind_DebugHook symbol) and runs each of these to the program's exit;
 * the last test shows that. Each test then runs the program to its normal
 * exit (the handlers ran once each: it prints 149). */
#include <sys/wait.h>

#include "testutil.h"

#define SRC "cxx_exc.cc"

static const char *const progs[] = {"cxx_exc", "cxx_exc_clang", "cxx_exc_O2", "cxx_exc_O2_clang"};
#define NPROGS (sizeof progs / sizeof progs[0])

/* Continue p to the next hit of a breakpoint on SRC's line holding
 * marker (removed again). A line whose code is all in a .cold part gets
 * its breakpoint at the function's prologue end, as gdb puts it: `next`
 * then goes on to the marker's line (as a user would). */
static void run_to(sse_process *p, const char *marker, sse_stop *s) {
  int id, line = line_of(SRC, marker);
  SSE_OKAY(sse_break_line(p, SRC, line, &id));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s->reason));
  SSE_OKAY(sse_break_remove(p, id));
  for (int i = 0; i < 8 && s->loc.line != line; i++) {
    SSE_OKAY(sse_next_line(s->thread, s));
    cr_assert_eq(s->reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s->reason));
  }
  cr_assert_eq(s->loc.line, line, "line %d, not %s's", s->loc.line, marker);
}

static sse_process *start_at_line(sse_engine **e, const char *prog,
                                  const char *marker, sse_stop *s) {
  SSE_OKAY(sse_engine_new(NULL, e));
  sse_process *p = spawn_target(*e, prog, NULL, NULL, -1);
  run_to(p, marker, s);
  return p;
}

static void expect_at(const char *prog, const sse_stop *s, const char *fn,
                      const char *marker) {
  cr_assert_eq(s->reason, SSE_STOP_STEP, "%s: %s", prog,
               sse_stop_reason_name(s->reason));
  cr_assert(s->loc.function, "%s: no function", prog);
  cr_assert_str_eq(s->loc.function, fn, "%s", prog);
  cr_assert_eq(s->loc.line, line_of(SRC, marker), "%s: line %d, not %s's",
               prog, s->loc.line, marker);
}

static void continue_to_exit(sse_process *p) {
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
}

/* For each build: stopped at marker's line, body's steps, then on to the
 * program's normal exit. */
typedef void scenario(const char *prog, sse_process *p, sse_stop *s);
static void on_each_build(const char *marker, scenario *body) {
  for (size_t i = 0; i < NPROGS; i++) {
    sse_engine *e;
    sse_stop s;
    sse_process *p = start_at_line(&e, progs[i], marker, &s);
    body(progs[i], p, &s);
    continue_to_exit(p);
    sse_engine_free(e);
  }
}

static void next_here(const char *prog, sse_process *p, sse_stop *s) {
  (void)p;
  SSE_OKAY(sse_next_line(s->thread, s));
  expect_at(prog, s, "catch_here", "ex_here_handler");
  SSE_OKAY(sse_next_line(s->thread, s));
  cr_assert_gt(s->loc.line, line_of(SRC, "ex_here_handler"));
}
Test(cxx_exc, next_over_call_caught_in_this_function, .timeout = 60) {
  on_each_build("ex_here_call", next_here);
}

/* An exception thrown and caught below the stepping frame: its landing
 * is no stop, the call returns as usual. */
static void next_over_caught_below(const char *prog, sse_process *p, sse_stop *s) {
  (void)p;
  SSE_OKAY(sse_next_line(s->thread, s));
  expect_at(prog, s, "main", "ex_main_up");
}
Test(cxx_exc, next_over_call_that_catches_its_own_exception, .timeout = 60) {
  on_each_build("ex_main_here", next_over_caught_below);
}

/* Through middle(), whose Guard's destructor runs in a cleanup pad, to the
 * second catch clause of catch_up (the first, catch (int), does not
 * match). */
static void next_up(const char *prog, sse_process *p, sse_stop *s) {
  (void)p;
  SSE_OKAY(sse_next_line(s->thread, s));
  expect_at(prog, s, "catch_up", "ex_up_handler");
}
Test(cxx_exc, next_over_call_caught_two_frames_up, .timeout = 60) {
  on_each_build("ex_middle_call", next_up);
}

static void on_throw(const char *prog, sse_process *p, sse_stop *s) {
  SSE_OKAY(sse_next_line(s->thread, s));
  expect_at(prog, s, "catch_here", "ex_here_handler");
  /* The second throw (from middle): `step` runs over __cxa_throw, which
   * has no line info, the same way. */
  run_to(p, "ex_throw", s);
  SSE_OKAY(sse_step_line(s->thread, s));
  expect_at(prog, s, "catch_up", "ex_up_handler");
  /* A throw caught in the same function, where the landing pad is the
   * return address of the call to __cxa_throw. */
  run_to(p, "ex_main_throw", s);
  SSE_OKAY(sse_next_line(s->thread, s));
  expect_at(prog, s, "main", "ex_main_handler");
}
Test(cxx_exc, next_and_step_on_the_throw_line, .timeout = 60) {
  on_each_build("ex_throw", on_throw);
}

static void finish_out(const char *prog, sse_process *p, sse_stop *s) {
  SSE_OKAY(sse_finish(s->thread, s));
  expect_at(prog, s, "catch_here", "ex_here_handler");
  run_to(p, "ex_throw", s);
  SSE_OKAY(sse_finish(s->thread, s)); /* past middle too */
  expect_at(prog, s, "catch_up", "ex_up_handler");
}
/* `throw;` in a catch (...): the outer handler of the same function. */
static void next_rethrow(const char *prog, sse_process *p, sse_stop *s) {
  (void)p;
  SSE_OKAY(sse_next_line(s->thread, s));
  expect_at(prog, s, "rethrow_up", "ex_rethrow_handler");
}
Test(cxx_exc, next_on_a_rethrow, .timeout = 60) {
  on_each_build("ex_rethrow", next_rethrow);
}

Test(cxx_exc, finish_out_of_a_frame_the_exception_unwinds, .timeout = 60) {
  on_each_build("ex_throw", finish_out);
}

/* until a line after the call in middle: the exception leaves middle
 * first. */
static void until_out(const char *prog, sse_process *p, sse_stop *s) {
  int id;
  SSE_OKAY(sse_break_line(p, SRC, line_of(SRC, "ex_middle_after"), &id));
  sse_breakpoint_info bi;
  size_t n;
  SSE_OKAY(sse_break_list(p, &bi, 1, &n));
  cr_assert(n == 1 && bi.naddrs >= 1);
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_step_until(s->thread, bi.addrs[0], s));
  expect_at(prog, s, "catch_up", "ex_up_handler");
}
Test(cxx_exc, until_out_of_a_frame_the_exception_unwinds, .timeout = 60) {
  on_each_build("ex_middle_call", until_out);
}

/* Run debugger (its path and batch options) with SCRIPT as its command
 * file on prog; its output lines to fn(line, arg). */
static void run_script_on(const char *prog, const char *debugger, const char *script,
                          void (*fn)(const char *line, void *arg), void *arg) {
  char cmdf[64], line[2048];
  FILE *g = script_open(debugger, script, prog, cmdf);
  while (fgets(line, sizeof line, g)) fn(line, arg);
  script_close(g, cmdf);
}

static void run_script(const char *debugger, const char *script,
                       void (*fn)(const char *line, void *arg), void *arg) {
  run_script_on("cxx_exc", debugger, script, fn, arg);
}

static const char *gdb_path(void) {
  static char b[1100];
  const char *gdb = getenv("ORACLE_GDB");
  snprintf(b, sizeof b, "%s -batch -nx", gdb && *gdb ? gdb : "gdb");
  return b;
}

typedef struct seen_lines {
  bool exited, at_handler;
  char want[64];
} seen_lines;

static void gdb_next_line(const char *line, void *arg) {
  seen_lines *w = arg;
  if (strstr(line, "exited normally")) w->exited = true;
  if (strstr(line, w->want)) w->at_handler = true;
}

/* Other threads throwing all the time: the watch is the stepping thread's
 * own (debug registers), so each `next` stops at work()'s handler and no
 * other thread's pass through the unwinder stops anything. */
Test(cxx_exc, next_at_the_handler_while_other_threads_throw, .timeout = 90) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "cxx_exc_threads", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_line(p, "cxx_exc_threads.cc", line_of("cxx_exc_threads.cc", "mt_call"), &id));
  int handler = line_of("cxx_exc_threads.cc", "mt_handler");
  for (int k = 0; k < 20; k++) {
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "call %d: %s", k, sse_stop_reason_name(s.reason));
    SSE_OKAY(sse_next_line(s.thread, &s));
    cr_assert_eq(s.reason, SSE_STOP_STEP, "call %d: %s (signal %d)", k,
                 sse_stop_reason_name(s.reason), s.signo);
    cr_assert_eq(s.loc.line, handler, "call %d: line %d", k, s.loc.line);
  }
  SSE_OKAY(sse_break_remove(p, id));
  continue_to_exit(p);
  sse_engine_free(e);
}

/* What gdb does with the same `next` here: no unwinder hook, so it loses
 * the program (it runs to the exit), unless this gdb has one; then it must
 * stop on the handler's line as sse does. */
Test(cxx_exc, gdb_next_over_throw_runs_on_here, .timeout = 60) {
  char script[256];
  snprintf(script, sizeof script,
           "set pagination off\nset confirm off\nbreak %s:%d\nrun\nnext\n"
           "info line *$pc\nkill\n", SRC, line_of(SRC, "ex_here_call"));
  seen_lines w = {0};
  snprintf(w.want, sizeof w.want, "Line %d of", line_of(SRC, "ex_here_handler"));
  run_script(gdb_path(), script, gdb_next_line, &w);
  cr_assert(w.exited || w.at_handler, "gdb neither ran on nor stopped at the handler");
}

/* ---- catch throw / catch catch, against gdb */

#define MAXSTOPS 16
typedef struct cstop {
  int num;          /* catchpoint number: 1 throw, 2 catch */
  uint64_t pc;
  char func[64];
} cstop;
typedef struct cstops {
  int n;
  cstop s[MAXSTOPS];
  unsigned hits[4];  /* info breakpoints: hits of catchpoints 1, 2, 3 */
  char lines[MAXSTOPS][256]; /* the "Catchpoint N (...), 0x... in F ()" text */
  int nlines;
} cstops;

/* "Catchpoint 1 (exception thrown), 0x00007ffff7ca90a1 in __cxa_throw ()
 * from /lib/..." and "\tcatchpoint already hit 3 times". */
static void catch_line(const char *line, void *arg) {
  cstops *c = arg;
  int num;
  char ev[32];
  unsigned long long pc;
  char func[64];
  if (sscanf(line, "Catchpoint %d (exception %31[a-z]), 0x%llx in %63s", &num, ev, &pc,
             func) == 4 && c->n < MAXSTOPS) {
    c->s[c->n].num = num;
    c->s[c->n].pc = pc;
    snprintf(c->s[c->n].func, sizeof c->s[c->n].func, "%s", func);
    c->n++;
  }
  static int last_num; /* the table row before a hit count */
  unsigned hits;
  if (sscanf(line, "%d catchpoint", &num) == 1) last_num = num;
  if (sscanf(line, "\tcatchpoint already hit %u", &hits) == 1 && last_num >= 1 &&
      last_num <= 3)
    c->hits[last_num] = hits;
  if (strncmp(line, "Catchpoint ", 11) == 0 && c->nlines < MAXSTOPS) {
    /* the text up to the module: gdb names it by its link-map name */
    snprintf(c->lines[c->nlines], sizeof c->lines[0], "%.*s", (int)strcspn(line, "\n"),
             line);
    char *from = strstr(c->lines[c->nlines], " from ");
    if (from) *from = 0;
    c->nlines++;
  }
}

static const char catch_script[] =
    "catch throw\ncatch catch\ncatch rethrow\nrun\ncontinue\ncontinue\ncontinue\n"
    "continue\ncontinue\ncontinue\ncontinue\ncontinue\ncontinue\ninfo breakpoints\n"
    "continue\n";

/* The source's exceptions, in the order thrown, caught and rethrown. */
static const char *const types[] = {"std::runtime_error", "std::runtime_error",
                                    "std::runtime_error", "std::runtime_error",
                                    "int", "int", "std::runtime_error",
                                    "std::runtime_error", "std::runtime_error",
                                    "std::runtime_error"};
#define NCATCH (sizeof types / sizeof types[0])
static const int kind_of[] = {0, SSE_CATCH_THROW, SSE_CATCH_CATCH, SSE_CATCH_RETHROW};

/* Continue p to its next stop, gdb's stop i (g): the catchpoint, pc and
 * function; the exception's kind, and its type when typed (always with
 * probes; without them only a throw's, from __cxa_throw's arguments). */
static sse_exception_info next_catch_stop(sse_process *p, const cstops *g, int i,
                                          const int ids[4], bool all_typed) {
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "stop %d: %s", i, sse_stop_reason_name(s.reason));
  cr_assert(g->s[i].num >= 1 && g->s[i].num <= 3);
  cr_assert_eq(s.breakpoint_id, ids[g->s[i].num], "stop %d", i);
  cr_assert_eq(s.pc, g->s[i].pc, "stop %d: %#lx, gdb %#lx", i, (unsigned long)s.pc,
               (unsigned long)g->s[i].pc);
  cr_assert_str_eq(s.loc.function, g->s[i].func, "stop %d", i);
  sse_exception_info x;
  SSE_OKAY(sse_catch_info(s.thread, &x));
  cr_assert_eq(x.kind, kind_of[g->s[i].num], "stop %d", i);
  if (all_typed || x.kind == SSE_CATCH_THROW) cr_assert_str_eq(x.type, types[i], "stop %d", i);
  return x;
}

Test(cxx_exc, catch_throw_catch_and_rethrow_stop_where_gdb_does, .timeout = 60) {
  cstops g = {0};
  run_script(gdb_path(), catch_script, catch_line, &g);
  cr_assert_eq(g.n, (int)NCATCH, "gdb's catchpoint stops: %d", g.n);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "cxx_exc", NULL, NULL, -1);
  int ids[4] = {0};
  for (int k = 1; k <= 3; k++) SSE_OKAY(sse_catch(p, kind_of[k], &ids[k]));
  sse_breakpoint_info bi[3];
  size_t nb;
  SSE_OKAY(sse_break_list(p, bi, 3, &nb));
  cr_assert(nb == 3 && bi[0].pending && bi[1].pending && bi[2].pending,
            "libstdc++ not loaded yet");
  cr_assert_str_eq(bi[0].spec, "exception throw");
  cr_assert_str_eq(bi[1].spec, "exception catch");
  cr_assert_str_eq(bi[2].spec, "exception rethrow");
  for (int i = 0; i < g.n; i++) {
    sse_exception_info x = next_catch_stop(p, &g, i, ids, true);
    cr_assert_neq(x.object, 0);
    if (strcmp(types[i], "int") == 0) { /* throw 42 */
      int v = 0;
      SSE_OKAY(sse_read_memory(p, x.object, &v, sizeof v, NULL));
      cr_assert_eq(v, 42, "stop %d: the thrown int", i);
    }
  }
  SSE_OKAY(sse_break_list(p, bi, 3, &nb));
  cr_assert_eq(bi[0].hits, 4);
  for (int k = 0; k < 3; k++)
    cr_assert_eq(bi[k].hits, g.hits[k + 1], "catchpoint %d: gdb %u", k + 1, g.hits[k + 1]);
  continue_to_exit(p);
  sse_engine_free(e);
}

Test(cxx_exc, catch_refuses_bad_kinds_and_info_elsewhere, .timeout = 30) {
  sse_engine *e;
  sse_stop s;
  sse_process *p = start_at_line(&e, "cxx_exc", "ex_here_call", &s);
  int id;
  cr_assert_eq(sse_catch(p, 0, &id), SSE_E_INVAL);
  cr_assert_eq(sse_catch(p, 8, &id), SSE_E_INVAL);
  cr_assert_eq(sse_catch(NULL, SSE_CATCH_THROW, &id), SSE_E_INVAL);
  cr_assert_eq(sse_catch(p, SSE_CATCH_THROW, NULL), SSE_E_INVAL);
  sse_exception_info x;
  cr_assert_eq(sse_catch_info(s.thread, &x), SSE_E_NOTFOUND);
  cr_assert_eq(sse_catch_info(NULL, &x), SSE_E_INVAL);
  /* Set once libstdc++ is loaded: resolved at once. */
  SSE_OKAY(sse_catch(p, SSE_CATCH_RETHROW | SSE_CATCH_THROW, &id));
  sse_breakpoint_info bi;
  size_t nb;
  SSE_OKAY(sse_break_list(p, &bi, 1, &nb));
  cr_assert(!bi.pending && bi.naddrs == 2);
  cr_assert_str_eq(bi.spec, "exception throw, rethrow");
  SSE_OKAY(sse_break_remove(p, id));
  continue_to_exit(p);
  sse_engine_free(e);
}

/* ssedemo's catch throw / catch catch print gdb's lines. */
Test(cxx_exc, ssedemo_catchpoints_print_as_gdb, .timeout = 60) {
  cstops g = {0}, d = {0};
  run_script(gdb_path(), catch_script, catch_line, &g);
  char demo[1024];
  snprintf(demo, sizeof demo, "%s --batch", tpath("../ssedemo"));
  run_script(demo, catch_script, catch_line, &d);
  cr_assert_eq(d.nlines, g.nlines);
  for (int i = 0; i < g.nlines; i++) cr_assert_str_eq(d.lines[i], g.lines[i]);
  for (int k = 1; k <= 3; k++) cr_assert_eq(d.hits[k], g.hits[k]);
}

/* A libstdc++ without SystemTap probes (cxx_exc_noprobes: linked in, its
 * .note.stapsdt removed): gdb falls back to breakpoints on __cxa_throw,
 * __cxa_begin_catch and __cxa_rethrow, and so does sse, stop for stop
 * (pc, function, catchpoint) and in ssedemo's lines; the thrown type
 * still comes from __cxa_throw's arguments. */
Test(cxx_exc, catchpoints_without_probes_fall_back_as_gdb, .timeout = 60) {
  cstops g = {0}, d = {0};
  run_script_on("cxx_exc_noprobes", gdb_path(), catch_script, catch_line, &g);
  cr_assert_eq(g.n, (int)NCATCH, "gdb's catchpoint stops: %d", g.n);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "cxx_exc_noprobes", NULL, NULL, -1);
  int ids[4] = {0};
  for (int k = 1; k <= 3; k++) SSE_OKAY(sse_catch(p, kind_of[k], &ids[k]));
  for (int i = 0; i < g.n; i++) next_catch_stop(p, &g, i, ids, false);
  sse_breakpoint_info bi[3];
  size_t nb;
  SSE_OKAY(sse_break_list(p, bi, 3, &nb));
  for (int k = 0; k < 3; k++)
    cr_assert_eq(bi[k].hits, g.hits[k + 1], "catchpoint %d: gdb %u", k + 1, g.hits[k + 1]);
  continue_to_exit(p);
  sse_engine_free(e);
  char demo[1024];
  snprintf(demo, sizeof demo, "%s --batch", tpath("../ssedemo"));
  run_script_on("cxx_exc_noprobes", demo, catch_script, catch_line, &d);
  cr_assert_eq(d.nlines, g.nlines);
  for (int i = 0; i < g.nlines; i++) cr_assert_str_eq(d.lines[i], g.lines[i]);
}

/* `catch throw REGEX` / `catch catch REGEX` and $_exception: gdb's and
 * ssedemo's transcripts, line for line (the libraries' paths after
 * " from " left out: gdb names them by the link map). gdb prints the
 * thrown int, and no std::runtime_error (no debug info for it here). */
static bool keep_line(char *line) {
  if (line[0] == '[' || !strncmp(line, "Using ", 6) || !strncmp(line, "Continuing", 10) ||
      !strncmp(line, "Starting", 8) || !strcmp(line, "\n"))
    return false;
  char *from = strstr(line, " from /");
  if (from) strcpy(from, "\n");
  strip_targets_dir(line);
  return true;
}

Test(cxx_exc, catch_regex_and_exception_value_as_gdb, .timeout = 60) {
  static const char script[] =
      "set pagination off\np $_exception\ncatch throw int\ncatch catch runtime\n"
      "catch rethrow .*\ncatch throw a\\(\nrun\np $_exception\ncontinue\ncontinue\n"
      "p $_exception\np $_exception + 1\nup\np $_exception\ncontinue\ncontinue\n"
      "info breakpoints\ncontinue\n";
  /* gdb stops a command file at its first error: one command each */
  char sh[4096];
  size_t k = 0;
  const char *gdb = getenv("ORACLE_GDB");
  char demo[1024];
  snprintf(demo, sizeof demo, "%s --batch", tpath("../ssedemo"));
  char *want = NULL, *got = NULL;
  for (int pass = 0; pass < 2; pass++) {
    k = (size_t)snprintf(sh, sizeof sh, "%s", pass ? demo : gdb && *gdb ? gdb : "gdb");
    if (!pass) k += (size_t)snprintf(sh + k, sizeof sh - k, " -batch -nx");
    char copy[sizeof script];
    memcpy(copy, script, sizeof script);
    for (char *save, *c = strtok_r(copy, "\n", &save); c; c = strtok_r(NULL, "\n", &save))
      k += (size_t)snprintf(sh + k, sizeof sh - k, " -ex '%s'", c);
    snprintf(sh + k, sizeof sh - k, " %s </dev/null 2>&1", tpath("cxx_exc"));
    char *t = command_lines(sh, keep_line);
    if (pass) got = t;
    else want = t;
  }
  cr_assert(strstr(want, "$1 = 42") && strstr(want, "matching: runtime") &&
                strstr(want, "invalid type-matching regexp"),
            "gdb:\n%s", want);
  cr_assert_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}

/* sse_catch_matching's errors; a filter that matches nothing: no stop and
 * no hit, the program runs to its exit. */
Test(cxx_exc, catch_matching_filters_in_the_library, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "cxx_exc", NULL, NULL, -1);
  int id, bid;
  SSE_OKAY(sse_catch(p, SSE_CATCH_THROW | SSE_CATCH_CATCH, &id));
  char err[128];
  cr_assert_eq(sse_catch_matching(p, id, "[", err, sizeof err), SSE_E_INVAL);
  cr_assert(err[0], "regerror's text");
  cr_assert_eq(sse_catch_matching(NULL, id, "x", NULL, 0), SSE_E_INVAL);
  cr_assert_eq(sse_catch_matching(p, id + 100, "x", NULL, 0), SSE_E_NOTFOUND);
  SSE_OKAY(sse_break_function(p, "main", false, &bid));
  cr_assert_eq(sse_catch_matching(p, bid, "x", NULL, 0), SSE_E_NOTFOUND);
  SSE_OKAY(sse_break_remove(p, bid));
  SSE_OKAY(sse_catch_matching(p, id, "^no_such_type$", NULL, 0));
  continue_to_exit(p);
  sse_breakpoint_info bi;
  size_t nb;
  SSE_OKAY(sse_break_list(p, &bi, 1, &nb));
  cr_assert_eq(bi.hits, 0);
  sse_engine_free(e);
}
