/* Waiting for traced threads: the one wait primitive and the synchronous
 * all-stop built on it. Tracer thread only.
 *
 * Every status taken of a thread goes through sse__wait_take(), which owns
 * the bookkeeping of the SIGSTOP the engine is still owed (one it sent to
 * stop a thread, or a new clone child's first) and follows clone events.
 * The blocking waits here are only ever made for a stop that comes at once:
 * a thread we just sent SIGSTOP, or a single step / straight-line run of a
 * thread that is not inside a system call (src/step decides; a step that
 * may block goes on from the tracer loop instead). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include "arch/arch.h"
#include "internal.h"
#include "ptrace/ptrace.h"

bool sse__wait_is_owed_stop(const sse_thread *t, int st) {
  if (!WIFSTOPPED(st)) return false;
  if (t->seized) return (st >> 16) == PTRACE_EVENT_STOP;
  return (st >> 16) == 0 && WSTOPSIG(st) == SIGSTOP;
}

sse__wait_kind sse__wait_take(sse_thread *t, int st) {
  /* A parked thread that reports (a signal woke it; it was killed) is
   * parked no more, and has run. */
  sse__park_forget(t);
  t->park_ref = false;
  t->park_cand = false;
  if (WIFEXITED(st) || WIFSIGNALED(st)) return SSE__W_GONE;
  if (!WIFSTOPPED(st)) return SSE__W_NONE;
  t->state = SSE__T_STOPPED;
  int ev = st >> 16;
  t->quiet_stop = t->sigstop_expected && sse__wait_is_owed_stop(t, st);
  if (t->quiet_stop) {
    t->sigstop_expected = false;
    return SSE__W_OWED_SIGSTOP;
  }
  /* A seized thread asked to stop (PTRACE_INTERRUPT) that stops for
   * something else first owes nothing any more: "any trap clears pending
   * STOP trap" (kernel/signal.c, ptrace_stop()). Still expecting it, the
   * next all-stop would not ask again and wait for ever. (Asked while
   * already in a stop we had not taken, it does stop again when resumed:
   * an unexpected PTRACE_EVENT_STOP, taken below as a group-stop, resumed
   * as it was.) A SIGSTOP we sent stays queued, still owed. */
  if (t->seized) t->sigstop_expected = false;
  /* A seized thread's group-stop (a stop signal the program was given):
   * not a stop of ours to report; it resumes as it was. */
  if (ev == PTRACE_EVENT_STOP && t->seized) return SSE__W_CLONE;
  if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK ||
      ev == PTRACE_EVENT_VFORK) {
    sse__thread_on_clone(t, ev);
    return SSE__W_CLONE;
  }
  if (ev == PTRACE_EVENT_VFORK_DONE) {
    /* The vfork child execed or exited: our int3s go back in. */
    if (t->proc->sites_lifted) sse__site_lift_all(t->proc, false);
    return SSE__W_CLONE;
  }
  return SSE__W_EVENT;
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The stops waited for here come at once (a thread asked to stop, a single
 * step): a few microseconds on the other CPU. Asking for them with WNOHANG
 * for that long (yielding this CPU to a tracee that waits for it) keeps the
 * tracer from sleeping and being woken again, which in a virtual machine
 * costs more than the stop. */
#define SSE__WAIT_SPIN_NS 50000u

/* waitpid(tid) until it answers; a task reaped elsewhere (ECHILD) reads as
 * an exit. */
static int wait_raw(sse_thread *t) {
  int st = 0;
  uint64_t t0 = 0;
  for (;;) {
    pid_t r = sse__pt_wait(t->tid, &st, __WALL | WNOHANG);
    if (r == t->tid) return st;
    if (r < 0) return W_EXITCODE(0, 0);
    uint64_t now = mono_ns();
    if (!t0)
      t0 = now;
    else if (now - t0 > SSE__WAIT_SPIN_NS)
      break;
    sched_yield();
  }
  if (sse__pt_wait(t->tid, &st, __WALL) != t->tid) st = W_EXITCODE(0, 0);
  return st;
}

int sse__wait_thread(sse_thread *t, bool step) {
  for (;;) {
    int st = wait_raw(t);
    sse__wait_kind k = sse__wait_take(t, st);
    if (k == SSE__W_OWED_SIGSTOP || k == SSE__W_CLONE) {
      /* Our SIGSTOP came first, or a thread was born: not the stop we
       * wait for; the same resume again. */
      sse__thread_resume(t, step);
      continue;
    }
    return st;
  }
}

