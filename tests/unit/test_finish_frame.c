/* `finish` of the selected frame against gdb (issue 13): after `up N` or
 * `frame N` gdb's finish runs until that frame returns ("Run till exit
 * from #N ..."), out of an inline frame it steps back into the frame the
 * call was inlined into, and in main it is "not meaningful in the
 * outermost frame.". sse_finish_frame does the same, frame index as
 * sse_backtrace counts. Stop for stop with gdb_steps.py: after `up` and
 * `frame` the selected frame, after finish the stop (function, file, line,
 * pc). Then ssedemo's frame lines as gdb prints them: the pc shown where
 * the frame is not at a statement's start (gdb's frame_show_address). */
#include "oracle.h"
#include "testutil.h"

#define MAXF 1100

static const char *base(const char *p) {
  const char *s = p ? strrchr(p, '/') : NULL;
  return s ? s + 1 : p ? p : "-";
}

typedef struct rec {
  char function[256];
  char file[256];
  int line;
  uint64_t pc;
  bool error, exited;
} rec;

static void loc_rec(const sse_location *l, uint64_t pc, rec *r) {
  memset(r, 0, sizeof *r);
  snprintf(r->function, sizeof r->function, "%s", l->function ? l->function : "??");
  snprintf(r->file, sizeof r->file, "%s", base(l->file));
  r->line = l->line;
  r->pc = pc;
}

/* Frames to main, as gdb's (backtrace past-main off). */
static size_t frames(sse_thread *t, sse_frame *fr) {
  size_t n = 0;
  SSE_OKAY(sse_backtrace(t, fr, MAXF, &n));
  for (size_t i = 0; i < n; i++)
    if (fr[i].loc.function && !strcmp(fr[i].loc.function, "main") && !fr[i].inlined) return i + 1;
  return n;
}

/* One gdb command on sse: `up [N]`, `frame N`, `finish`, `next`. */
static void sse_cmd(sse_thread **t, size_t *sel, const char *c, rec *r) {
  static sse_frame fr[MAXF];
  size_t n = frames(*t, fr);
  if (!strncmp(c, "up", 2) || !strncmp(c, "frame ", 6)) {
    long k = !strncmp(c, "up", 2) ? (long)*sel + (c[2] ? atol(c + 3) : 1) : atol(c + 6);
    if (k >= (long)n) k = (long)n - 1; /* gdb's `up` stops at the outermost */
    *sel = (size_t)k;
    loc_rec(&fr[k].loc, fr[k].pc, r);
    return;
  }
  sse_stop s;
  sse_err err = !strcmp(c, "finish") ? sse_finish_frame(*t, *sel, &s) : sse_next_line(*t, &s);
  if (err != SSE_OK) {
    cr_assert_eq(err, SSE_E_INVAL, "%s: %s", c, sse_err_name(err));
    memset(r, 0, sizeof *r);
    r->error = true;
    return;
  }
  *sel = 0;
  if (s.reason == SSE_STOP_EXITED) {
    memset(r, 0, sizeof *r);
    r->exited = true;
    return;
  }
  *t = s.thread;
  loc_rec(&s.loc, s.pc, r);
}

