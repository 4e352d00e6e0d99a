/* How a command ends: every thread stopped (all-stop), the stop filled in
 * and reported, events fired, blocked callers woken. And the pending events
 * of other threads, which end a command as soon as it would resume them.
 * Tracer thread only. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "ptrace/debugregs.h"
#include "step/step.h"

/* Every command ends here: temporary breakpoints out, all threads
 * stopped, then the report (an exit when the process went away). */
static void end_with(sse_process *p, sse_stop *s) {
  /* From here on nothing resumes a thread: a new clone stays stopped, and
   * the stepping thread's exit during the all-stop no longer turns the
   * command into a continue of the others (dispatch.c on_gone), which
   * resumed them under the stop being reported. */
  p->op.ending = true;
  p->others_run = false;
  if (!p->exited) sse__run_stop_all(p, NULL);
  /* The temporary int3s go once every thread is stopped: a thread that
   * hit one meanwhile is kept pending at a site of ours (let go on at its
   * next resume), not reported as a SIGTRAP of its own. */
  sse__runto_disarm(p);
  if (p->exited) sse__stop_exit(s, p);
  sse__run_report(p, s);
}

void sse__end_op(sse_process *p, sse_stop_reason why, sse_thread *t,
                 int signo) {
  sse_stop s;
  sse__stop_init(&s, why, t, signo);
  end_with(p, &s);
}

void sse__end_bp(sse_process *p, sse_thread *t, sse__bp *b) {
  sse_stop s;
  sse__stop_init(&s, SSE_STOP_BREAKPOINT, t, 0);
  s.breakpoint_id = b->id;
  sse__bp_note_stop(b, s.cond_error, sizeof s.cond_error);
  b->hits++;
  end_with(p, &s);
}

/* A watchpoint (debug register `slot`) fired in t. */
void sse__end_watch(sse_process *p, sse_thread *t, int slot) {
  sse__bp *b = sse__watch_by_slot(p, slot);
  if (b && b->wkind == SSE__WATCH_EXEC) { /* a hardware breakpoint */
    sse__end_bp(p, t, b);
    return;
  }
  sse_stop s;
  sse__stop_init(&s, SSE_STOP_WATCHPOINT, t, 0);
  if (b) {
    b->hits++;
    s.breakpoint_id = b->id;
    sse__bp_note_stop(b, s.cond_error, sizeof s.cond_error);
    s.watch_addr = b->waddr;
  }
  end_with(p, &s);
}

int sse__watch_fired(sse_process *p, sse_thread *t) {
  uint64_t dr6 = 0;
  if (sse__hw_read_dr6(t->tid, &dr6) != 0) return -1;
  sse__hw_reset_dr6(t->tid);
  for (int i = 0; i < SSE__ARCH_HW_SLOTS; i++)
    if (((dr6 >> i) & 1) && (p->watch_slots & (1u << i))) return i;
  return -1;
}

/* t sits at a breakpoint it hit while the others were being stopped: it
 * counts if the breakpoint is still there and enabled. */
static bool take_pending_bp(sse_process *p, sse_thread *t) {
  t->pending_bp = false;
  sse__bp *b = sse__bp_hit(t, sse__thread_pc(t));
  if (!b) return false;
  sse__end_bp(p, t, b);
  return true;
}

bool sse__take_pending(sse_process *p) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->state != SSE__T_STOPPED) continue;
    if (t->has_pending) {
      t->has_pending = false;
      sse__op_event(t, t->pending_status);
      if (!p->running) return true;
    } else if (t->pending_bp && take_pending_bp(p, t)) {
      return true;
    }
  }
  return false;
}

/* Pending events first: one of them may end the command. */
static bool others_pending(sse_process *p, sse_thread *except) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->state != SSE__T_STOPPED) continue;
    if (t->has_pending) {
      t->has_pending = false;
      sse__op_event(t, t->pending_status);
      if (!p->running) return true;
      continue;
    }
    if (t->pending_bp && take_pending_bp(p, t)) return true;
  }
  return false;
}

/* Step each stopped thread but `except` off the int3 under its pc, while
 * every thread is still stopped: a thread resumed earlier would run
 * through a breakpoint lifted for a later one's step and never report it.
 * A thread whose step-off stopped for something else keeps that pending.
 * A thread we stopped (its stop our SIGSTOP or interrupt) executed no
 * int3: it has nothing to step off (at a breakpoint's address it is to
 * hit it, as gdb's threads do), and its registers are not read.
 * False when a thread's exit ended the command. */
static bool step_off_sites(sse_process *p, sse_thread *except) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->state != SSE__T_STOPPED || t->has_pending || t->quiet_stop) continue;
    if (!sse__site_inserted_at(p, sse__thread_pc(t))) continue;
    int st = sse__thread_step_off(t);
    if (!WIFSTOPPED(st)) {
      sse__thread_gone(t, st);
      if (!p->running) return false;
      continue;
    }
    if (WSTOPSIG(st) != SIGTRAP) {
      t->has_pending = true;
      t->pending_status = st;
    }
  }
  return true;
}

bool sse__resume_others(sse_process *p, sse_thread *except) {
  if (others_pending(p, except)) return false;
  if (!step_off_sites(p, except)) return false;
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->state != SSE__T_STOPPED || t->has_pending) continue;
    /* A thread that still owes us a SIGSTOP stops at once and is resumed
     * by the loop when that arrives. */
    sse__thread_resume(t, false);
  }
  return true;
}
