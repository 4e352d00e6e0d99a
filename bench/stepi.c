/* bench/stepi: the cost of one stepi through sse, beside the limit (a bare
 * PTRACE_SINGLESTEP + waitpid loop on the same program, same run) and
 * beside gdb and ssedemo (marginal cost of `stepi N` in batch mode).
 *
 * usage: stepi TARGETS_DIR [N] */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The limit: the program forked and exec'd under PTRACE_TRACEME, then N
 * single-steps from its first instruction, each waited for. */
static double bare_loop(const char *prog, int n) {
  pid_t pid = fork();
  if (pid == 0) {
    personality(ADDR_NO_RANDOMIZE);
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    execl(prog, prog, "100000000", (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  double t0 = now();
  for (int i = 0; i < n; i++) {
    ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL);
    waitpid(pid, &st, 0);
  }
  double dt = now() - t0;
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return dt / n;
}

static double sse_loop(const char *prog, int n) {
  sse_engine *e;
  sse_process *p;
  if (sse_engine_new(NULL, &e)) return -1;
  const char *argv[] = {prog, "100000000", NULL};
  if (sse_spawn(e, argv, NULL, &p, NULL)) return -1;
  sse_thread *t;
  size_t k;
  sse_process_threads(p, &t, 1, &k);
  sse_stop s;
  double t0 = now();
  for (int i = 0; i < n; i++)
    if (sse_step_instruction(t, &s)) return -1;
  double dt = now() - t0;
  sse_engine_free(e);
  return dt / n;
}

typedef struct inner {
  sse_thread *t;
  int n;
  int err;
} inner;
static void step_n(void *arg) {
  inner *in = arg;
  sse_stop s;
  for (int i = 0; i < in->n; i++)
    if (sse_step_instruction(in->t, &s)) in->err = 1;
}

/* The same calls made on the tracer thread (inside sse_call), as an event
 * callback would: no thread hand-off per step. */
static double sse_inner(const char *prog, int n) {
  sse_engine *e;
  sse_process *p;
  if (sse_engine_new(NULL, &e)) return -1;
  const char *argv[] = {prog, "100000000", NULL};
  if (sse_spawn(e, argv, NULL, &p, NULL)) return -1;
  inner in = {.n = n};
  size_t k;
  sse_process_threads(p, &in.t, 1, &k);
  double t0 = now();
  sse_call(e, step_n, &in);
  double dt = now() - t0;
  sse_engine_free(e);
  return in.err ? -1 : dt / n;
}

static double run_cmd(const char *cmd) {
  double t0 = now();
  int rc = system(cmd);
  double dt = now() - t0;
  return rc == 0 ? dt : -1;
}

/* Marginal cost per step of `stepi N` in a batch debugger: (time with N) -
 * (time with 1), divided by N - 1; best of 3 each. */
static double batch_marginal(const char *fmt, const char *dbg,
                             const char *prog, int n) {
  char c1[2048], cn[2048];
  snprintf(c1, sizeof c1, fmt, dbg, 1, prog);
  snprintf(cn, sizeof cn, fmt, dbg, n, prog);
  double b1 = 1e9, bn = 1e9;
  for (int i = 0; i < 3; i++) {
    double a = run_cmd(c1), b = run_cmd(cn);
    if (a < 0 || b < 0) return -1;
    if (a < b1) b1 = a;
    if (b < bn) bn = b;
  }
  return (bn - b1) / (n - 1);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "build/targets";
  int n = argc > 2 ? atoi(argv[2]) : 20000;
  char prog[1024], demo[1024];
  snprintf(prog, sizeof prog, "%s/long_loop", dir);
  snprintf(demo, sizeof demo, "%s/../ssedemo", dir);
  /* Warm the page cache and the dynamic linker's files. */
  bare_loop(prog, 200);
  double bare = 1e9, api = 1e9, in = 1e9, api_b = 1e9, in_b = 1e9;
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (int r = 0; r < 3; r++) {
    double b = bare_loop(prog, n), a = sse_loop(prog, n),
           c = sse_inner(prog, n);
    /* The same with SIGCHLD blocked in the calling thread, as a program
     * may choose: the kernel then no longer wakes it to run the handler
     * for every ptrace stop. */
    pthread_sigmask(SIG_BLOCK, &chld, &old);
    double ab = sse_loop(prog, n), cb = sse_inner(prog, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (b > 0 && b < bare) bare = b;
    if (a > 0 && a < api) api = a;
    if (c > 0 && c < in) in = c;
    if (ab > 0 && ab < api_b) api_b = ab;
    if (cb > 0 && cb < in_b) in_b = cb;
  }
  printf("stepi, N=%d, best of 3, from the program's first instruction\n", n);
  printf("  %-44s %7.1f us/step  1.00x (the limit)\n",
         "bare PTRACE_SINGLESTEP + waitpid", bare * 1e6);
  printf("  %-44s %7.1f us/step  %.2fx  (goal <= 1.15x)\n",
         "sse_step_instruction, caller thread", api * 1e6, api / bare);
  printf("  %-44s %7.1f us/step  %.2fx\n",
         "sse_step_instruction, on the tracer thread", in * 1e6, in / bare);
  printf("  %-44s %7.1f us/step  %.2fx\n",
         "  same, caller blocks SIGCHLD", api_b * 1e6, api_b / bare);
  printf("  %-44s %7.1f us/step  %.2fx\n",
         "  same, tracer thread, caller blocks SIGCHLD", in_b * 1e6,
         in_b / bare);
  const char *gfmt =
      "%s -batch -nx -ex 'set startup-with-shell off' -ex starti "
      "-ex 'stepi %d' %s >/dev/null 2>&1";
  int nb = n / 4;
  double g = batch_marginal(gfmt, "gdb", prog, nb);
  if (access(demo, X_OK) == 0) {
    const char *dfmt = "%s --batch -ex starti -ex 'stepi %d' %s >/dev/null 2>&1";
    double d = batch_marginal(dfmt, demo, prog, nb);
    printf("  %-44s %7.1f us/step  %.2fx\n", "ssedemo --batch stepi N (marginal)",
           d * 1e6, d / bare);
  }
  printf("  %-44s %7.1f us/step  %.2fx\n", "gdb -batch stepi N (marginal)",
         g * 1e6, g / bare);
  return 0;
}
