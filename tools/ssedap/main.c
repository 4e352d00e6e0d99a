/* main.c — ssedap: the Debug Adapter Protocol served by sse.
 *
 *   ssedap [--stdio]          the protocol on stdin/stdout
 *   ssedap --port N           on 127.0.0.1:N (0: any free port, printed as
 *                             "Listening on port N" on stderr), one client
 *
 * The main thread serves the inbound queue; a reader thread frames the
 * input into it; the engine's callbacks add stops to it. */
#define _GNU_SOURCE
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

static void *reader(void *arg) {
  dap_conn *c = arg;
  for (;;) {
    char *body = NULL, err[256];
    size_t n = 0;
    int r = dap_read_frame(c, &body, &n, err, sizeof err);
    dap_item *it = calloc(1, sizeof *it);
    if (!it) abort();
    if (r == 0) {
      it->kind = Q_EOF;
      dap_queue_push(it);
      return NULL;
    }
    if (r < 0) {
      it->kind = Q_BAD;
      it->text = strdup(err);
    } else {
      json_error_t je;
      it->msg = json_loadb(body, n, 0, &je);
      if (!json_is_object(it->msg)) {
        it->kind = Q_BAD;
        if (asprintf(&it->text, "malformed message: %s", it->msg ? "not a JSON object" : je.text) < 0)
          it->text = NULL;
        json_decref(it->msg);
        it->msg = NULL;
      } else {
        it->kind = Q_REQUEST;
      }
    }
    free(body);
    dap_queue_push(it);
  }
}

static void serve(void) {
  for (;;) {
    dap_item *it = dap_queue_pop();
    bool go = true;
    switch (it->kind) {
    case Q_EOF: go = false; break;
    case Q_BAD: dap_reply_error(0, "", it->text ? it->text : "malformed message"); break;
    case Q_REQUEST: go = dap_dispatch(it->msg); break;
    case Q_STOP: dap_on_stop(it); break;
    case Q_MODULES:
      dap_modules_refresh();
      dap_bp_refresh();
      break;
    }
    dap_item_free(it);
    if (!go) return;
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
  static dap_conn conn;
  conn.in_fd = in_fd;
  pthread_t rt;
  pthread_create(&rt, NULL, reader, &conn);
  pthread_detach(rt);
  serve();
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
