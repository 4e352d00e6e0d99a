/* Fast stepping (issue 4): hardware watchpoints on the debug-register
 * allocator shared with the temporary breakpoints of a step, range stepping
 * (ptrace stops per line = branches, not instructions), and the ptrace stop
 * count of a command (sse_stop.ptrace_stops). The gdb-differential checks of
 * step/next sequences are in test_step.c. */
#include <stdint.h>

#include "testutil.h"

/* Runtime address of a symbol of the (PIE) program: its nm value moved by
 * the load bias, measured on main. */
static uint64_t sym_addr(sse_process *p, const char *prog, const char *sym) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "nm %s", tpath(prog));
  FILE *f = popen(cmd, "r");
  cr_assert(f, "nm");
  char line[512];
  unsigned long long v, vmain = 0, vsym = 0;
  char type, name[256];
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%llx %c %255s", &v, &type, name) == 3) {
      if (!strcmp(name, "main")) vmain = v;
      if (!strcmp(name, sym)) vsym = v;
    }
  pclose(f);
  cr_assert(vmain && vsym, "nm: main or %s missing", sym);
  uint64_t entry = 0;
  SSE_OKAY(sse_lookup_function(p, "main", &entry, NULL));
  return entry - vmain + vsym;
}

static sse_stop run_to(sse_process *p, const char *func) {
  int id;
  SSE_OKAY(sse_break_function(p, func, false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s: %s", func,
               sse_stop_reason_name(s.reason));
  SSE_OKAY(sse_break_remove(p, id));
  return s;
}

TestSuite(fast, .timeout = 60);

/* A watchpoint on a global written once per call in a loop of 5: continue
 * stops N times, and the value read grows as the program writes it. */
Test(fast, watch_global_written_in_loop, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "bp_loop", "5", NULL, -1);
  run_to(p, "main");
  uint64_t a = sym_addr(p, "bp_loop", "g_sink");
  int id;
  SSE_OKAY(sse_watch(p, a, 4, SSE_WATCH_WRITE, &id));
  int expect = 0;
  for (int i = 0; i < 5; i++) {
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_WATCHPOINT, "hit %d: %s", i,
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.breakpoint_id, id);
    cr_assert_eq(s.watch_addr, a);
    cr_assert_str_eq(s.loc.function, "hit_me");
    int v = -1;
    SSE_OKAY(sse_read_memory(p, a, &v, sizeof v, NULL));
    expect += i;
    cr_assert_eq(v, expect, "hit %d: g_sink %d, want %d", i, v, expect);
  }
  sse_breakpoint_info bi[4];
  size_t n = 0;
  SSE_OKAY(sse_break_list(p, bi, 4, &n));
  cr_assert_eq(n, 1);
  cr_assert(bi[0].is_watchpoint);
  cr_assert_eq(bi[0].hits, 5);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 5);
  sse_engine_free(e);
}

/* Four debug registers: the fifth watchpoint is refused, and a freed slot
 * can be taken again. */
Test(fast, watch_noslot_after_four, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "bp_loop", "5", NULL, -1);
  run_to(p, "main");
  uint64_t a = sym_addr(p, "bp_loop", "g_sink") & ~(uint64_t)7;
  int ids[4];
  for (int i = 0; i < 4; i++)
    SSE_OKAY(sse_watch(p, a + 8 * (uint64_t)i, 8, SSE_WATCH_WRITE, &ids[i]));
  int x;
  cr_assert_eq(sse_watch(p, a + 64, 8, SSE_WATCH_WRITE, &x), SSE_E_NOSLOT);
  SSE_OKAY(sse_break_remove(p, ids[2]));
  SSE_OKAY(sse_watch(p, a + 64, 8, SSE_WATCH_READWRITE, &x));
  cr_assert_eq(sse_watch(p, a + 72, 8, SSE_WATCH_WRITE, &x), SSE_E_NOSLOT);
  sse_engine_free(e);
}

typedef struct seq {
  int line[64];
  sse_stop_reason reason[64];
  unsigned stops[64];
  int n;
} seq;

/* `next` from main of loops_calls, nwatch watchpoints on bytes nobody
 * writes (they take debug registers but never fire). */
static void nexts(int nwatch, seq *out) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
  sse_stop s = run_to(p, "main");
  uint64_t a = sym_addr(p, "loops_calls", "global_acc");
  uint64_t spare = (a & ~(uint64_t)7) + 256; /* bytes nobody writes */
  for (int i = 0; i < nwatch; i++)
    SSE_OKAY(sse_watch(p, spare + 8 * (uint64_t)i, 8, SSE_WATCH_WRITE, NULL));
  memset(out, 0, sizeof *out);
  for (int i = 0; i < 30; i++) {
    SSE_OKAY(sse_next_line(s.thread, &s));
    out->line[out->n] = s.loc.line;
    out->reason[out->n] = s.reason;
    out->stops[out->n] = s.ptrace_stops;
    out->n++;
    if (s.reason != SSE_STOP_STEP) break;
  }
  sse_engine_free(e);
}

