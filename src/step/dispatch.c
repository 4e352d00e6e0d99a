/* Run control's entry points: starting a command, the statuses the tracer
 * loop reaps while one runs, signals, interrupts, and the loop's turn
 * (sse__runctl, installed in the engine when the library loads). Tracer
 * thread only, except sse__run_request_interrupt. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"
#include "step/step.h"

/* ------------------------------------------------------------ signals */

bool sse__handle_signal(sse_thread *t, int sig, bool in_step) {
  sse_process *p = t->proc;
  if (sig <= 0 || sig >= SSE__NSIG) return true;
  sse__ev_send(p->engine, SSE_EV_SIGNAL, p, t, t->tid, sig, NULL);
  t->deliver_sig = p->sig_pass[sig] ? sig : 0;
  if (p->sig_stop[sig]) {
    t->report_sig = true;
    sse__end_op(p, SSE_STOP_SIGNAL, t, sig);
    return false;
  }
  if (in_step && t->deliver_sig && !p->op.pol.one_insn) {
    /* Run over the handler: back at this pc in this frame. */
    sse__regs r;
    sse__thread_regs(t, &r);
    if (sse__runto_add(p, sse__regs_pc(&r), sse__regs_sp(&r), false, 0) !=
        SSE_OK)
      return true;
    sse__runto_start(p, SSE__RT_HANDLER);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------ events */

static bool others_live(sse_process *p, sse_thread *t) {
  for (sse_thread *o = p->threads; o; o = o->next)
    if (o != t && o->state != SSE__T_EXITED) return true;
  return false;
}

/* t runs on past the int3 of ours under its pc (a breakpoint that does not
 * stop: its condition false, an ignore count; another thread's temporary
 * one). The displaced instruction emulated when it can be: nothing is
 * lifted and the other threads run on (gdb's displaced stepping in
 * non-stop, without the copy). Else it is single-stepped with the int3
 * lifted, every other thread of a continue stopped meanwhile, so that
 * none runs through it unseen (gdb's all-stop step-over); they keep what
 * they hit while being stopped, which the resume reports first. During a
 * step the others are left running: the stepping thread may be
 * single-stepping (an asynchronous phase) or about to reach its run-to
 * breakpoint, which the resume of a stopped thread does not know. */
static void run_past_int3(sse_process *p, sse_thread *t) {
  if (sse__site_step_emulated(t)) {
    sse__thread_resume(t, false);
    return;
  }
  bool others = p->op.kind == SSE__OP_CONTINUE && p->others_run && others_live(p, t);
  if (others) sse__run_stop_all(p, t);
  if (p->exited) return;
  int st = sse__thread_step_sync(t);
  if (!WIFSTOPPED(st)) {
    sse__thread_gone(t, st);
    if (others && p->running && !p->exited) sse__resume_others(p, NULL);
    return;
  }
  bool sig = WSTOPSIG(st) != SIGTRAP; /* a signal came instead */
  if (others) {
    if (sig) {
      t->has_pending = true;
      t->pending_status = st;
    }
    sse__resume_others(p, NULL);
  } else if (sig) {
    sse__op_event(t, st);
  } else {
    sse__thread_resume(t, false);
  }
}

/* An int3 of ours at pc trapped t (the pc is back on it): a breakpoint, the
 * stepping thread's run-to, the rendezvous, the JIT interfaces, or a
 * temporary int3 of another thread's step, stepped over. */
static void our_int3(sse_process *p, sse_thread *t, uint64_t pc) {
  sse__bp *b = sse__bp_hit(t, pc);
  if (b) {
    sse__end_bp(p, t, b);
    return;
  }
  if (p->op.kind == SSE__OP_STEP && t == p->op.thr &&
      p->op.phase == SSE__PH_RUN_TO && sse__runto_at(&p->op, pc)) {
    sse__runto_hit(p, t);
    return;
  }
  if (p->op.kind == SSE__OP_STEP && t == p->op.thr &&
      p->op.phase == SSE__PH_RUN_TO && sse__runto_longjmp_at(&p->op, pc)) {
    sse__runto_longjmp(p, t);
    return;
  }
  if (p->op.kind == SSE__OP_STEP && t == p->op.thr &&
      p->op.phase == SSE__PH_RUN_TO && sse__exc_trap(p, t, pc))
    return;
  if (sse__proc_is_rbrk(p, pc)) {
    sse__run_code_changed(p, 0, UINT64_MAX);
    sse__proc_symbols_changed(p);
  }
  sse__proc_is_jitbrk(p, pc); /* GDB JIT interface: handled, step over */
  if (sse__proc_jit_trap(t, pc)) return; /* JIT agent hand-over */
  run_past_int3(p, t);
}

/* A debug-register trap in t: a watchpoint, or the stepping thread's
 * run-to. */
static void hw_trap(sse_process *p, sse_thread *t) {
  uint64_t dr6 = 0;
  sse__hw_read_dr6(t->tid, &dr6);
  sse__hw_reset_dr6(t->tid);
  int slot = sse__arch_dr6_slot(dr6);
  if (slot >= 0 && (p->watch_slots & (1u << slot))) {
    if (sse__bp_watch_stops(t, sse__watch_by_slot(p, slot))) {
      sse__end_watch(p, t, slot);
      return;
    }
    sse__thread_resume(t, false);
    return;
  }
  if (p->op.kind == SSE__OP_STEP && t == p->op.thr) {
    sse__runto_hit(p, t);
    return;
  }
  sse__thread_resume(t, false);
}

/* A SIGTRAP of t: true when it is a plain signal for the program (an int3
 * of its own), handled like any other. */
static bool sigtrap(sse_process *p, sse_thread *t) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (sse__pt_getsiginfo(t->tid, &si) == -ESRCH) {
    /* Killed out of its stop: its exit comes next. */
    sse__thread_gone(t, sse__wait_dying(t));
    return false;
  }
  if (si.si_code == SI_KERNEL) {
    uint64_t pc = sse__thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
    if (!sse__site_inserted_at(p, pc)) return true;
    sse__thread_set_pc(t, pc);
    our_int3(p, t, pc);
    return false;
  }
  if (si.si_code == TRAP_HWBKPT) {
    hw_trap(p, t);
    return false;
  }
  if (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT) {
    /* A stray single-step trap (a step cut short by our SIGSTOP). */
    sse__thread_resume(t, false);
    return false;
  }
  return true;
}

void sse__op_event(sse_thread *t, int st) {
  sse_process *p = t->proc;
  if (WIFEXITED(st) || WIFSIGNALED(st)) {
    sse__thread_gone(t, st);
    return;
  }
  t->state = SSE__T_STOPPED;
  int sig = WSTOPSIG(st);
  if (sig == SIGTRAP && !sigtrap(p, t)) return;
  if (sse__handle_signal(t, sig, false)) sse__thread_resume(t, false);
}

/* How a thread of a running command is resumed when the engine resumes it
 * on its own (after an owed SIGSTOP, a clone): single-stepping when it is
 * the stepping thread of a single-step phase. */
static bool resumes_stepping(sse_process *p, sse_thread *t) {
  return sse__step_awaiting(p, t) && p->op.phase == SSE__PH_STEP;
}

/* The running step turns into a continue (its thread is gone, or its
 * image): its temporary breakpoints out, every thread to run. */
static void become_continue(sse_process *p) {
  sse__runto_disarm(p);
  p->op.kind = SSE__OP_CONTINUE;
  p->op.phase = SSE__PH_CONTINUE;
  p->op.async = false;
  p->op.thr = NULL;
  p->others_run = true;
}

void sse__op_exec(sse_process *p, sse_thread *t) {
  sse__thread_on_exec(t);
  if (!p->running) return;
  if (p->op.kind == SSE__OP_STEP) {
    /* gdb: a step across exec does not stop in the new image's dynamic
     * linker ("process N is executing new program"); the program runs on,
     * its breakpoints re-resolved by name and FILE:LINE, to the next stop.
     * The old image's temporary breakpoints went with it. */
    become_continue(p);
  }
  sse__thread_resume(t, false);
}

/* A status the tracer loop reaped. */
static void on_status(sse_engine *e, pid_t tid, int st) {
  sse_thread *t = sse__thread_find(e, tid);
  if (!t) {
    sse__thread_early_status(e, tid, st);
    return;
  }
  sse_process *p = t->proc;
  switch (sse__wait_take(t, st)) {
    case SSE__W_NONE:
      return;
    case SSE__W_GONE:
      sse__thread_gone(t, st);
      return;
    case SSE__W_CLONE:
      sse__thread_resume(t, resumes_stepping(p, t));
      return;
    case SSE__W_OWED_SIGSTOP:
      if (p->running && (p->others_run || t == p->op.thr) &&
          !t->has_pending && !t->pending_bp)
        sse__thread_resume(t, resumes_stepping(p, t));
      return;
    case SSE__W_EVENT:
      break;
  }
  if ((st >> 16) == PTRACE_EVENT_EXEC) {
    sse__op_exec(p, t);
  } else if (!p->running) {
    /* Nobody asked for this (a late signal): keep it for the next
     * command. */
    t->has_pending = true;
    t->pending_status = st;
  } else if (sse__step_awaiting(p, t) && p->op.async) {
    sse__step_async_status(p, st);
  } else {
    sse__op_event(t, st);
  }
}

/* A thread of a process with a command running ended: the process (its
 * leader's status comes last), or the stepping thread — then the command
 * becomes a continue of the others, as gdb does. */
static void on_gone(sse_thread *t) {
  sse_process *p = t->proc;
  /* Met while the command ends (end_with stops every thread): its stop
   * stands, or becomes the process's exit there. */
  if (p->op.ending) return;
  if (t->tid == p->pid) {
    sse__end_op(p, SSE_STOP_EXITED, NULL, 0);
    return;
  }
  if (p->op.thr != t) return;
  become_continue(p);
  sse__resume_others(p, NULL);
}

/* ------------------------------------------------------------ commands */

static void mark_running(sse_process *p) {
  pthread_mutex_lock(&p->engine->lock);
  p->running = true;
  if (!(atomic_load(&p->stop_gen) & 1)) atomic_fetch_add(&p->stop_gen, 1);
  pthread_mutex_unlock(&p->engine->lock);
  p->others_run = false;
  sse__mem_invalidate(p);
}

sse_err sse__run_start(sse_process *p, sse__op_kind kind, sse_thread *thr,
                       const sse_step_frame *frame) {
  if (p->exited) return SSE_E_EXITED;
  if (p->running) return SSE_E_BUSY;
  if (thr && thr->state == SSE__T_EXITED) return SSE_E_NOTHREAD;
  sse__op *op = &p->op;
  memset(op, 0, sizeof *op);
  op->kind = kind;
  op->thr = thr;
  bool stop_now = false;
  if (kind == SSE__OP_STEP) {
    sse_err err = sse__step_setup(p, thr, frame, &stop_now);
    if (err) {
      memset(op, 0, sizeof *op);
      return err;
    }
  }
  mark_running(p);
  if (sse__take_pending(p)) return SSE_OK;
  if (stop_now) {
    /* `step` at a hidden inline frame: into it, without running. */
    sse__end_op(p, SSE_STOP_STEP, thr, 0);
  } else if (kind == SSE__OP_CONTINUE) {
    op->phase = SSE__PH_CONTINUE;
    p->others_run = true;
    sse__resume_others(p, NULL);
  } else {
    sse__step_begin(p);
  }
  return SSE_OK;
}

void sse__run_request_interrupt(sse_process *p) {
  sse_engine *e = p->engine;
  /* Only a running command is interrupted: the flag is set and cleared
   * (sse__run_report) under the lock, together with `running`, so a stopped
   * process never keeps one for its next command. The tracer loop takes it
   * on its next turn: a kick wakes it from sigsuspend, and the queue count
   * moves so that its watch of the queue after a command (which takes
   * kicks without looking further) returns too. A synchronous step sees
   * the flag between two phases. */
  pthread_mutex_lock(&e->lock);
  bool kick = p->running && !e->stopped;
  if (kick) {
    atomic_store(&p->interrupt_requested, true);
    atomic_fetch_add_explicit(&e->q_posted, 1, memory_order_release);
  }
  if (kick && !sse_on_tracer_thread(e)) pthread_kill(e->tracer, SIGCHLD);
  pthread_mutex_unlock(&e->lock);
}

/* The command of p ends as interrupted. */
static void interrupt(sse_process *p) {
  if (!p->running || p->exited) {
    atomic_store(&p->interrupt_requested, false);
    return;
  }
  sse_thread *t = p->op.thr;
  if (!t)
    for (t = p->threads; t && t->state == SSE__T_EXITED; t = t->next) {
    }
  sse__end_op(p, SSE_STOP_INTERRUPTED, t, 0);
}

static bool poll(sse_engine *e) {
  bool did = false;
  for (sse_process *p = e->procs; p; p = p->next) {
    if (atomic_load(&p->interrupt_requested)) {
      interrupt(p);
      did = true;
    } else if (p->running && p->op.deferred) {
      p->op.deferred = false;
      sse__step_drive(p);
      did = true;
    }
  }
  return did;
}

static const sse__runctl runctl = {
    .status = on_status,
    .poll = poll,
    .gone = on_gone,
    .code_changed = sse__run_code_changed,
};

/* The engine reaches run control only through this table. */
/* Priority 101: before the program's own constructors, which may start an
 * engine (static linking orders .init_array by priority). */
__attribute__((constructor(101))) static void install(void) {
  sse__runctl_install(&runctl);
}