/* Break at `start`, then the comma-separated cmds once, on gdb and sse. */
static void compare(const char *prog, const char *start, const char *cmds) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  cr_assert_eq(oracle_gdb_steps(tpath(prog), NULL, start, cmds, 1, NULL, NULL, &g, &gn), 0, "gdb oracle");
  cr_assert_gt(gn, 1, "%s: gdb gave %zu stops", prog, gn);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  const char *colon = strchr(start, ':');
  if (colon) {
    char file[256];
    snprintf(file, sizeof file, "%.*s", (int)(colon - start), start);
    SSE_OKAY(sse_break_line(p, file, atoi(colon + 1), NULL));
  } else {
    SSE_OKAY(sse_break_function(p, start, false, NULL));
  }
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  sse_thread *t = s.thread;
  size_t sel = 0, i = 1;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", cmds);
  char *save = NULL;
  for (char *c = strtok_r(buf, ",", &save); c && i < gn; c = strtok_r(NULL, ",", &save), i++) {
    rec r;
    sse_cmd(&t, &sel, c, &r);
    const oracle_stop *o = &g[i];
    if (o->error[0] || r.error) {
      cr_expect(o->error[0] && r.error, "%s %s, `%s`: gdb error \"%s\", sse %s", prog, start, c, o->error,
                r.error ? "error" : r.function);
      continue;
    }
    if (o->exited || r.exited) {
      cr_expect(o->exited && r.exited, "%s, `%s`: exit on one side only", prog, c);
      break;
    }
    cr_expect(!strcmp(o->function, r.function) && !strcmp(base(o->file), r.file) && o->line == r.line &&
                  o->pc == r.pc,
              "%s %s, `%s` (%zu): gdb %s %s:%d %#lx, sse %s %s:%d %#lx", prog, start, c, i, o->function,
              base(o->file), o->line, o->pc, r.function, r.file, r.line, (unsigned long)r.pc);
  }
  cr_expect_eq(i, gn, "%s: %zu commands compared, gdb gave %zu stops", prog, i - 1, gn - 1);
  sse_kill(p);
  sse_engine_free(e);
  oracle_free(g);
}

static const char *const SHAPES[] = {"opt_shapes_O2", "opt_shapes_O2_clang"};
static const char *const INLINE[] = {"inline_deep_O2", "inline_deep_O2_clang"};

/* A recursion 50 deep (-O2, gcc and clang): finish frame 3, then frame 5
 * of what is left; each returns into its own activation, not a deeper one
 * at the same address. And frame 500 of a recursion 1,000 deep (-O0). */
Test(finish_frame, recursion_finished_from_a_selected_frame, .timeout = 90) {
  for (int i = 0; i < 2; i++) {
    compare(SHAPES[i], "opt_shapes.c:39", "up 3,finish,frame 5,finish,up,finish,next");
  }
  compare("deep_recursion", "bottom", "up 3,finish,frame 500,finish,next");
}

/* Inline frames selected: in the frame of the stop (level3, level2 at a
 * breakpoint inside level3) and in a caller's real frame (up from leaf),
 * and the real frame holding them (frame 4: outer). */
Test(finish_frame, inline_frames_selected, .timeout = 120) {
  for (int i = 0; i < 2; i++) {
    compare(INLINE[i], "leaf", "up,finish,next");
    compare(INLINE[i], "leaf", "up 2,finish");
    compare(INLINE[i], "leaf", "frame 3,finish");
    compare(INLINE[i], "leaf", "frame 4,finish,next");
    compare(INLINE[i], "inline_deep.c:20", "up,finish");
  }
}

/* A tail-call frame selected (tail_local, which jumped to local_leaf;
 * gcc's call sites, lazy binding and -z now) and frame 0 under one: finish
 * runs to main, skipping the tail-call frame as gdb does. clang's tail
 * calls make no such frame (gdb 13 reads no DW_AT_call_pc): `up` is main. */
Test(finish_frame, tail_call_frames, .timeout = 90) {
  const char *progs[] = {"tail_calls_O2", "tail_calls_O2_now", "tail_calls_O2_clang"};
  for (int i = 0; i < 3; i++) {
    compare(progs[i], "local_leaf", "up,finish,next");
    compare(progs[i], "local_leaf", "finish,next");
  }
}

/* main is the outermost frame gdb shows: finish there, or with it
 * selected, is an error; a frame past the last one is SSE_E_NOTFOUND. */
