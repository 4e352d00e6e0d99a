/* Event subscriptions and dispatch. Callbacks run on the tracer thread; the
 * subscription list is copied under the engine lock before each dispatch so
 * a callback may subscribe or unsubscribe. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The one way an event is filled and sent: a kind, where it happened, and
 * the signal (or 0). Sent only when some subscriber wants the kind. */
void sse__ev_send(sse_engine *e, sse_event_kind kind, sse_process *p,
                  sse_thread *t, pid_t tid, int signo, const sse_stop *stop) {
  if (!sse__ev_wanted(e, kind)) return;
  sse_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  ev.engine = e;
  ev.process = p;
  ev.thread = t;
  ev.tid = tid ? tid : t ? t->tid : 0;
  ev.signo = signo;
  ev.stop = stop;
  sse__ev_emit(e, &ev);
}

/* The one way a stop is started: a reason, the thread it names (or NULL),
 * the signal; the rest zero until the report fills it. */
void sse__stop_init(sse_stop *s, sse_stop_reason reason, sse_thread *t,
                    int signo) {
  memset(s, 0, sizeof *s);
  s->reason = reason;
  s->thread = t;
  s->signo = signo;
}

/* A stop that says how the process ended (exited or killed). */
void sse__stop_exit(sse_stop *s, sse_process *p) {
  sse__stop_init(s, p->exit_signal ? SSE_STOP_KILLED : SSE_STOP_EXITED, NULL,
                 p->exit_signal);
  s->process = p;
  s->pid = p->pid;
  s->exit_status = p->exit_status;
}

bool sse__ev_wanted(sse_engine *e, unsigned kinds) {
  bool w = false;
  pthread_mutex_lock(&e->lock);
  for (sse__sub_entry *s = e->subs; s && !w; s = s->next)
    if (s->kinds & kinds) w = true;
  pthread_mutex_unlock(&e->lock);
  return w;
}

void sse__ev_emit(sse_engine *e, const sse_event *ev) {
  enum { MAXSUB = 64 };
  sse_event_fn fns[MAXSUB];
  void *users[MAXSUB];
  int n = 0;
  pthread_mutex_lock(&e->lock);
  for (sse__sub_entry *s = e->subs; s && n < MAXSUB; s = s->next)
    if (s->kinds & ev->kind) {
      fns[n] = s->fn;
      users[n] = s->user;
      n++;
    }
  pthread_mutex_unlock(&e->lock);
  /* Subscriptions are prepended: call in subscription order. */
  for (int i = n - 1; i >= 0; i--) fns[i](ev, users[i]);
}

static bool same_str(const char *a, const char *b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return strcmp(a, b) == 0;
}

/* After a stop: FRAME_CHANGED when the pc or the CFA differs from that
 * thread's previous stop, METHOD_CHANGED when the function differs, then
 * STOPPED. */
void sse__ev_stop(sse_process *p, const sse_stop *stop) {
  sse_engine *e = p->engine;
  sse_thread *t = stop->thread;
  if (t && t->state != SSE__T_EXITED &&
      sse__ev_wanted(e, SSE_EV_FRAME_CHANGED | SSE_EV_METHOD_CHANGED)) {
    uint64_t cfa = 0;
    sse__unwind_cfa(t, &cfa);
    sse_location prev = t->last_loc;
    uint64_t prev_cfa = t->last_cfa;
    bool first = !t->have_last;
    bool frame = first || t->last_pc != stop->pc || t->last_cfa != cfa;
    bool method = first || !same_str(prev.function, stop->loc.function);
    t->have_last = true;
    t->last_pc = stop->pc;
    t->last_cfa = cfa;
    t->last_loc = stop->loc;
    sse_event ev;
    memset(&ev, 0, sizeof ev);
    ev.engine = e;
    ev.process = p;
    ev.thread = t;
    ev.tid = t->tid;
    ev.stop = stop;
    ev.previous = first ? NULL : &prev;
    ev.previous_cfa = prev_cfa;
    ev.cfa = cfa;
    if (frame) {
      ev.kind = SSE_EV_FRAME_CHANGED;
      sse__ev_emit(e, &ev);
    }
    if (method) {
      ev.kind = SSE_EV_METHOD_CHANGED;
      sse__ev_emit(e, &ev);
    }
  }
  sse_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = SSE_EV_STOPPED;
  ev.engine = e;
  ev.process = p;
  ev.thread = stop->thread;
  ev.tid = stop->tid;
  ev.signo = stop->signo;
  ev.stop = stop;
  sse__ev_emit(e, &ev);
}

sse_err sse_subscribe(sse_engine *e, unsigned kinds, sse_event_fn fn,
                      void *user, int *id) {
  if (!e || !fn || !(kinds & SSE_EV_ALL)) return SSE_E_INVAL;
  sse__sub_entry *s = calloc(1, sizeof *s);
  if (!s) return SSE_E_NOMEM;
  s->kinds = kinds;
  s->fn = fn;
  s->user = user;
  pthread_mutex_lock(&e->lock);
  s->id = e->next_sub_id++;
  s->next = e->subs;
  e->subs = s;
  pthread_mutex_unlock(&e->lock);
  if (id) *id = s->id;
  return SSE_OK;
}

sse_err sse_unsubscribe(sse_engine *e, int id) {
  if (!e) return SSE_E_INVAL;
  pthread_mutex_lock(&e->lock);
  for (sse__sub_entry **pp = &e->subs; *pp; pp = &(*pp)->next) {
    if ((*pp)->id != id) continue;
    sse__sub_entry *s = *pp;
    *pp = s->next;
    pthread_mutex_unlock(&e->lock);
    free(s);
    return SSE_OK;
  }
  pthread_mutex_unlock(&e->lock);
  return SSE_E_NOTFOUND;
}
