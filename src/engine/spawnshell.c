/* spawnshell.c — startup-with-shell (spawnshell.h). */
#include "engine/spawnshell.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "ptrace/ptrace.h"

/* s single-quoted into out (' becomes '\''); the bytes written. */
static size_t quote(char *out, const char *s) {
  size_t n = 0;
  out[n++] = '\'';
  for (; *s; s++) {
    if (*s == '\'') {
      memcpy(out + n, "'\\''", 4);
      n += 4;
    } else {
      out[n++] = *s;
    }
  }
  out[n++] = '\'';
  return n;
}

char **sse__shell_argv(const char *const argv[]) {
  const char *shell = getenv("SHELL");
  if (!shell || !*shell) shell = "/bin/sh";
  size_t len = sizeof "exec";
  for (size_t i = 0; argv[i]; i++) len += 4 * strlen(argv[i]) + 3;
  size_t head = 4 * sizeof(char *);
  char **out = malloc(head + strlen(shell) + 1 + sizeof "-c" + len);
  if (!out) return NULL;
  char *sh = (char *)out + head, *dash = sh + strlen(shell) + 1, *cmd = dash + sizeof "-c";
  strcpy(sh, shell);
  strcpy(dash, "-c");
  size_t n = 0;
  memcpy(cmd, "exec", 4);
  n = 4;
  for (size_t i = 0; argv[i]; i++) {
    cmd[n++] = ' ';
    n += quote(cmd + n, argv[i]);
  }
  cmd[n] = 0;
  out[0] = sh;
  out[1] = dash;
  out[2] = cmd;
  out[3] = NULL;
  return out;
}

int sse__shell_run_to_exec(pid_t pid) {
  int sig = 0;
  for (;;) {
    if (sse__pt_cont(pid, sig) != 0) return ECHILD;
    int st;
    if (sse__pt_wait(pid, &st, __WALL) != pid) return ECHILD;
    if (WIFEXITED(st)) return ENOENT;
    if (WIFSIGNALED(st)) return ECHILD;
    if ((st >> 16) == PTRACE_EVENT_EXEC) return 0;
    /* the shell's own signals (a SIGCHLD, a SIGTTOU) reach it; the stops
     * of our ptrace events (a clone) do not carry one */
    sig = (st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP ? WSTOPSIG(st) : 0;
  }
}
