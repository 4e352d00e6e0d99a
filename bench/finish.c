/* bench/finish: `finish` out of spin() of tests/targets/long_loop, which
 * runs a 300M-iteration loop: the ptrace stops the finish used (a
 * temporary breakpoint at the return address, in a debug register of the
 * thread: a handful, not one per iteration) and its time beside the same
 * program run untraced.
 *
 * usage: finish TARGETS_DIR [N] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The whole program, untraced (the loop is nearly all of it). */
static double untraced(const char *prog, const char *n) {
  double t0 = now();
  pid_t pid = fork();
  if (pid == 0) {
    execl(prog, prog, n, (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  double dt = now() - t0;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? dt : -1;
}

/* Break at spin, then time sse_finish. */
static double traced_finish(const char *prog, const char *n,
                            unsigned *stops, bool *ok) {
  sse_engine *e;
  sse_process *p;
  *ok = false;
  if (sse_engine_new(NULL, &e)) return -1;
  const char *argv[] = {prog, n, NULL};
  if (sse_spawn(e, argv, NULL, &p, NULL)) return -1;
  sse_stop s;
  if (sse_break_function(p, "spin", false, NULL) || sse_continue(p, &s) ||
      s.reason != SSE_STOP_BREAKPOINT) {
    sse_engine_free(e);
    return -1;
  }
  double t0 = now();
  sse_err err = sse_finish(s.thread, &s);
  double dt = now() - t0;
  *stops = s.ptrace_stops;
  *ok = err == SSE_OK && s.reason == SSE_STOP_FINISH && s.loc.function &&
        strcmp(s.loc.function, "main") == 0 && s.has_retval;
  sse_engine_free(e);
  return dt;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "build/targets";
  const char *n = argc > 2 ? argv[2] : "300000000";
  char prog[PATH_MAX];
  snprintf(prog, sizeof prog, "%s/long_loop", dir);
  double bare = 1e9, fin = 1e9;
  unsigned stops = 0;
  bool ok_all = true;
  for (int i = 0; i < 3; i++) {
    double b = untraced(prog, n);
    bool ok;
    unsigned st = 0;
    double f = traced_finish(prog, n, &st, &ok);
    if (b < 0 || f < 0) {
      fprintf(stderr, "finish: run failed\n");
      return 1;
    }
    ok_all = ok_all && ok;
    if (b < bare) bare = b;
    if (f < fin) fin = f;
    stops = st;
  }
  printf("finish out of spin(%s) (long_loop), best of 3\n", n);
  printf("  %-40s %8.3f s\n", "untraced run of the program", bare);
  printf("  %-40s %8.3f s  %.2fx  (goal <= 1.5x)\n", "sse_finish out of spin",
         fin, fin / bare);
  printf("  %-40s %8u     (goal <= 10)\n", "ptrace stops used by the finish",
         stops);
  printf("  stopped in main after the call with the return value: %s\n",
         ok_all ? "yes" : "no");
  return ok_all ? 0 : 1;
}
