/* Conditional breakpoints and watched expressions (issue 12), gdb the
 * oracle: the same commands under gdb -batch and under ssedemo or the API
 * on tests/targets/condbp*.c, the stops compared (the value printed there,
 * the hit counts, the messages). And the step-off emulator: a false
 * condition on every instruction of emulate_ops's ops() must leave the
 * program's output what it is natively. */
#include <ctype.h>
#include <sys/wait.h>

#include "testutil.h"

/* The output of a shell command (malloc'd). */
static char *run_sh(const char *cmd) {
  FILE *p = popen(cmd, "r");
  cr_assert(p, "%s", cmd);
  char *out = NULL;
  size_t len = 0;
  FILE *o = open_memstream(&out, &len);
  char line[4096];
  while (fgets(line, sizeof line, p)) fputs(line, o);
  pclose(p);
  fclose(o);
  return out;
}

/* The lines of a debugger's output the two must agree on: values, the
 * breakpoint table's condition and hit lines, the errors. */
static char *kept_lines(const char *all) {
  static const char *const keep[] = {"$", "\tstop only if", "\tbreakpoint already hit",
                                     "\tignore next", "Error in testing", "Cannot access",
                                     "No symbol", "A syntax error"};
  char *out = NULL;
  size_t len = 0;
  FILE *o = open_memstream(&out, &len);
  for (const char *l = all; *l;) {
    const char *nl = strchr(l, '\n');
    size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
      if (!strncmp(l, keep[k], strlen(keep[k]))) fwrite(l, 1, n, o);
    l += n;
  }
  fclose(o);
  return out;
}

/* cmds (each one -ex) under gdb (gdb true) or ssedemo on prog with arg. */
static char *session(bool gdb, const char *prog, const char *arg, const char *const *cmds,
                     size_t n) {
  char *sh = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&sh, &len);
  if (gdb)
    fprintf(f, "gdb -batch -nx -ex 'set startup-with-shell off'");
  else
    fprintf(f, "%s/../ssedemo --batch", getenv("SSE_TARGETS_DIR") ? getenv("SSE_TARGETS_DIR")
                                                                  : TARGETS_DIR);
  for (size_t i = 0; i < n; i++) fprintf(f, " -ex '%s'", cmds[i]);
  fprintf(f, gdb ? " --args %s %s </dev/null 2>&1" : " %s %s </dev/null 2>&1", tpath(prog), arg);
  fclose(f);
  char *all = run_sh(sh);
  char *kept = kept_lines(all);
  free(all);
  free(sh);
  return kept;
}

static void same_as_gdb(const char *prog, const char *arg, const char *const *cmds, size_t n) {
  char *want = session(true, prog, arg, cmds, n);
  char *got = session(false, prog, arg, cmds, n);
  cr_assert(strlen(want) > 0, "gdb printed none of the lines compared");
  cr_assert_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}

Test(condbp, ssedemo_stops_as_gdb, .timeout = 120) {
  static const char *const cmds[] = {
      "break f if i == 5", "run", "print i", "info breakpoints",
      "condition 1 i % 7 == 3 && i > 5", "continue", "print i", "condition 1 *nullp == 1",
      "continue", "print i", "condition 1", "condition 1 nosuch > 1", "condition 1 i ==",
      "ignore 1 2", "continue", "print i", "info breakpoints", "condition 1 i == 17",
      "continue", "print i", "info breakpoints"};
  same_as_gdb("condbp", "20", cmds, sizeof cmds / sizeof *cmds);
}

/* A condition on a function four threads call 500 times each: the one
 * call it names stops, nothing else. */
Test(condbp, threads_one_call_of_one_thread, .timeout = 120) {
  static const char *const cmds[] = {"break g if k == 2 && i == 250", "run", "print k",
                                     "print i", "info breakpoints", "continue"};
  same_as_gdb("condbp_threads", "500", cmds, sizeof cmds / sizeof *cmds);
}

/* ---------------------------------------------------------------- API */

typedef struct fixture {
  sse_engine *e;
  sse_process *p;
  int id;
} fixture;

static void start(fixture *fx, const char *prog, const char *arg, const char *func) {
  SSE_OKAY(sse_engine_new(NULL, &fx->e));
  fx->p = spawn_target(fx->e, prog, arg, NULL, -1);
  SSE_OKAY(sse_break_function(fx->p, func, false, &fx->id));
}

static long value_of(sse_thread *t, const char *expr) {
  char buf[128];
  SSE_OKAY(sse_evaluate(t, 0, expr, buf, sizeof buf, NULL));
  return strtol(buf, NULL, 0);
}

