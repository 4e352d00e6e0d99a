/* test_gdbserver_multi.c — sse-gdbserver --multi driven by gdb's `target
 * extended-remote`: programs started with `run` (vRun) and `attach`
 * (vAttach), `kill` (vKill) leaving the session open for the next `run`,
 * `set environment`/`set cwd` reaching the program, and the server taking
 * a new client after one disconnects, having killed the program that
 * client spawned or detached the one it attached to (breakpoints out). */
#include "test_gdbserver.h"

TestSuite(gdbserver_multi, .fini = cleanup, .timeout = 90);

static char *extended_arg(void) {
  static char s[64];
  snprintf(s, sizeof s, "target extended-remote 127.0.0.1:%d", g_port);
  return s;
}

static char *run_gdb_ext(const char *prog, const char *const *cmds) {
  return run_gdb_target(extended_arg(), prog, cmds);
}

static void multi_start(void) {
  const char *args[] = {"--multi", "127.0.0.1:0", NULL};
  server_start(args);
}

/* The pid of inferior 1 in gdb's `info inferiors`. */
static int inferior_pid(const char *out) {
  const char *p = strstr(out, "* 1    process ");
  return p ? atoi(p + 15) : 0;
}

static bool gone(int pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

/* The server is still there (not exited) after a client left. */
static void server_alive(void) {
  int st;
  cr_assert_eq(waitpid(g_server, &st, WNOHANG), 0, "the server ended");
}

Test(gdbserver_multi, run_kill_run_again) {
  multi_start();
  char exe[1100];
  snprintf(exe, sizeof exe, "set remote exec-file %s", tgt("loops_calls"));
  const char *cmds[] = {exe, "break square", "run", "bt", "info inferiors", "kill",
                        "run", "info inferiors", "delete", "continue", NULL};
  char *out = run_gdb_ext(tgt("loops_calls"), cmds);
  char *first = strstr(out, "Breakpoint 1, square (x=0)");
  cr_assert(first, "%s", out);
  cr_assert(strstr(out, "in sum_squares (n=5)") && strstr(out, "in main () at"), "%s", out);
  int pid1 = inferior_pid(out);
  cr_assert_gt(pid1, 0, "%s", out);
  cr_assert(strstr(out, "killed]"), "%s", out);
  cr_assert(strstr(first + 1, "Breakpoint 1, square (x=0)"), "second run: %s", out);
  char *again = strstr(strstr(out, "killed]"), "process ");
  cr_assert(again, "%s", out);
  int pid2 = atoi(again + 8);
  cr_assert(pid2 > 0 && pid2 != pid1, "%s", out);
  cr_assert(strstr(out, "exited with code 07"), "%s", out);
  cr_assert(gone(pid1), "the killed program %d is still there", pid1);
  free(out);
  server_alive();
}

/* A spawned program is killed when its client disconnects; the next
 * client gets the server (no program: it runs one). */
Test(gdbserver_multi, disconnect_kills_spawned_then_next_client) {
  multi_start();
  char exe[1100];
  snprintf(exe, sizeof exe, "set remote exec-file %s", tgt("long_loop"));
  const char *cmds[] = {exe, "break spin", "run", "info inferiors", "disconnect", NULL};
  char *out = run_gdb_ext(tgt("long_loop"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, spin"), "%s", out);
  int pid = inferior_pid(out);
  cr_assert_gt(pid, 0, "%s", out);
  free(out);
  for (int i = 0; i < 500 && !gone(pid); i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  cr_assert(gone(pid), "the spawned program %d outlived its client", pid);
  server_alive();
  snprintf(exe, sizeof exe, "set remote exec-file %s", tgt("loops_calls"));
  const char *cmds2[] = {exe, "break bump", "run", "kill", NULL};
  out = run_gdb_ext(tgt("loops_calls"), cmds2);
  cr_assert(strstr(out, "Breakpoint 1, bump ()"), "%s", out);
  free(out);
  server_alive();
}

/* attach, a breakpoint in its loop, disconnect: the program runs on
 * untraced, the int3 out of its code (it would die of SIGTRAP). */
Test(gdbserver_multi, attach_then_disconnect_detaches) {
  pid_t v = fork();
  cr_assert(v >= 0);
  if (v == 0) {
    int o = open("/dev/null", O_WRONLY);
    dup2(o, 1);
    /* some seconds of calls (2e9 % 256: exit code 0) */
    execl(tgt("bp_loop"), "bp_loop", "2000000000", (char *)NULL);
    _exit(127);
  }
  g_victim = v;
  wait_exec(v, tgt("bp_loop"));
  multi_start();
  char att[64];
  snprintf(att, sizeof att, "attach %d", (int)v);
  const char *cmds[] = {att, "break hit_me", "continue", "bt", "disconnect", NULL};
  char *out = run_gdb_ext(tgt("bp_loop"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, hit_me (i="), "%s", out);
  cr_assert(strstr(out, "in main ("), "%s", out);
  free(out);
  server_alive();
  /* it runs to its end (exit code 0) unstopped and untrapped */
  int st = 0;
  pid_t r = 0;
  for (int i = 0; i < 6000 && r == 0; i++) {
    r = waitpid(v, &st, WNOHANG);
    struct timespec ts = {0, 10 * 1000 * 1000};
    if (r == 0) nanosleep(&ts, NULL);
  }
  cr_assert_eq(r, v, "the detached program did not finish");
  g_victim = -1;
  cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

/* set environment / unset environment / set cwd reach the program vRun
 * starts (QEnvironmentHexEncoded, QEnvironmentUnset, QSetWorkingDir). */
Test(gdbserver_multi, environment_and_cwd_reach_the_program) {
  multi_start();
  char exe[1100];
  snprintf(exe, sizeof exe, "set remote exec-file %s", tgt("loops_calls"));
  const char *cmds[] = {exe, "set environment SSE_MULTI_TEST=forty two", "unset environment HOME",
                        "set cwd /tmp", "break main", "run",
                        "print (char *)getenv(\"SSE_MULTI_TEST\")",
                        "print (char *)getenv(\"HOME\")", "print (char *)get_current_dir_name()",
                        "kill", NULL};
  char *out = run_gdb_ext(tgt("loops_calls"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, main ()"), "%s", out);
  cr_assert(strstr(out, "\"forty two\""), "%s", out);
  cr_assert(strstr(out, "$2 = 0x0"), "%s", out);
  cr_assert(strstr(out, "\"/tmp\""), "%s", out);
  free(out);
  server_alive();
}

/* With no program, '?' says none (W00): gdb connects without one; a run
 * of a program that is not there is an error, and the session goes on. */
Test(gdbserver_multi, no_program_and_bad_run) {
  multi_start();
  const char *cmds[] = {"info inferiors", "set remote exec-file /nonexistent/prog", "run",
                        "set remote exec-file /bin/true", "run", NULL};
  char *out = run_gdb_ext("", cmds);
  cr_assert(strstr(out, "<null>"), "%s", out);
  cr_assert(strstr(out, "exited normally"), "%s", out);
  free(out);
  server_alive();
  int fd = raw_connect();
  raw_packet(fd, "vRun;zz");
  raw_expect(fd, "$E16#");
  raw_packet(fd, "vAttach;0");
  raw_expect(fd, "$E16#");
  raw_packet(fd, "vCont;c");
  raw_expect(fd, "$E02#");
  raw_packet(fd, "?");
  raw_expect(fd, "$W00#");
  close(fd);
  server_alive();
}
