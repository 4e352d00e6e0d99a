/* The engine: the tracer thread, its wait loop and the delegate queue.
 *
 * The tracer thread owns every ptrace relationship (Linux lets only the
 * thread that attached, forked-with-TRACEME or inherited a tracee through
 * PTRACE_O_TRACECLONE call ptrace() on it). SIGCHLD stays blocked on it at
 * all times except inside sigsuspend(), so a wake-up that lands between
 * the last reap and sigsuspend() stays pending and sigsuspend() returns at
 * once: no lost wake-ups, no timeouts. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "symtab/strtab.h"
#include "ptrace/ptrace.h"
#include "symtab/symtab.h"

/* ------------------------------------------------------------ SIGCHLD */

/* Threads of this process that wait for SIGCHLD in sigsuspend(): every
 * engine's tracer thread and symbol thread. Read lock-free by the signal
 * handler, so slots are atomics written before the thread first blocks. */
#define SSE__MAX_WAITERS 64
static _Atomic pid_t waiters[SSE__MAX_WAITERS];
/* Set by a waiter (sse__sig_idle) before its last look at its tracees and
 * queue ahead of sigsuspend(), cleared when it wakes. A busy waiter looks
 * again before it sleeps, so the handler need not wake it. (Forwarding
 * cannot go altogether: between a waiter's last look and sigsuspend() it
 * blocks SIGCHLD, so a notification of its tracee goes to another thread,
 * whose handler must pass it on. Leaving SIGCHLD open there instead loses
 * the wake-up that lands just before sigsuspend(); tried, it hangs.) */
static _Atomic bool idle[SSE__MAX_WAITERS];
static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static int sig_users;
static struct sigaction prev_action;

static pid_t self_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* The tid of this thread when it is an sse waiter, else 0 (read by the
 * handler without a system call), and its slot. */
static __thread pid_t waiter_tid;
static __thread int waiter_slot = -1;

/* Runs on whatever thread the kernel picked for the process-directed
 * SIGCHLD (any thread that does not block it). It wakes, by tgkill, every
 * sse waiter that is about to sleep or sleeps (idle), except the one it
 * runs on; such a waiter that is not in sigsuspend() yet keeps the signal
 * pending (it blocks SIGCHLD) and sees it there. A busy waiter needs no
 * wake-up: it looks at its tracees again before it sleeps. Forwarded
 * signals (SI_TKILL) are not forwarded again, or two waiters would
 * ping-pong for ever. */
static void on_sigchld(int sig, siginfo_t *si, void *uc) {
  int saved_errno = errno;
  pid_t me = waiter_tid;
  bool ours = si && si->si_code == SI_TKILL && si->si_pid == getpid();
  if (!ours) {
    pid_t self = 0;
    for (int i = 0; i < SSE__MAX_WAITERS; i++) {
      pid_t t = atomic_load_explicit(&waiters[i], memory_order_seq_cst);
      if (t <= 0 || t == me || !atomic_load_explicit(&idle[i], memory_order_seq_cst))
        continue;
      if (!self) self = getpid();
      syscall(SYS_tgkill, self, t, SIGCHLD);
    }
    /* Chain to the program's own handler. */
    if (prev_action.sa_flags & SA_SIGINFO) {
      if (prev_action.sa_sigaction) prev_action.sa_sigaction(sig, si, uc);
    } else if (prev_action.sa_handler != SIG_DFL &&
               prev_action.sa_handler != SIG_IGN) {
      prev_action.sa_handler(sig);
    }
  }
  errno = saved_errno;
}

static void sig_install(void) {
  pthread_mutex_lock(&sig_lock);
  if (sig_users++ == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigchld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, &prev_action);
  }
  pthread_mutex_unlock(&sig_lock);
}

static void sig_uninstall(void) {
  pthread_mutex_lock(&sig_lock);
  if (--sig_users == 0) sigaction(SIGCHLD, &prev_action, NULL);
  pthread_mutex_unlock(&sig_lock);
}

