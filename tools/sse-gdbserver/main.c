/* main.c — sse-gdbserver: gdb's remote serial protocol served by sse.
 *
 *   sse-gdbserver [--once] HOST:PORT PROG [ARGS...]
 *   sse-gdbserver [--once] --attach HOST:PORT PID
 *   sse-gdbserver [--once] --multi HOST:PORT [PROG [ARGS...]]
 *   sse-gdbserver [--once] - PROG [ARGS...]      (the protocol on stdio)
 *   --no-startup-with-shell: exec PROG itself (default, as gdbserver's:
 *   through $SHELL -c "exec PROG ARGS...", the arguments quoted)
 *
 * gdbserver's command line. HOST may be empty (":1234"): 127.0.0.1, since
 * the protocol has no authentication; PORT 0 takes a free port. It prints
 * "Listening on port N" on stderr, as gdbserver does (all-stop). When the
 * client goes away, a program it spawned is killed and one it attached to
 * is detached (inferior.c). Without --multi that ends the server; with it
 * the server waits for the next client (--once: it ends too), which starts
 * programs with vRun or vAttach (gdb's `target extended-remote`). */
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
          "Usage:\tsse-gdbserver [OPTIONS] HOST:PORT PROG [ARGS...]\n"
          "\tsse-gdbserver [OPTIONS] --attach HOST:PORT PID\n"
          "\tsse-gdbserver [OPTIONS] --multi HOST:PORT [PROG [ARGS...]]\n"
          "HOST:PORT: where to listen (HOST empty: 127.0.0.1; PORT 0: any free\n"
          "port); \"-\" speaks the protocol on stdin/stdout.\n"
          "OPTIONS: --once (one client, then exit), --no-startup-with-shell (exec\n"
          "PROG itself; default: through $SHELL -c \"exec PROG ARGS...\").\n");
}

/* The packet loop: on the tracer thread (inside sse_call) or on the main
 * thread. */
typedef struct serve_ctx {
  gs_session *s;
  char *pkt;
  size_t len;
  bool pending; /* pkt is for the main thread (it replaces the engine) */
  bool end;     /* the client left or ended the session */
} serve_ctx;

/* vRun and vAttach free the engine (sse_engine_free), which the tracer
 * thread may not do. */
static bool replaces_engine(const char *pkt) {
  return !strncmp(pkt, "vRun;", 5) || !strncmp(pkt, "vAttach;", 8);
}

/* Serve packets until the session ends, or (on the tracer thread) a packet
 * is for the main thread. */
static void serve_loop(serve_ctx *c) {
  gs_session *s = c->s;
  bool here = s->eng && sse_on_tracer_thread(s->eng);
  while (!c->end && !c->pending) {
    rsp_kind k = rsp_recv(&s->conn, c->pkt, &c->len);
    if (k == RSP_EOF) {
      c->end = true;
    } else if (k == RSP_TOO_LONG) {
      rsp_send_str(&s->conn, "E01");
    } else if (k == RSP_PACKET) {
      if (here && replaces_engine(c->pkt))
        c->pending = true;
      else if (!gs_dispatch(s, c->pkt, c->len))
        c->end = true;
      if (!here && !c->end && s->watch && gs_inferior_live(s)) return; /* to the tracer */
    } /* RSP_INTERRUPT: stopped already, nothing to do */
  }
}

static void serve_on_tracer(void *arg) { serve_loop(arg); }

/* Serve packets until the client leaves or ends the session. On a socket
 * the packets of a live program are served on its tracer thread. */
static void serve(gs_session *s) {
  serve_ctx c = {.s = s, .pkt = malloc(RSP_PACKET_SIZE + 1)};
  if (!c.pkt) return;
  s->done = false;
  s->watch = s->stdio ? NULL : gs_watch_new(s->conn.in_fd);
  while (!c.end) {
    if (c.pending) {
      c.pending = false;
      c.end = !gs_dispatch(s, c.pkt, c.len);
    } else if (s->watch && gs_inferior_live(s)) {
      if (sse_call(s->eng, serve_on_tracer, &c) != SSE_OK) { /* the engine stopped */
        gs_watch_free(s->watch);
        s->watch = NULL;
      }
    } else {
      serve_loop(&c);
    }
  }
  gs_watch_free(s->watch);
  s->watch = NULL;
  free(c.pkt);
}

