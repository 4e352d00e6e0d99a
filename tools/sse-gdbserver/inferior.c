/* inferior.c — the program's life: spawned (the command line, vRun) or
 * attached (--attach, vAttach), each under an engine of its own, and
 * ended as gdbserver ends it when its client leaves: a spawned program is
 * killed, an attached one detached with every breakpoint out (both are
 * what sse_engine_free does). With --multi the server then waits for the
 * next client, and vRun/vAttach start the next program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"

bool gs_inferior_live(const gs_session *s) {
  return s->proc && !sse_process_exited(s->proc);
}

void gs_inferior_end(gs_session *s) {
  if (!s->eng) return;
  bool live = gs_inferior_live(s);
  sse_engine_free(s->eng);
  gs_waiter_free(s->waiter);
  s->waiter = NULL;
  if (live)
    fprintf(stderr, s->attached ? "Detached from process %d\n" : "Killed process %d\n",
            (int)s->pid);
  s->eng = NULL;
  s->proc = NULL;
  s->pid = 0;
  s->last_valid = false;
  s->regs_tid = 0;
  s->signal_tid = s->g_tid = s->c_tid = 0;
  memset(s->bps, 0, sizeof s->bps);
}

/* The new program's first stop is the last stop; gdb's signal policy (its
 * last QPassSignals) applies to it. */
static void inferior_started(gs_session *s) {
  s->pid = sse_process_pid(s->proc);
  s->regs_tid = 0;
  bool pass[65];
  memcpy(pass, s->pass, sizeof pass);
  s->policy_set = false;
  gs_set_signal_policy(s, pass);
  sse_wait(s->proc, &s->last); /* the SPAWNED stop: what '?' reports */
  s->last_valid = true;
  s->waiter = gs_waiter_new(s->eng, s->proc); /* NULL: resumes get E16 */
  /* the description gdb reads has the AVX (AVX-512) registers if the
   * threads do */
  sse_fpregs fp;
  sse_thread *t = gs_thread(s, 0);
  bool ok = t && sse_get_fpregs(t, &fp) == SSE_OK;
  s->vec = !ok || !fp.has_avx ? TDESC_SSE : fp.has_avx512 ? TDESC_AVX512 : TDESC_AVX;
}

static bool new_engine(gs_session *s) {
  gs_inferior_end(s);
  sse_err e = sse_engine_new(NULL, &s->eng);
  if (e != SSE_OK) {
    fprintf(stderr, "sse-gdbserver: %s\n", sse_strerror(e));
    s->eng = NULL;
    return false;
  }
  return true;
}

static void start_failed(gs_session *s, const char *what, sse_err e, int eno) {
  fprintf(stderr, "sse-gdbserver: %s: %s%s%s\n", what, sse_strerror(e), eno ? ": " : "",
          eno ? strerror(eno) : "");
  sse_engine_free(s->eng);
  s->eng = NULL;
  s->proc = NULL;
}

bool gs_inferior_spawn(gs_session *s, char *const *argv) {
  if (!new_engine(s)) return false;
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  if (s->cfg.aslr) o.flags |= SSE_SPAWN_ASLR;
  if (!s->cfg.no_shell) o.flags |= SSE_SPAWN_SHELL; /* gdbserver's default */
  o.cwd = s->cfg.cwd;
  o.envp = (const char *const *)s->cfg.env;
  int devnull = -1, eno = 0;
  if (s->stdio) { /* stdout is the protocol's: the program writes to stderr */
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    o.stdin_fd = devnull;
    o.stdout_fd = 2;
  }
  sse_err e = sse_spawn(s->eng, (const char *const *)argv, &o, &s->proc, &eno);
  if (devnull >= 0) close(devnull);
  if (e != SSE_OK) {
    start_failed(s, argv[0], e, eno);
    return false;
  }
  s->attached = false;
  inferior_started(s);
  fprintf(stderr, "Process %s created; pid = %d\n", argv[0], (int)s->pid);
  return true;
}

bool gs_inferior_attach(gs_session *s, pid_t pid) {
  if (!new_engine(s)) return false;
  int eno = 0;
  sse_err e = sse_attach(s->eng, pid, &s->proc, &eno);
  if (e != SSE_OK) {
    char what[32];
    snprintf(what, sizeof what, "attach %d", (int)pid);
    start_failed(s, what, e, eno);
    return false;
  }
  s->attached = true;
  inferior_started(s);
  fprintf(stderr, "Attached; pid = %d\n", (int)pid);
  return true;
}

static void free_argv(char **argv) {
  for (size_t i = 0; argv && argv[i]; i++) free(argv[i]);
  free(argv);
}

/* vRun;PROG;ARG...: each hex-encoded; an empty PROG runs the last one. */
static char **parse_vrun(const gs_session *s, const char *a) {
  size_t n = 1;
  for (const char *p = a; *p; p++) n += *p == ';';
  char **argv = calloc(n + 1, sizeof *argv);
  if (!argv) return NULL;
  for (size_t i = 0; i < n; i++) {
    argv[i] = gs_hex_string(a, ';', &a);
    if (!argv[i]) {
      free_argv(argv);
      return NULL;
    }
    a += *a == ';';
  }
  if (!argv[0][0]) { /* the program run last */
    if (!s->cfg.argv || !s->cfg.argv[0]) {
      free_argv(argv);
      return NULL;
    }
    free(argv[0]);
    argv[0] = strdup(s->cfg.argv[0]);
  }
  return argv;
}

void gs_vrun(gs_session *s, char *a) {
  rsp_flush_ack(&s->conn); /* starting a program can take a while */
  char **argv = parse_vrun(s, a);
  if (!argv || !argv[0]) {
    free_argv(argv);
    gs_reply_error(s, 0x16);
    return;
  }
  free_argv(s->cfg.argv);
  s->cfg.argv = argv;
  if (!gs_inferior_spawn(s, argv)) {
    gs_reply_error(s, 0x01);
    return;
  }
  gs_stop_reply(s, &s->last);
}

/* vAttach;PID (hex) */
void gs_vattach(gs_session *s, char *a) {
  uint64_t pid;
  const char *e;
  if (!gs_parse_hex(a, &pid, &e) || *e || pid == 0 || pid > 0x7fffffff) {
    gs_reply_error(s, 0x16);
    return;
  }
  rsp_flush_ack(&s->conn);
  if (!gs_inferior_attach(s, (pid_t)pid)) {
    gs_reply_error(s, 0x01);
    return;
  }
  gs_stop_reply(s, &s->last);
}