int sse__thread_step_sync(sse_thread *t) {
  sse_process *p = t->proc;
  uint64_t pc = sse__thread_pc(t);
  sse__bp_site *s = sse__site_find(p, pc);
  bool lifted = false;
  if (s && s->inserted) {
    /* The program may have stored over our int3 (self-modifying code): its
     * byte is the instruction to step then, not the old original. */
    if (!sse__site_int3_intact(p, s)) {
      s->inserted = false;
      lifted = true;
    } else if (sse__mem_write_raw(p, pc, &s->orig, 1, NULL) == SSE_OK) {
      s->inserted = false;
      lifted = true;
    }
  }
  /* If the resume fails (the task died under us), the wait reports how. */
  sse__thread_resume(t, true);
  int st = sse__wait_thread(t, true);
  if (lifted && WIFSTOPPED(st)) {
    /* The int3 goes back at an instruction start (a thread was there).
     * The stepped instruction may have stored over its own first byte:
     * that byte is the original from now on. */
    uint8_t cur, cc = sse__arch_break_insn[0];
    if (sse__mem_read_raw(p, pc, &cur, 1, NULL) == SSE_OK && cur != s->orig) {
      s->orig = cur;
      sse__mem_sites_changed(p);
    }
    if (sse__mem_write_raw(p, pc, &cc, 1, NULL) == SSE_OK) s->inserted = true;
  }
  return st;
}

int sse__thread_step_off(sse_thread *t) {
  /* Emulated when the displaced instruction is one the arch layer runs
   * (a prologue's push, endbr64, a move): the registers are set and
   * nothing is lifted, stepped or waited for (the breakpoint cycle's one
   * round trip through the scheduler saved). A signal to deliver needs a
   * real step: it is delivered by that step, as before. */
  if (!t->deliver_sig && sse__site_step_emulated(t)) return W_STOPCODE(SIGTRAP);
  return sse__thread_step_sync(t);
}

/* t reported something else before the SIGSTOP it owes: keep it for later.
 * An int3 hit of ours is rewound so the pc shows the breakpoint address,
 * and reported on the next resume if the breakpoint is still there. t
 * stays stopped, still owing a SIGSTOP we sent (an interrupt's stop the
 * kernel dropped: sse__wait_take). */
static void keep_pending(sse_thread *t, int st) {
  sse_process *p = t->proc;
  if (WSTOPSIG(st) == SIGTRAP) {
    siginfo_t si;
    if (sse__pt_getsiginfo(t->tid, &si) == 0 && si.si_code == SI_KERNEL) {
      uint64_t pc = sse__thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
      if (sse__site_inserted_at(p, pc)) {
        sse__thread_set_pc(t, pc);
        t->pending_bp = true;
        return;
      }
    }
  }
  t->has_pending = true;
  t->pending_status = st;
}

/* A status taken while waiting for p's leader: another thread of p (its
 * exit or stop settled here), else kept for the tracer loop. */
static void settle_other(sse_process *p, pid_t tid, int st) {
  sse_engine *e = p->engine;
  sse_thread *o = sse__thread_find(e, tid);
  if (!o) {
    sse__thread_early_status(e, tid, st);
  } else if (o->proc != p) {
    sse__thread_later_status(e, tid, st);
  } else {
    sse__wait_kind k = sse__wait_take(o, st);
    if (k == SSE__W_GONE)
      sse__thread_gone_quiet(o, st);
    else if (k == SSE__W_EVENT && (st >> 16) != PTRACE_EVENT_EXEC)
      keep_pending(o, st);
  }
}

static bool others_live(sse_process *p, sse_thread *leader) {
  for (sse_thread *o = p->threads; o; o = o->next)
    if (o != leader && o->state != SSE__T_EXITED) return true;
  return false;
}

/* The leader's status. The kernel reports a leader's exit only once every
 * other thread's has been collected, and a process may be exiting while
 * we stop it (exit_group with threads we hold stopped): so take whatever
 * any tracee reports, settling the other threads' statuses on the way,
 * until the leader's comes; SIGCHLD wakes the wait (it stays pending
 * while blocked, and the handler forwards it to an idle waiter). */
static int wait_leader(sse_thread *t) {
  sigset_t open;
  pthread_sigmask(SIG_SETMASK, NULL, &open);
  sigdelset(&open, SIGCHLD);
  for (;;) {
    int st = 0;
    pid_t r = sse__pt_wait(-1, &st, __WALL | WNOHANG | __WNOTHREAD);
    if (r == 0) {
      sse__sig_idle(true);
      r = sse__pt_wait(-1, &st, __WALL | WNOHANG | __WNOTHREAD);
      if (r == 0) sigsuspend(&open);
      sse__sig_idle(false);
    }
    if (r == t->tid) return st;
    if (r < 0) return W_EXITCODE(0, 0); /* nothing traced left */
    if (r > 0) settle_other(t->proc, r, st);
  }
}

