/* C++ exceptions while stepping, on tests/targets/cxx_exc.cc built with
 * gcc -O0, clang -O0 and gcc -O2: `next` and `step` over a call that
 * throws, `next` on the `throw` line, `finish` and `until` out of a frame
 * the exception unwinds past, all stop at the first line of the catch
 * block that takes the exception, a cleanup (a destructor run on the way)
 * being no stop. The source is the oracle here: gdb 13 on Debian has no
 * unwinder hook (libgcc_s carries no `libgcc:unwind` probe and no
 * _Unwind_DebugHook symbol) and runs each of these to the program's exit;
 * the last test shows that. Each test then runs the program to its normal
 * exit (the handlers ran once each: it prints 145). */
#include <sys/wait.h>

#include "testutil.h"

#define SRC "cxx_exc.cc"

static const char *const progs[] = {"cxx_exc", "cxx_exc_clang", "cxx_exc_O2"};
#define NPROGS (sizeof progs / sizeof progs[0])

/* Continue p to the next hit of a breakpoint on SRC's line holding
 * marker (removed again). */
static void run_to(sse_process *p, const char *marker, sse_stop *s) {
  int id;
  SSE_OKAY(sse_break_line(p, SRC, line_of(SRC, marker), &id));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s->reason));
  SSE_OKAY(sse_break_remove(p, id));
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

/* What gdb does with the same `next` here: no unwinder hook, so it loses
 * the program (it runs to the exit), unless this gdb has one; then it must
 * stop on the handler's line as sse does. */
Test(cxx_exc, gdb_next_over_throw_runs_on_here, .timeout = 60) {
  char cmdf[] = "/tmp/sse_cxxexc_gdbXXXXXX";
  int fd = mkstemp(cmdf);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "set pagination off\nset confirm off\nbreak %s:%d\nrun\nnext\n"
             "info line *$pc\nkill\n", SRC, line_of(SRC, "ex_here_call"));
  fclose(f);
  char cmd[1024];
  const char *gdb = getenv("ORACLE_GDB");
  snprintf(cmd, sizeof cmd, "%s -batch -nx -x %s %s </dev/null 2>&1",
           gdb && *gdb ? gdb : "gdb", cmdf, tpath("cxx_exc"));
  FILE *g = popen(cmd, "r");
  cr_assert(g);
  char line[1024];
  bool exited = false, at_handler = false;
  char want[64];
  snprintf(want, sizeof want, "Line %d of", line_of(SRC, "ex_here_handler"));
  while (fgets(line, sizeof line, g)) {
    if (strstr(line, "exited normally")) exited = true;
    if (strstr(line, want)) at_handler = true;
  }
  pclose(g);
  unlink(cmdf);
  cr_assert(exited || at_handler, "gdb neither ran on nor stopped at the handler");
}