/* ------------------------------------------------------------ quiet stops
 *
 * Every ptrace stop of a tracee sends SIGCHLD to the tracer's process
 * (do_notify_parent_cldstop), unless the handler has SA_NOCLDSTOP; the
 * blocking waits by tid are woken by the kernel's wait queue without it.
 * While the one waiter is busy, SIGCHLD is blocked on it, so the kernel
 * gives each stop's signal to another thread: the caller asleep in
 * sse_continue, woken for nothing once per stop (an all-stop of 1,000
 * threads woke it hundreds of times per cycle). So while the only sse
 * waiter of the process is busy, stops send no SIGCHLD; it clears
 * SA_NOCLDSTOP again before its last look at its tracees ahead of
 * sigsuspend() (sse__sig_idle(true)), so a stop after that look wakes it.
 * Exits always send SIGCHLD. Not done when the program's own handler
 * wants stops of its children (no SA_NOCLDSTOP), nor with a second
 * waiter (another engine, the symbol thread), which relies on SIGCHLD
 * while this one is busy: its registration turns the stops' signals back
 * on. Under sig_lock. */
static int nwaiters;
static bool quiet_on;      /* SA_NOCLDSTOP is set on our handler now */
static bool quiet_broken;  /* our handler was replaced: leave it alone */

static bool quiet_allowed(void) {
  if (quiet_broken || nwaiters != 1 || sig_users == 0) return false;
  if (prev_action.sa_flags & SA_NOCLDSTOP) return true;
  if (prev_action.sa_flags & SA_SIGINFO) return prev_action.sa_sigaction == NULL;
  return prev_action.sa_handler == SIG_DFL || prev_action.sa_handler == SIG_IGN;
}

static void quiet_set(bool on) {
  if (on == quiet_on) return;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigchld;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | (on ? SA_NOCLDSTOP : 0);
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, &old) != 0) return;
  if (!(old.sa_flags & SA_SIGINFO) || old.sa_sigaction != on_sigchld) {
    /* The program installed its own handler over ours: put it back. */
    sigaction(SIGCHLD, &old, NULL);
    quiet_broken = true;
    quiet_on = false;
    return;
  }
  quiet_on = on;
}

void sse__sig_register_waiter(pid_t tid) {
  waiter_tid = tid;
  pthread_mutex_lock(&sig_lock);
  nwaiters++;
  quiet_set(false); /* a second waiter needs the stops' signals */
  pthread_mutex_unlock(&sig_lock);
  for (int i = 0; i < SSE__MAX_WAITERS; i++) {
    pid_t zero = 0;
    if (atomic_compare_exchange_strong(&waiters[i], &zero, tid)) {
      atomic_store(&idle[i], true); /* until it says it is busy */
      waiter_slot = i;
      return;
    }
  }
}

void sse__sig_unregister_waiter(pid_t tid) {
  for (int i = 0; i < SSE__MAX_WAITERS; i++) {
    pid_t t = tid;
    if (atomic_compare_exchange_strong(&waiters[i], &t, 0)) break;
  }
  waiter_slot = -1;
  pthread_mutex_lock(&sig_lock);
  nwaiters--;
  quiet_set(false);
  pthread_mutex_unlock(&sig_lock);
}

/* The calling waiter is about to look at its tracees a last time and then
 * sleep (true), or is awake and busy (false). A waiter without a slot
 * (beyond SSE__MAX_WAITERS) is unknown to the handler either way. Busy,
 * the sole waiter's tracees stop without SIGCHLD (quiet stops, above). */
void sse__sig_idle(bool on) {
  if (waiter_slot >= 0) atomic_store_explicit(&idle[waiter_slot], on, memory_order_seq_cst);
  pthread_mutex_lock(&sig_lock);
  if (on)
    quiet_set(false);
  else if (quiet_allowed())
    quiet_set(true);
  pthread_mutex_unlock(&sig_lock);
}

