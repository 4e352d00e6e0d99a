/* bench/remote: gdb driving sse-gdbserver against gdb driving Debian's
 * gdbserver, over loopback TCP, in the same run: the same `step` x300
 * and `stepi` xN from main of the same program,
 * each command timed inside gdb (a Python loop of gdb.execute): the
 * median command of a run (so gdb's start-up, connection and symbol
 * loading at the first step into a library do not count, nor the spikes of
 * a loaded machine), best of 7 runs; beside it the mean (the run's total
 * over its commands, best of 7), which the long lines of a program weigh
 * in and the median does not, a fresh server each time, the two
 * servers' runs interleaved. Both servers start the program directly
 * (--no-startup-with-shell) with ASLR off, and the stop sequences (pc, file,
 * line after each command) must be identical.
 *
 * gdb's `step` sends vCont;r (range stepping): gdbserver single-steps
 * every instruction of the line inside the stub; sse-gdbserver runs from
 * branch to branch. Goal: sse-gdbserver >= 2x faster for step.
 *
 * Programs: loops_calls (the stepping tests' program: short lines, 2 to 6
 * instructions), libc_calls (`step` into printf and qsort: glibc's lines,
 * some with loops) and long_lines (-O0 lines like users' code: struct
 * copies, arithmetic expressions, string handling, whole loops on one line,
 * dozens to hundreds of instructions per line).
 *
 * usage: remote TARGETS_DIR [STEPI_N] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char script[] =
    "import gdb, os, time\n"
    "e = os.environ\n"
    "for c in ('set confirm off', 'set pagination off', 'set sysroot /',\n"
    "          'target remote 127.0.0.1:' + e['BENCH_PORT'], 'break main'):\n"
    "    gdb.execute(c, to_string=True)\n"
    "gdb.execute('continue', to_string=True)\n"
    "stops, ts = [], []\n"
    "for i in range(int(e['BENCH_N'])):\n"
    "    t0 = time.perf_counter()\n"
    "    try:\n"
    "        gdb.execute(e['BENCH_CMD'], to_string=True)\n"
    "    except gdb.error:\n"
    "        break\n"
    "    ts.append(time.perf_counter() - t0)\n"
    "    try:\n"
    "        f = gdb.selected_frame()\n"
    "    except gdb.error:\n"
    "        break\n"
    "    sal = f.find_sal()\n"
    "    name = sal.symtab.filename if sal.symtab else '?'\n"
    "    stops.append('%x %s:%d' % (f.pc(), name, sal.line))\n"
    "ts.sort()\n"
    "med = ts[len(ts) // 2] if ts else -1\n"
    "with open(e['BENCH_OUT'], 'w') as o:\n"
    "    o.write('%.9f %.9f %d\\n' % (med, sum(ts), len(stops)))\n"
    "    o.write(''.join(s + '\\n' for s in stops))\n"
    "try:\n"
    "    gdb.execute('kill', to_string=True)\n"
    "except gdb.error:\n"
    "    pass\n";

typedef struct server {
  const char *name;
  const char *argv0;
  bool sse;
} server;

/* Start a server on 127.0.0.1:0 for prog, its stderr into log; its pid
 * and the port it printed (bounded wait: 10 s). */
static pid_t start_server(const server *sv, const char *prog, const char *log, int *port) {
  unlink(log); /* not the last run's port */
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    if (sv->sse)
      execl(sv->argv0, sv->argv0, "--once", "--no-startup-with-shell", "127.0.0.1:0", prog,
            (char *)NULL);
    else
      execlp(sv->argv0, sv->argv0, "--once", "--no-startup-with-shell", "127.0.0.1:0", prog,
             (char *)NULL);
    _exit(127);
  }
  *port = 0;
  for (int i = 0; i < 1000 && *port == 0 && waitpid(pid, NULL, WNOHANG) == 0; i++) {
    FILE *f = fopen(log, "r");
    char line[512];
    while (f && *port == 0 && fgets(line, sizeof line, f))
      sscanf(line, "Listening on port %d", port);
    if (f) fclose(f);
    struct timespec ts = {0, 10 * 1000 * 1000};
    if (*port == 0) nanosleep(&ts, NULL);
  }
  if (*port == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
  }
  return pid;
}

/* One gdb session: n times cmd. The median time of one (seconds), the
 * stops in out (the file's text after the first line, malloc'd), *count
 * of them. */
