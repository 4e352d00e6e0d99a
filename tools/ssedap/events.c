/* events.c — the engine's callbacks and what a stop becomes. Callbacks run
 * on the tracer thread and never wait for the client: a stop is copied into
 * the inbound queue (the main thread decides about conditions and sends
 * the event), a thread event goes straight to the writer. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

/* What the editor asks for at every stop, read here on the tracer thread
 * where each sse_ call is direct: the stopped thread's backtrace and
 * frame 0's arguments and locals. A stop the session will not show
 * (a hit count not reached, a logpoint) wastes it. */
static void prefetch(dap_item *it, const sse_stop *st) {
  if (!st->thread || st->reason == SSE_STOP_SPAWNED || st->reason == SSE_STOP_EXITED ||
      st->reason == SSE_STOP_KILLED || st->reason == SSE_STOP_DETACHED)
    return;
  sse_frame *f = malloc(256 * sizeof *f);
  size_t n = 0;
  if (f && !sse_backtrace(st->thread, f, 256, &n)) {
    it->frames = f;
    it->nframes = n;
  } else {
    free(f);
  }
  static const unsigned kinds[2] = {SSE_VARS_ARGS, SSE_VARS_LOCALS};
  for (int i = 0; i < 2; i++) {
    char err[256];
    it->have_vals[i] = dap_values_of_frame(st->thread, 0, kinds[i], &it->vals[i],
                                           &it->nvals[i], err, sizeof err);
  }
}

static void on_event(const sse_event *ev, void *user) {
  (void)user;
  if (ev->kind == SSE_EV_THREAD_CREATED || ev->kind == SSE_EV_THREAD_EXITED) {
    dap_event("thread", json_pack("{s:s, s:i}", "reason",
                                  ev->kind == SSE_EV_THREAD_CREATED ? "started" : "exited",
                                  "threadId", (int)ev->tid));
    return;
  }
  dap_item *it = calloc(1, sizeof *it);
  if (!it) return;
  if (ev->kind == SSE_EV_MODULES_CHANGED) {
    it->kind = Q_MODULES;
  } else if (ev->kind == SSE_EV_STOPPED && ev->stop) {
    it->kind = Q_STOP;
    prefetch(it, ev->stop);
    __atomic_add_fetch(&S.stops, 1, __ATOMIC_RELEASE);
    it->stop = *ev->stop;
    /* Read on the tracer thread while the main thread runs the repl
     * command that made this stop: the flag is set before and cleared
     * after that command, whose stops all come in between. */
    it->from_repl = __atomic_load_n(&S.in_repl, __ATOMIC_ACQUIRE);
  } else {
    free(it);
    return;
  }
  dap_queue_push(it);
}

void dap_events_subscribe(sse_engine *eng) {
  sse_subscribe(eng, SSE_EV_STOPPED | SSE_EV_THREAD_CREATED |
                         SSE_EV_THREAD_EXITED | SSE_EV_MODULES_CHANGED,
                on_event, NULL, NULL);
}

void dap_send_exit(int code) {
  if (S.exited) return;
  S.exited = true;
  dap_output_drain();
  dap_event("exited", json_pack("{s:i}", "exitCode", code));
  dap_event("terminated", NULL);
}

static const char *signal_text(int signo) {
  static char b[64];
  const char *d = strsignal(signo);
  snprintf(b, sizeof b, "signal %d: %s", signo, d ? d : "?");
  return b;
}

/* The stop's prefetched backtrace and values go to the caches (which take
 * them). */
static void install_prefetch(dap_item *it) {
  static const unsigned kinds[2] = {SSE_VARS_ARGS, SSE_VARS_LOCALS};
  if (it->frames) dap_stack_prefill(it->stop.tid, it->frames, it->nframes);
  it->frames = NULL;
  for (int i = 0; i < 2; i++) {
    if (it->have_vals[i] && it->stop.thread)
      dap_refs_prefill(it->stop.thread, 0, kinds[i], it->vals[i], it->nvals[i]);
    else
      dap_values_free(it->vals[i], it->nvals[i]);
    it->vals[i] = NULL;
    it->nvals[i] = 0;
  }
}

