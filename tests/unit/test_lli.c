/* LLVM's JIT: Debian's lli (llvm-14) runs the IR clang emitted for
 * tests/targets/lli_prog.c (clang -g -O0 -S -emit-llvm, a targets.mk
 * rule). lli's ORC JIT links it with RuntimeDyld and registers the
 * relocatable object, each section's sh_addr patched to where it was
 * loaded, through __jit_debug_register_code. gdb on the same lli run is
 * the oracle: a pending breakpoint on a JIT'd function hits, the
 * backtrace names the JIT'd frames with file and line, `step` and `next`
 * walk the JIT'd code's line table, and once lli has unregistered the
 * objects (before it exits) their names are gone. */
#include <sys/wait.h>

#include "oracle.h"
#include "testutil.h"

#define LLI "/usr/bin/lli-14"
#define SRC "lli_prog.c"

static const char *base(const char *p) {
  const char *s = p ? strrchr(p, '/') : NULL;
  return s ? s + 1 : p ? p : "-";
}

static sse_process *spawn_lli_ir(sse_engine **e, const char *ir) {
  SSE_OKAY(sse_engine_new(NULL, e));
  const char *argv[] = {LLI, tpath(ir), NULL};
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  o.stdin_fd = o.stdout_fd = o.stderr_fd = devnull;
  sse_process *p = NULL;
  int err_no = 0;
  sse_err err = sse_spawn(*e, argv, &o, &p, &err_no);
  close(devnull);
  cr_assert_eq(err, SSE_OK, "spawn lli: %s errno %d", sse_err_name(err), err_no);
  return p;
}

static sse_process *spawn_lli(sse_engine **e) { return spawn_lli_ir(e, "lli_prog.ll"); }

static bool same_stop(const oracle_stop *g, const sse_stop *s) {
  return strcmp(s->loc.function ? s->loc.function : "??", g->function) == 0 &&
         strcmp(base(s->loc.file), base(g->file)) == 0 && s->loc.line == g->line &&
         s->pc == g->pc;
}

static bool jit_frame(const oracle_stop *g) {
  return strcmp(base(g->file), SRC) == 0;
}

/* gdb's stops for CMD repeated from a pending `break START`, then sse's,
 * stop for stop while gdb is in the JIT'd code. */
static void steps_match_gdb(const char *ir, const char *start, const char *cmd, int count) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  char *args[] = {(char *)tpath(ir), NULL};
  cr_assert_eq(oracle_gdb_steps(LLI, args, start, cmd, count, NULL, NULL, &g, &gn), 0,
               "gdb oracle failed");
  cr_assert_geq(gn, 6, "gdb: %zu stops", gn);
  sse_engine *e;
  sse_process *p = spawn_lli_ir(&e, ir);
  int id;
  sse_stop s = break_pending_and_hit(p, start, &id);
  size_t i = 0;
  for (; i < gn && !g[i].error[0] && !g[i].exited && jit_frame(&g[i]); i++) {
    cr_assert(same_stop(&g[i], &s), "stop %zu: gdb %s %s:%d %#lx, sse %s %s:%d %#lx", i,
              g[i].function, base(g[i].file), g[i].line, g[i].pc,
              s.loc.function ? s.loc.function : "??", base(s.loc.file), s.loc.line,
              (unsigned long)s.pc);
    if (i + 1 < gn)
      SSE_OKAY(strcmp(cmd, "step") == 0 ? sse_step_line(s.thread, &s)
                                        : sse_next_line(s.thread, &s));
  }
  cr_assert_geq(i, 6, "only %zu stops compared", i);
  oracle_free(g);
  sse_kill(p);
  sse_engine_free(e);
}

/* A pending break on jit_square in IR's run hits at gdb's line; the
 * backtrace is gdb's, frame for frame (pc, function; file and line in the
 * JIT'd frames). */
