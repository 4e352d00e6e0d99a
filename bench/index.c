/* bench/index: the shared on-disk symbol index on the largest program
 * generated here (bench/gen_index_prog.sh: thousands of functions, tens of
 * MB of DWARF). A user's first minute: `break FILE:LINE` twice, `run`, `bt`,
 * by ssedemo with a cold index (an empty cache directory), then warm (a
 * second process on the index the first left), and with the index off;
 * beside gdb, and gdb with its index cache warm. Wall time and peak RSS
 * (wait4), best of REPS; the symbol work of a session is its time minus a
 * plain `run` of the same debugger. Then two warm ssedemo processes stopped
 * at once: their RSS and PSS (/proc/PID/smaps_rollup), and the RSS/PSS of
 * the index mappings (PSS half the RSS: the pages are shared). Every
 * figure is printed.
 *
 * usage: index TARGETS_DIR [REPS] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char build[PATH_MAX], demo[PATH_MAX + 16], prog[PATH_MAX + 32], bp[2][64];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct run_res {
  double secs;
  long rss_kb;
  bool ok; /* stopped at the breakpoint and the bt has lines */
} run_res;

/* argv with SSE_CACHE_DIR=cache; its output must show a stop and a bt
 * with lines when check. */
static run_res run(char *const argv[], const char *cache, bool check) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    exit(1);
  double t0 = now();
  pid_t c = fork();
  if (c == 0) {
    if (cache)
      setenv("SSE_CACHE_DIR", cache, 1);
    dup2(p[1], 1);
    dup2(p[1], 2);
    close(p[0]);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(p[1]);
  static char out[1 << 20];
  size_t n = 0;
  ssize_t k;
  while ((k = read(p[0], out + n, sizeof out - 1 - n)) > 0)
    n += (size_t)k;
  out[n] = '\0';
  close(p[0]);
  int status;
  struct rusage ru;
  wait4(c, &status, 0, &ru);
  run_res r = {.secs = now() - t0, .rss_kb = ru.ru_maxrss};
  r.ok = !check || (strstr(out, "Breakpoint 1, ") != NULL && strstr(out, "\n#1 ") != NULL &&
                    strstr(strstr(out, "\n#1 "), " at mod_") != NULL);
  if (!r.ok)
    fprintf(stderr, "index: unexpected output of %s:\n%.2000s\n", argv[0], out);
  return r;
}

static run_res best(run_res a, run_res b) {
  return (run_res){.secs = a.secs < b.secs ? a.secs : b.secs,
                   .rss_kb = a.rss_kb < b.rss_kb ? a.rss_kb : b.rss_kb, .ok = a.ok && b.ok};
}

static void rm_rf(const char *d) {
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
  if (system(cmd) != 0)
    exit(1);
}

static char *session_argv[16], *plain_argv[8], *gdb_argv[24], *gdb_plain[8], *gdbix_argv[28];

static void make_argvs(const char *gdbcache) {
  static char b0[80], b1[80], ixdir[PATH_MAX + 40];
  snprintf(b0, sizeof b0, "break %s", bp[0]);
  snprintf(b1, sizeof b1, "break %s", bp[1]);
  snprintf(ixdir, sizeof ixdir, "set index-cache directory %s", gdbcache);
  char *s[] = {demo, "--batch", "-ex", b0, "-ex", b1, "-ex", "run", "-ex", "bt", prog, NULL};
  memcpy(session_argv, s, sizeof s);
  char *pl[] = {demo, "--batch", "-ex", "run", prog, NULL};
  memcpy(plain_argv, pl, sizeof pl);
  char *g[] = {"gdb", "-nx", "-batch", "-ex", b0, "-ex", b1, "-ex", "run", "-ex", "bt", prog, NULL};
  memcpy(gdb_argv, g, sizeof g);
  char *gp[] = {"gdb", "-nx", "-batch", "-ex", "run", prog, NULL};
  memcpy(gdb_plain, gp, sizeof gp);
  char *gi[] = {"gdb", "-nx", "-batch", "-iex", ixdir, "-iex", "set index-cache enabled on", "-ex", b0, "-ex", b1,
                "-ex", "run", "-ex", "bt", prog, NULL};
  memcpy(gdbix_argv, gi, sizeof gi);
}

/* The source line of the first statement of function f in file (the line
 * of its definition + 3: after "{" and its one declaration). */
static int line_of(const char *file, const char *f) {
  char path[PATH_MAX + 64], want[128], line[256];
  snprintf(path, sizeof path, "%s/bigprog/src/%s", build, file);
  snprintf(want, sizeof want, "long %s(long x)", f);
  FILE *fp = fopen(path, "r");
  int n = 0, found = 0;
  while (fp && fgets(line, sizeof line, fp) && !found) {
    n++;
    found = strncmp(line, want, strlen(want)) == 0;
  }
  if (fp)
    fclose(fp);
  return found ? n + 3 : 0;
}

