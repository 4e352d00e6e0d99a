/* bench/step_line: the same sequence of source-line `step`s on a program
 * with loops and calls (tests/targets/loops_calls, from main to its exit),
 * by sse and by `gdb -batch` (tests/oracle/gdb_steps.py: a Python loop of
 * `step`). Prints the time per step of each, sse's ptrace stops per line
 * (range stepping: about two per branch taken, not one per instruction), and
 * whether the two stop sequences are identical.
 *
 * gdb's time per step is its marginal cost: (time of N steps - time of 1
 * step) / (N - 1), best of 3 each, so its start-up and symbol loading do not
 * count.
 *
 * usage: step_line TARGETS_DIR [N] */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"
/* The gdb oracle of the tests, compiled in (it finds gdb_steps.py through
 * $ORACLE_SCRIPT, set below from TARGETS_DIR, or next to its __FILE__). */
#include "../tests/oracle/oracle.c"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct rec {
  char function[256];
  char file[512];
  int line;
  int exited, code;
} rec;

static const char *base(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* sse: break at main, then n steps (fewer if the program exits). Returns
 * the number of records (the initial stop first), *dt the time of the
 * steps, *stops their ptrace stops. */
static size_t sse_run(const char *prog, int n, rec *out, double *dt,
                      unsigned long *stops) {
  sse_engine *e;
  sse_process *p;
  if (sse_engine_new(NULL, &e)) return 0;
  const char *argv[] = {prog, NULL};
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  o.stdin_fd = o.stdout_fd = o.stderr_fd = devnull;
  if (sse_spawn(e, argv, &o, &p, NULL)) return 0;
  close(devnull);
  sse_stop s;
  if (sse_break_function(p, "main", false, NULL) || sse_continue(p, &s) ||
      s.reason != SSE_STOP_BREAKPOINT) {
    sse_engine_free(e);
    return 0;
  }
  size_t k = 0;
  memset(&out[k], 0, sizeof out[k]);
  snprintf(out[k].function, sizeof out[k].function, "%s",
           s.loc.function ? s.loc.function : "??");
  snprintf(out[k].file, sizeof out[k].file, "%s",
           s.loc.file ? s.loc.file : "-");
  out[k++].line = s.loc.line;
  sse_thread *t = s.thread;
  *stops = 0;
  double t0 = now();
  for (int i = 0; i < n; i++) {
    if (sse_step_line(t, &s)) break;
    *stops += s.ptrace_stops;
    rec *r = &out[k++];
    memset(r, 0, sizeof *r);
    if (s.reason == SSE_STOP_EXITED || s.reason == SSE_STOP_KILLED) {
      r->exited = 1;
      r->code = s.reason == SSE_STOP_EXITED ? s.exit_status : -s.signo;
      break;
    }
    snprintf(r->function, sizeof r->function, "%s",
             s.loc.function ? s.loc.function : "??");
    snprintf(r->file, sizeof r->file, "%s", s.loc.file ? s.loc.file : "-");
    r->line = s.loc.line;
  }
  *dt = now() - t0;
  sse_engine_free(e);
  return k;
}

static double gdb_time(const char *prog, int n, oracle_stop **out,
                       size_t *got) {
  double t0 = now();
  if (oracle_gdb_steps(prog, NULL, "main", "step", n, NULL, NULL, out, got))
    return -1;
  return now() - t0;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "build/targets";
  int n = argc > 2 ? atoi(argv[2]) : 300;
  char prog[PATH_MAX], script[PATH_MAX + 64];
  snprintf(prog, sizeof prog, "%s/loops_calls", dir);
  snprintf(script, sizeof script, "%s/../../tests/oracle/gdb_steps.py", dir);
  if (!getenv("ORACLE_SCRIPT") && access(script, R_OK) == 0)
    setenv("ORACLE_SCRIPT", script, 1);

  rec *r = calloc((size_t)n + 2, sizeof *r);
  size_t rn = 0;
  double sse_best = 1e9;
  unsigned long stops = 0;
  for (int i = 0; i < 3; i++) {
    double dt = 0;
    unsigned long st = 0;
    rn = sse_run(prog, n, r, &dt, &st);
    if (rn < 2) {
      fprintf(stderr, "step_line: sse run failed\n");
      return 1;
    }
    if (dt < sse_best) sse_best = dt;
    stops = st;
  }
  size_t nsteps = rn - 1;

  /* gdb: N steps and 1 step, best of 3 each. */
  oracle_stop *g = NULL, *g1 = NULL;
  size_t gn = 0, g1n = 0;
  double gN = 1e9, g1t = 1e9;
  for (int i = 0; i < 3; i++) {
    oracle_stop *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    double ta = gdb_time(prog, n, &a, &an);
    double tb = gdb_time(prog, 1, &b, &bn);
    if (ta < 0 || tb < 0) {
      fprintf(stderr, "step_line: gdb failed\n");
      return 1;
    }
    if (ta < gN) gN = ta;
    if (tb < g1t) g1t = tb;
    if (g) oracle_free(g);
    g = a;
    gn = an;
    oracle_free(b);
    (void)g1;
    (void)g1n;
  }
  size_t gsteps = gn ? gn - 1 : 0;
  double gdb_per = gsteps > 1 ? (gN - g1t) / (double)(gsteps - 1) : -1;

  /* The stop sequences: function (the program's own), file, line. */
  bool same = gn == rn;
  size_t first_diff = 0;
  for (size_t i = 0; same && i < gn; i++) {
    if (g[i].exited || r[i].exited) {
      same = g[i].exited && r[i].exited && g[i].exit_code == r[i].code;
    } else {
      bool own = strstr(g[i].file, "tests/targets/") != NULL;
      same = g[i].line == r[i].line &&
             strcmp(base(g[i].file), base(r[i].file)) == 0 &&
             (!own || strcmp(g[i].function, r[i].function) == 0);
    }
    if (!same) first_diff = i;
  }

  double sse_per = sse_best / (double)nsteps;
  printf("step (source line), loops_calls from main: %zu steps (N=%d)\n",
         nsteps, n);
  printf("  %-40s %8.1f us/step\n", "sse_step_line (best of 3)",
         sse_per * 1e6);
  printf("  %-40s %8.1f us/step  (marginal: (t(%zu)-t(1))/%zu)\n",
         "gdb -batch step (Python loop)", gdb_per * 1e6, gsteps, gsteps - 1);
  printf("  %-40s %8.2fx  (goal >= 3x)\n", "sse faster than gdb by",
         gdb_per / sse_per);
  printf("  %-40s %8.2f  (%lu stops / %zu lines)\n",
         "sse ptrace stops per line", (double)stops / (double)nsteps, stops,
         nsteps);
  printf("  identical stops: %s", same ? "yes" : "no");
  if (!same)
    printf("  (gdb %zu stops, sse %zu; first difference at %zu: gdb %s:%d, "
           "sse %s:%d)",
           gn, rn, first_diff, first_diff < gn ? g[first_diff].function : "",
           first_diff < gn ? g[first_diff].line : 0,
           first_diff < rn ? r[first_diff].function : "",
           first_diff < rn ? r[first_diff].line : 0);
  printf("\n");
  oracle_free(g);
  free(r);
  return same ? 0 : 1;
}