static sse_process *bt_matches_gdb(sse_engine **e, const char *ir, sse_stop *s) {
  oracle_frame *g = NULL;
  size_t gn = 0;
  char *args[] = {(char *)tpath(ir), NULL};
  cr_assert_eq(oracle_gdb_bt(LLI, args, "jit_square", NULL, NULL, &g, &gn), 0);
  cr_assert_geq(gn, 4);
  sse_process *p = spawn_lli_ir(e, ir);
  int id;
  *s = break_pending_and_hit(p, "jit_square", &id);
  cr_assert_str_eq(base(s->loc.file), SRC);
  cr_assert_eq(s->loc.line, line_of(SRC, "lli_square"));
  sse_frame f[32];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s->thread, f, 32, &n));
  cr_assert_geq(n, gn);
  for (size_t i = 0; i < gn; i++) {
    cr_assert_str_eq(f[i].loc.function ? f[i].loc.function : "??", g[i].function,
                     "%s frame %zu", ir, i);
    cr_assert_eq(f[i].pc, g[i].pc, "%s frame %zu (%s)", ir, i, g[i].function);
    cr_assert(!f[i].fp_fallback || strcmp(base(g[i].file), SRC) != 0,
              "%s frame %zu: unwound by the frame pointer, not the object's CFI", ir, i);
    if (strcmp(base(g[i].file), SRC) != 0) continue;
    cr_assert_str_eq(base(f[i].loc.file), SRC, "frame %zu", i);
    cr_assert_eq(f[i].loc.line, g[i].line, "%s frame %zu (%s)", ir, i, g[i].function);
  }
  cr_assert_str_eq(f[1].loc.function, "jit_sum");
  cr_assert_eq(f[1].loc.line, line_of(SRC, "lli_call"));
  cr_assert_eq(f[2].loc.line, line_of(SRC, "lli_main_call"));
  oracle_free(g);
  SSE_OKAY(sse_break_remove(p, id));
  return p;
}

Test(lli, pending_break_hits_and_bt_matches_gdb, .timeout = 60) {
  sse_engine *e;
  sse_stop s;
  sse_process *p = bt_matches_gdb(&e, "lli_prog.ll", &s);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  sse_engine_free(e);
}

/* -O2 IR: no frame pointers; the JIT'd frames unwind by the object's
 * .eh_frame (as gdb's do), and finish returns where gdb's does. */
Test(lli, O2_bt_and_finish_match_gdb, .timeout = 60) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  char *args[] = {(char *)tpath("lli_prog_O2.ll"), NULL};
  cr_assert_eq(oracle_gdb_steps(LLI, args, "jit_square", "finish", 1, NULL, NULL, &g, &gn), 0);
  cr_assert_eq(gn, 2);
  sse_engine *e;
  sse_stop s;
  sse_process *p = bt_matches_gdb(&e, "lli_prog_O2.ll", &s);
  SSE_OKAY(sse_finish(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_FINISH, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.pc, g[1].pc, "finish at %#lx, gdb %#lx", (unsigned long)s.pc, g[1].pc);
  cr_assert_str_eq(s.loc.function, g[1].function);
  cr_assert_eq(s.loc.line, g[1].line);
  oracle_free(g);
  sse_kill(p);
  sse_engine_free(e);
}

/* From jit_sum: into jit_square from its JIT'd caller, back, round the
 * loop. */
Test(lli, step_matches_gdb, .timeout = 90) { steps_match_gdb("lli_prog.ll", "jit_sum", "step", 16); }

Test(lli, next_matches_gdb, .timeout = 90) { steps_match_gdb("lli_prog.ll", "jit_sum", "next", 12); }

/* The same on -O2 IR (its line table, no frame pointers). */
Test(lli, O2_step_matches_gdb, .timeout = 90) {
  steps_match_gdb("lli_prog_O2.ll", "jit_sum", "step", 12);
}

/* lli unregisters its objects before it exits (ORC's resource removal):
 * at libc's exit, jit_square is no function any more, for gdb as for
 * sse. */
