/* main.c — ssedap: the Debug Adapter Protocol served by sse.
 *
 *   ssedap [--stdio]          the protocol on stdin/stdout
 *   ssedap --port N           on 127.0.0.1:N (0: any free port, printed as
 *                             "Listening on port N" on stderr), one client
 *
 * The main thread reads the client's requests and the engine's queued
 * stops, and serves them one at a time. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dap.h"

dap_session S;

static void usage(FILE *f) {
  fprintf(f, "Usage: ssedap [--stdio | --port N]\n"
             "Serves the Debug Adapter Protocol on stdin/stdout or on one TCP\n"
             "connection to 127.0.0.1:N (N 0: any free port).\n");
}

/* One framed message: a request, or an error response for bad input.
 * Returns false when the session ends. */
static bool serve_frame(const char *body, size_t n) {
  json_error_t je;
  json_t *msg = json_loadb(body, n, 0, &je);
  if (!json_is_object(msg)) {
    char m[300];
    snprintf(m, sizeof m, "malformed message: %s", msg ? "not a JSON object" : je.text);
    json_decref(msg);
    dap_reply_error(0, "", m);
    return true;
  }
  bool go = dap_dispatch(msg);
  json_decref(msg);
  return go;
}

/* Stops and module changes the engine queued. */
static void serve_queue(void) {
  dap_item *it;
  while ((it = dap_queue_pop())) {
    if (it->kind == Q_STOP) {
      dap_on_stop(it);
    } else if (it->kind == Q_MODULES) {
      dap_modules_refresh();
      dap_bp_refresh();
    }
    dap_item_free(it);
  }
}

/* The main loop: the client's input and the engine's queue, polled
 * together, served one at a time in the order they came. */
static void serve(dap_conn *c) {
  for (;;) {
    serve_queue();
    char *body = NULL, err[256];
    size_t n = 0;
    int r = dap_take_frame(c, &body, &n, err, sizeof err);
    if (r < 0) {
      dap_reply_error(0, "", err);
      continue;
    }
    if (r > 0) {
      bool go = serve_frame(body, n);
      free(body);
      if (!go) return;
      continue;
    }
    struct pollfd p[2] = {{c->in_fd, POLLIN, 0}, {dap_queue_fd(), POLLIN, 0}};
    if (poll(p, 2, -1) < 0 && errno != EINTR) return;
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !dap_conn_fill(c)) return;
  }
}

int main(int argc, char **argv) {
  int port = -1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--port") && i + 1 < argc) {
      port = atoi(argv[++i]);
    } else if (!strcmp(argv[i], "--stdio")) {
      port = -1;
    } else if (!strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "ssedap: unknown argument %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  /* The tracer thread takes SIGCHLD; ours, parked in read(), need not. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, NULL);
  int in_fd = 0, out_fd;
  if (port >= 0) {
    in_fd = dap_listen_accept(port);
    if (in_fd < 0) return 1;
    out_fd = in_fd;
  } else {
    /* The protocol keeps its own copy of stdout; fd 1 becomes stderr so
     * that nothing printed by mistake can corrupt a frame. */
    out_fd = dup(1);
    dup2(2, 1);
  }
  if (sse_engine_new(NULL, &S.eng)) {
    fprintf(stderr, "ssedap: the engine could not start\n");
    return 1;
  }
  dap_writer_start(out_fd);
  dap_events_subscribe(S.eng);
  dap_conn conn = {.in_fd = in_fd};
  serve(&conn);
  free(conn.buf);
  if (S.proc && !sse_process_exited(S.proc)) {
    if (S.attached) sse_detach(S.proc);
    else sse_kill(S.proc);
  }
  dap_output_drain();
  dap_writer_stop();
  sse_engine_free(S.eng);
  json_decref(S.launch_args);
  return 0;
}