/* ------------------------------------------------------------ strings */

/* Engine-owned copies of location strings: valid until sse_engine_free(). */
const char *sse__intern(sse_engine *e, const char *s) {
  return s ? sse__strtab_intern(e->strings, s) : NULL;
}

/* ------------------------------------------------------------ the loop */

bool sse_on_tracer_thread(const sse_engine *e) {
  return e && pthread_equal(pthread_self(), e->tracer);
}

/* Takes every status the tracees have for us. Returns true when it took
 * any. */
static bool reap(sse_engine *e) {
  bool any = false;
  /* Statuses a wait for one process's leader took for another process. */
  for (int i = 0; i < e->nlater; i++) {
    any = true;
    sse__runctl_ops->status(e, e->later_tid[i], e->later_st[i]);
  }
  e->nlater = 0;
  for (;;) {
    int st;
    /* __WNOTHREAD: only tasks this thread traces or forked; children the
     * embedding program forked from its own threads are never reaped. */
    pid_t tid = sse__pt_wait(-1, &st, __WALL | WNOHANG | __WNOTHREAD);
    if (tid <= 0) break;
    any = true;
    sse__runctl_ops->status(e, tid, st);
  }
  return any;
}

/* Runs every queued command. Returns true when it ran any. */
static bool drain(sse_engine *e) {
  bool ran = false;
  for (;;) {
    pthread_mutex_lock(&e->lock);
    sse__cmd *c = e->q_head;
    if (c) {
      e->q_head = c->next;
      if (!e->q_head) e->q_tail = NULL;
    }
    pthread_mutex_unlock(&e->lock);
    if (!c) return ran;
    ran = true;
    c->fn(c->arg);
    if (c->detached) { /* sse__engine_post: nobody waits (issue 6) */
      free(c);
      continue;
    }
    pthread_mutex_lock(&e->lock);
    c->done = true;
    c->ran = true;
    pthread_cond_signal(&c->cond);
    /* The last touch of c (it lives on the caller's stack). */
    atomic_store_explicit(&c->released, true, memory_order_release);
    pthread_mutex_unlock(&e->lock);
  }
}

/* One iteration of the loop for a blocking command issued on the tracer
 * thread itself (inside a callback): reap and wait, without draining the
 * queue (a queued command may wait for the one running now). */
void sse__engine_iterate_nested(sse_engine *e) {
  sigset_t cur;
  pthread_sigmask(SIG_SETMASK, NULL, &cur);
  sigdelset(&cur, SIGCHLD);
  /* Sleep only when nothing was taken: then whatever comes next leaves
   * SIGCHLD pending and wakes the sigsuspend. Otherwise the caller looks
   * at its command again first (what was taken may have ended it). */
  if (reap(e) || sse__runctl_ops->poll(e)) return;
  sse__sig_idle(true);
  if (!reap(e)) sigsuspend(&cur);
  sse__sig_idle(false);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* After a command, a caller that steps in a loop sends the next one within
 * microseconds: watch the queue for a moment before sleeping, so that
 * command needs no kick (a signal delivery on this thread). A SIGCHLD
 * that arrives meanwhile (a tracee's event, one forwarded by another
 * thread, a kick sent before `polling` was seen) is taken as sigsuspend()
 * would take it, and the tracees reaped. Returns true when the queue has
 * work. */
#define SSE__POLL_NS 30000u
static bool poll_queue(sse_engine *e, unsigned seen) {
  pthread_mutex_lock(&e->lock);
  e->polling = true;
  pthread_mutex_unlock(&e->lock);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  uint64_t t0 = now_ns();
  bool work = false;
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(&e->q_posted, memory_order_acquire) != seen) {
      work = true;
      break;
    }
    if ((i & 63) == 0) {
      /* Busy, so nobody forwards us a tracee's SIGCHLD: look ourselves.
       * A pending SIGCHLD (a kick, a signal that reached this thread) is
       * taken as sigsuspend() would take it. */
      sigset_t pend;
      if (sigpending(&pend) == 0 && sigismember(&pend, SIGCHLD)) {
        pthread_sigmask(SIG_UNBLOCK, &chld, NULL);
        pthread_sigmask(SIG_BLOCK, &chld, NULL);
      }
      /* What a reap takes may leave work for the loop's poll (a step
       * that yielded): do it here and watch on. A status taken may have
       * ended the command (a breakpoint hit while we watched): its caller
       * sends the next one within microseconds, so the watch starts
       * again. */
      if (reap(e)) {
        sse__runctl_ops->poll(e);
        t0 = now_ns();
      }
      if (now_ns() - t0 > SSE__POLL_NS) break;
    }
    __builtin_ia32_pause();
  }
  /* Under the lock: an enqueue either saw `polling` and did not kick,
   * and then its command is seen here, or it kicked. */
  pthread_mutex_lock(&e->lock);
  e->polling = false;
  if (e->q_head) work = true;
  pthread_mutex_unlock(&e->lock);
  return work;
}

