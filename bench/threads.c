/* bench/threads: one all-stop cycle (a breakpoint hit and the continue
 * after it) of a process with N idle threads, N = 1, 100, 1000, by sse
 * and by gdb on the same program in the same run (best of 3 runs of 30
 * cycles each). The program is tests/targets/idle_threads.
 *
 * usage: threads TARGETS_DIR */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

#define CYCLES 30

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds per cycle, or -1. */
static double sse_cycle(const char *prog, int n) {
  char ns[16], ks[16];
  snprintf(ns, sizeof ns, "%d", n);
  snprintf(ks, sizeof ks, "%d", CYCLES + 2);
  sse_engine *e;
  sse_process *p;
  if (sse_engine_new(NULL, &e)) return -1;
  const char *argv[] = {prog, ns, ks, NULL};
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  o.stdin_fd = o.stdout_fd = o.stderr_fd = devnull;
  sse_stop s;
  double dt = -1;
  if (sse_spawn(e, argv, &o, &p, NULL) == SSE_OK &&
      sse_break_function(p, "tick", false, NULL) == SSE_OK &&
      sse_continue(p, &s) == SSE_OK && s.reason == SSE_STOP_BREAKPOINT) {
    double t0 = now();
    int k = 0;
    for (; k < CYCLES; k++)
      if (sse_continue(p, &s) != SSE_OK || s.reason != SSE_STOP_BREAKPOINT) break;
    if (k == CYCLES) dt = (now() - t0) / CYCLES;
  }
  close(devnull);
  sse_engine_free(e);
  return dt;
}

/* gdb, timed inside gdb (Python) around the same continues. */
static double gdb_cycle(const char *prog, int n) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' "
           "-ex 'break tick' -ex 'run %d %d >/dev/null' "
           "-ex 'python import time\nt=time.perf_counter()\n"
           "for i in range(%d): gdb.execute(\"continue\", to_string=True)\n"
           "print(\"GDBCYCLE\", (time.perf_counter()-t)/%d)' "
           "%s 2>/dev/null",
           n, CYCLES + 2, CYCLES, CYCLES, prog);
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  char line[512];
  double dt = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "GDBCYCLE ", 9) == 0) dt = atof(line + 9);
  pclose(f);
  return dt;
}

static double best(double (*fn)(const char *, int), const char *prog, int n) {
  double b = -1;
  for (int i = 0; i < 3; i++) {
    double d = fn(prog, n);
    if (d > 0 && (b < 0 || d < b)) b = d;
  }
  return b;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: threads TARGETS_DIR\n");
    return 2;
  }
  char prog[1024];
  snprintf(prog, sizeof prog, "%s/idle_threads", argv[1]);
  printf("all-stop cycle (breakpoint hit + continue), idle threads, best of 3 x %d\n",
         CYCLES);
  int ns[] = {1, 100, 1000};
  for (int i = 0; i < 3; i++) {
    double s = best(sse_cycle, prog, ns[i]);
    double g = best(gdb_cycle, prog, ns[i]);
    printf("  %5d threads  sse %9.3f ms  gdb %9.3f ms  sse faster by %6.1fx"
           "  (goal >= 10x)\n",
           ns[i] + 1, s * 1e3, g * 1e3, s > 0 && g > 0 ? g / s : 0.0);
  }
  return 0;
}
