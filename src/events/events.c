/* Event subscriptions and dispatch. Callbacks run on the tracer thread.
 *
 * The subscription list is kept in subscription order and walked in place,
 * the engine lock held except around each call. An entry is pinned while
 * it is called (calls > 0): it stays linked and allocated, so after the
 * call the walk goes on from its next field, which an unlink of a later
 * entry keeps current. sse_unsubscribe marks the entry dead, after which
 * no call of it starts, and frees it at once when nothing calls it;
 * otherwise the dispatch that drops the last pin unlinks and frees it and
 * broadcasts sub_cond, on which an unsubscriber on another thread waits
 * until the entry is gone. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void ev_fill(sse_event *ev, sse_event_kind kind, sse_engine *e,
                    sse_process *p, sse_thread *t, pid_t tid, int signo,
                    const sse_stop *stop) {
  memset(ev, 0, sizeof *ev);
  ev->kind = kind;
  ev->engine = e;
  ev->process = p;
  ev->thread = t;
  ev->tid = tid ? tid : t ? t->tid : 0;
  ev->signo = signo;
  ev->stop = stop;
}

/* The one way an event is filled and sent: a kind, where it happened, and
 * the signal (or 0). Sent only when some subscriber wants the kind. */
void sse__ev_send(sse_engine *e, sse_event_kind kind, sse_process *p,
                  sse_thread *t, pid_t tid, int signo, const sse_stop *stop) {
  if (!sse__ev_wanted(e, kind)) return;
  sse_event ev;
  ev_fill(&ev, kind, e, p, t, tid, signo, stop);
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
    if (!s->dead && (s->kinds & kinds)) w = true;
  pthread_mutex_unlock(&e->lock);
  return w;
}

/* Engine lock held. */
static sse__sub_entry *sub_find(sse_engine *e, int id) {
  for (sse__sub_entry *s = e->subs; s; s = s->next)
    if (s->id == id) return s;
  return NULL;
}

/* Unlink and free a dead entry that nothing calls. Engine lock held. */
static void sub_drop(sse_engine *e, sse__sub_entry *s) {
  sse__sub_entry **pp = &e->subs;
  while (*pp != s) pp = &(*pp)->next;
  *pp = s->next;
  free(s);
  pthread_cond_broadcast(&e->sub_cond);
}

/* Every subscriber of ev's kind, in subscription order. A subscription made
 * during the dispatch (by a callback) gets events from the next one on. */
void sse__ev_emit(sse_engine *e, const sse_event *ev) {
  pthread_mutex_lock(&e->lock);
  int newer = e->next_sub_id;
  for (sse__sub_entry *s = e->subs; s && s->id < newer;) {
    if (s->dead || !(s->kinds & ev->kind)) {
      s = s->next;
      continue;
    }
    s->calls++;
    pthread_mutex_unlock(&e->lock);
    s->fn(ev, s->user);
    pthread_mutex_lock(&e->lock);
    sse__sub_entry *next = s->next;
    if (--s->calls == 0 && s->dead) sub_drop(e, s);
    s = next;
  }
  pthread_mutex_unlock(&e->lock);
}

/* sse_engine_free, after the tracer thread exited: nothing calls any. */
void sse__ev_free_all(sse_engine *e) {
  while (e->subs) {
    sse__sub_entry *s = e->subs;
    e->subs = s->next;
    free(s);
  }
}

static bool same_str(const char *a, const char *b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return strcmp(a, b) == 0;
}

/* After a stop: FRAME_CHANGED when the pc or the CFA differs from that
 * thread's previous stop, METHOD_CHANGED when the function differs (both
 * at a thread's first stop), then STOPPED. */
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
    ev_fill(&ev, SSE_EV_FRAME_CHANGED, e, p, t, 0, 0, stop);
    ev.previous = first ? NULL : &prev;
    ev.previous_cfa = prev_cfa;
    ev.cfa = cfa;
    if (frame) sse__ev_emit(e, &ev);
    ev.kind = SSE_EV_METHOD_CHANGED;
    if (method) sse__ev_emit(e, &ev);
  }
  sse__ev_send(e, SSE_EV_STOPPED, p, stop->thread, stop->tid, stop->signo,
               stop);
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
  sse__sub_entry **pp = &e->subs;
  while (*pp) pp = &(*pp)->next;
  *pp = s;
  pthread_mutex_unlock(&e->lock);
  if (id) *id = s->id;
  return SSE_OK;
}

/* No call of the subscription starts after this returns. On the tracer
 * thread a call in progress is one on this thread's own stack (the
 * callback itself, or an outer callback whose blocking call dispatched
 * this event): waiting for it would deadlock, so the entry is left to the
 * dispatch that pins it. Elsewhere, wait until the calls in progress have
 * returned. */
sse_err sse_unsubscribe(sse_engine *e, int id) {
  if (!e) return SSE_E_INVAL;
  bool tracer = sse_on_tracer_thread(e);
  pthread_mutex_lock(&e->lock);
  sse__sub_entry *s = sub_find(e, id);
  if (!s || s->dead) {
    pthread_mutex_unlock(&e->lock);
    return SSE_E_NOTFOUND;
  }
  s->dead = true;
  if (s->calls == 0)
    sub_drop(e, s);
  else if (!tracer)
    while (sub_find(e, id)) pthread_cond_wait(&e->sub_cond, &e->lock);
  pthread_mutex_unlock(&e->lock);
  return SSE_OK;
}
