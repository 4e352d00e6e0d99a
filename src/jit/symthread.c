/* The symbol thread ("sse-symbols", one per engine, started lazily): it owns
 * the ptrace relationship with the JIT agent's helper thread of every traced
 * process that links src/agent, and nothing else (DESIGN.md, "JIT code: two
 * readers, one symbol thread").
 *
 * Hand-over (see agent_reader.c for the tracer's half): the tracer thread
 * PTRACE_DETACHes the helper (after taking its int3 at sse_agent_checkpoint
 * out) and calls sse__symthread_adopt(); this thread PTRACE_SEIZEs that one
 * tid, PTRACE_INTERRUPTs it, puts a hardware exec breakpoint on
 * sse_agent_checkpoint in the helper's own DR0 (no other thread can trip
 * it) and lets it go. No SIGSTOP anywhere: it would stop the whole thread
 * group. While the helper belongs to neither thread, generations are not
 * lost: debugger_pid is set and debugger_generation lags, so the agent keeps
 * calling the checkpoint until somebody has copied (sse_agent.h).
 *
 * Each checkpoint stop (the helper holds the agent's mutex there): read the
 * descriptor, copy every blob whose generation changed whole
 * (process_vm_readv), store the copies (sse__jit_store; parsed on lookup),
 * then ask the tracer thread, by a posted command that never makes this
 * thread wait, to resolve pending breakpoints and fire
 * SSE_EV_JIT_SYMBOLS_CHANGED. The helper stays stopped until the tracer has
 * done so; then debugger_generation is written and the helper resumed. With
 * SSE_AGENT_DEBUGGER_SYNC the agent's register() returns only then, so a
 * breakpoint pending on a new JIT name is in before the code can run.
 *
 * Lock order / blocking: the tracer thread may block on this thread
 * (sse__symthread_release, for sse_detach); this thread never blocks on the
 * tracer thread. Waiting: like the tracer, SIGCHLD stays blocked here except
 * inside sigsuspend(); the SIGCHLD handler (engine.c, through the JIT host's
 * waiter calls) wakes every idle
 * registered waiter, and requests kick this thread with
 * pthread_kill(SIGCHLD). Reaping is waitpid(tid, __WALL | WNOHANG |
 * __WNOTHREAD) per helper: never a task of the tracer thread, never a
 * child of the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/sse_agent.h"
#include "internal.h"
#include "jit/jit.h"
#include "jit/jitproc.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"

#ifndef TRAP_HWBKPT
#define TRAP_HWBKPT 4
#endif

/* A blob larger than this is not copied (the agent's are < 4 GiB by
 * format; a real table is kilobytes to megabytes). */
#define SSE__JIT_MAX_BLOB (256u << 20)

typedef struct helper {
  sse_process *p; /* only handed back to the tracer thread */
  struct sse__jit *jit;
  pid_t pid, tid;
  uint64_t desc, checkpoint;
  uint64_t dr7;
  bool seized;   /* traced by this thread, breakpoint armed */
  bool at_cp;    /* held at the checkpoint until the tracer acks */
  bool acked;    /* mu: the tracer ran the landed command */
  uint64_t await; /* generation being acknowledged */
  uint64_t token;
  struct helper *next;
} helper;

typedef struct release_req {
  sse_process *p;
  bool done;
  struct release_req *next;
} release_req;

typedef struct sse__symthread {
  sse_engine *e;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cond; /* a release request was served / the thread exited */
  bool started, closing, exited;
  helper *helpers;     /* mu for the list; ptrace state: this thread only */
  helper *incoming;    /* adopted, not seized yet */
  release_req *reqs;
  uint64_t next_token;
} sse__symthread;

/* ------------------------------------------------------------ memory */

static int peek(pid_t pid, uint64_t addr, void *buf, size_t len) {
  struct iovec l = {buf, len}, r = {(void *)(uintptr_t)addr, len};
  ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
  return n == (ssize_t)len ? 0 : -1;
}

static int poke(pid_t pid, uint64_t addr, const void *buf, size_t len) {
  struct iovec l = {(void *)buf, len}, r = {(void *)(uintptr_t)addr, len};
  ssize_t n = process_vm_writev(pid, &l, 1, &r, 1, 0);
  return n == (ssize_t)len ? 0 : -1;
}

#define DESC_FIELD(f) offsetof(struct sse_agent_descriptor, f)

static void write_dpid(helper *h, int32_t v) {
  poke(h->pid, h->desc + DESC_FIELD(debugger_pid), &v, sizeof v);
}

/* ------------------------------------------------------------ helpers */

static void kick(sse__symthread *st) {
  if (st->started && !st->exited) pthread_kill(st->th, SIGCHLD);
}