static void *tracer_main(void *arg) {
  sse_engine *e = arg;
  pid_t me = self_tid();
  sse__sig_register_waiter(me);
  pthread_setname_np(pthread_self(), "sse-tracer");
  sigset_t waitmask;
  pthread_sigmask(SIG_SETMASK, NULL, &waitmask);
  sigdelset(&waitmask, SIGCHLD);
  for (;;) {
    unsigned posted = atomic_load_explicit(&e->q_posted, memory_order_acquire);
    reap(e);
    bool ran = drain(e);
    /* Interrupts, and steps that yielded to let the queue drain. */
    if (sse__runctl_ops->poll(e)) ran = true;
    pthread_mutex_lock(&e->lock);
    bool stop = e->shutting_down && !e->q_head;
    pthread_mutex_unlock(&e->lock);
    if (stop) break;
    if (ran && poll_queue(e, posted)) continue;
    /* Idle first, then the last look: a notification the handler did not
     * forward (we were busy) is one this reap takes. */
    sse__sig_idle(true);
    if (reap(e)) {
      sse__sig_idle(false);
      continue;
    }
    pthread_mutex_lock(&e->lock);
    bool more = e->q_head != NULL;
    pthread_mutex_unlock(&e->lock);
    if (!more) sigsuspend(&waitmask); /* returns after the handler ran */
    sse__sig_idle(false);
  }
  sse__sig_unregister_waiter(me);
  pthread_mutex_lock(&e->lock);
  e->stopped = true;
  /* Commands queued after the last drain will not run. */
  for (sse__cmd *c = e->q_head, *nx; c; c = nx) {
    nx = c->next;
    if (c->detached) { /* posted, never run: its arg is the poster's */
      free(c->arg);
      free(c);
      continue;
    }
    c->done = true;
    pthread_cond_signal(&c->cond);
  }
  e->q_head = e->q_tail = NULL;
  pthread_cond_broadcast(&e->op_cond);
  pthread_mutex_unlock(&e->lock);
  return NULL;
}

/* Queue c for the tracer thread and wake it; false once it has stopped. */
static bool enqueue(sse_engine *e, sse__cmd *c) {
  pthread_mutex_lock(&e->lock);
  bool open = !e->stopped;
  if (open) {
    if (e->q_tail)
      e->q_tail->next = c;
    else
      e->q_head = c;
    e->q_tail = c;
    atomic_fetch_add_explicit(&e->q_posted, 1, memory_order_release);
    /* Kick after queueing: if the signal arrives before the tracer reaches
     * sigsuspend() it stays pending (SIGCHLD is blocked there) and the
     * sigsuspend() returns at once. No kick while it watches the queue. */
    if (!e->polling) pthread_kill(e->tracer, SIGCHLD);
  }
  pthread_mutex_unlock(&e->lock);
  return open;
}

