/* Source-level stepping against gdb: each test steps a target with sse and
 * with `gdb -batch` (tests/oracle/gdb_steps.py) and requires the same
 * sequence of stops: function (gdb's name, DWARF's where there is one), file
 * and line.
 * Also FRAME_CHANGED / METHOD_CHANGED counted against gdb's sequence. */
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "oracle.h"
#include "testutil.h"

typedef struct rec {
  char function[256];
  char file[512];
  int line;
  uint64_t pc;
  bool exited;
  int code;
} rec;

static atomic_int n_frame, n_method;
static void on_change(const sse_event *ev, void *u) {
  (void)u;
  if (ev->kind == SSE_EV_FRAME_CHANGED) atomic_fetch_add(&n_frame, 1);
  if (ev->kind == SSE_EV_METHOD_CHANGED) atomic_fetch_add(&n_method, 1);
}

static const char *base(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* One command by name on sse. */
static sse_err do_cmd(sse_thread *t, const char *cmd, sse_stop *s) {
  if (!strcmp(cmd, "step")) return sse_step_line(t, s);
  if (!strcmp(cmd, "next")) return sse_next_line(t, s);
  if (!strcmp(cmd, "stepi")) return sse_step_instruction(t, s);
  if (!strcmp(cmd, "nexti")) return sse_step_over_instruction(t, s);
  if (!strcmp(cmd, "finish")) return sse_finish(t, s);
  return SSE_E_INVAL;
}

static void to_rec(const sse_stop *s, rec *r) {
  memset(r, 0, sizeof *r);
  if (s->reason == SSE_STOP_EXITED || s->reason == SSE_STOP_KILLED) {
    r->exited = true;
    r->code = s->reason == SSE_STOP_EXITED ? s->exit_status : -s->signo;
    return;
  }
  snprintf(r->function, sizeof r->function, "%s",
           s->loc.function ? s->loc.function : "??");
  snprintf(r->file, sizeof r->file, "%s", s->loc.file ? s->loc.file : "-");
  r->line = s->loc.line;
  r->pc = s->pc;
}

typedef struct scenario {
  const char *prog;
  const char *arg;
  const char *start;   /* function or FILE:LINE */
  const char *cmds;    /* comma-separated */
  int count;
  const char *handle;  /* gdb handle args; SIGUSR1 nostop pass assumed */
  const char *debugdir;
  bool count_events;
} scenario;

/* Run the scenario on sse; returns the number of records. */
static size_t run_sse(const scenario *sc, rec *out, size_t max) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  atomic_store(&n_frame, 0);
  atomic_store(&n_method, 0);
  sse_process *p = spawn_target(e, sc->prog, sc->arg, NULL, -1);
  /* From the first stop at the start location on, as gdb's sequence. */
  if (sc->count_events)
    SSE_OKAY(sse_subscribe(e, SSE_EV_FRAME_CHANGED | SSE_EV_METHOD_CHANGED,
                           on_change, NULL, NULL));
  if (sc->handle) SSE_OKAY(sse_signal_policy(p, SIGUSR1, false, true));
  const char *colon = strchr(sc->start, ':');
  if (colon) {
    char file[256];
    snprintf(file, sizeof file, "%.*s", (int)(colon - sc->start), sc->start);
    SSE_OKAY(sse_break_line(p, file, atoi(colon + 1), NULL));
  } else {
    /* Pending, like gdb's `set breakpoint pending on`: the function may be
     * in a library loaded later. */
    SSE_OKAY(sse_break_function(p, sc->start, true, NULL));
  }
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "start: %s",
               sse_stop_reason_name(s.reason));
  size_t n = 0;
  to_rec(&s, &out[n++]);
  char cmds[256];
  snprintf(cmds, sizeof cmds, "%s", sc->cmds);
  for (int i = 0; i < sc->count && !out[n - 1].exited && n < max; i++) {
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", cmds);
    char *save = NULL;
    for (char *c = strtok_r(tmp, ",", &save); c && n < max;
         c = strtok_r(NULL, ",", &save)) {
      sse_stop s2;
      sse_err err = do_cmd(s.thread, c, &s2);
      /* gdb: "finish" not meaningful in the outermost frame (main). */
      if (err == SSE_E_INVAL && !strcmp(c, "finish")) continue;
      cr_assert_eq(err, SSE_OK, "%s: %s", c, sse_err_name(err));
      s = s2;
      to_rec(&s, &out[n++]);
      if (out[n - 1].exited) break;
    }
  }
  sse_engine_free(e);
  return n;
}