static uint64_t dwarf_bytes(const char *path) {
  elf_version(EV_CURRENT);
  int fd = open(path, O_RDONLY);
  Elf *e = elf_begin(fd, ELF_C_READ, NULL);
  size_t shstr;
  uint64_t total = 0;
  Elf_Scn *s = NULL;
  if (e && elf_getshdrstrndx(e, &shstr) == 0)
    while ((s = elf_nextscn(e, s)) != NULL) {
      GElf_Shdr sh;
      const char *name = gelf_getshdr(s, &sh) ? elf_strptr(e, shstr, sh.sh_name) : NULL;
      if (name && strncmp(name, ".debug_", 7) == 0)
        total += sh.sh_size;
    }
  elf_end(e);
  close(fd);
  return total;
}

/* Sum of Rss and Pss (kB) of pid's mappings whose path contains what ("" =
 * all). */
static void smaps(pid_t pid, const char *what, long *rss, long *pss) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
  FILE *f = fopen(path, "r");
  bool in = false;
  *rss = *pss = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    long v;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, ':') && !strstr(line, "kB"))
      in = what[0] == '\0' || strstr(line, what) != NULL;
    else if (in && sscanf(line, "Rss: %ld kB", &v) == 1)
      *rss += v;
    else if (in && sscanf(line, "Pss: %ld kB", &v) == 1)
      *pss += v;
  }
  if (f)
    fclose(f);
}

/* Rss and Pss (kB) of all of pid's mappings (/proc/PID/smaps_rollup). */
static void rollup(pid_t pid, long *rss, long *pss) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
  FILE *f = fopen(path, "r");
  long v;
  *rss = *pss = 0;
  while (f && fgets(line, sizeof line, f)) {
    if (sscanf(line, "Rss: %ld kB", &v) == 1)
      *rss = v;
    else if (sscanf(line, "Pss: %ld kB", &v) == 1)
      *pss = v;
  }
  if (f)
    fclose(f);
}

/* Two warm ssedemo processes stopped at the breakpoint at once. */
static void concurrent(const char *cache) {
  pid_t pids[2];
  int in[2][2], out[2][2];
  for (int i = 0; i < 2; i++) {
    if (pipe2(in[i], O_CLOEXEC) || pipe2(out[i], O_CLOEXEC))
      exit(1);
    pids[i] = fork();
    if (pids[i] == 0) {
      setenv("SSE_CACHE_DIR", cache, 1);
      dup2(in[i][0], 0);
      dup2(out[i][1], 1);
      dup2(out[i][1], 2);
      close(in[i][1]);
      close(out[i][0]);
      char *a[16] = {demo};
      /* Not --batch: at the prompt afterwards, reading stdin. */
      memcpy(a + 1, session_argv + 2, sizeof a - 2 * sizeof *a);
      execvp(demo, a);
      _exit(127);
    }
    close(in[i][0]);
    close(out[i][1]);
  }
  for (int i = 0; i < 2; i++) { /* until the bt is out */
    char buf[65536];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(out[i][0], buf + n, sizeof buf - 1 - n)) > 0) {
      n += (size_t)k;
      buf[n] = '\0';
      if (strstr(buf, "\n#1 ") && strchr(strstr(buf, "\n#1 ") + 1, '\n'))
        break;
    }
  }
  for (int i = 0; i < 2; i++) {
    long rss, pss, irss, ipss;
    rollup(pids[i], &rss, &pss);
    smaps(pids[i], ".sseidx", &irss, &ipss);
    printf("  concurrent ssedemo %d: RSS %6.1f MB  PSS %6.1f MB; index mappings RSS %5.1f MB PSS %5.1f MB%s\n", i + 1,
           rss / 1024.0, pss / 1024.0, irss / 1024.0, ipss / 1024.0,
           irss > 0 && ipss * 10 < irss * 6 ? "  (shared)" : "");
  }
  for (int i = 0; i < 2; i++) {
    close(in[i][1]);
    waitpid(pids[i], NULL, 0);
    close(out[i][0]);
  }
}