sse_err sse__engine_call(sse_engine *e, void (*fn)(void *), void *arg) {
  if (sse_on_tracer_thread(e)) {
    fn(arg);
    return SSE_OK;
  }
  sse__cmd c = {.fn = fn, .arg = arg};
  pthread_cond_init(&c.cond, NULL);
  /* The caller keeps SIGCHLD unblocked while it waits: blocking it here
   * would be cheaper (no handler run per ptrace stop), but then the kernel
   * may route the signal to a thread that defers handlers (a sanitizer's
   * runtime thread) and the tracer's wake-up is lost. */
  if (!enqueue(e, &c)) {
    pthread_cond_destroy(&c.cond);
    return SSE_E_SHUTDOWN;
  }
  /* Most delegates take microseconds (a read, a single-step): wait for a
   * moment on the flag before sleeping on the condition, which saves the
   * wake-up of a sleeping thread on the way back. */
  bool released = false;
  for (int i = 0; i < 4000 && !released; i++) {
    released = atomic_load_explicit(&c.released, memory_order_acquire);
    __builtin_ia32_pause();
  }
  if (!released) {
    pthread_mutex_lock(&e->lock);
    while (!c.done) pthread_cond_wait(&c.cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
  }
  pthread_cond_destroy(&c.cond);
  return c.ran ? SSE_OK : SSE_E_SHUTDOWN;
}

/* Fire and forget (the symbol thread's way to ask the tracer thread for
 * something without ever blocking on it: the tracer thread may block on the
 * symbol thread, never the reverse). */
sse_err sse__engine_post(sse_engine *e, void (*fn)(void *), void *arg) {
  sse__cmd *c = calloc(1, sizeof *c);
  if (!c) return SSE_E_NOMEM;
  c->fn = fn;
  c->arg = arg;
  c->detached = true;
  if (!enqueue(e, c)) {
    free(c);
    return SSE_E_SHUTDOWN;
  }
  return SSE_OK;
}

sse_err sse_call(sse_engine *e, void (*fn)(void *arg), void *arg) {
  if (!e || !fn) return SSE_E_INVAL;
  return sse__engine_call(e, fn, arg);
}

/* A command reported its stop: wake the callers blocked on one, if any
 * (a broadcast with nobody waiting costs nothing but the lock). */
void sse__engine_wake_waiters(sse_engine *e) {
  pthread_mutex_lock(&e->lock);
  if (e->op_waiters) pthread_cond_broadcast(&e->op_cond);
  pthread_mutex_unlock(&e->lock);
  /* After the unlock: a watching caller then takes the lock at once. */
  atomic_fetch_add_explicit(&e->reports, 1, memory_order_release);
}

void sse__engine_mark_reported(sse_process *p, uint64_t seq) {
  pthread_mutex_lock(&p->engine->lock);
  if (p->ops_reported < seq) p->ops_reported = seq;
  pthread_mutex_unlock(&p->engine->lock);
}

unsigned sse__engine_reports(sse_engine *e) {
  return atomic_load_explicit(&e->reports, memory_order_acquire);
}

/* A breakpoint cycle of a small process takes tens of microseconds; the
 * wake-up of a thread asleep on a condition costs as much again (more in
 * a virtual machine, where it is an inter-processor interrupt to an idle
 * CPU). Watched for up to SSE__WATCH_NS, then the caller sleeps. */
#define SSE__WATCH_NS 150000u
bool sse__engine_watch_reports(sse_engine *e, unsigned seen) {
  if (sse_on_tracer_thread(e)) return false;
  uint64_t t0 = 0;
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(&e->reports, memory_order_acquire) != seen) return true;
    if ((i & 63) == 0) {
      uint64_t t = now_ns();
      if (!t0)
        t0 = t;
      else if (t - t0 > SSE__WATCH_NS)
        return false;
      /* On a loaded machine the tracee or the tracer may wait for this
       * CPU: let them have it (returns at once when nobody waits). */
      sched_yield();
    }
    __builtin_ia32_pause();
  }
}