static void compare(const scenario *sc) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  char *args[] = {(char *)sc->arg, NULL};
  char handle[128];
  snprintf(handle, sizeof handle, "%s",
           sc->handle ? sc->handle : "SIGUSR1 stop print pass");
  int rc = oracle_gdb_steps(tpath(sc->prog), sc->arg ? args : NULL, sc->start,
                            sc->cmds, sc->count, handle, sc->debugdir, &g,
                            &gn);
  cr_assert_eq(rc, 0, "gdb oracle failed");
  size_t max = gn + 64;
  rec *r = calloc(max, sizeof *r);
  size_t rn = run_sse(sc, r, max);
  if (getenv("STEP_DUMP"))
    for (size_t k = 0; k < gn || k < rn; k++)
      fprintf(stderr, "%3zu gdb %-24s %-20s:%-4d %s| sse %-24s %-20s:%-4d\n", k,
              k < gn ? g[k].function : "", k < gn ? base(g[k].file) : "",
              k < gn ? g[k].line : 0, k < gn ? g[k].error : "",
              k < rn ? r[k].function : "", k < rn ? base(r[k].file) : "",
              k < rn ? r[k].line : 0);
  /* gdb's "finish" out of the outermost frame prints an error entry. */
  size_t gi = 0, ri = 0, matched = 0;
  for (; gi < gn && ri < rn; gi++, ri++) {
    if (g[gi].error[0]) {
      ri--;
      continue;
    }
    if (g[gi].exited || r[ri].exited) {
      cr_assert(g[gi].exited && r[ri].exited,
                "stop %zu: gdb %s, sse %s (%s:%d)", gi,
                g[gi].exited ? "exited" : g[gi].function,
                r[ri].exited ? "exited" : r[ri].function, r[ri].file,
                r[ri].line);
      cr_assert_eq(g[gi].exit_code, r[ri].code);
      matched++;
      break;
    }
    /* Function names too, except in assembly sources (glibc's .S files),
     * where gdb picks one of several aliases by its own minimal-symbol
     * order (__GI_getpid for getpid). */
    size_t fl = strlen(g[gi].file);
    bool asm_src = fl > 2 && strcmp(g[gi].file + fl - 2, ".S") == 0;
    /* gdb names the signal trampoline's frame "<signal handler called>";
     * sse names the function there, __restore_rt. */
    bool tramp = strcmp(g[gi].function, "<signal handler called>") == 0 &&
                 strcmp(r[ri].function, "__restore_rt") == 0;
    bool same = g[gi].line == r[ri].line &&
                strcmp(base(g[gi].file), base(r[ri].file)) == 0 &&
                (asm_src || tramp || strcmp(g[gi].function, r[ri].function) == 0);
    if (!same) {
      for (size_t k = gi > 3 ? gi - 3 : 0; k <= gi + 2 && k < gn && k < rn;
           k++)
        fprintf(stderr, "  %s%zu gdb %s %s:%d %#lx | sse %s %s:%d %#lx\n",
                k == gi ? ">" : " ", k, g[k].function, base(g[k].file),
                g[k].line, g[k].pc, r[k].function, base(r[k].file),
                r[k].line, (unsigned long)r[k].pc);
    }
    cr_assert(same, "%s %s ×%d: stop %zu differs: gdb %s (%s:%d) sse %s (%s:%d)",
              sc->prog, sc->cmds, sc->count, gi, g[gi].function,
              g[gi].file, g[gi].line, r[ri].function, r[ri].file,
              r[ri].line);
    matched++;
  }
  size_t want = gn < rn ? gn : rn;
  cr_assert_geq(matched + 1, want < 10 ? want : 10, "only %zu stops compared",
                matched);
  if (sc->count_events) {
    /* METHOD_CHANGED on every stop whose function differs from the
     * previous one (the first stop counts); FRAME_CHANGED wherever the pc
     * moved. */
    int want_method = 0, want_frame = 0;
    for (size_t k = 0; k < matched && !g[k].exited; k++) {
      if (k == 0 || strcmp(g[k].function, g[k - 1].function)) want_method++;
      if (k == 0 || g[k].pc != g[k - 1].pc) want_frame++;
    }
    cr_assert_eq(atomic_load(&n_method), want_method, "method changes %d, gdb %d",
                 atomic_load(&n_method), want_method);
    cr_assert_geq(atomic_load(&n_frame), want_frame);
    cr_assert_leq(atomic_load(&n_frame), (int)matched);
  }
  free(r);
  oracle_free(g);
}