int sse__wait_dying(sse_thread *t) {
  sse_process *p = t->proc;
  return t->tid == p->pid && others_live(p, t) ? wait_leader(t) : wait_raw(t);
}

/* Wait until t, asked to stop, is stopped: by that stop or by an event
 * that came first (kept pending). */
static void stop_one(sse_thread *t) {
  if (t->state != SSE__T_RUNNING) return;
  sse_process *p = t->proc;
  (void)p;
  int st = sse__wait_dying(t);
  switch (sse__wait_take(t, st)) {
    case SSE__W_GONE:
      sse__thread_gone(t, st);
      return;
    case SSE__W_EVENT:
      if ((st >> 16) != PTRACE_EVENT_EXEC) keep_pending(t, st);
      return;
    default: /* our stop; or a clone, whose new thread the caller's loop
                reaches */
      return;
  }
}

/* Ask running thread t to stop: PTRACE_INTERRUPT when seized (O(1) in the
 * kernel), else SIGSTOP (whose delivery walks every thread of the process
 * to flush SIGCONT: O(n) each, O(n^2) for an all-stop). */
static void ask_stop(sse_process *p, sse_thread *t) {
  int rc = t->seized ? sse__pt_interrupt(t->tid) : sse__pt_tgkill(p->pid, t->tid, SIGSTOP);
  if (rc == 0) t->sigstop_expected = true;
}

static void confirm_pass(sse_process *p);

static bool any_running(sse_process *p, sse_thread *except) {
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t != except && t->state == SSE__T_RUNNING) return true;
  return false;
}

/* One pass: ask, then wait for each, the leader last. A clone the leader
 * reports in its wait adds a thread after the pass: the caller goes round
 * again until nothing runs. */
static void stop_pass(sse_process *p, sse_thread *except) {
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t != except && t->state == SSE__T_RUNNING && !t->sigstop_expected && !t->park_cand)
      ask_stop(p, t);
  sse_thread *leader = NULL;
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->park_cand) continue;
    if (t->tid == p->pid) {
      leader = t;
      continue;
    }
    stop_one(t);
    if (p->exited) return;
  }
  if (leader) stop_one(leader);
}

/* Stop every running thread of p except `except`, synchronously: ask each
 * to stop, then wait for each by tid, the leader last (a wait for the
 * leader while others live takes every tracee's status); again while a
 * thread runs (one the leader's clone event added). A thread that
 * reports something else first (a breakpoint, a signal) keeps that event
 * pending; a SIGSTOP we sent it is still owed, swallowed when it comes. */
void sse__run_stop_all(sse_process *p, sse_thread *except) {
  bool park = sse__park_enabled();
  if (park)
    for (sse_thread *t = p->threads; t; t = t->next)
      t->park_cand = t != except && t->state == SSE__T_RUNNING && sse__park_probe(t);
  do {
    stop_pass(p, except);
    if (p->exited) return;
    if (park) confirm_pass(p);
  } while (any_running(p, except));
  sse__mem_invalidate(p);
}

/* Every thread of p but the candidates is stopped: each candidate still
 * asleep as it was is parked, the others are asked to stop (the next pass
 * waits for them). */
static void confirm_pass(sse_process *p) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (!t->park_cand) continue;
    t->park_cand = false;
    if (t->state == SSE__T_RUNNING && !sse__park_confirm(t)) ask_stop(p, t);
  }
}

void sse__run_unpark_all(sse_process *p) {
  for (sse_thread *t = p->threads; t && p->nparked && !p->exited; t = t->next)
    sse__thread_unpark(t);
}

void sse__thread_unpark(sse_thread *t) {
  if (!t->parked) return;
  sse__park_forget(t);
  if (t->state == SSE__T_EXITED || t->proc->exited) return;
  t->state = SSE__T_RUNNING;
  ask_stop(t->proc, t);
  stop_one(t);
}

void sse__thread_settle_sigstop(sse_thread *t) {
  int keep = t->deliver_sig;
  t->deliver_sig = 0;
  while (t->sigstop_expected && t->state == SSE__T_STOPPED) {
    /* Nothing runs: the queued SIGSTOP is delivered on the way back to
     * user mode, before any instruction. */
    if (sse__thread_resume(t, false) != 0) break;
    int st = wait_raw(t);
    sse__wait_kind k = sse__wait_take(t, st);
    if (k == SSE__W_GONE) {
      sse__thread_gone(t, st);
      return;
    }
    if (k == SSE__W_EVENT && WIFSTOPPED(st) && WSTOPSIG(st) != SIGTRAP)
      keep = WSTOPSIG(st); /* a signal that came first: still due */
  }
  t->deliver_sig = keep;
}