sse_err sse_engine_new(const sse_engine_options *opts, sse_engine **out) {
  if (!out) return SSE_E_INVAL;
  *out = NULL;
  sse_engine *e = calloc(1, sizeof *e);
  if (!e) return SSE_E_NOMEM;
  e->strings = sse__strtab_new();
  e->modcache = sse__modcache_new();
  if (!e->strings || !e->modcache) {
    if (e->strings) sse__strtab_free(e->strings);
    if (e->modcache) sse__modcache_free(e->modcache);
    free(e);
    return SSE_E_NOMEM;
  }
  sse__modcache_set_index(e->modcache, opts ? opts->cache_dir : NULL);
  /* Adaptive: the caller and the tracer take the lock for a few
   * instructions each, often at the same moment around a command's start
   * and stop; a short spin saves the futex sleep and wake-up. */
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init(&e->lock, &ma);
  pthread_mutexattr_destroy(&ma);
  pthread_cond_init(&e->op_cond, NULL);
  pthread_cond_init(&e->sub_cond, NULL);
  e->next_sub_id = 1;
  sig_install();
  /* The tracer thread inherits this mask: SIGCHLD blocked from its first
   * instruction. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  int rc = pthread_create(&e->tracer, NULL, tracer_main, e);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    sig_uninstall();
    sse__modcache_free(e->modcache);
    sse__strtab_free(e->strings);
    free(e);
    return SSE_E_SYS;
  }
  *out = e;
  return SSE_OK;
}

static void release_all(void *arg) {
  sse_engine *e = arg;
  for (sse_process *p = e->procs; p; p = p->next) sse__proc_release_all(p);
  pthread_mutex_lock(&e->lock);
  e->shutting_down = true;
  pthread_mutex_unlock(&e->lock);
}

void sse_engine_free(sse_engine *e) {
  if (!e || sse_on_tracer_thread(e)) return;
  /* The symbol thread first: it gives the JIT helpers back (issue 6). */
  sse__symthread_stop(e);
  sse__engine_call(e, release_all, e);
  pthread_kill(e->tracer, SIGCHLD);
  pthread_join(e->tracer, NULL);
  sse__symthread_free(e);
  while (e->procs) {
    sse_process *p = e->procs;
    e->procs = p->next;
    sse__proc_destroy(p);
  }
  sse__ev_free_all(e);
  sse__modcache_free(e->modcache);
  free(e->later_tid);
  free(e->later_st);
  sse__strtab_free(e->strings);
  pthread_cond_destroy(&e->op_cond);
  pthread_cond_destroy(&e->sub_cond);
  pthread_mutex_destroy(&e->lock);
  free(e);
  sig_uninstall();
}

unsigned sse_version(void) { return SSE_VERSION_HEX; }

#define SSE__STR2(x) #x
#define SSE__STR(x) SSE__STR2(x)
const char *sse_version_string(void) {
  return SSE__STR(SSE_VERSION_MAJOR) "." SSE__STR(
      SSE_VERSION_MINOR) "." SSE__STR(SSE_VERSION_PATCH);
}

/* The name (SSE_E_FAULT) or the sentence of an error, from SSE_ERRNO_MAP. */
static const char *err_text(sse_err err, bool name) {
  switch (err) {
    case SSE_OK:
      return name ? "SSE_OK" : "success";
#define XX(id, val, msg) \
  case SSE_E_##id:       \
    return name ? "SSE_E_" #id : msg;
      SSE_ERRNO_MAP(XX)
#undef XX
  }
  return name ? "SSE_E_UNKNOWN" : "unknown error";
}

const char *sse_strerror(sse_err err) { return err_text(err, false); }
const char *sse_err_name(sse_err err) { return err_text(err, true); }