Test(finish_frame, outermost_frame_is_an_error, .timeout = 60) {
  compare("opt_shapes_O2", "opt_shapes.c:39", "frame 51,finish,frame 50,finish");
  compare("recursion", "main", "finish,next");
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "recursion", NULL, NULL, -1);
  SSE_OKAY(sse_break_function(p, "fact", false, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_expect_eq(sse_finish_frame(s.thread, 1, NULL), SSE_E_INVAL, "main selected");
  cr_expect_eq(sse_finish_frame(s.thread, 500, NULL), SSE_E_NOTFOUND, "no frame 500");
  cr_expect_eq(sse_finish_frame(NULL, 0, NULL), SSE_E_INVAL);
  /* Nothing ran: the thread is where it stopped. */
  sse_frame fr[4];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, fr, 4, &n));
  cr_expect_eq(fr[0].pc, s.pc);
  sse_kill(p);
  sse_engine_free(e);
}

/* The location lines of a gdb or ssedemo session (stop lines, frame lines,
 * "Run till exit" left out: gdb -batch does not print it), arguments and
 * directories dropped, and the "Value returned" lines. */
static size_t loc_lines(const char *cmd, char out[][512], size_t max) {
  FILE *f = popen(cmd, "r");
  cr_assert(f);
  char line[512];
  size_t n = 0;
  while (fgets(line, sizeof line, f) && n < max) {
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "Value returned", 14)) {
      memcpy(out[n++], line, sizeof line);
      continue;
    }
    char *open = strstr(line, " (");
    char *close = open ? strstr(open, ") at ") : NULL;
    if (!close || !strncmp(line, "Run till exit", 13)) continue;
    memmove(open + 2, close, strlen(close) + 1);
    char *at = strstr(line, ") at ") + 5;
    memmove(at, base(at), strlen(base(at)) + 1);
    memcpy(out[n++], line, sizeof line);
  }
  pclose(f);
  return n;
}

static void demo_as_gdb(const char *prog, const char *ex) {
  char demo[1024], cmd[4096], g[64][512], s[64][512];
  snprintf(demo, sizeof demo, "%s/../ssedemo", tpath(""));
  snprintf(cmd, sizeof cmd, "gdb -batch -nx %s %s 2>/dev/null </dev/null", ex, tpath(prog));
  size_t gn = loc_lines(cmd, g, 64);
  snprintf(cmd, sizeof cmd, "%s --batch %s %s 2>/dev/null </dev/null", demo, ex, tpath(prog));
  size_t sn = loc_lines(cmd, s, 64);
  cr_assert_geq(gn, 3, "%s: gdb printed %zu location lines", prog, gn);
  cr_expect_eq(sn, gn, "%s: ssedemo %zu location lines, gdb %zu", prog, sn, gn);
  for (size_t k = 0; k < gn && k < sn; k++)
    cr_expect_str_eq(s[k], g[k], "%s `%s` line %zu: ssedemo \"%s\", gdb \"%s\"", prog, ex, k, s[k], g[k]);
}

/* gdb's rule for the pc in a frame line: a finish that returns to the
 * start of a statement shows none (check after report_bad), one that
 * returns mid-line does; caller frames always show it, the frame an inline
 * frame was inlined into never; a frame 0 stopped mid-line (after stepi)
 * shows it in bt and frame. */
Test(finish_frame, ssedemo_prints_the_pc_as_gdb, .timeout = 120) {
  for (int i = 0; i < 2; i++) {
    demo_as_gdb(SHAPES[i], "-ex 'break report_bad' -ex run -ex finish -ex bt -ex finish -ex bt");
    demo_as_gdb(SHAPES[i], "-ex 'break opt_shapes.c:39' -ex run -ex 'up 2' -ex finish -ex 'frame 1' -ex down");
    demo_as_gdb(INLINE[i], "-ex 'break leaf' -ex run -ex stepi -ex bt -ex frame -ex up -ex finish -ex bt");
  }
  /* A tail-call frame: its pc shown, finish from it prints no value; nor
   * does a finish out of a function without debug info. */
  demo_as_gdb("tail_calls_O2", "-ex 'break local_leaf' -ex run -ex bt -ex up -ex finish -ex bt");
  demo_as_gdb("uses_nodebug", "-ex 'break nodebug_twice' -ex run -ex finish -ex bt -ex frame");
}