static void print(const char *what, run_res r, double plain) {
  printf("  %-34s %6.3f s  symbol work %6.3f s  RSS %6.1f MB%s\n", what, r.secs, r.secs - plain, r.rss_kb / 1024.0,
         r.ok ? "" : "  (WRONG OUTPUT)");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: index TARGETS_DIR [REPS]\n");
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 3;
  setvbuf(stdout, NULL, _IOLBF, 0);
  char td[PATH_MAX];
  snprintf(td, sizeof td, "%s", argv[1]);
  snprintf(build, sizeof build, "%s", dirname(td));
  snprintf(demo, sizeof demo, "%s/ssedemo", build);
  snprintf(prog, sizeof prog, "%s/bigprog/bigprog", build);
  char gen[PATH_MAX + 64];
  snprintf(gen, sizeof gen, "sh bench/gen_index_prog.sh '%s/bigprog' 400 20 500", build);
  if (system(gen) != 0)
    return 1;
  snprintf(bp[0], sizeof bp[0], "mod_010.c:%d", line_of("mod_010.c", "mod_010_f05"));
  snprintf(bp[1], sizeof bp[1], "mod_300.c:%d", line_of("mod_300.c", "mod_300_f05"));
  char tmpl[] = "/tmp/sse-bench-index.XXXXXX";
  char *top = mkdtemp(tmpl);
  char cold[PATH_MAX], warm[PATH_MAX], gdbc[PATH_MAX];
  snprintf(cold, sizeof cold, "%s/cold", top);
  snprintf(warm, sizeof warm, "%s/warm", top);
  snprintf(gdbc, sizeof gdbc, "%s/gdb", top);
  mkdir(gdbc, 0700);
  make_argvs(gdbc);
  struct stat sb;
  stat(prog, &sb);
  printf("program: %s, %.1f MB, %.1f MB of DWARF; breaks %s, %s; best of %d\n", prog, sb.st_size / 1e6,
         dwarf_bytes(prog) / 1e6, bp[0], bp[1], reps);

  run_res plain = run(plain_argv, "off", false), gplain = run(gdb_plain, NULL, false);
  run_res off = run(session_argv, "off", true), c = {0}, w = {0}, g = run(gdb_argv, NULL, true), gi;
  run(gdbix_argv, NULL, true); /* fills gdb's index cache */
  gi = run(gdbix_argv, NULL, true);
  for (int i = 0; i < reps; i++) {
    plain = best(plain, run(plain_argv, "off", false));
    gplain = best(gplain, run(gdb_plain, NULL, false));
    off = best(off, run(session_argv, "off", true));
    rm_rf(cold);
    run_res rc = run(session_argv, cold, true);
    c = i ? best(c, rc) : rc;
    if (i == 0) {
      rm_rf(warm);
      run(session_argv, warm, true); /* the first process */
    }
    run_res rw = run(session_argv, warm, true);
    w = i ? best(w, rw) : rw;
    g = best(g, run(gdb_argv, NULL, true));
    gi = best(gi, run(gdbix_argv, NULL, true));
  }
  printf("ssedemo (plain run: %.3f s, RSS %.1f MB)\n", plain.secs, plain.rss_kb / 1024.0);
  print("index off (decoding, as before)", off, plain.secs);
  print("cold index (first process)", c, plain.secs);
  print("warm index (second process)", w, plain.secs);
  printf("gdb (plain run: %.3f s, RSS %.1f MB)\n", gplain.secs, gplain.rss_kb / 1024.0);
  print("gdb", g, gplain.secs);
  print("gdb, index-cache enabled, warm", gi, gplain.secs);
  double ratio = (w.secs - plain.secs) / (c.secs - plain.secs);
  printf("second process's symbol work / first's: %.0f%% (goal <= 10%%)\n", 100 * ratio);
  printf("warm ssedemo RSS / gdb RSS: %.0f%% (goal <= 50%%); / gdb with index cache: %.0f%%\n",
         100.0 * w.rss_kb / g.rss_kb, 100.0 * w.rss_kb / gi.rss_kb);
  char cmd[PATH_MAX + 128];
  snprintf(cmd, sizeof cmd, "du -sb '%s' | cut -f1", warm);
  FILE *f = popen(cmd, "r");
  long long ixbytes = 0;
  if (f && fscanf(f, "%lld", &ixbytes) != 1)
    ixbytes = 0;
  if (f)
    pclose(f);
  snprintf(cmd, sizeof cmd, "readelf -n '%s' | awk '/Build ID/{print $3}'", prog);
  f = popen(cmd, "r");
  char id[64] = "";
  if (f && fgets(id, sizeof id, f))
    id[strcspn(id, "\n")] = '\0';
  if (f)
    pclose(f);
  char ixf[PATH_MAX + 80];
  snprintf(ixf, sizeof ixf, "%s/%s.sseidx", warm, id);
  struct stat is;
  if (stat(ixf, &is) == 0)
    printf("index of the program: %.2f MB = %.1f%% of its DWARF (whole cache dir: %.1f MB, with libc and ld.so)\n",
           is.st_size / 1e6, 100.0 * is.st_size / dwarf_bytes(prog), ixbytes / 1e6);
  concurrent(warm);
  rm_rf(top);
  return c.ok && w.ok && off.ok ? 0 : 1;
}
