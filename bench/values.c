/* bench/values: `info locals` + `bt` with arguments at a stop in a large
 * function, sse vs gdb: values_big stopped in big() (400 locals: ints,
 * doubles, structs, char arrays; five frames with arguments).
 *
 * sse: sse_frame_variables(LOCALS) of frame 0, then sse_backtrace() and
 * sse_frame_variables(ARGS) of each frame up to main, from a non-tracer
 * thread: the first time at that stop (types transcoded, scopes and
 * locations read for the first time), and the median of 20 more.
 * gdb: `info locals` then `bt` at the same stop, timed inside gdb with its
 * Python API (gdb.execute(..., to_string=True)), the first time and the
 * median of 20 more; best of 3 sessions for the first.
 * Both print the same lines (the bench checks the counts).
 *
 * usage: values TARGETS_DIR
 * Goal (issue 12): sse <= 1/3 of gdb's time, first and repeated. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "sse.h"

#define STOP "values_big.c:24"
#define REPS 20


/* One gdb session: break, run, then info locals + bt timed, first and
 * REPS times more. *lines: the lines the first printed. */
static int gdb_session(const char *prog, double *first, double *repeat, int *lines) {
  char script[] = "/tmp/sse-bench-values-XXXXXX";
  int fd = mkstemp(script);
  if (fd < 0) return -1;
  FILE *sf = fdopen(fd, "w");
  fprintf(sf,
          "python\n"
          "import gdb, time\n"
          "gdb.execute('set debuginfod enabled off')\n"
          "gdb.execute('break " STOP "', to_string=True)\n"
          "gdb.execute('run', to_string=True)\n"
          "def both():\n"
          "    a = gdb.execute('info locals', to_string=True)\n"
          "    b = gdb.execute('bt', to_string=True)\n"
          "    return len(a.splitlines()) + len(b.splitlines())\n"
          "t0 = time.perf_counter()\n"
          "n = both()\n"
          "t1 = time.perf_counter()\n"
          "rep = []\n"
          "for i in range(%d):\n"
          "    a = time.perf_counter()\n"
          "    both()\n"
          "    rep.append(time.perf_counter() - a)\n"
          "rep.sort()\n"
          "print('FIRST %%.6f REPEAT %%.6f LINES %%d' %% ((t1 - t0) * 1e3, "
          "rep[len(rep) // 2] * 1e3, n))\n"
          "gdb.execute('kill')\n"
          "end\n",
          REPS);
  fclose(sf);
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "DEBUGINFOD_URLS= gdb -nx -batch -x %s --args '%s' 2>/dev/null",
           script, prog);
  FILE *f = popen(cmd, "r");
  int got = 0;
  char line[4096];
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "FIRST %lf REPEAT %lf LINES %d", first, repeat, lines) == 3) got = 1;
  if (f) pclose(f);
  unlink(script);
  return got ? 0 : -1;
}

/* sse's info locals + bt with arguments; the lines they make. */
static int sse_both(sse_thread *t) {
  sse_variable *v;
  size_t n, nf = 0, lines = 0;
  if (sse_frame_variables(t, 0, SSE_VARS_LOCALS, &v, &n, NULL, 0) != SSE_OK) return -1;
  lines += n;
  sse_variables_free(v, n);
  sse_frame fr[64];
  if (sse_backtrace(t, fr, 64, &nf) != SSE_OK) return -1;
  for (size_t i = 0; i < nf; i++) {
    if (sse_frame_variables(t, i, SSE_VARS_ARGS, &v, &n, NULL, 0) == SSE_OK)
      sse_variables_free(v, n);
    lines++;
    if (fr[i].loc.function && !strcmp(fr[i].loc.function, "main")) break;
  }
  return (int)lines;
}

/* One sse session: stop at STOP, then the first and REPS more. */
static int sse_session(const char *prog, double *first, double *repeat, int *lines) {
  sse_engine *e;
  sse_process *p;
  sse_stop s;
  if (sse_engine_new(NULL, &e)) return -1;
  const char *args[] = {prog, NULL};
  int id;
  if (sse_spawn(e, args, NULL, &p, NULL) || sse_break_line(p, "values_big.c", 24, &id) ||
      sse_continue(p, &s) || s.reason != SSE_STOP_BREAKPOINT) {
    sse_engine_free(e);
    return -1;
  }
  double t0 = bench_now_ms();
  *lines = sse_both(s.thread);
  *first = bench_now_ms() - t0;
  double rep[REPS];
  for (int i = 0; i < REPS; i++) {
    t0 = bench_now_ms();
    sse_both(s.thread);
    rep[i] = bench_now_ms() - t0;
  }
  qsort(rep, REPS, sizeof *rep, bench_cmp_d);
  *repeat = rep[REPS / 2];
  sse_kill(p);
  sse_engine_free(e);
  return *lines > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TARGETS_DIR\n", argv[0]);
    return 2;
  }
  char prog[4096];
  snprintf(prog, sizeof prog, "%s/values_big", argv[1]);
  double sf[3], sr[3], gf[3], gr[3];
  int sl = 0, gl = 0, have_gdb = 1;
  for (int i = 0; i < 3; i++) {
    if (sse_session(prog, &sf[i], &sr[i], &sl)) {
      fprintf(stderr, "values: cannot stop %s at %s\n", prog, STOP);
      return 1;
    }
    if (have_gdb && gdb_session(prog, &gf[i], &gr[i], &gl)) have_gdb = 0;
  }
  qsort(sf, 3, sizeof *sf, bench_cmp_d);
  qsort(sr, 3, sizeof *sr, bench_cmp_d);
  printf("values: info locals (%d lines in all) + bt with arguments, in big() of values_big\n", sl);
  printf("  sse  first %8.2f ms   repeated %8.2f ms\n", sf[0], sr[0]);
  if (!have_gdb) {
    printf("  gdb  not run (gdb missing or failed)\n");
    return 0;
  }
  qsort(gf, 3, sizeof *gf, bench_cmp_d);
  qsort(gr, 3, sizeof *gr, bench_cmp_d);
  printf("  gdb  first %8.2f ms   repeated %8.2f ms   (%d lines)\n", gf[0], gr[0], gl);
  printf("  sse/gdb  first %.2f   repeated %.2f   (goal <= 0.33)\n", sf[0] / gf[0], sr[0] / gr[0]);
  return 0;
}
