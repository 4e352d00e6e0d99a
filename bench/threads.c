/* bench/threads: one all-stop cycle (a breakpoint hit and the continue
 * after it) of a process with N idle threads, N = 1, 100, 1000, by sse
 * and by gdb on the same program in the same run (best of 3 runs of 30
 * cycles each). The program is tests/targets/idle_threads.
 *
 * Beside them, the kernel's floor for the same cycle: a bare ptrace loop
 * with nothing of a debugger around it (int3 at tick's entry; at the hit,
 * PTRACE_INTERRUPT every other thread and wait for each by tid; put the
 * byte back, single-step, int3 in again, PTRACE_CONT every thread).
 * sse leaves the idle threads asleep ("parked", src/engine/park.c), below
 * that floor; SSE_PARK_THREADS=0 in the environment measures it without.
 *
 * usage: threads TARGETS_DIR */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
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

/* ------------------------------------------------------------ bare ptrace */

/* The run-time address of `name` in the executable of pid (0: not found). */
static unsigned long sym_addr(const char *path, pid_t pid, const char *name) {
  elf_version(EV_CURRENT);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  Elf *e = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
  unsigned long v = 0;
  GElf_Ehdr eh;
  for (Elf_Scn *s = NULL; e && !v && (s = elf_nextscn(e, s));) {
    GElf_Shdr sh;
    if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize) continue;
    Elf_Data *d = elf_getdata(s, NULL);
    for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
      GElf_Sym y;
      const char *nm = gelf_getsym(d, (int)i, &y) ? elf_strptr(e, sh.sh_link, y.st_name) : NULL;
      if (nm && strcmp(nm, name) == 0) v = y.st_value;
    }
  }
  bool pie = e && gelf_getehdr(e, &eh) && eh.e_type == ET_DYN;
  if (e) elf_end(e);
  if (fd >= 0) close(fd);
  if (!v || !pie) return v;
  char maps[64];
  snprintf(maps, sizeof maps, "/proc/%d/maps", (int)pid);
  FILE *f = fopen(maps, "r");
  unsigned long base = 0;
  if (!f || fscanf(f, "%lx", &base) != 1) base = 0;
  if (f) fclose(f);
  return base ? base + v : 0;
}

/* The program seized before its exec (clones followed), stopped at the
 * exec event. Returns its pid, or -1. */
static pid_t bare_spawn(const char *prog, int n) {
  char ns[16], ks[16];
  snprintf(ns, sizeof ns, "%d", n);
  snprintf(ks, sizeof ks, "%d", CYCLES + 2);
  int go[2];
  if (pipe(go) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(126);
    int dn = open("/dev/null", O_RDWR);
    dup2(dn, 1);
    execl(prog, prog, ns, ks, (char *)NULL);
    _exit(127);
  }
  close(go[0]);
  long o = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  int st = 0;
  bool ok = pid > 0 && ptrace(PTRACE_SEIZE, pid, 0, (void *)o) == 0 &&
            write(go[1], "g", 1) == 1 && waitpid(pid, &st, __WALL) == pid &&
            WIFSTOPPED(st);
  close(go[1]);
  if (!ok && pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, __WALL);
  }
  return ok ? pid : -1;
}

typedef struct bare {
  pid_t pid, tids[8192];
  int nt;
  unsigned long at;
  long word, trap; /* the text word at `at` without and with the int3 */
} bare;

/* All-stop at the hit of thread t, then step t off and resume all. */
static void bare_all_stop(bare *b, pid_t t) {
  for (int i = 0; i < b->nt; i++)
    if (b->tids[i] != t) ptrace(PTRACE_INTERRUPT, b->tids[i], 0, 0);
  for (int i = 0; i < b->nt; i++) {
    int st;
    if (b->tids[i] != t) waitpid(b->tids[i], &st, __WALL);
  }
}

static void bare_resume(bare *b, pid_t t) {
  struct user_regs_struct r;
  int st;
  ptrace(PTRACE_GETREGS, t, 0, &r);
  r.rip--;
  ptrace(PTRACE_SETREGS, t, 0, &r);
  ptrace(PTRACE_POKEDATA, b->pid, (void *)b->at, (void *)b->word);
  ptrace(PTRACE_SINGLESTEP, t, 0, 0);
  waitpid(t, &st, __WALL);
  ptrace(PTRACE_POKEDATA, b->pid, (void *)b->at, (void *)b->trap);
  for (int i = 0; i < b->nt; i++) ptrace(PTRACE_CONT, b->tids[i], 0, 0);
}

/* Seconds per cycle, or -1. */
static double bare_cycle(const char *prog, int n) {
  static bare b;
  memset(&b, 0, sizeof b);
  if (n + 1 > (int)(sizeof b.tids / sizeof b.tids[0])) return -1;
  b.pid = bare_spawn(prog, n);
  if (b.pid < 0) return -1;
  b.tids[b.nt++] = b.pid;
  b.at = sym_addr(prog, b.pid, "tick");
  errno = 0;
  b.word = b.at ? ptrace(PTRACE_PEEKDATA, b.pid, (void *)b.at, 0) : 0;
  b.trap = (b.word & ~0xffL) | 0xcc;
  double t0 = 0, dt = -1;
  if (b.at && !errno && ptrace(PTRACE_POKEDATA, b.pid, (void *)b.at, (void *)b.trap) == 0)
    ptrace(PTRACE_CONT, b.pid, 0, 0);
  for (int k = -1; b.at && dt < 0;) {
    int st;
    pid_t t = waitpid(-1, &st, __WALL);
    if (t < 0 || ((WIFEXITED(st) || WIFSIGNALED(st)) && t == b.pid)) break;
    if (!WIFSTOPPED(st)) continue;
    unsigned long msg = 0;
    if ((st >> 16) == PTRACE_EVENT_CLONE && ptrace(PTRACE_GETEVENTMSG, t, 0, &msg) == 0 &&
        b.nt < (int)(sizeof b.tids / sizeof b.tids[0]))
      b.tids[b.nt++] = (pid_t)msg;
    if ((st >> 16) != 0 || WSTOPSIG(st) != SIGTRAP) {
      ptrace(PTRACE_CONT, t, 0, (st >> 16) || WSTOPSIG(st) == SIGTRAP ? 0 : (void *)(long)WSTOPSIG(st));
      continue;
    }
    bare_all_stop(&b, t);
    if (++k == 0) t0 = now();
    if (k == CYCLES) dt = (now() - t0) / CYCLES;
    if (dt < 0) bare_resume(&b, t);
  }
  kill(b.pid, SIGKILL);
  while (waitpid(-1, NULL, __WALL) > 0) {
  }
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
    double k = best(bare_cycle, prog, ns[i]);
    printf("  %5d threads  sse %9.3f ms  gdb %9.3f ms  sse faster by %6.1fx"
           "  (goal >= 10x)  bare ptrace %9.3f ms\n",
           ns[i] + 1, s * 1e3, g * 1e3, s > 0 && g > 0 ? g / s : 0.0, k * 1e3);
  }
  return 0;
}