/* A C++ exception's stop: "Exception thrown: std::runtime_error". */
static const char *exception_text(const sse_exception_info *x) {
  static char b[320];
  snprintf(b, sizeof b, "Exception %s: %s",
           x->kind == SSE_CATCH_CATCH ? "caught" : x->kind == SSE_CATCH_RETHROW ? "rethrown" : "thrown",
           x->type[0] ? x->type : "unknown type");
  return b;
}

bool dap_exception_info(json_t *args, json_t *body, char *err, size_t errsz) {
  if (S.last_exc && !S.running) {
    const char *type = S.exc.type[0] ? S.exc.type : "unknown type";
    json_object_set_new(body, "exceptionId", json_string(type));
    json_object_set_new(body, "description", json_string(exception_text(&S.exc)));
    json_object_set_new(body, "breakMode", json_string("always"));
    json_object_set_new(body, "details", json_pack("{s:s, s:s}", "typeName", type, "message",
                                                   exception_text(&S.exc)));
    return true;
  }
  if (!S.last_signo || S.running) {
    snprintf(err, errsz, "the program did not stop for a signal or an exception");
    return false;
  }
  const char *abbrev = sigabbrev_np(S.last_signo);
  char id[32];
  snprintf(id, sizeof id, "SIG%s", abbrev ? abbrev : "?");
  json_object_set_new(body, "exceptionId", json_string(id));
  json_object_set_new(body, "description", json_string(signal_text(S.last_signo)));
  json_object_set_new(body, "breakMode", json_string("always"));
  return true;
}

void dap_on_stop(const dap_item *it) {
  const sse_stop *st = &it->stop;
  if (st->process != S.proc) return; /* a process the session left */
  switch (st->reason) {
  case SSE_STOP_SPAWNED:
  case SSE_STOP_DETACHED:
  case SSE_STOP_EXEC:
  case SSE_STOP_NONE:
    return;
  case SSE_STOP_EXITED:
  case SSE_STOP_KILLED:
    S.running = false;
    dap_step_in_stop(st);
    if (!S.ending)
      dap_send_exit(st->reason == SSE_STOP_EXITED ? st->exit_status : 128 + st->signo);
    return;
  case SSE_STOP_INTERRUPTED:
    if (S.held_stops) { /* dap_hold's: it runs on already */
      S.held_stops--;
      return;
    }
    break;
  default:
    break;
  }
  S.running = false; /* stopped: a condition may resume it below */
  json_t *hits = json_array();
  const char *reason = "step", *desc = NULL;
  bool exc = false;
  if (dap_step_in_stop(st)) {
    /* the end of a stepIn to a target: a step */
  } else if (!it->from_repl && dap_exc_stop(st)) {
    /* the exception filters' catchpoint */
    exc = true;
    reason = "exception";
    memset(&S.exc, 0, sizeof S.exc);
    if (sse_catch_info(st->thread, &S.exc)) S.exc.kind = SSE_CATCH_THROW;
    desc = exception_text(&S.exc);
  } else if (st->reason == SSE_STOP_BREAKPOINT || st->reason == SSE_STOP_WATCHPOINT) {
    if (!it->from_repl && !dap_bp_hit(st, hits, &reason) && !S.pause_wanted) {
      json_decref(hits);
      char err[256];
      if (!dap_resume(err, sizeof err)) dap_console("ssedap: %s\n", err);
      return;
    }
  } else if (st->reason == SSE_STOP_INTERRUPTED) {
    reason = "pause";
  } else if (st->reason == SSE_STOP_SIGNAL) {
    reason = "exception";
    desc = signal_text(st->signo);
  }
  S.running = false;
  S.pause_wanted = false;
  S.cur_tid = st->tid;
  S.last_signo = st->reason == SSE_STOP_SIGNAL ? st->signo : 0;
  S.last_exc = exc;
  install_prefetch((dap_item *)it);
  dap_bp_refresh();
  json_t *body = json_pack("{s:s, s:i, s:b, s:b}", "reason", reason,
                           "threadId", (int)st->tid, "allThreadsStopped", 1,
                           "preserveFocusHint", 0);
  if (desc) {
    json_object_set_new(body, "description", json_string(desc));
    json_object_set_new(body, "text", json_string(desc));
  }
  if (json_array_size(hits)) json_object_set_new(body, "hitBreakpointIds", hits);
  else json_decref(hits);
  dap_event("stopped", body);
}