/* Watchpoints and the temporary breakpoints of a step share the debug
 * registers: with 3 taken by watchpoints a `next` uses the fourth, with all
 * 4 taken it falls back to int3; the lines are the same either way. With
 * one register a conditional jump cannot be run past (both its ways need
 * one each), so it costs a stop more than with four, never fewer. */
Test(fast, next_with_watchpoints_taking_slots, .timeout = 60) {
  seq s0, s3, s4;
  nexts(0, &s0);
  nexts(3, &s3);
  nexts(4, &s4);
  cr_assert_eq(s0.n, 30);
  cr_assert_eq(s3.n, s0.n);
  cr_assert_eq(s4.n, s0.n);
  for (int i = 0; i < s0.n; i++) {
    cr_assert_eq(s0.reason[i], SSE_STOP_STEP, "next %d", i);
    cr_assert_eq(s3.reason[i], SSE_STOP_STEP, "next %d (3 watchpoints)", i);
    cr_assert_eq(s4.reason[i], SSE_STOP_STEP, "next %d (4 watchpoints)", i);
    cr_assert_eq(s3.line[i], s0.line[i], "next %d", i);
    cr_assert_eq(s4.line[i], s0.line[i], "next %d", i);
    cr_assert_geq(s3.stops[i], s0.stops[i], "next %d: %u stops vs %u", i,
                  s3.stops[i], s0.stops[i]);
    cr_assert_leq(s3.stops[i], 2 * s0.stops[i], "next %d: %u stops vs %u", i,
                  s3.stops[i], s0.stops[i]);
  }
}

/* A `next` over bump() with a watchpoint on the global it writes (and two
 * more slots taken): the step's temporary breakpoint never steals the
 * watchpoint's register, so the write is reported, in bump. */
Test(fast, next_over_writer_reports_watchpoint, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
  SSE_OKAY(sse_break_line(p, "loops_calls.c", 54, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_eq(s.loc.line, 54);
  uint64_t a = sym_addr(p, "loops_calls", "global_acc");
  uint64_t spare = (a & ~(uint64_t)7) + 256; /* bytes nobody writes */
  int wid;
  SSE_OKAY(sse_watch(p, a, 4, SSE_WATCH_WRITE, &wid));
  SSE_OKAY(sse_watch(p, spare, 8, SSE_WATCH_WRITE, NULL));
  SSE_OKAY(sse_watch(p, spare + 8, 8, SSE_WATCH_WRITE, NULL));
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_WATCHPOINT, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, wid);
  cr_assert_str_eq(s.loc.function, "bump");
  int v = 0;
  SSE_OKAY(sse_read_memory(p, a, &v, sizeof v, NULL));
  cr_assert_eq(v, 1);
  /* Without the watchpoint the same `next` from the next round runs over
   * bump() to the loop's line. */
  SSE_OKAY(sse_break_remove(p, wid));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_eq(s.loc.line, 54);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  cr_assert_eq(s.loc.line, 51);
  cr_assert_str_eq(s.loc.function, "main");
  SSE_OKAY(sse_read_memory(p, a, &v, sizeof v, NULL));
  cr_assert_eq(v, 2);
  sse_engine_free(e);
}

/* `next` over a call to a function running a 1000-iteration loop (some
 * 8000 instructions): a handful of ptrace stops. */
Test(fast, next_over_long_loop_few_stops, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "long_loop", "1000", NULL, -1);
  sse_stop s = run_to(p, "main");
  for (int i = 0; i < 4 && s.loc.line != 20; i++)
    SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.loc.line, 20, "at line %d", s.loc.line);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  cr_assert_eq(s.loc.line, 21);
  cr_assert_lt(s.ptrace_stops, 20, "%u ptrace stops", s.ptrace_stops);
  cr_assert_gt(s.ptrace_stops, 0);
  sse_engine_free(e);
}

/* `step` through the loop inside spin: each line costs a few stops (its
 * branches), never one per instruction. */
Test(fast, step_in_loop_stops_per_branch, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "long_loop", "1000", NULL, -1);
  sse_stop s = run_to(p, "spin");
  unsigned total = 0;
  for (int i = 0; i < 40; i++) {
    SSE_OKAY(sse_step_line(s.thread, &s));
    cr_assert_eq(s.reason, SSE_STOP_STEP);
    cr_assert_str_eq(s.loc.function, "spin");
    cr_assert_leq(s.ptrace_stops, 4, "step %d (line %d): %u stops", i,
                  s.loc.line, s.ptrace_stops);
    total += s.ptrace_stops;
  }
  cr_assert_leq(total, 40 * 3);
  sse_engine_free(e);
}

/* Straight-line code: `int r = x * x;` in square is one run to the next
 * line, one stop. */
