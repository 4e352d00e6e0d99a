/* Helpers shared by the Criterion suites. */
#ifndef SSE_TESTUTIL_H
#define SSE_TESTUTIL_H

#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

#ifndef TARGETS_DIR
#define TARGETS_DIR "build/targets"
#endif

/* Absolute path of a test program (tests/targets/NAME.c). */
static inline const char *tpath(const char *name) {
  static __thread char buf[8][1024];
  static __thread int k;
  char *b = buf[k++ & 7];
  const char *d = getenv("SSE_TARGETS_DIR");
  snprintf(b, 1024, "%s/%s", d && *d ? d : TARGETS_DIR, name);
  return b;
}

#define SSE_OKAY(expr)                                                   \
  do {                                                                   \
    sse_err e_ = (expr);                                                 \
    cr_assert_eq(e_, SSE_OK, "%s: %s (%s)", #expr, sse_err_name(e_),     \
                 sse_strerror(e_));                                      \
  } while (0)

/* Spawn NAME with args (NULL-terminated), its stdin and stdout from in_fd
 * and out_fd (-1: /dev/null). */
static inline sse_process *spawn_target_io(sse_engine *e, const char *name,
                                           const char *a1, const char *a2,
                                           int in_fd, int out_fd) {
  const char *argv[] = {tpath(name), a1, a2, NULL};
  if (!a1) argv[1] = NULL;
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  o.stdin_fd = in_fd >= 0 ? in_fd : devnull;
  o.stdout_fd = out_fd >= 0 ? out_fd : devnull;
  o.stderr_fd = devnull;
  sse_process *p = NULL;
  int err_no = 0;
  sse_err err = sse_spawn(e, argv, &o, &p, &err_no);
  close(devnull);
  cr_assert_eq(err, SSE_OK, "spawn %s: %s errno %d", argv[0],
               sse_err_name(err), err_no);
  return p;
}

/* Spawn NAME with args (NULL-terminated), its output to /dev/null unless
 * out_fd >= 0. */
static inline sse_process *spawn_target(sse_engine *e, const char *name,
                                        const char *a1, const char *a2,
                                        int out_fd) {
  return spawn_target_io(e, name, a1, a2, -1, out_fd);
}

/* Seconds on the monotonic clock. */
static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The line of tests/targets/NAME.c that holds `marker`. */
static inline int line_of(const char *name, const char *marker) {
  char path[1024], buf[512];
  snprintf(path, sizeof path, "%s/tests/targets/%s", SSE_SRCDIR, name);
  FILE *f = fopen(path, "r");
  cr_assert(f, "%s", path);
  int n = 0, found = 0;
  while (fgets(buf, sizeof buf, f)) {
    n++;
    if (strstr(buf, marker)) {
      found = n;
      break;
    }
  }
  fclose(f);
  cr_assert(found, "%s not in %s", marker, name);
  return found;
}

/* An event callback that counts its calls in *(int *)user. */
static inline void count_event(const sse_event *ev, void *user) {
  (void)ev;
  __atomic_add_fetch((int *)user, 1, __ATOMIC_SEQ_CST);
}

static inline sse_thread *main_thread(sse_process *p) {
  sse_thread *t = NULL;
  size_t n = 0;
  sse_process_threads(p, &t, 1, &n);
  cr_assert(n >= 1 && t);
  return t;
}

/* Start a helper thread of the test with SIGCHLD blocked, as an embedding
 * program may choose (the tracer still gets every event). Reader threads
 * use it: under gcc 12's TSan, a SIGCHLD landing on a thread in its very
 * first instructions crashes the sanitizer's runtime (seen as a SEGV in
 * __tsan::MemoryAccess at the thread's first access). */
static inline int start_thread_nochld(pthread_t *th, void *(*fn)(void *),
                                      void *arg) {
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, &old);
  int rc = pthread_create(th, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

/* `break FN` before anything defines it: refused without pending, kept
 * pending with it; then continue to the hit. Returns the stop. */
static inline sse_stop break_pending_and_hit(sse_process *p, const char *fn,
                                             int *id) {
  cr_assert_eq(sse_break_function(p, fn, false, id), SSE_E_NOSYM);
  SSE_OKAY(sse_break_function(p, fn, true, id));
  sse_breakpoint_info bi;
  size_t nb;
  SSE_OKAY(sse_break_list(p, &bi, 1, &nb));
  cr_assert(bi.pending);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, *id);
  cr_assert_str_eq(s.loc.function, fn);
  return s;
}

/* debugger (a command with its batch options: "gdb -batch -nx",
 * "ssedemo --batch") running script, written to a temporary command file
 * (its name in cmdf), on target prog: its output with stderr. Closed by
 * script_close. */
static inline FILE *script_open(const char *debugger, const char *script, const char *prog,
                                char cmdf[64]) {
  snprintf(cmdf, 64, "/tmp/sse_scriptXXXXXX");
  int fd = mkstemp(cmdf);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(script, f);
  fclose(f);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s -x %s %s </dev/null 2>&1", debugger, cmdf, tpath(prog));
  FILE *p = popen(cmd, "r");
  cr_assert(p);
  return p;
}

static inline void script_close(FILE *p, const char *cmdf) {
  pclose(p);
  unlink(cmdf);
}

/* The output of shell command sh (stderr too if it says 2>&1), the lines
 * keep(line) returns true for (it may edit the line in place), in one
 * malloc'd text. */
static inline char *command_lines(const char *sh, bool (*keep)(char *line)) {
  FILE *p = popen(sh, "r");
  cr_assert(p, "%s", sh);
  char *out = NULL, line[4096];
  size_t len = 0;
  FILE *o = open_memstream(&out, &len);
  while (fgets(line, sizeof line, p))
    if (keep(line)) fputs(line, o);
  pclose(p);
  fclose(o);
  return out;
}

/* gdb names a target's source as compiled ("tests/targets/x.c"): that
 * prefix, with whatever directories precede it, out of line. */
static inline void strip_targets_dir(char *line) {
  char *t;
  while ((t = strstr(line, "tests/targets/"))) {
    char *s = t;
    while (s > line && s[-1] != ' ') s--;
    memmove(s, t + 14, strlen(t + 14) + 1);
  }
}

#endif
