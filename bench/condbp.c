/* bench/condbp: the cost of one false hit of a conditional breakpoint.
 * f() of tests/targets/condbp is called N times (20,000); the breakpoint
 * `break f if i == N-1` is false until the last call. The cost per false
 * hit is marginal: (time of the run with N calls - time with 1 call) /
 * (N - 1), best of 3 each, for sse (sse_break_condition, then
 * sse_continue to the stop) and for gdb in batch mode on the same program
 * in the same run.
 *
 * usage: condbp TARGETS_DIR [N] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Spawn prog with n calls, break f if i == n-1, time the continue to the
 * stop; -1 when the stop is not that breakpoint's, or not at i == n-1. */
static double sse_run(const char *prog, int n, unsigned *stops) {
  sse_engine *e;
  sse_process *p;
  char arg[32], cond[64], val[64];
  snprintf(arg, sizeof arg, "%d", n);
  snprintf(cond, sizeof cond, "i == %d", n - 1);
  const char *argv[] = {prog, arg, NULL};
  if (sse_engine_new(NULL, &e)) return -1;
  double dt = -1;
  int id;
  sse_stop s;
  if (sse_spawn(e, argv, NULL, &p, NULL) || sse_break_function(p, "f", false, &id) ||
      sse_break_condition(p, id, cond, NULL, 0))
    goto out;
  double t0 = now();
  if (sse_continue(p, &s) || s.reason != SSE_STOP_BREAKPOINT) goto out;
  dt = now() - t0;
  *stops = s.ptrace_stops;
  if (sse_evaluate(s.thread, 0, "i", val, sizeof val, NULL) || atoi(val) != n - 1) dt = -1;
out:
  sse_engine_free(e);
  return dt;
}

static double run_cmd(const char *cmd) {
  double t0 = now();
  int rc = system(cmd);
  double dt = now() - t0;
  return rc == 0 ? dt : -1;
}

static double gdb_run(const char *prog, int n) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "gdb -batch -nx -ex 'set startup-with-shell off' -ex 'break f if i == %d' "
           "-ex 'run' -ex 'print i' --args %s %d 2>&1 | grep -q '^\\$1 = %d$'",
           n - 1, prog, n, n - 1);
  return run_cmd(cmd);
}

static double best(double a, double b) { return b > 0 && (a < 0 || b < a) ? b : a; }

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "build/targets";
  int n = argc > 2 ? atoi(argv[2]) : 20000;
  if (n < 2) n = 2;
  char prog[1024];
  snprintf(prog, sizeof prog, "%s/condbp", dir);
  double s1 = -1, sn = -1, g1 = -1, gn = -1;
  unsigned st1 = 0, stn = 0;
  for (int r = 0; r < 3; r++) {
    s1 = best(s1, sse_run(prog, 1, &st1));
    sn = best(sn, sse_run(prog, n, &stn));
    g1 = best(g1, gdb_run(prog, 1));
    gn = best(gn, gdb_run(prog, n));
  }
  if (s1 < 0 || sn < 0) {
    fprintf(stderr, "condbp: sse did not stop at i == %d\n", n - 1);
    return 1;
  }
  double sse = (sn - s1) / (n - 1);
  printf("conditional breakpoint `break f if i == %d`, %d calls, best of 3\n", n - 1, n);
  printf("  %-40s %8.2f us/false hit  (%u ptrace stops)\n", "sse (sse_continue to the stop)",
         sse * 1e6, stn);
  if (g1 < 0 || gn < 0) {
    printf("  %-40s (gdb did not stop there)\n", "gdb -batch");
    return 0;
  }
  double gdb = (gn - g1) / (n - 1);
  printf("  %-40s %8.2f us/false hit\n", "gdb -batch", gdb * 1e6);
  printf("  sse is %.1fx faster than gdb per false hit (goal >= 10x)\n", gdb / sse);
  return 0;
}