static void unlink_helper(sse__symthread *st, helper *h) {
  pthread_mutex_lock(&st->mu);
  for (helper **pp = &st->helpers; *pp; pp = &(*pp)->next)
    if (*pp == h) {
      *pp = h->next;
      break;
    }
  pthread_mutex_unlock(&st->mu);
  free(h);
}

/* Wait for the next stop of a helper synchronously (after an interrupt).
 * Returns the status, or -1 when the task is gone. */
static int wait_stop(helper *h) {
  int s;
  if (sse__pt_wait(h->tid, &s, __WALL | __WNOTHREAD) != h->tid) return -1;
  if (WIFEXITED(s) || WIFSIGNALED(s)) return -1;
  return s;
}

/* Take a newly adopted helper: seize, interrupt, arm the breakpoint, go. */
static bool seize(helper *h) {
  if (sse__pt_seize(h->tid, 0) != 0) return false;
  if (sse__pt_interrupt(h->tid) != 0) {
    sse__pt_detach(h->tid, 0);
    return false;
  }
  int sig = 0;
  for (;;) {
    int s = wait_stop(h);
    if (s < 0) return false;
    if ((s >> 16) == PTRACE_EVENT_STOP) break;
    /* A signal-delivery stop before the interrupt's: keep the signal. */
    if (WSTOPSIG(s) != SIGTRAP) sig = WSTOPSIG(s);
    sse__pt_cont(h->tid, sig);
    sig = 0;
  }
  if (sse__hw_set(h->tid, 0, h->checkpoint, SSE__HW_EXEC, 1, &h->dr7) != 0) {
    write_dpid(h, 0);
    sse__pt_detach(h->tid, 0);
    return false;
  }
  h->seized = true;
  sse__pt_cont(h->tid, 0);
  return true;
}

/* Give a helper back (detach, or engine shutdown): it runs on untraced,
 * told that nobody follows any more. */
static void release_helper(helper *h) {
  if (!h->seized) {
    write_dpid(h, 0);
    return;
  }
  int sig = 0;
  if (!h->at_cp) {
    if (sse__pt_interrupt(h->tid) != 0) return;
    for (;;) {
      int s = wait_stop(h);
      if (s < 0) return;
      if ((s >> 16) == PTRACE_EVENT_STOP || WSTOPSIG(s) == SIGTRAP) break;
      sig = WSTOPSIG(s); /* a signal for it: deliver at detach */
      break;
    }
  }
  write_dpid(h, 0);
  sse__hw_clear(h->tid, 0, &h->dr7);
  sse__hw_reset_dr6(h->tid);
  sse__pt_detach(h->tid, sig);
}

/* ------------------------------------------------------------ checkpoint */

typedef struct landed_req {
  sse__symthread *st;
  uint64_t token;
  sse_process *p;
} landed_req;

/* Tracer thread. */
static void landed_fn(void *arg) {
  landed_req *r = arg;
  sse__proc_jit_landed(r->p);
  sse__symthread *st = r->st;
  pthread_mutex_lock(&st->mu);
  for (helper *h = st->helpers; h; h = h->next)
    if (h->token == r->token) {
      h->acked = true;
      kick(st);
    }
  pthread_mutex_unlock(&st->mu);
  free(r);
}

static void resume_from_cp(helper *h) {
  uint64_t g = h->await;
  poke(h->pid, h->desc + DESC_FIELD(debugger_generation), &g, sizeof g);
  h->at_cp = false;
  h->await = 0;
  sse__hw_reset_dr6(h->tid);
  sse__pt_cont(h->tid, 0);
}

