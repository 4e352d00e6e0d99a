/* Events: subscription order, no cap on subscribers, sse_unsubscribe's
 * guarantee (no call after it returns, from another thread while events
 * flow and from inside the callback itself), the stop of a command that
 * sse_kill or sse_detach cuts short, and the signal events under the
 * default signal policy. */
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "testutil.h"

/* ------------------------------------------------------------ order, no cap */

enum { NSUBS = 100 };
static int order[NSUBS];
static int norder;

static void on_stop_record(const sse_event *ev, void *user) {
  if (norder < NSUBS) order[norder] = (int)(intptr_t)user;
  norder++;
}

Test(events, every_subscriber_in_subscription_order, .timeout = 20) {
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  for (int i = 0; i < NSUBS; i++)
    SSE_OKAY(sse_subscribe(eng, SSE_EV_STOPPED, on_stop_record,
                           (void *)(intptr_t)i, NULL));
  SSE_OKAY(sse_step_instruction(main_thread(p), NULL));
  cr_assert_eq(norder, NSUBS, "%d of %d subscribers called", norder, NSUBS);
  for (int i = 0; i < NSUBS; i++) cr_assert_eq(order[i], i);
  sse_engine_free(eng);
}

/* ------------------------------------------------------------ from another thread */

typedef struct watched {
  atomic_int calls;        /* calls that started */
  atomic_int in_cb;        /* a call is in progress */
  atomic_bool unsubscribing; /* sse_unsubscribe is about to be called */
  atomic_bool gone;        /* sse_unsubscribe has returned */
  atomic_int late;         /* calls that started after that */
} watched;

/* The third call waits until sse_unsubscribe is under way and then runs on
 * for 5 ms: the unsubscribe must wait for it. */