TestSuite(step, .timeout = 120);

Test(step, loops_calls_step, .timeout = 120) {
  scenario sc = {.prog = "loops_calls", .start = "main", .cmds = "step",
                 .count = 300, .count_events = true};
  compare(&sc);
}

Test(step, loops_calls_next, .timeout = 120) {
  scenario sc = {.prog = "loops_calls", .start = "main", .cmds = "next",
                 .count = 200};
  compare(&sc);
}

/* Instruction steps through PLT stubs into libc: gdb names a stub by its
 * target ("printf@plt"), and so must the stops. */
Test(step, libc_calls_stepi_through_plt_stubs, .timeout = 120) {
  scenario sc = {.prog = "libc_calls", .start = "main", .cmds = "stepi",
                 .count = 300};
  compare(&sc);
}

Test(step, loops_calls_stepi_nexti, .timeout = 120) {
  scenario sc = {.prog = "loops_calls", .start = "main",
                 .cmds = "stepi,stepi,nexti", .count = 100};
  compare(&sc);
}

Test(step, recursion_step_finish, .timeout = 120) {
  scenario sc = {.prog = "recursion", .start = "main",
                 .cmds = "step,step,step,step,finish", .count = 40};
  compare(&sc);
}

Test(step, recursion_finish_deep, .timeout = 120) {
  scenario sc = {.prog = "recursion", .start = "fact",
                 .cmds = "step,step,step,finish,next", .count = 30};
  compare(&sc);
}

/* Into printf's, strlen's and qsort's glibc sources (libc6-dbg) and out
 * again. Plain `step` deeper into vfprintf meets inlined functions, whose
 * gdb frames sse does not model yet. */
Test(step, libc_calls_step_into_printf, .timeout = 120) {
  scenario sc = {.prog = "libc_calls", .start = "main",
                 .cmds = "step,step,step,finish,next", .count = 60};
  compare(&sc);
}

Test(step, nodebug_library_run_over, .timeout = 120) {
  /* Through main and on into exit(), up to glibc's inlined lock code. */
  scenario sc = {.prog = "uses_nodebug", .start = "main", .cmds = "step",
                 .count = 31};
  compare(&sc);
}

Test(step, next_over_raise_with_handler, .timeout = 120) {
  scenario sc = {.prog = "signal_next", .start = "main", .cmds = "next",
                 .count = 100, .handle = "SIGUSR1 nostop noprint pass"};
  compare(&sc);
}

Test(step, step_over_raise_with_handler, .timeout = 120) {
  scenario sc = {.prog = "signal_next", .start = "work",
                 .cmds = "step,step,finish,finish,next", .count = 20,
                 .handle = "SIGUSR1 nostop noprint pass"};
  compare(&sc);
}

