/* test_gdbserver_startup.c — how sse-gdbserver starts and lets go of a
 * program, against native gdb: through the user's shell by default
 * (startup-with-shell: $SHELL -c "exec PROG", gdb's QStartupWithShell,
 * --no-startup-with-shell), and the signal a thread stopped with at a
 * detach, which the program gets if gdb's `handle` passes it
 * (QProgramSignals). The shell here is a script that exports a variable
 * before it runs -c's command, so the program's environment tells whether
 * it came through it. */
#include <sys/stat.h>

#include "test_gdbserver.h"

TestSuite(gdbserver_startup, .fini = cleanup, .timeout = 90);

static char g_shell[256];

/* SHELL: a shell that marks the environment (SSE_VIA_SHELL=yes). */
static void marking_shell(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(g_shell, sizeof g_shell, "%s/sse-shell-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(g_shell);
  cr_assert(fd >= 0);
  /* runs -c's command itself: gdb (and gdbserver) expect one exec after
   * the shell's, the program's */
  static const char text[] = "#!/bin/sh\nexport SSE_VIA_SHELL=yes\n[ \"$1\" = -c ] && eval \"$2\"\n";
  cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
  fchmod(fd, 0700);
  close(fd);
  setenv("SHELL", g_shell, 1);
}

static void drop_shell(void) {
  unlink(g_shell);
  unsetenv("SHELL");
}

/* What gdb prints for getenv("SSE_VIA_SHELL") at main, its string ("yes")
 * or 0x0 (malloc'd): native gdb (target NULL) or through the server
 * (target: its connect command; extended: `run` there too), after
 * setting (NULL: none). */
static char *shell_mark(const char *target, const char *setting) {
  bool run = !target || strstr(target, "extended");
  char exe[1100];
  snprintf(exe, sizeof exe, "set remote exec-file %s", tgt("loops_calls"));
  const char *cmds[8];
  int n = 0;
  if (target && run) cmds[n++] = exe;
  if (setting) cmds[n++] = setting;
  cmds[n++] = "break main";
  cmds[n++] = run ? "run" : "continue";
  cmds[n++] = "print (char *)getenv(\"SSE_VIA_SHELL\")";
  cmds[n++] = "kill";
  cmds[n] = NULL;
  char *out = run_gdb_target(target, tgt("loops_calls"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, main ()"), "%s", out);
  char *p = strstr(out, "$1 = ");
  cr_assert(p, "%s", out);
  p += 5;
  char *q = strchr(p, '"'), *e = strchr(p, '\n');
  if (q && (!e || q < e)) p = q; /* the string, not its address */
  char *v = strndup(p, e ? (size_t)(e - p) : strlen(p));
  free(out);
  return v;
}

/* Started from the command line: through $SHELL unless told not to, as
 * native gdb's run with startup-with-shell on / off. */
Test(gdbserver_startup, command_line_program_through_shell) {
  marking_shell();
  char *nat_on = shell_mark(NULL, "set startup-with-shell on");
  char *nat_off = shell_mark(NULL, "set startup-with-shell off");
  server_start_prog(tgt("loops_calls"));
  char *on = shell_mark(remote_arg(), NULL);
  cr_assert_eq(server_wait(), 0);
  const char *args[] = {"--no-startup-with-shell", "127.0.0.1:0", tgt("loops_calls"), NULL};
  server_start(args);
  char *off = shell_mark(remote_arg(), NULL);
  drop_shell();
  cr_assert_str_eq(nat_on, "\"yes\"", "native gdb, with the shell");
  cr_assert_str_eq(on, nat_on, "server %s, native %s", on, nat_on);
  cr_assert_str_eq(off, nat_off, "server %s, native %s", off, nat_off);
  free(nat_on);
  free(nat_off);
  free(on);
  free(off);
}

/* gdb's `set startup-with-shell` reaches the next `run` (QStartupWithShell). */
Test(gdbserver_startup, run_follows_startup_with_shell_setting) {
  marking_shell();
  const char *args[] = {"--multi", "127.0.0.1:0", NULL};
  server_start(args);
  char ext[64];
  snprintf(ext, sizeof ext, "target extended-remote 127.0.0.1:%d", g_port);
  const char *settings[] = {"set startup-with-shell off", "set startup-with-shell on"};
  for (int i = 0; i < 2; i++) {
    char *nat = shell_mark(NULL, settings[i]);
    char *rem = shell_mark(ext, settings[i]);
    cr_assert_str_eq(rem, nat, "%s: server %s, native %s", settings[i], rem, nat);
    cr_assert_str_eq(nat, i ? "\"yes\"" : "0x0", "%s: native %s", settings[i], nat);
    free(nat);
    free(rem);
  }
  drop_shell();
}

/* The output of detach_signal after gdb stops it at its SIGUSR1, sets
 * `handle SIGUSR1 HOW` and detaches: natively, or through the server
 * (the program's output is then in the server's stdout file, read until
 * "end" is there, bounded). */
static char *detached_output(bool remote, const char *how) {
  char handle[64];
  snprintf(handle, sizeof handle, "handle SIGUSR1 %s", how);
  const char *cmds[] = {remote ? "continue" : "run", handle, "detach", NULL};
  if (!remote) return run_gdb_target(NULL, tgt("detach_signal"), cmds);
  const char *args[] = {"--no-startup-with-shell", "127.0.0.1:0", tgt("detach_signal"), NULL};
  server_start(args);
  char *out = run_gdb(tgt("detach_signal"), cmds);
  cr_assert(strstr(out, "received signal SIGUSR1"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
  char *buf = calloc(1, 4096);
  for (int i = 0; i < 500 && !strstr(buf, "end\n"); i++) {
    FILE *f = fopen(g_out, "r");
    if (f) {
      size_t n = fread(buf, 1, 4095, f);
      buf[n] = 0;
      fclose(f);
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return buf;
}

/* `detach` at a signal stop: the program gets the signal when gdb passes
 * it (the handler prints), not when it does not, as natively. */
Test(gdbserver_startup, detach_at_signal_follows_handle_pass) {
  const char *hows[] = {"nopass", "pass"};
  for (int i = 0; i < 2; i++) {
    char *nat = detached_output(false, hows[i]);
    char *rem = detached_output(true, hows[i]);
    bool nat_got = strstr(nat, "got usr1") != NULL, rem_got = strstr(rem, "got usr1") != NULL;
    cr_assert(strstr(nat, "end\n"), "native: %s", nat);
    cr_assert(strstr(rem, "end\n"), "server: %s", rem);
    cr_assert_eq(nat_got, i == 1, "native, %s: %s", hows[i], nat);
    cr_assert_eq(rem_got, nat_got, "%s: server \"%s\", native \"%s\"", hows[i], rem, nat);
    free(nat);
    free(rem);
  }
}