static sse_breakpoint_info info_of(fixture *fx) {
  sse_breakpoint_info info[8];
  size_t n = 0;
  SSE_OKAY(sse_break_list(fx->p, info, 8, &n));
  for (size_t i = 0; i < n && i < 8; i++)
    if (info[i].id == fx->id) return info[i];
  cr_assert_fail("breakpoint %d not listed", fx->id);
  return info[0];
}

Test(condbp, api_condition_hits_and_removal, .timeout = 60) {
  fixture fx;
  start(&fx, "condbp", "100", "f");
  char err[256];
  SSE_OKAY(sse_break_condition(fx.p, fx.id, "  i == 41", err, sizeof err));
  cr_assert_str_eq(info_of(&fx).condition, "i == 41");
  sse_stop s;
  SSE_OKAY(sse_continue(fx.p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_eq(s.breakpoint_id, fx.id);
  cr_assert_str_eq(s.cond_error, "");
  cr_assert_eq(value_of(s.thread, "i"), 41);
  /* gdb: the 41 false hits before are no hits */
  cr_assert_eq(info_of(&fx).hits, 1);
  /* an ignore count applies to the hits whose condition holds */
  SSE_OKAY(sse_break_condition(fx.p, fx.id, "i % 10 == 0", err, sizeof err));
  SSE_OKAY(sse_break_ignore(fx.p, fx.id, 2));
  SSE_OKAY(sse_continue(fx.p, &s));
  cr_assert_eq(value_of(s.thread, "i"), 70);
  cr_assert_eq(info_of(&fx).hits, 4);
  SSE_OKAY(sse_break_condition(fx.p, fx.id, NULL, err, sizeof err));
  cr_assert_null(info_of(&fx).condition);
  SSE_OKAY(sse_continue(fx.p, &s));
  cr_assert_eq(value_of(s.thread, "i"), 71);
  sse_engine_free(fx.e);
}

/* gdb's text for a condition it refuses, asked of gdb itself. */
static char *gdb_message(const char *cond) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "gdb -batch -nx -ex 'break f' -ex 'condition 1 %s' %s 2>&1 | tail -n 1",
           cond, tpath("condbp"));
  char *out = run_sh(cmd);
  out[strcspn(out, "\n")] = 0;
  return out;
}

Test(condbp, refused_conditions_have_gdb_text, .timeout = 60) {
  fixture fx;
  start(&fx, "condbp", "3", "f");
  static const struct {
    const char *cond;
    sse_err err;
  } bad[] = {{"i ==", SSE_E_INVAL}, {"nosuch > 1", SSE_E_NOSYM}, {"(i", SSE_E_INVAL}};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    char err[256];
    cr_assert_eq(sse_break_condition(fx.p, fx.id, bad[k].cond, err, sizeof err), bad[k].err,
                 "%s", bad[k].cond);
    char *want = gdb_message(bad[k].cond);
    cr_assert_str_eq(err, want, "%s", bad[k].cond);
    free(want);
    cr_assert_null(info_of(&fx).condition, "a refused condition is not kept");
  }
  cr_assert_eq(sse_break_condition(fx.p, 999, "i", NULL, 0), SSE_E_NOTFOUND);
  cr_assert_eq(sse_break_condition(NULL, fx.id, "i", NULL, 0), SSE_E_INVAL);
  sse_engine_free(fx.e);
}