Test(step, stripped_program_debuginfo_by_build_id, .timeout = 120) {
  char dir[] = "/tmp/sse-stripped-XXXXXX";
  cr_assert(mkdtemp(dir));
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "sh %s/tests/targets/make_stripped.sh %s %s >/dev/null",
           SSE_SRCDIR, dir, tpath("loops_calls_buildid"));
  cr_assert_eq(system(cmd), 0);
  char dbg[1100], prog[1100];
  snprintf(dbg, sizeof dbg, "%s/debug", dir);
  snprintf(prog, sizeof prog, "%s/loops_calls_stripped", dir);
  setenv("SSE_DEBUG_FILE_DIRECTORY", dbg, 1);
  setenv("SSE_TARGETS_DIR", dir, 1);
  scenario sc = {.prog = "loops_calls_stripped", .start = "main",
                 .cmds = "step,step,next", .count = 100, .debugdir = dbg};
  compare(&sc);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  system(cmd);
}

Test(step, start_at_file_line, .timeout = 120) {
  scenario sc = {.prog = "loops_calls", .start = "loops_calls.c:25",
                 .cmds = "next,step", .count = 100};
  compare(&sc);
}

Test(step, dlopen_step_into_library, .timeout = 120) {
  scenario sc = {.prog = "dlopen_main", .start = "main", .cmds = "next",
                 .count = 200};
  compare(&sc);
}

/* Into a library loaded by dlopen: the breakpoint is pending until the
 * dynamic linker's rendezvous reports the library. */
Test(step, dlopen_pending_break_and_step, .timeout = 120) {
  /* Through dl_work and back into main; dlclose's glibc internals further
   * on meet inlined functions (see libc_calls_step_into_printf). */
  scenario sc = {.prog = "dlopen_main", .start = "dl_work", .cmds = "step",
                 .count = 40};
  compare(&sc);
}

/* Stepping from code without line info runs to the caller's next line
 * (gdb: "Single stepping until exit from function nodebug_twice, which has
 * no line number information"). */
Test(step, step_from_function_without_line_info, .timeout = 120) {
  scenario sc = {.prog = "uses_nodebug", .start = "nodebug_twice",
                 .cmds = "step,step,step,step,next", .count = 5};
  compare(&sc);
}

/* Deep into glibc with plain `step`: printf → vfprintf and its inlined
 * helpers (gdb's inline frames: stepping into one stops at the same pc),
 * non-statement rows (stop 68: a jump into a row of line 382 that is not a
 * statement, then to a statement row of 382, which stops), down into
 * malloc's first-call initialisation. */
Test(step, libc_calls_step_into_inline_frames, .timeout = 120) {
  scenario sc = {.prog = "libc_calls", .start = "main", .cmds = "step",
                 .count = 400};
  compare(&sc);
}

/* main to the exit, every stop as gdb's (175): exit(), the exit handlers,
 * _dl_fini walked as dynamic-linker code, the mutex calls it makes (inline
 * frames), destructors without line info or CFI, where gdb's frame id of
 * the stepping frame drifts with a push and it stops in the PLT stub of
 * __cxa_finalize, and _fini reached by a tail call. */
Test(step, nodebug_step_through_exit_handlers, .timeout = 120) {
  scenario sc = {.prog = "uses_nodebug", .start = "main", .cmds = "step",
                 .count = 200};
  compare(&sc);
}

Test(step, raise_step_into_pthread_kill_inline, .timeout = 120) {
  scenario sc = {.prog = "signal_next", .start = "work", .cmds = "step",
                 .count = 60, .handle = "SIGUSR1 nostop noprint pass"};
  compare(&sc);
}

/* -O2 tail calls (the realloc case): `step` through a PLT stub
 * into the target's first line (lazy binding, -z now, the IFUNCs strcmp,
 * strlen and memcpy), a local tail jump; `next` stops in the stub as
 * gdb's does. */