/* The helper stopped at sse_agent_checkpoint, holding the agent's mutex. */
static void on_checkpoint(sse__symthread *st, helper *h) {
  struct sse_agent_descriptor d;
  if (peek(h->pid, h->desc, &d, sizeof d) != 0 || d.magic != SSE_AGENT_MAGIC ||
      d.version != SSE_AGENT_VERSION || d.updating) {
    sse__hw_reset_dr6(h->tid);
    sse__pt_cont(h->tid, 0);
    return;
  }
  int32_t me = (int32_t)getpid();
  if (d.debugger_pid != me) write_dpid(h, me);
  if (!(d.debugger_flags & SSE_AGENT_DEBUGGER_SYNC)) {
    uint32_t f = d.debugger_flags | SSE_AGENT_DEBUGGER_SYNC;
    poke(h->pid, h->desc + DESC_FIELD(debugger_flags), &f, sizeof f);
  }
  uint64_t have[3];
  uint64_t cur = sse__jit_generation(h->jit, have);
  h->await = d.generation;
  if (d.generation == cur) { /* nothing new (a spin round): just ack */
    resume_from_cp(h);
    return;
  }
  uint8_t *bufs[3] = {NULL, NULL, NULL};
  size_t lens[3] = {0, 0, 0};
  uint64_t gens[3] = {0, 0, 0};
  bool ok = true;
  unsigned nb = d.nblobs < 3 ? d.nblobs : 3;
  for (unsigned i = 0; i < nb && ok; i++) {
    gens[i] = d.blobs[i].generation;
    if (cur != 0 && have[i] == gens[i]) continue; /* unchanged: keep */
    uint64_t size = d.blobs[i].size;
    if (size > SSE__JIT_MAX_BLOB || (size && !d.blobs[i].addr)) {
      ok = false;
      break;
    }
    bufs[i] = malloc(size ? size : 1);
    lens[i] = size;
    if (!bufs[i] || (size && peek(h->pid, d.blobs[i].addr, bufs[i], size) != 0))
      ok = false;
  }
  if (!ok) {
    /* Unreadable: keep the old copy, acknowledge anyway (the helper must not
     * spin on a table we cannot read). */
    for (int i = 0; i < 3; i++) free(bufs[i]);
    resume_from_cp(h);
    return;
  }
  for (unsigned i = nb; i < 3; i++) {
    /* No such blob (yet): an empty copy. */
    if (cur == 0 || have[i] != 0) bufs[i] = malloc(1), lens[i] = 0;
  }
  sse__jit_store(h->jit, d.generation, bufs, lens, gens);
  h->at_cp = true;
  pthread_mutex_lock(&st->mu);
  h->acked = false;
  pthread_mutex_unlock(&st->mu);
  landed_req *r = malloc(sizeof *r);
  if (!r || (*r = (landed_req){st, h->token, h->p},
             sse__jit_host_get()->post(st->e, landed_fn, r) != SSE_OK)) {
    free(r);
    resume_from_cp(h);
  }
}

/* One status of a seized helper. Returns false when it is gone. */
static bool on_status(sse__symthread *st, helper *h, int s) {
  if (WIFEXITED(s) || WIFSIGNALED(s)) return false;
  if (!WIFSTOPPED(s)) return true;
  int sig = WSTOPSIG(s);
  if ((s >> 16) == PTRACE_EVENT_STOP) { /* interrupt or group-stop */
    sse__pt_cont(h->tid, 0);
    return true;
  }
  if (sig == SIGTRAP) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    sse__pt_getsiginfo(h->tid, &si);
    uint64_t dr6 = 0;
    if (si.si_code == TRAP_HWBKPT ||
        (sse__hw_read_dr6(h->tid, &dr6) == 0 && (dr6 & 1))) {
      on_checkpoint(st, h);
      return true;
    }
    sse__pt_cont(h->tid, 0);
    return true;
  }
  sse__pt_cont(h->tid, sig);
  return true;
}

/* ------------------------------------------------------------ the loop */

/* Takes every status of every helper. Returns true when it took any. */
static bool reap(sse__symthread *st) {
  bool any = false;
  pthread_mutex_lock(&st->mu);
  helper *h = st->helpers;
  pthread_mutex_unlock(&st->mu);
  while (h) {
    pthread_mutex_lock(&st->mu);
    helper *next = h->next;
    pthread_mutex_unlock(&st->mu);
    bool gone = false;
    for (;;) {
      int s;
      pid_t r = sse__pt_wait(h->tid, &s, __WALL | WNOHANG | __WNOTHREAD);
      if (r == 0) break;
      any = true;
      if (r != h->tid || !on_status(st, h, s)) {
        gone = true;
        break;
      }
    }
    if (gone) unlink_helper(st, h);
    h = next;
  }
  return any;
}

static bool serve(sse__symthread *st) {
  pthread_mutex_lock(&st->mu);
  /* New helpers. */
  while (st->incoming) {
    helper *h = st->incoming;
    st->incoming = h->next;
    pthread_mutex_unlock(&st->mu);
    bool ok = !st->closing && seize(h);
    pthread_mutex_lock(&st->mu);
    if (ok) {
      h->next = st->helpers;
      st->helpers = h;
    } else {
      if (!h->seized) write_dpid(h, 0);
      free(h);
    }
  }
  /* Acknowledged generations. */
  for (helper *h = st->helpers; h; h = h->next)
    if (h->at_cp && h->acked) resume_from_cp(h);
  /* Release requests (sse_detach) and shutdown. */
  while (st->reqs || (st->closing && st->helpers)) {
    release_req *q = st->reqs;
    helper *h = st->helpers, *prev = NULL;
    while (h && q && h->p != q->p) prev = h, h = h->next;
    if (h) {
      if (prev)
        prev->next = h->next;
      else
        st->helpers = h->next;
      pthread_mutex_unlock(&st->mu);
      release_helper(h);
      free(h);
      pthread_mutex_lock(&st->mu);
      continue;
    }
    if (q) {
      q->done = true;
      st->reqs = q->next;
      pthread_cond_broadcast(&st->cond);
    }
  }
  bool quit = st->closing;
  pthread_mutex_unlock(&st->mu);
  return quit;
}