Test(lli, unregistering_removes_the_objects, .timeout = 60) {
  sse_engine *e;
  sse_process *p = spawn_lli(&e);
  int id;
  sse_stop s = break_pending_and_hit(p, "jit_square", &id);
  uint64_t entry;
  SSE_OKAY(sse_lookup_function(p, "jit_square", &entry, NULL));
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_break_function(p, "exit", false, &id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_neq(sse_lookup_function(p, "jit_square", NULL, NULL), SSE_OK);
  sse_location loc;
  if (sse_lookup(p, entry, &loc) == SSE_OK) cr_assert_null(loc.function);
  /* gdb: the same address names nothing there either. */
  char script[] = "/tmp/sse_lli_gdbXXXXXX";
  int fd = mkstemp(script);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "set breakpoint pending on\nbreak jit_square\nrun\ninfo symbol $pc\n"
             "delete\nbreak exit\ncontinue\ninfo symbol %#llx\nkill\n",
          (unsigned long long)entry);
  fclose(f);
  char cmd[2048];
  const char *gdb = getenv("ORACLE_GDB");
  snprintf(cmd, sizeof cmd, "%s -batch -nx -x %s --args %s %s </dev/null 2>&1",
           gdb && *gdb ? gdb : "gdb", script, LLI, tpath("lli_prog.ll"));
  FILE *g = popen(cmd, "r");
  cr_assert(g);
  char line[1024];
  int named = 0, none = 0;
  while (fgets(line, sizeof line, g)) {
    if (strncmp(line, "jit_square ", 11) == 0 && strstr(line, " in section ")) named++;
    if (strncmp(line, "No symbol matches", 17) == 0) none++;
  }
  pclose(g);
  unlink(script);
  cr_assert_eq(named, 1, "gdb named the JIT'd function while registered");
  cr_assert_eq(none, 1, "gdb: nothing at the address once unregistered");
  sse_kill(p);
  sse_engine_free(e);
}

/* A pending `break FILE:LINE` in JIT'd code: lli_prog.c has no code until
 * lli registers its object; then the breakpoint resolves, as gdb's under
 * `set breakpoint pending on` does. The library: pending, then the hit at
 * the line's address. ssedemo: gdb's lines for the same commands (the
 * "pending." announcements, the stops, `info breakpoints` with the JIT
 * addresses, `bt` through the JIT'd main into lli's own frames), line for
 * line. */
static bool lli_keep(char *line) {
  if (line[0] == '[' || !strncmp(line, "Using ", 6) || !strncmp(line, "Starting", 8) ||
      !strncmp(line, "Continuing", 10) || !strncmp(line, "Kill the", 8) || line[0] == '\n')
    return false;
  strip_targets_dir(line);
  char *t = strstr(line, ") from /");
  if (t) strcpy(t + 1, "\n"); /* gdb: the link map's names */
  return true;
}

static char *lli_transcript(const char *debugger, const char *cmds) {
  char sh[4096];
  snprintf(sh, sizeof sh, "%s %s %s %s </dev/null 2>&1", debugger, cmds, LLI,
           tpath("lli_prog.ll"));
  return command_lines(sh, lli_keep);
}

Test(lli, pending_file_line_resolves_in_jit_code_as_gdb, .timeout = 90) {
  int sq = line_of(SRC, "lli_square"), call = line_of(SRC, "lli_call");
  sse_engine *e;
  sse_process *p = spawn_lli(&e);
  int id;
  cr_assert_eq(sse_break_line(p, SRC, sq, &id), SSE_E_NOLINE);
  SSE_OKAY(sse_break_line_pending(p, SRC, sq, &id));
  sse_breakpoint_info bi;
  size_t nb;
  SSE_OKAY(sse_break_list(p, &bi, 1, &nb));
  cr_assert(bi.pending);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, id);
  cr_assert_str_eq(s.loc.function, "jit_square");
  cr_assert_eq(s.loc.line, sq);
  sse_kill(p);
  sse_engine_free(e);
  char cmds[512];
  snprintf(cmds, sizeof cmds,
           "-ex 'set breakpoint pending on' -ex 'break %s:%d' -ex 'break %s:%d' -ex run "
           "-ex 'info breakpoints' -ex continue -ex 'info breakpoints' -ex bt -ex kill",
           SRC, sq, SRC, call);
  const char *gdb = getenv("ORACLE_GDB");
  char g[1100], d[1100];
  snprintf(g, sizeof g, "%s -batch -nx", gdb && *gdb ? gdb : "gdb");
  snprintf(d, sizeof d, "%s --batch", tpath("../ssedemo"));
  char gcmds[600];
  snprintf(gcmds, sizeof gcmds, "%s --args", cmds); /* gdb: lli's own arguments follow */
  char *want = lli_transcript(g, gcmds), *got = lli_transcript(d, cmds);
  cr_assert(strstr(want, "pending.") && strstr(want, "Breakpoint 1, jit_square"), "gdb:\n%s", want);
  cr_assert_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}