static void tail_scenario(const char *prog) {
  const char *starts[] = {"grow", "tail_cmp", "tail_local", "tail_len", "tail_copy"};
  for (int i = 0; i < 5; i++) {
    scenario sc = {.prog = prog, .start = starts[i], .cmds = "step", .count = 4};
    compare(&sc);
  }
  scenario nx = {.prog = prog, .start = "tail_local", .cmds = "next", .count = 3};
  compare(&nx);
  /* finish out of a function entered by a tail jump: to the caller of the
   * function that jumped (gdb skips its tail-call frames). */
  scenario fin = {.prog = prog, .start = "tail_local", .cmds = "step,finish,next", .count = 2};
  compare(&fin);
}
Test(step, tail_calls_gcc_O2, .timeout = 240) { tail_scenario("tail_calls_O2"); }
Test(step, tail_calls_gcc_O2_z_now, .timeout = 240) {
  tail_scenario("tail_calls_O2_now");
}
Test(step, tail_calls_clang_O2, .timeout = 240) {
  tail_scenario("tail_calls_O2_clang");
}
Test(step, tail_calls_clang_O2_z_now, .timeout = 240) {
  tail_scenario("tail_calls_O2_clang_now");
}

/* The stepping programs at -O2 and -O3 (gcc and clang): gdb's stops, step
 * and next. */
static void o2_scenario(const char *prog, int steps, int nexts) {
  scenario st = {.prog = prog, .start = "main", .cmds = "step", .count = steps};
  compare(&st);
  scenario nx = {.prog = prog, .start = "main", .cmds = "next", .count = nexts};
  compare(&nx);
}
Test(step, loops_calls_gcc_O2, .timeout = 240) { o2_scenario("loops_calls_O2", 150, 60); }
Test(step, libc_calls_gcc_O2, .timeout = 240) { o2_scenario("libc_calls_O2", 200, 40); }
Test(step, loops_calls_clang_O2, .timeout = 240) { o2_scenario("loops_calls_O2_clang", 150, 60); }
Test(step, libc_calls_clang_O2, .timeout = 240) { o2_scenario("libc_calls_O2_clang", 200, 40); }
Test(step, loops_calls_gcc_O3, .timeout = 240) { o2_scenario("loops_calls_O3", 150, 60); }
Test(step, loops_calls_clang_O3, .timeout = 240) { o2_scenario("loops_calls_O3_clang", 150, 60); }
Test(step, inline_deep_gcc_O3, .timeout = 240) { o2_scenario("inline_deep_O3", 150, 60); }
Test(step, inline_deep_clang_O2, .timeout = 240) { o2_scenario("inline_deep_O2_clang", 150, 60); }

/* A .cold part (check.cold belongs to check), calls through a function
 * pointer, and a recursion finished from depth 50 (-O2, gcc and clang). */
static void opt_shapes(const char *prog) {
  o2_scenario(prog, 120, 20);
  scenario fin = {.prog = prog, .start = "opt_shapes.c:39", .cmds = "finish", .count = 52};
  compare(&fin);
  scenario cold = {.prog = prog, .start = "opt_shapes.c:18", .cmds = "next,step", .count = 6};
  compare(&cold);
}
Test(step, opt_shapes_gcc_O2, .timeout = 240) { opt_shapes("opt_shapes_O2"); }
Test(step, opt_shapes_clang_O2, .timeout = 240) { opt_shapes("opt_shapes_O2_clang"); }
Test(step, opt_shapes_gcc_O2_lto, .timeout = 240) { opt_shapes("opt_shapes_O2_lto"); }
Test(step, opt_shapes_clang_O2_lto, .timeout = 240) { opt_shapes("opt_shapes_O2_lto_clang"); }

/* Out of a signal handler instruction by instruction: finish to
 * __restore_rt, then stepi over its rt_sigreturn system call, which
 * returns to the interrupted pc in pthread_kill (not to the instruction
 * after the syscall): gdb's stops. */
Test(step, stepi_over_rt_sigreturn, .timeout = 120) {
  scenario sc = {.prog = "signal_next", .start = "on_usr1",
                 .cmds = "finish,stepi,stepi,stepi,stepi", .count = 1,
                 .handle = "SIGUSR1 nostop noprint pass"};
  compare(&sc);
}