typedef struct options {
  bool attach, multi, once, no_shell;
  const char *where;
  char **prog; /* NULL-terminated; NULL: none (--multi) */
  pid_t pid;   /* --attach */
} options;

/* 0: parsed; else the exit status. */
static int parse_options(int argc, char **argv, options *o) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if (!strcmp(argv[i], "--once"))
      o->once = true;
    else if (!strcmp(argv[i], "--attach"))
      o->attach = true;
    else if (!strcmp(argv[i], "--multi"))
      o->multi = true;
    else if (!strcmp(argv[i], "--no-startup-with-shell"))
      o->no_shell = true;
    else if (!strcmp(argv[i], "--startup-with-shell"))
      o->no_shell = false;
    else if (!strcmp(argv[i], "--help")) {
      usage();
      return -1;
    } else {
      fprintf(stderr, "sse-gdbserver: unknown option %s\n", argv[i]);
      usage();
      return 2;
    }
  }
  if (argc - i < (o->multi ? 1 : 2) || (o->multi && o->attach)) {
    usage();
    return 2;
  }
  o->where = argv[i++];
  o->prog = i < argc ? argv + i : NULL;
  if (o->attach) {
    char *end;
    long pid = strtol(argv[i], &end, 10);
    if (*end || pid <= 0 || pid > 0x7fffffff) {
      fprintf(stderr, "sse-gdbserver: bad pid %s\n", argv[i]);
      return 2;
    }
    o->pid = (pid_t)pid;
  }
  return 0;
}

/* Clients one after the other on the listener (one without --multi). */
static int serve_tcp(gs_session *s, const options *o) {
  int port;
  int lfd = transport_listen(o->where, &port);
  if (lfd < 0) return 1;
  fprintf(stderr, "Listening on port %d\n", port);
  fflush(stderr);
  bool again = s->multi && !o->once;
  do {
    int fd = transport_accept(lfd, again);
    if (fd < 0) return 1;
    fprintf(stderr, "Remote debugging from host 127.0.0.1\n");
    rsp_init(&s->conn, fd, fd);
    s->extended = false;
    serve(s);
    gs_vfile_close_all();
    rsp_close(&s->conn);
    gs_inferior_end(s); /* spawned: killed; attached: detached */
    if (again) fprintf(stderr, "Remote side has terminated connection.  "
                               "sse-gdbserver will reopen the connection.\n");
  } while (again);
  return 0;
}

int main(int argc, char **argv) {
  options o = {0};
  int rc = parse_options(argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  signal(SIGPIPE, SIG_IGN);
  /* The engine's tracer thread takes SIGCHLD; our threads, parked in
   * poll() and read(), need not see it. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, NULL);

  gs_session s;
  memset(&s, 0, sizeof s);
  s.multi = o.multi;
  s.cfg.no_shell = o.no_shell;
  s.stdio = !strcmp(o.where, "-");
  s.reply = malloc(RSP_PACKET_SIZE + 1);
  if (!s.reply) return 1;
  if (o.prog && !o.attach) { /* what an empty vRun runs */
    size_t n = 0;
    while (o.prog[n]) n++;
    s.cfg.argv = calloc(n + 1, sizeof *s.cfg.argv);
    for (size_t i = 0; s.cfg.argv && i < n; i++) s.cfg.argv[i] = strdup(o.prog[i]);
  }
  /* As gdbserver: every signal is reported until the client's
   * QPassSignals names those it lets through. */
  bool started = o.attach ? gs_inferior_attach(&s, o.pid)
                 : o.prog ? gs_inferior_spawn(&s, o.prog)
                          : true;
  if (!started && !o.multi) {
    free(s.reply);
    return 1;
  }
  if (s.stdio) {
    rsp_init(&s.conn, 0, 1);
    serve(&s);
    gs_vfile_close_all();
    s.conn.in_fd = s.conn.out_fd = -1; /* leave stdio to the process */
    rsp_close(&s.conn);
    gs_inferior_end(&s);
  } else {
    rc = serve_tcp(&s, &o);
  }
  gs_spawn_cfg_free(&s.cfg);
  free(s.reply);
  return rc;
}
