/* The GDB JIT interface (issue 6): gdbjit_target maps gdbjit_code.img at
 * its linked address and registers the file as an in-memory ELF object
 * through __jit_debug_descriptor / __jit_debug_register_code, calls
 * jit_entry -> jit_sum -> jit_square there, then unregisters it. gdb reads
 * the same interface, so its stops are the oracle for `step`. */
#include <stdatomic.h>
#include <sys/wait.h>

#include "oracle.h"
#include "testutil.h"

static sse_engine *eng;

static void setup(void) { SSE_OKAY(sse_engine_new(NULL, &eng)); }
static void teardown(void) {
  sse_engine_free(eng);
  eng = NULL;
}

TestSuite(gdbjit, .init = setup, .fini = teardown, .timeout = 60);

static _Atomic int jit_events;
static void on_jit(const sse_event *ev, void *user) {
  (void)user;
  (void)ev;
  atomic_fetch_add(&jit_events, 1);
}

static const char *base(const char *p) {
  const char *s = p ? strrchr(p, '/') : NULL;
  return s ? s + 1 : p ? p : "-";
}

/* The line of gdbjit_target.c after jit_unregister (free(entry)). */
#define TARGET_LINE_AFTER_UNREGISTER 138

/* `break jit_sum` pending before the object exists; the hit has the JIT
 * object's file:line; the backtrace goes through jit_entry to main. */
Test(gdbjit, pending_break_lookup_backtrace, .timeout = 30) {
  atomic_store(&jit_events, 0);
  SSE_OKAY(sse_subscribe(eng, SSE_EV_JIT_SYMBOLS_CHANGED, on_jit, NULL, NULL));
  sse_process *p = spawn_target(eng, "gdbjit_target", NULL, NULL, -1);
  int id;
  sse_stop s = break_pending_and_hit(p, "jit_sum", &id);
  cr_assert_str_eq(base(s.loc.file), "gdbjit_code.c");
  cr_assert_eq(s.loc.line, 11); /* after the prologue, like gdb */
  cr_assert_geq(atomic_load(&jit_events), 1);
  cr_assert_geq(s.pc, 0x7e0000000000ull);

  sse_location loc;
  uint64_t entry;
  SSE_OKAY(sse_lookup_function(p, "jit_square", &entry, NULL));
  SSE_OKAY(sse_lookup(p, entry, &loc));
  cr_assert_str_eq(loc.function, "jit_square");
  cr_assert_str_eq(base(loc.file), "gdbjit_code.c");
  cr_assert_eq(loc.line, 5);

  sse_frame f[16];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, f, 16, &n));
  cr_assert_geq(n, 3);
  cr_assert_str_eq(f[0].loc.function, "jit_sum");
  cr_assert_str_eq(f[1].loc.function, "jit_entry");
  cr_assert_str_eq(base(f[1].loc.file), "gdbjit_code.c");
  cr_assert_eq(f[1].loc.line, 20);
  cr_assert_str_eq(f[2].loc.function, "main");
  cr_assert_str_eq(base(f[2].loc.file), "gdbjit_target.c");

  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
}

/* After jit_unregister the object's names and addresses are gone. */
Test(gdbjit, unregister_removes_module, .timeout = 30) {
  sse_process *p = spawn_target(eng, "gdbjit_target", NULL, NULL, -1);
  int id, id2;
  SSE_OKAY(sse_break_function(p, "jit_square", true, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "jit_square");
  uint64_t entry;
  SSE_OKAY(sse_lookup_function(p, "jit_entry", &entry, NULL));
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_break_line(p, "gdbjit_target.c", TARGET_LINE_AFTER_UNREGISTER, &id2));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, id2);
  cr_assert_neq(sse_lookup_function(p, "jit_entry", NULL, NULL), SSE_OK);
  cr_assert_neq(sse_lookup_function(p, "jit_square", NULL, NULL), SSE_OK);
  sse_location loc;
  if (sse_lookup(p, entry, &loc) == SSE_OK) cr_assert_null(loc.function);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}

/* `step` from jit_sum's breakpoint: the same stops as gdb's (into
 * jit_square, back, around the loop, out to jit_entry and main). */
Test(gdbjit, step_matches_gdb, .timeout = 60) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  const int count = 34; /* through the unregister, into __jit_debug_register_code */
  cr_assert_eq(oracle_gdb_steps(tpath("gdbjit_target"), NULL, "jit_sum", "step", count, NULL,
                                NULL, &g, &gn),
               0, "gdb oracle failed");
  cr_assert_geq(gn, 10);
  sse_process *p = spawn_target(eng, "gdbjit_target", NULL, NULL, -1);
  SSE_OKAY(sse_break_function(p, "jit_sum", true, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  sse_thread *t = s.thread;
  bool dump = getenv("STEP_DUMP") != NULL;
  for (size_t i = 0; i < gn; i++) {
    if (g[i].error[0]) break;
    if (g[i].exited) {
      cr_assert(s.reason == SSE_STOP_EXITED, "stop %zu: gdb exited, sse %s", i,
                sse_stop_reason_name(s.reason));
      cr_assert_eq(s.exit_status, g[i].exit_code);
      break;
    }
    if (dump)
      fprintf(stderr, "%2zu gdb %-12s %s:%d | sse %-12s %s:%d\n", i, g[i].function,
              base(g[i].file), g[i].line, s.loc.function ? s.loc.function : "??",
              base(s.loc.file), s.loc.line);
    cr_assert(s.reason != SSE_STOP_EXITED, "stop %zu: sse exited, gdb at %s:%d", i,
              g[i].function, g[i].line);
    cr_assert_str_eq(s.loc.function ? s.loc.function : "??", g[i].function, "stop %zu", i);
    cr_assert_str_eq(base(s.loc.file), base(g[i].file), "stop %zu (%s)", i, g[i].function);
    cr_assert_eq(s.loc.line, g[i].line, "stop %zu (%s)", i, g[i].function);
    cr_assert_eq(s.pc, g[i].pc, "stop %zu (%s:%d)", i, g[i].function, g[i].line);
    if (i + 1 < gn) SSE_OKAY(sse_step_line(t, &s));
  }
  oracle_free(g);
  sse_kill(p);
}

/* Entries already registered when the debugger attaches are found by
 * walking first_entry: `break jit_square` resolves at once and is hit. */
Test(gdbjit, entries_present_at_attach, .timeout = 30) {
  int out[2];
  cr_assert_eq(pipe(out), 0);
  pid_t kid = fork();
  if (kid == 0) {
    close(out[0]);
    dup2(out[1], 1);
    execl(tpath("gdbjit_target"), "gdbjit_target", tpath("gdbjit_code.img"), "wait",
          (char *)NULL);
    _exit(98);
  }
  close(out[1]);
  char c;
  cr_assert_eq(read(out[0], &c, 1), 1, "target did not register");
  sse_process *p;
  int err_no;
  SSE_OKAY(sse_attach(eng, kid, &p, &err_no));
  int id;
  SSE_OKAY(sse_break_function(p, "jit_square", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "jit_square");
  cr_assert_str_eq(base(s.loc.file), "gdbjit_code.c");
  SSE_OKAY(sse_kill(p));
  close(out[0]);
  waitpid(kid, NULL, WNOHANG);
}
