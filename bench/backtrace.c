/* bench/backtrace: a ~30-frame backtrace through libc, sse vs gdb, at the
 * same stop: deep_recursion 28 stopped at bottom() (bottom, 29 descend
 * frames, main, then libc's __libc_start_call_main and __libc_start_main
 * and _start for sse; gdb stops its `bt` at main).
 *
 * sse: sse_backtrace() from a non-tracer thread, the first one at that stop
 * (cold: unwind tables and line tables looked up for the first time) and
 * the median of 50 more (warm).
 * gdb: `bt` at the same stop timed inside gdb (its Python API), the first
 * one and, after `flushregs`, the median of 50 more; best of 5 sessions.
 * Both from scratch too (start, break, run, one bt: wall time).
 *
 * usage: backtrace TARGETS_DIR
 * Goal (issue 5): sse <= 1/3 of gdb. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

#define DEPTH "28"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One gdb session: break at bottom, run, then `bt` timed inside gdb with
 * its Python API (time.perf_counter around gdb.execute("bt",
 * to_string=True): the work of the backtrace, formatting included, no
 * terminal output), first at the stop, then `reps` times after `flushregs`
 * (which drops gdb's register and frame caches, as a new stop would).
 * Returns the session's wall time in ms (-1 on failure); *first and
 * *repeat (median) in ms, *frames as the first `bt` printed. */
typedef struct gdb_bt {
  double wall, first, repeat;
  int frames;
} gdb_bt;

static int gdb_session(const char *prog, int reps, gdb_bt *out) {
  char script[] = "/tmp/sse-bench-bt-XXXXXX";
  int fd = mkstemp(script);
  if (fd < 0) return -1;
  FILE *sf = fdopen(fd, "w");
  fprintf(sf,
          "python\n"
          "import gdb, time\n"
          "gdb.execute('set debuginfod enabled off')\n"
          "gdb.execute('break bottom', to_string=True)\n"
          "gdb.execute('run', to_string=True)\n"
          "t0 = time.perf_counter()\n"
          "out = gdb.execute('bt', to_string=True)\n"
          "t1 = time.perf_counter()\n"
          "rep = []\n"
          "for i in range(%d):\n"
          "    gdb.execute('flushregs', to_string=True)\n"
          "    a = time.perf_counter()\n"
          "    gdb.execute('bt', to_string=True)\n"
          "    rep.append(time.perf_counter() - a)\n"
          "rep.sort()\n"
          "print('FIRST %%.6f REPEAT %%.6f FRAMES %%d' %% ((t1 - t0) * 1e3, "
          "(rep[len(rep) // 2] if rep else 0) * 1e3, "
          "sum(1 for l in out.splitlines() if l.startswith('#'))))\n"
          "gdb.execute('kill')\n"
          "end\n",
          reps);
  fclose(sf);
  char cmd[8192];
  snprintf(cmd, sizeof cmd,
           "DEBUGINFOD_URLS= gdb -nx -batch -x %s --args '%s' " DEPTH
           " 2>/dev/null",
           script, prog);
  double t0 = now_ms();
  FILE *f = popen(cmd, "r");
  if (!f) {
    unlink(script);
    return -1;
  }
  char line[4096];
  int got = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "FIRST %lf REPEAT %lf FRAMES %d", &out->first,
               &out->repeat, &out->frames) == 3)
      got = 1;
  int rc = pclose(f);
  out->wall = now_ms() - t0;
  unlink(script);
  return rc == -1 || !got ? -1 : 0;
}