static double run_once(const server *sv, const char *prog, const char *dir, const char *cmd,
                       int n, char **stops, int *count, double *mean) {
  int port;
  char spath[4200], opath[4200], lpath[4200], env[64], ncmd[32];
  *stops = NULL;
  *count = 0;
  snprintf(lpath, sizeof lpath, "%s/server.log", dir);
  pid_t srv = start_server(sv, prog, lpath, &port);
  if (srv < 0) return -1;
  snprintf(spath, sizeof spath, "%s/bench.py", dir);
  snprintf(opath, sizeof opath, "%s/out.txt", dir);
  unlink(opath);
  snprintf(env, sizeof env, "%d", port);
  snprintf(ncmd, sizeof ncmd, "%d", n);
  pid_t g = fork();
  if (g == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    if (!getenv("BENCH_VERBOSE")) dup2(null, 2);
    setenv("BENCH_PORT", env, 1);
    setenv("BENCH_N", ncmd, 1);
    setenv("BENCH_CMD", cmd, 1);
    setenv("BENCH_OUT", opath, 1);
    execlp("gdb", "gdb", "-batch", "-nx", "-x", spath, prog, (char *)NULL);
    _exit(127);
  }
  waitpid(g, NULL, 0);
  kill(srv, SIGKILL);
  waitpid(srv, NULL, 0);
  FILE *f = fopen(opath, "r");
  double t = -1;
  *count = 0;
  *stops = NULL;
  if (!f) return -1;
  double total;
  if (fscanf(f, "%lf %lf %d\n", &t, &total, count) != 3) t = -1;
  *mean = *count > 0 ? total / *count : -1;
  size_t cap = 0;
  FILE *m = open_memstream(stops, &cap);
  char line[8192];
  while (fgets(line, sizeof line, f)) fputs(line, m);
  fclose(m);
  fclose(f);
  return t;
}

typedef struct result {
  double best; /* seconds per command: the best run's median */
  double mean; /* seconds per command: the best run's mean (its total / n) */
  int count;
  char *stops;
} result;

/* A run of each server, RUNS times over (interleaved, so both see the
 * same load); the best median per command of each, the first run's stops. */
#define RUNS 7
static bool measure(const server sv[2], const char *prog, const char *dir, const char *cmd,
                    int n, result r[2]) {
  for (int k = 0; k < 2; k++) r[k] = (result){.best = -1, .mean = -1};
  for (int i = 0; i < RUNS; i++)
    for (int k = 0; k < 2; k++) {
      char *stops;
      int count;
      double mean;
      double t = run_once(&sv[k], prog, dir, cmd, n, &stops, &count, &mean);
      if (t < 0 || count == 0) {
        free(stops);
        fprintf(stderr, "remote: %s under %s failed\n", cmd, sv[k].name);
        return false;
      }
      if (r[k].best < 0 || t < r[k].best) r[k].best = t;
      if (r[k].mean < 0 || mean < r[k].mean) r[k].mean = mean;
      if (!r[k].stops) {
        r[k].stops = stops;
        r[k].count = count;
      } else {
        free(stops);
      }
    }
  return true;
}

static int compare(const server sv[2], const char *prog, const char *dir, const char *cmd,
                   int n, bool goal) {
  result r[2];
  if (!measure(sv, prog, dir, cmd, n, r)) return 1;
  bool same = r[0].count == r[1].count && !strcmp(r[0].stops, r[1].stops);
  const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
  for (int k = 0; k < 2; k++)
    printf("  %-12s %-5s x%-5d %-14s %8.1f us/%s  (mean %8.1f, %d stops)\n", base, cmd, n,
           sv[k].name, r[k].best * 1e6, cmd, r[k].mean * 1e6, r[k].count);
  printf("  %-12s %-5s %-21s %7.2fx%s  (mean %.2fx)  stops %s\n", base, cmd, "sse faster by",
         r[1].best / r[0].best, goal ? "  (goal >= 2x)" : "", r[1].mean / r[0].mean,
         same ? "identical" : "DIFFER");
  free(r[0].stops);
  free(r[1].stops);
  return same ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: remote TARGETS_DIR [STEPI_N]\n");
    return 2;
  }
  int stepi_n = argc > 2 ? atoi(argv[2]) : 2000;
  char sse[4096], dir[] = "/tmp/sse-bench-remote-XXXXXX";
  snprintf(sse, sizeof sse, "%s/../sse-gdbserver", argv[1]);
  if (access(sse, X_OK) || !mkdtemp(dir)) {
    fprintf(stderr, "remote: %s missing\n", sse);
    return 1;
  }
  char spath[4200];
  snprintf(spath, sizeof spath, "%s/bench.py", dir);
  FILE *f = fopen(spath, "w");
  if (!f) return 1;
  fputs(script, f);
  fclose(f);
  signal(SIGPIPE, SIG_IGN);
  const server sv[2] = {{"sse-gdbserver", sse, true}, {"gdbserver", "gdbserver", false}};
  printf("bench/remote: gdb over loopback TCP from main, median command, best of %d runs (interleaved)\n", RUNS);
  /* loops_calls: the stepping tests' program (short lines); libc_calls:
   * `step` into printf and qsort, glibc's lines with loops in them;
   * long_lines: -O0 lines as users write them (struct copies, expressions,
   * string loops and whole loops on one line) */
  static const char *const progs[] = {"loops_calls", "libc_calls", "long_lines"};
  int rc = 0;
  for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
    char prog[4200];
    snprintf(prog, sizeof prog, "%s/%s", argv[1], progs[i]);
    rc |= compare(sv, prog, dir, "step", 300, true);
    rc |= compare(sv, prog, dir, "stepi", stepi_n, false);
  }
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "remote: could not remove %s\n", dir);
  return rc;
}