Test(fast, straight_line_one_stop, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
  sse_stop s = run_to(p, "square");
  cr_assert_eq(s.loc.line, 11);
  /* The breakpoint was removed: nothing to step off. */
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  cr_assert_eq(s.loc.line, 12);
  cr_assert_eq(s.ptrace_stops, 1, "%u stops", s.ptrace_stops);
  sse_engine_free(e);
}

/* A user breakpoint inside a run still ends the step there, with debug
 * registers free and with all four taken (int3 fallback). */
static void bp_inside_run(int nwatch) {
  uint64_t delta = 0;
  {
    sse_engine *e;
    SSE_OKAY(sse_engine_new(NULL, &e));
    sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
    sse_stop s = run_to(p, "square");
    uint64_t post = s.pc;
    SSE_OKAY(sse_step_instruction(s.thread, &s));
    SSE_OKAY(sse_step_instruction(s.thread, &s));
    cr_assert_eq(s.loc.line, 11);
    delta = s.pc - post;
    sse_engine_free(e);
  }
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
  int id0, id;
  SSE_OKAY(sse_break_function(p, "square", false, &id0));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  uint64_t a = sym_addr(p, "loops_calls", "global_acc");
  uint64_t spare = (a & ~(uint64_t)7) + 256; /* bytes nobody writes */
  for (int i = 0; i < nwatch; i++)
    SSE_OKAY(sse_watch(p, spare + 8 * (uint64_t)i, 8, SSE_WATCH_WRITE, NULL));
  SSE_OKAY(sse_break_address(p, s.pc + delta, &id));
  uint64_t want = s.pc + delta;
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, id);
  cr_assert_eq(s.pc, want);
  /* And the step from there goes on to the next line. */
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  cr_assert_eq(s.loc.line, 12);
  sse_engine_free(e);
}

Test(fast, breakpoint_inside_run_stops_step, .timeout = 60) {
  bp_inside_run(0);
}

Test(fast, breakpoint_inside_run_int3_fallback, .timeout = 60) {
  bp_inside_run(4);
}

/* A write through the library into code drops the decoded runs: stepping
 * rewritten code follows the new bytes. The 3-byte `mov -0x14(%rbp),%eax`
 * that starts `int r = x * x;` becomes `jmp +19; nop` (eb 0a 90): a branch
 * at the line's start over line 12 to line 13's `pop %rbp`. Run through
 * from the registers, the step stops at line 13 in one ptrace stop; the
 * stale decoded run (no branch in line 11) would wait at line 12's start,
 * which the program no longer reaches. */
Test(fast, code_write_invalidates_runs, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
  sse_stop s = run_to(p, "square");
  uint64_t post = s.pc;
  /* First visit decodes and caches the line's run. */
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.loc.line, 12);
  cr_assert_eq(s.ptrace_stops, 1);
  s = run_to(p, "square");
  cr_assert_eq(s.pc, post);
  uint8_t orig[3], patch[3] = {0xeb, 0x0a, 0x90};
  SSE_OKAY(sse_read_memory(p, post, orig, 3, NULL));
  cr_assert(orig[0] == 0x8b, "unexpected code at square: %02x", orig[0]);
  SSE_OKAY(sse_write_memory(p, post, patch, 3, NULL));
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.loc.line, 13);
  cr_assert_eq(s.pc, post + 12, "at pop %%rbp");
  cr_assert_eq(s.ptrace_stops, 1, "%u stops", s.ptrace_stops);
  /* Restored: one run again. */
  SSE_OKAY(sse_write_memory(p, post, orig, 3, NULL));
  s = run_to(p, "square");
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.loc.line, 12);
  cr_assert_eq(s.ptrace_stops, 1);
  sse_engine_free(e);
}

/* `next` over a one-line loop (`while (spin < rounds) spin++;`, 2000 turns)
 * costs one ptrace stop a turn: through the loop's branch from the
 * registers, the resume flag letting the breakpoint at that branch run
 * once (single-stepping the branch each turn took two). */
Test(fast, one_line_loop_one_stop_a_turn, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "signal_storm", "2000", NULL, -1);
  char path[1024], buf[256];
  snprintf(path, sizeof path, "%s/tests/targets/signal_storm.c", SSE_SRCDIR);
  FILE *f = fopen(path, "r");
  cr_assert(f);
  int line = 0, spin = 0;
  while (fgets(buf, sizeof buf, f) && !spin)
    if (++line && strstr(buf, "storm_spin")) spin = line;
  fclose(f);
  cr_assert(spin > 0);
  SSE_OKAY(sse_break_line(p, "signal_storm.c", spin, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  cr_assert_eq(s.loc.line, spin + 1);
  cr_assert_leq(s.ptrace_stops, 2000 + 10, "%u stops for 2000 turns",
                s.ptrace_stops);
  cr_assert_geq(s.ptrace_stops, 1000, "%u stops", s.ptrace_stops);
  sse_engine_free(e);
}
