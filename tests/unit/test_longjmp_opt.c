/* longjmp out of two frames in optimized code (issue 13): longjmp_target
 * built with gcc and clang at -O2. main's call deep1 -> deep2 leaves by
 * longjmp back into main's setjmp; `next` over the call, `finish` of deep2
 * and `finish` of deep1 selected from deep2 (sse_finish_frame) all stop
 * where control lands in main: setjmp's line (where it returns again) or,
 * where the compiler put no stop there, the else branch it takes. The
 * source is the oracle: gdb 13 without glibc's longjmp probes runs these
 * to the exit. Then the program ends normally (exit 0: it landed once). */
#include "testutil.h"

static const char *const PROGS[] = {"longjmp_target_O2", "longjmp_target_O2_clang"};
#define SRC "longjmp_target.c"

static sse_process *stop_at(sse_engine *e, const char *prog, const char *fn, int line, sse_stop *s) {
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  int id;
  if (fn)
    SSE_OKAY(sse_break_function(p, fn, false, &id));
  else
    SSE_OKAY(sse_break_line(p, SRC, line, &id));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "%s: %s", prog, sse_stop_reason_name(s->reason));
  SSE_OKAY(sse_break_remove(p, id));
  return p;
}

/* s is where the longjmp landed: main, at setjmp's line or the else
 * branch; `next` from setjmp's line takes the branch. Then on to the exit. */
static void landed(const char *prog, sse_process *p, sse_stop *s) {
  int again = line_of(SRC, "lj_setjmp"), branch = line_of(SRC, "lj_landed");
  cr_assert_eq(s->reason, SSE_STOP_STEP, "%s: %s", prog, sse_stop_reason_name(s->reason));
  cr_assert(s->loc.function && !strcmp(s->loc.function, "main"), "%s: landed in %s", prog,
            s->loc.function ? s->loc.function : "??");
  cr_assert(s->loc.line == again || s->loc.line == branch, "%s: landed at line %d", prog, s->loc.line);
  if (s->loc.line == again) {
    SSE_OKAY(sse_next_line(s->thread, s));
    cr_assert_eq(s->loc.line, branch, "%s: line %d after setjmp's", prog, s->loc.line);
  }
  sse_stop x;
  SSE_OKAY(sse_continue(p, &x));
  cr_assert_eq(x.reason, SSE_STOP_EXITED, "%s: %s", prog, sse_stop_reason_name(x.reason));
  cr_assert_eq(x.exit_status, 0, "%s: exit %d (not landed once)", prog, x.exit_status);
}

Test(longjmp_opt, next_over_a_call_that_longjmps_past_two_frames, .timeout = 60) {
  for (size_t i = 0; i < 2; i++) {
    sse_engine *e;
    SSE_OKAY(sse_engine_new(NULL, &e));
    sse_stop s;
    sse_process *p = stop_at(e, PROGS[i], NULL, line_of(SRC, "lj_call"), &s);
    SSE_OKAY(sse_next_line(s.thread, &s));
    landed(PROGS[i], p, &s);
    sse_engine_free(e);
  }
}

/* finish of deep2 (frame 0) and of deep1 selected from deep2 (frame 1). */
Test(longjmp_opt, finish_of_a_frame_the_longjmp_leaves, .timeout = 60) {
  for (size_t i = 0; i < 2; i++) {
    for (size_t frame = 0; frame < 2; frame++) {
      sse_engine *e;
      SSE_OKAY(sse_engine_new(NULL, &e));
      sse_stop s;
      sse_process *p = stop_at(e, PROGS[i], "deep2", 0, &s);
      sse_frame fr[4];
      size_t n = 0;
      SSE_OKAY(sse_backtrace(s.thread, fr, 4, &n));
      cr_assert_geq(n, 3);
      cr_assert_str_eq(fr[frame].loc.function, frame ? "deep1" : "deep2", "%s", PROGS[i]);
      SSE_OKAY(sse_finish_frame(s.thread, frame, &s));
      landed(PROGS[i], p, &s);
      sse_engine_free(e);
    }
  }
}
