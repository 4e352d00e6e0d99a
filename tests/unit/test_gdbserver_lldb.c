/* test_gdbserver_lldb.c — sse-gdbserver driven by LLDB (Debian's lldb-14,
 * `gdb-remote 127.0.0.1:PORT`): a breakpoint, a step, a backtrace and
 * register reads, against what native gdb shows for the same program. */
#include "test_gdbserver.h"

TestSuite(gdbserver_lldb, .fini = cleanup, .timeout = 90);

static char *run_lldb(const char *prog, const char *const *cmds) {
  char *cmd = NULL;
  size_t cl = 0;
  FILE *m = open_memstream(&cmd, &cl);
  fprintf(m, "timeout -s KILL 60 lldb-14 --no-lldbinit --batch -o 'file %s' "
             "-o 'gdb-remote 127.0.0.1:%d'", prog, g_port);
  for (int i = 0; cmds[i]; i++) fprintf(m, " -o '%s'", cmds[i]);
  fprintf(m, " 2>&1");
  fclose(m);
  char *out = run_shell(cmd);
  free(cmd);
  return out;
}

/* The value after "NAME = " in gdb's `info registers NAME` ("rip 0x..."). */
static unsigned long long gdb_reg(const char *out, const char *name) {
  char key[32];
  snprintf(key, sizeof key, "\n%s", name);
  const char *p = strstr(out, key);
  cr_assert(p, "no %s in %s", name, out);
  return strtoull(p + strlen(key), NULL, 16);
}

Test(gdbserver_lldb, breakpoint_step_bt_registers) {
  const char *prog = tgt("loops_calls");
  /* native gdb: where the breakpoint stops and where `step` goes */
  const char *gcmds[] = {"break square", "run", "info registers rip", "step",
                         "info registers rip", "kill", NULL};
  char *nat = run_gdb_target(NULL, prog, gcmds);
  unsigned long long bp_pc = gdb_reg(nat, "rip"), step_pc = gdb_reg(strstr(nat, "\n12\t"), "rip");
  cr_assert(strstr(nat, "\n12\t    return r;"), "native: %s", nat);
  server_start_prog(prog);
  const char *cmds[] = {"breakpoint set -n square", "continue", "bt", "register read rip rsp",
                        "thread step-in", "register read rip", "frame variable", "kill", NULL};
  char *out = run_lldb(prog, cmds);
  cr_assert(strstr(out, "stop reason = breakpoint 1.1"), "%s", out);
  cr_assert(strstr(out, "loops_calls`square(x=0) at loops_calls.c:11"), "%s", out);
  cr_assert(strstr(out, "loops_calls`sum_squares(n=5) at loops_calls.c:25"), "%s", out);
  cr_assert(strstr(out, "loops_calls`main at loops_calls.c:52"), "%s", out);
  char want[64];
  snprintf(want, sizeof want, "rip = 0x%016llx  loops_calls`square", bp_pc);
  cr_assert(strstr(out, want), "wanted %s: %s", want, out);
  cr_assert(strstr(out, "rsp = 0x00007fff"), "%s", out);
  /* the step: line 12, at gdb's pc */
  cr_assert(strstr(out, "stop reason = step in"), "%s", out);
  cr_assert(strstr(out, "square(x=0) at loops_calls.c:12"), "%s", out);
  snprintf(want, sizeof want, "rip = 0x%016llx", step_pc);
  cr_assert(strstr(strstr(out, "step in"), want), "wanted %s: %s", want, out);
  cr_assert(strstr(out, "(int) x = 0"), "%s", out);
  cr_assert(strstr(out, "exited with status = 9") && !strstr(out, "failed to send"), "%s", out);
  free(nat);
  free(out);
  cr_assert_eq(server_wait(), 0);
}