/* sse from scratch: engine, spawn, break, continue, one backtrace. */
static double sse_session(const char *prog, sse_frame *fr, size_t *nf,
                          double *cold) {
  double t0 = now_ms();
  sse_engine *e;
  sse_process *p;
  sse_stop s;
  if (sse_engine_new(NULL, &e)) return -1;
  const char *args[] = {prog, DEPTH, NULL};
  int id;
  if (sse_spawn(e, args, NULL, &p, NULL) ||
      sse_break_function(p, "bottom", false, &id) || sse_continue(p, &s) ||
      s.reason != SSE_STOP_BREAKPOINT) {
    sse_engine_free(e);
    return -1;
  }
  double t1 = now_ms();
  sse_err err = sse_backtrace(s.thread, fr, 256, nf);
  double t2 = now_ms();
  sse_engine_free(e);
  if (cold) *cold = t2 - t1;
  return err ? -1 : t2 - t0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TARGETS_DIR\n", argv[0]);
    return 2;
  }
  char prog[4096];
  snprintf(prog, sizeof prog, "%s/deep_recursion", argv[1]);

  /* ---- sse */
  sse_engine *e;
  sse_process *p;
  sse_stop s;
  if (sse_engine_new(NULL, &e)) return 1;
  const char *args[] = {prog, DEPTH, NULL};
  int id;
  if (sse_spawn(e, args, NULL, &p, NULL) ||
      sse_break_function(p, "bottom", false, &id) || sse_continue(p, &s) ||
      s.reason != SSE_STOP_BREAKPOINT) {
    fprintf(stderr, "backtrace: cannot stop %s at bottom\n", prog);
    return 1;
  }
  static sse_frame fr[256];
  size_t nf = 0;
  double t0 = now_ms();
  sse_err err = sse_backtrace(s.thread, fr, 256, &nf);
  double cold = now_ms() - t0;
  double warm[50];
  for (int i = 0; i < 50; i++) {
    size_t n2;
    t0 = now_ms();
    sse_backtrace(s.thread, fr, 256, &n2);
    warm[i] = now_ms() - t0;
  }
  qsort(warm, 50, sizeof *warm, cmp_d);
  size_t to_main = 0;
  for (size_t i = 0; i < nf; i++)
    if (fr[i].loc.function && strcmp(fr[i].loc.function, "main") == 0) {
      to_main = i + 1;
      break;
    }
  /* Location strings live until sse_engine_free(): copy what is printed. */
  char last[128];
  snprintf(last, sizeof last, "%s",
           nf && fr[nf - 1].loc.function ? fr[nf - 1].loc.function : "?");
  sse_engine_free(e);
  if (err) {
    fprintf(stderr, "backtrace: sse_backtrace: %s\n", sse_strerror(err));
    return 1;
  }

  /* ---- from scratch, both */
  double sfull[5], scold[5];
  for (int i = 0; i < 5; i++) {
    size_t n2;
    sfull[i] = sse_session(prog, fr, &n2, &scold[i]);
  }
  qsort(sfull, 5, sizeof *sfull, cmp_d);
  qsort(scold, 5, sizeof *scold, cmp_d);

  /* ---- gdb */
  enum { REPS = 50 };
  double gwall[5], gfirst[5], grep[5];
  int gframes = 0;
  int have_gdb = 1;
  for (int i = 0; i < 5 && have_gdb; i++) {
    gdb_bt g;
    if (gdb_session(prog, i == 0 ? REPS : 0, &g) != 0 || g.frames == 0) {
      have_gdb = 0;
      break;
    }
    gwall[i] = g.wall;
    gfirst[i] = g.first;
    grep[i] = i == 0 ? g.repeat : grep[0];
    gframes = g.frames;
  }
  qsort(gwall, 5, sizeof *gwall, cmp_d);
  qsort(gfirst, 5, sizeof *gfirst, cmp_d);

  printf("backtrace of deep_recursion " DEPTH " stopped at bottom(), "
         "times in ms (best of 5 unless said)\n");
  printf("  sse %zu frames (%zu to main, last %s); gdb %d frames (to main)\n",
         nf, to_main, last, gframes);
  printf("  %-58s %10s %10s\n", "", "sse", "gdb");
  if (!have_gdb) {
    printf("  gdb not available: sse only\n");
    printf("  first backtrace at the stop %.3f, warm %.4f, from scratch %.1f\n",
           cold, warm[25], sfull[0]);
    return 0;
  }
  printf("  %-58s %10.3f %10.3f\n",
         "the first bt at the stop (timed in-process)", scold[0], gfirst[0]);
  printf("  %-58s %10.4f %10.3f\n",
         "one more bt at that stop (median of 50; gdb after flushregs)",
         warm[25], grep[0]);
  printf("  %-58s %10.1f %10.1f\n",
         "from scratch: start, break bottom, run, one bt (wall)", sfull[0],
         gwall[0]);
  printf("  sse/gdb (goal <= 0.333): first bt %.3f %s; repeated bt %.3f %s; "
         "from scratch %.2f\n",
         scold[0] / gfirst[0], scold[0] <= gfirst[0] / 3 ? "ok" : "MISSED",
         warm[25] / grep[0], warm[25] <= grep[0] / 3 ? "ok" : "MISSED",
         sfull[0] / gwall[0]);
  return 0;
}
