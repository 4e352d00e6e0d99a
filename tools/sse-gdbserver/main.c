/* main.c — sse-gdbserver: gdb's remote serial protocol served by sse.
 *
 *   sse-gdbserver [--once] HOST:PORT PROG [ARGS...]
 *   sse-gdbserver [--once] --attach HOST:PORT PID
 *   sse-gdbserver [--once] - PROG [ARGS...]      (the protocol on stdio)
 *
 * gdbserver's command line. HOST may be empty (":1234"): 127.0.0.1, since
 * the protocol has no authentication; PORT 0 takes a free port. It prints
 * "Listening on port N" on stderr, as gdbserver does, and serves one
 * client (all-stop). When the client goes away, a program it spawned is
 * killed and one it attached to is detached (sse_engine_free does both). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"

static void usage(void) {
  fprintf(stderr,
          "Usage:\tsse-gdbserver [--once] HOST:PORT PROG [ARGS...]\n"
          "\tsse-gdbserver [--once] --attach HOST:PORT PID\n"
          "HOST:PORT: where to listen (HOST empty: 127.0.0.1; PORT 0: any free\n"
          "port); \"-\" speaks the protocol on stdin/stdout.\n");
}

/* Serve packets until the client leaves or ends the session. */
static void serve(gs_session *s) {
  char *pkt = malloc(RSP_PACKET_SIZE + 1);
  s->reply = malloc(RSP_PACKET_SIZE + 1);
  if (!pkt || !s->reply) {
    free(pkt);
    return;
  }
  for (;;) {
    size_t len = 0;
    rsp_kind k = rsp_recv(&s->conn, pkt, &len);
    if (k == RSP_EOF) break;
    if (k == RSP_INTERRUPT) continue; /* stopped already: nothing to do */
    if (k == RSP_TOO_LONG) {
      rsp_send_str(&s->conn, "E01");
      continue;
    }
    if (!gs_dispatch(s, pkt, len)) break;
  }
  free(pkt);
}

int main(int argc, char **argv) {
  bool attach = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if (!strcmp(argv[i], "--once"))
      ; /* one client is all we serve anyway */
    else if (!strcmp(argv[i], "--attach"))
      attach = true;
    else if (!strcmp(argv[i], "--help")) {
      usage();
      return 0;
    } else {
      fprintf(stderr, "sse-gdbserver: unknown option %s\n", argv[i]);
      usage();
      return 2;
    }
  }
  if (argc - i < 2) {
    usage();
    return 2;
  }
  const char *where = argv[i++];
  bool stdio = !strcmp(where, "-");
  signal(SIGPIPE, SIG_IGN);
  /* The engine's tracer thread takes SIGCHLD; our threads, parked in
   * poll() and read(), need not see it. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, NULL);

  gs_session s;
  memset(&s, 0, sizeof s);
  sse_err e = sse_engine_new(NULL, &s.eng);
  if (e != SSE_OK) {
    fprintf(stderr, "sse-gdbserver: %s\n", sse_strerror(e));
    return 1;
  }
  int eno = 0;
  if (attach) {
    char *end;
    long pid = strtol(argv[i], &end, 10);
    if (*end || pid <= 0) {
      fprintf(stderr, "sse-gdbserver: bad pid %s\n", argv[i]);
      sse_engine_free(s.eng);
      return 2;
    }
    e = sse_attach(s.eng, (pid_t)pid, &s.proc, &eno);
    if (e == SSE_OK) fprintf(stderr, "Attached; pid = %ld\n", pid);
    s.attached = true;
  } else {
    sse_spawn_options o;
    sse_spawn_options_init(&o);
    int devnull = -1;
    if (stdio) { /* stdout is the protocol's: the program writes to stderr */
      devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
      o.stdin_fd = devnull;
      o.stdout_fd = 2;
    }
    e = sse_spawn(s.eng, (const char *const *)(argv + i), &o, &s.proc, &eno);
    if (devnull >= 0) close(devnull);
    if (e == SSE_OK)
      fprintf(stderr, "Process %s created; pid = %d\n", argv[i], sse_process_pid(s.proc));
  }
  if (e != SSE_OK) {
    fprintf(stderr, "sse-gdbserver: %s: %s%s%s\n", argv[i], sse_strerror(e),
            eno ? ": " : "", eno ? strerror(eno) : "");
    sse_engine_free(s.eng);
    return 1;
  }
  s.pid = sse_process_pid(s.proc);
  /* As gdbserver: every signal is reported until the client's
   * QPassSignals names those it lets through. */
  bool none[65] = {false};
  gs_set_signal_policy(&s, none);
  sse_wait(s.proc, &s.last); /* the SPAWNED stop: what '?' reports first */
  s.last_valid = true;

  int in_fd = 0, out_fd = 1;
  if (!stdio) {
    int port;
    int lfd = transport_listen(where, &port);
    if (lfd < 0) {
      sse_engine_free(s.eng);
      return 1;
    }
    fprintf(stderr, "Listening on port %d\n", port);
    fflush(stderr);
    in_fd = out_fd = transport_accept(lfd);
    if (in_fd < 0) {
      sse_engine_free(s.eng);
      return 1;
    }
    fprintf(stderr, "Remote debugging from host 127.0.0.1\n");
  }
  rsp_init(&s.conn, in_fd, out_fd);
  serve(&s);
  gs_vfile_close_all();
  bool gone = sse_process_exited(s.proc);
  if (stdio) /* leave stdio to the process */
    s.conn.in_fd = s.conn.out_fd = -1;
  rsp_close(&s.conn);
  /* Spawned: killed; attached: detached, breakpoints out. */
  sse_engine_free(s.eng);
  if (!gone) fprintf(stderr, attach ? "Detached from process %d\n" : "Killed process %d\n", s.pid);
  free(s.reply);
  return 0;
}