static void on_stop_slow(const sse_event *ev, void *user) {
  watched *w = user;
  if (atomic_load(&w->gone)) atomic_fetch_add(&w->late, 1);
  atomic_store(&w->in_cb, 1);
  if (atomic_fetch_add(&w->calls, 1) + 1 == 3) {
    while (!atomic_load(&w->unsubscribing)) sched_yield();
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  atomic_store(&w->in_cb, 0);
}

typedef struct stepper {
  sse_thread *t;
  atomic_bool stop;
  atomic_int steps;
} stepper;

static void *step_until_told(void *arg) {
  stepper *s = arg;
  while (!atomic_load(&s->stop)) {
    if (sse_step_instruction(s->t, NULL) != SSE_OK) break;
    atomic_fetch_add(&s->steps, 1);
  }
  return NULL;
}

static void wait_steps(stepper *s, int n) {
  int until = atomic_load(&s->steps) + n;
  while (atomic_load(&s->steps) < until) sched_yield();
}

Test(events, unsubscribe_from_another_thread_waits_for_the_call,
     .timeout = 60) {
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  sse_process *p = spawn_target(eng, "long_loop", NULL, NULL, -1);
  stepper s = {.t = main_thread(p)};
  pthread_t th;
  cr_assert_eq(start_thread_nochld(&th, step_until_told, &s), 0);
  for (int round = 0; round < 20; round++) {
    watched w = {0};
    int id;
    SSE_OKAY(sse_subscribe(eng, SSE_EV_STOPPED, on_stop_slow, &w, &id));
    while (atomic_load(&w.calls) < 3) sched_yield();
    atomic_store(&w.unsubscribing, true);
    SSE_OKAY(sse_unsubscribe(eng, id));
    atomic_store(&w.gone, true);
    cr_assert_eq(atomic_load(&w.in_cb), 0, "round %d: a call still runs",
                 round);
    int calls = atomic_load(&w.calls);
    wait_steps(&s, 5);
    cr_assert_eq(atomic_load(&w.calls), calls, "round %d: called again",
                 round);
    cr_assert_eq(atomic_load(&w.late), 0);
    cr_assert_eq(sse_unsubscribe(eng, id), SSE_E_NOTFOUND);
  }
  atomic_store(&s.stop, true);
  pthread_join(th, NULL);
  sse_engine_free(eng);
}

/* ------------------------------------------------------------ from inside */

typedef struct self_unsub {
  int id;
  int calls;
  int nested_calls;
  sse_err unsub_err;
  sse_err step_err;
} self_unsub;

/* Unsubscribes itself from inside its own call. */
static void on_stop_unsub_self(const sse_event *ev, void *user) {
  self_unsub *u = user;
  u->calls++;
  u->unsub_err = sse_unsubscribe(ev->engine, u->id);
}

/* The first call makes a blocking step, whose stop dispatches this
 * subscription again, nested; the nested call unsubscribes it. */
static void on_stop_unsub_nested(const sse_event *ev, void *user) {
  self_unsub *u = user;
  u->calls++;
  if (u->calls == 1) {
    u->step_err = sse_step_instruction(ev->thread, NULL);
    return;
  }
  u->nested_calls++;
  u->unsub_err = sse_unsubscribe(ev->engine, u->id);
}

Test(events, unsubscribe_inside_its_own_callback, .timeout = 20) {
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  sse_thread *t = main_thread(p);
  self_unsub a = {.unsub_err = -100}, b = {.unsub_err = -100};
  SSE_OKAY(sse_subscribe(eng, SSE_EV_STOPPED, on_stop_unsub_self, &a, &a.id));
  SSE_OKAY(
      sse_subscribe(eng, SSE_EV_STOPPED, on_stop_unsub_nested, &b, &b.id));
  for (int i = 0; i < 5; i++) SSE_OKAY(sse_step_instruction(t, NULL));
  cr_assert_eq(a.calls, 1);
  cr_assert_eq(a.unsub_err, SSE_OK);
  cr_assert_eq(b.calls, 2);
  cr_assert_eq(b.nested_calls, 1);
  cr_assert_eq(b.step_err, SSE_OK);
  cr_assert_eq(b.unsub_err, SSE_OK);
  cr_assert_eq(sse_unsubscribe(eng, a.id), SSE_E_NOTFOUND);
  cr_assert_eq(sse_unsubscribe(eng, b.id), SSE_E_NOTFOUND);
  sse_engine_free(eng);
}

/* ------------------------------------------------------------ cut short */

static sse_stop_reason cut_reasons[4];
static int ncut;

static void on_stop_cut(const sse_event *ev, void *user) {
  if (ncut < 4) cut_reasons[ncut] = ev->stop->reason;
  ncut++;
}

/* A command that sse_kill or sse_detach cuts short ends with their stop,
 * which sse_wait returns and SSE_EV_STOPPED reports, as any command's. */
Test(events, kill_and_detach_end_the_running_command, .timeout = 30) {
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  SSE_OKAY(sse_subscribe(eng, SSE_EV_STOPPED, on_stop_cut, NULL, NULL));
  sse_process *p = spawn_target(eng, "long_loop", NULL, NULL, -1);
  ncut = 0;
  SSE_OKAY(sse_continue_async(p));
  SSE_OKAY(sse_kill(p));
  sse_stop s;
  SSE_OKAY(sse_wait(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_KILLED, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.signo, SIGKILL);
  cr_assert_eq(ncut, 1);
  cr_assert_eq(cut_reasons[0], SSE_STOP_KILLED);

  sse_process *q = spawn_target(eng, "long_loop", NULL, NULL, -1);
  ncut = 0;
  SSE_OKAY(sse_continue_async(q));
  SSE_OKAY(sse_detach(q));
  SSE_OKAY(sse_wait(q, &s));
  cr_assert_eq(s.reason, SSE_STOP_DETACHED, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(ncut, 1);
  cr_assert_eq(cut_reasons[0], SSE_STOP_DETACHED);
  kill(sse_process_pid(q), SIGKILL); /* it runs on, untraced */
  /* Killing a stopped process ends no command: no event. */
  sse_process *r = spawn_target(eng, "long_loop", NULL, NULL, -1);
  ncut = 0;
  SSE_OKAY(sse_kill(r));
  cr_assert_eq(ncut, 0);
  cr_assert_eq(sse_kill(r), SSE_E_EXITED);
  sse_engine_free(eng);
}

/* ------------------------------------------------------------ signals */

static int sigs[16];
static int nsigs;

static void on_signal(const sse_event *ev, void *user) {
  if (nsigs < 16) sigs[nsigs] = ev->signo;
  nsigs++;
}

/* gdb's defaults: SIGALRM SIGURG SIGCHLD SIGIO SIGVTALRM SIGPROF SIGWINCH
 * neither stop nor print and are passed; SIGPWR stops and is passed;
 * SIGINT and SIGTRAP stop and are not passed. SSE_EV_SIGNAL reports each.
 * The shell counts the quiet ones' traps in q and SIGPWR's and SIGINT's in
 * n: it exits with q * 10 + n, 71 when only SIGINT was held back. */
Test(events, default_signal_policy_is_gdbs, .timeout = 20) {
  static const char script[] =
      "q=0; n=0; trap 'q=$((q+1))' ALRM URG CHLD IO VTALRM PROF WINCH; "
      "trap 'n=$((n+1))' PWR INT; trap '' TRAP; "
      "for s in ALRM URG CHLD IO VTALRM PROF WINCH PWR INT TRAP; do "
      "kill -s $s $$; done; exit $((q*10+n))";
  static const int sent[] = {SIGALRM, SIGURG,  SIGCHLD, SIGIO,  SIGVTALRM,
                             SIGPROF, SIGWINCH, SIGPWR, SIGINT, SIGTRAP};
  static const int stops_at[] = {SIGPWR, SIGINT, SIGTRAP};
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  SSE_OKAY(sse_subscribe(eng, SSE_EV_SIGNAL, on_signal, NULL, NULL));
  const char *argv[] = {"/bin/sh", "-c", script, NULL};
  sse_process *p;
  SSE_OKAY(sse_spawn(eng, argv, NULL, &p, NULL));
  sse_stop s;
  for (int i = 0; i < 3; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_SIGNAL, "%s",
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.signo, stops_at[i], "stop %d: signal %d", i, s.signo);
  }
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 71);
  cr_assert_eq(nsigs, 10, "%d signal events", nsigs);
  for (int i = 0; i < 10; i++) cr_assert_eq(sigs[i], sent[i]);
  sse_engine_free(eng);
}