static void *symthread_main(void *arg) {
  sse__symthread *st = arg;
  pid_t me = (pid_t)syscall(SYS_gettid);
  const sse__jit_host *host = sse__jit_host_get();
  host->waiter_register(me);
  pthread_setname_np(pthread_self(), "sse-symbols");
  sigset_t waitmask;
  pthread_sigmask(SIG_SETMASK, NULL, &waitmask);
  sigdelset(&waitmask, SIGCHLD);
  for (;;) {
    reap(st);
    if (serve(st)) break;
    /* Idle, then a last look (engine.c, on_sigchld: a busy waiter is not
     * woken). Requests always kick. */
    host->waiter_idle(true);
    if (!reap(st)) sigsuspend(&waitmask);
    host->waiter_idle(false);
  }
  host->waiter_unregister(me);
  pthread_mutex_lock(&st->mu);
  st->exited = true;
  for (release_req *q = st->reqs; q; q = q->next) q->done = true;
  st->reqs = NULL;
  pthread_cond_broadcast(&st->cond);
  pthread_mutex_unlock(&st->mu);
  return NULL;
}

/* ------------------------------------------------------------ API */

static sse__symthread *get(sse_engine *e, bool create) {
  pthread_mutex_lock(&e->lock);
  sse__symthread *st = e->symthread;
  if (!st && create && (st = calloc(1, sizeof *st))) {
    st->e = e;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cond, NULL);
    e->symthread = st;
  }
  pthread_mutex_unlock(&e->lock);
  return st;
}

sse_err sse__symthread_start(sse_engine *e) {
  sse__symthread *st = get(e, true);
  if (!st) return SSE_E_NOMEM;
  pthread_mutex_lock(&st->mu);
  sse_err err = SSE_OK;
  if (st->closing) {
    err = SSE_E_SHUTDOWN;
  } else if (!st->started) {
    /* Created from the tracer thread: SIGCHLD is blocked here, and so in
     * the new thread from its first instruction. */
    if (pthread_create(&st->th, NULL, symthread_main, st) == 0)
      st->started = true;
    else
      err = SSE_E_SYS;
  }
  pthread_mutex_unlock(&st->mu);
  return err;
}

sse_err sse__symthread_adopt(sse_engine *e, sse_process *p, struct sse__jit *jit,
                             pid_t tid, uint64_t desc_addr, uint64_t checkpoint) {
  sse_err err = sse__symthread_start(e);
  if (err) return err;
  sse__symthread *st = get(e, false);
  helper *h = calloc(1, sizeof *h);
  if (!h) return SSE_E_NOMEM;
  *h = (helper){.p = p, .jit = jit, .pid = p->pid, .tid = tid, .desc = desc_addr,
                .checkpoint = checkpoint};
  pthread_mutex_lock(&st->mu);
  if (st->closing) {
    pthread_mutex_unlock(&st->mu);
    free(h);
    return SSE_E_SHUTDOWN;
  }
  h->token = ++st->next_token;
  h->next = st->incoming;
  st->incoming = h;
  kick(st);
  pthread_mutex_unlock(&st->mu);
  return SSE_OK;
}

void sse__symthread_release(sse_engine *e, sse_process *p) {
  sse__symthread *st = get(e, false);
  if (!st) return;
  release_req q = {.p = p};
  pthread_mutex_lock(&st->mu);
  if (st->started && !st->exited) {
    q.next = st->reqs;
    st->reqs = &q;
    kick(st);
    while (!q.done) pthread_cond_wait(&st->cond, &st->mu);
  }
  pthread_mutex_unlock(&st->mu);
}

void sse__symthread_stop(sse_engine *e) {
  sse__symthread *st = get(e, true);
  if (!st) return;
  pthread_mutex_lock(&st->mu);
  st->closing = true;
  bool started = st->started;
  kick(st);
  pthread_mutex_unlock(&st->mu);
  if (started) pthread_join(st->th, NULL);
}

void sse__symthread_free(sse_engine *e) {
  sse__symthread *st = e->symthread;
  if (!st) return;
  e->symthread = NULL;
  while (st->helpers) {
    helper *h = st->helpers;
    st->helpers = h->next;
    free(h);
  }
  while (st->incoming) {
    helper *h = st->incoming;
    st->incoming = h->next;
    free(h);
  }
  pthread_cond_destroy(&st->cond);
  pthread_mutex_destroy(&st->mu);
  free(st);
}