Test(condbp, unevaluable_condition_stops_with_message, .timeout = 60) {
  fixture fx;
  start(&fx, "condbp", "3", "f");
  SSE_OKAY(sse_break_condition(fx.p, fx.id, "*nullp == 1", NULL, 0));
  sse_stop s;
  SSE_OKAY(sse_continue(fx.p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  char *want = run_sh("gdb -batch -nx -ex 'break f if *nullp == 1' -ex run "
                      "-ex 'print i' --args " TARGETS_DIR "/condbp 3 2>&1 | "
                      "grep -A1 '^Error in testing' | tail -n 1");
  want[strcspn(want, "\n")] = 0;
  cr_assert_str_eq(s.cond_error, want);
  cr_assert_eq(value_of(s.thread, "i"), 0);
  sse_engine_free(fx.e);
}

Test(condbp, watch_expression_member_and_too_big, .timeout = 60) {
  fixture fx;
  start(&fx, "condbp", "3", "f");
  sse_stop s;
  SSE_OKAY(sse_continue(fx.p, &s));
  SSE_OKAY(sse_break_remove(fx.p, fx.id));
  char err[256];
  int wid = 0;
  cr_assert_eq(sse_watch_expression(s.thread, 0, "big", SSE_WATCH_WRITE, &wid, err, sizeof err),
               SSE_E_INVAL);
  cr_assert(strstr(err, "400 bytes"), "%s", err);
  cr_assert_eq(sse_watch_expression(s.thread, 0, "nosuch", SSE_WATCH_WRITE, &wid, err,
                                    sizeof err), SSE_E_NOSYM);
  cr_assert_str_eq(err, "No symbol \"nosuch\" in current context.");
  cr_assert_eq(sse_watch_expression(s.thread, 0, "i + 1", SSE_WATCH_WRITE, &wid, err,
                                    sizeof err), SSE_E_INVAL);
  SSE_OKAY(sse_watch_expression(s.thread, 0, "pt.y", SSE_WATCH_WRITE, &wid, err, sizeof err));
  sse_breakpoint_info info[4];
  size_t n = 0;
  SSE_OKAY(sse_break_list(fx.p, info, 4, &n));
  cr_assert_eq(n, 1);
  cr_assert(info[0].is_watchpoint);
  cr_assert_str_eq(info[0].spec, "pt.y");
  uint64_t want = 0;
  char buf[64];
  SSE_OKAY(sse_evaluate(s.thread, 0, "&pt.y", buf, sizeof buf, NULL));
  want = strtoull(strchr(buf, ')') ? strchr(buf, ')') + 1 : buf, NULL, 0);
  cr_assert_eq(info[0].addrs[0], want, "%s", buf);
  /* a condition on the watchpoint: the second write (pt.y = 8) stops */
  SSE_OKAY(sse_break_condition(fx.p, wid, "pt.y == 8", err, sizeof err));
  SSE_OKAY(sse_continue(fx.p, &s));
  cr_assert_eq(s.reason, SSE_STOP_WATCHPOINT);
  cr_assert_eq(s.breakpoint_id, wid);
  cr_assert_eq(value_of(s.thread, "pt.y"), 8);
  sse_engine_free(fx.e);
}

/* ---------------------------------------------------------------- emulator */

static char *native_output(const char *a, const char *b) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s %s %s", tpath("emulate_ops"), a, b);
  return run_sh(cmd);
}

/* ops()'s instruction addresses: its symbol's extent, disassembled. */
static size_t ops_insns(sse_process *p, uint64_t *addr, size_t max) {
  sse_symbol sym;
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "ops", SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_EXACT, &sym, 1, &n));
  cr_assert_eq(n, 1);
  sse_insn in[512];
  size_t k = 0, got = 0;
  SSE_OKAY(sse_disassemble(p, sym.addr, 512, in, &got));
  for (size_t i = 0; i < got && in[i].addr < sym.addr + sym.size && k < max; i++)
    addr[k++] = in[i].addr;
  return k;
}

static void emulated_run(const char *a, const char *b) {
  char *want = native_output(a, b);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  FILE *out = tmpfile();
  sse_process *p = spawn_target(e, "emulate_ops", a, b, fileno(out));
  uint64_t addr[512];
  size_t n = ops_insns(p, addr, 512);
  cr_assert_gt(n, 60, "ops() has %zu instructions", n);
  for (size_t i = 0; i < n; i++) {
    int id;
    SSE_OKAY(sse_break_address(p, addr[i], &id));
    SSE_OKAY(sse_break_condition(p, id, "0", NULL, 0));
  }
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "stopped: %s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  /* each emulated step-off costs one resume, a single-stepped one two
   * (pushf, pop, shl, ret are not emulated: about 50 of them) */
  cr_assert_lt(s.ptrace_stops, n + 60, "%u ptrace stops for %zu hits", s.ptrace_stops, n);
  sse_breakpoint_info info[512];
  size_t nb = 0;
  SSE_OKAY(sse_break_list(p, info, 512, &nb));
  for (size_t i = 0; i < nb && i < 512; i++) cr_assert_eq(info[i].hits, 0);
  sse_engine_free(e);
  char got[256] = "";
  rewind(out);
  cr_assert(fgets(got, sizeof got, out));
  fclose(out);
  cr_assert_str_eq(got, want, "args %s %s", a, b);
  free(want);
}

Test(condbp, emulated_step_off_leaves_program_output_native, .timeout = 60) {
  emulated_run("5", "7");
  emulated_run("9", "3");
  emulated_run("0x7fffffffffffffff", "0xffffffff80000000");
}
