/* Run control: wait statuses, all-stop, continue, and the step-frame state
 * machine. Everything here runs on the tracer thread.
 *
 * Phases of a step command:
 *  - single-step phase: only the stepping thread moves; every other thread
 *    of the process is stopped. It runs as a tight synchronous loop
 *    (PTRACE_SINGLESTEP, waitpid(tid)) with no trip through sigsuspend.
 *  - run-to phase: the stepping thread runs to a temporary breakpoint (a
 *    debug register of that thread, or an int3 with the other threads kept
 *    stopped) while the other threads run too; events come through the
 *    tracer loop. Used to run over calls, signal handlers, syscalls and
 *    for finish/until.
 * When a command ends, every thread is stopped (all-stop) before the stop is
 * reported. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "internal.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"
#include "symtab/symtab.h"
#include "unwind/unwind.h"

static void step_loop(sse_process *p);
static void end_op(sse_process *p, sse_stop_reason why, sse_thread *t,
                   int signo);
static void op_event(sse_thread *t, int st);
static bool step_decide_location(sse_process *p, uint64_t pc, uint64_t sp);

/* ------------------------------------------------------------ helpers */

int sse__thread_getregs(sse_thread *t, struct user_regs_struct *r) {
  if (!t->regs_valid) {
    int rc = sse__pt_getregs(t->tid, &t->regs);
    if (rc) return rc;
    t->regs_valid = true;
  }
  *r = t->regs;
  return 0;
}

int sse__thread_setregs(sse_thread *t, const struct user_regs_struct *r) {
  int rc = sse__pt_setregs(t->tid, r);
  t->regs_valid = rc == 0;
  if (rc == 0) t->regs = *r;
  return rc;
}

/* Zeroed on failure (a thread that vanished), so callers need no check
 * for the pc they then compare. */
static int getregs(sse_thread *t, struct user_regs_struct *r) {
  int rc = sse__thread_getregs(t, r);
  if (rc) memset(r, 0, sizeof *r);
  return rc;
}

static uint64_t thread_pc(sse_thread *t) {
  struct user_regs_struct r;
  return getregs(t, &r) == 0 ? r.rip : 0;
}

static void set_pc(sse_thread *t, uint64_t pc) {
  struct user_regs_struct r;
  if (getregs(t, &r) == 0) {
    r.rip = pc;
    sse__thread_setregs(t, &r);
  }
}

static void mark_running(sse_thread *t) {
  t->state = SSE__T_RUNNING;
  t->regs_valid = false;
  sse__mem_invalidate(t->proc);
}

/* Resume one thread. Its pending signal goes with it. */
/* The inline blocks at pc (gdb's inline frames), innermost first. */
static int inline_chain(sse_process *p, uint64_t pc, sse__inline *v) {
  struct sse__symtab *st = sse__proc_symtab(p);
  if (!st) return 0;
  int n = sse__symtab_inline_chain(st, pc, v, SSE__INLINE_MAX);
  if (n < 0) return 0;
  return n > SSE__INLINE_MAX ? SSE__INLINE_MAX : n;
}

/* Where stepping looks a pc up: the modules, then the JIT agent's copy
 * (its functions and line tables step like any other code). */
static bool step_lookup(sse_process *p, uint64_t pc, sse__loc *l) {
  return sse__proc_lookup(p, pc, l) == 0;
}

static int resume(sse_thread *t, bool step) {
  t->inl.valid = false;
  int sig = t->deliver_sig;
  t->deliver_sig = 0;
  t->report_sig = false;
  int rc = step ? sse__pt_singlestep(t->tid, sig) : sse__pt_cont(t->tid, sig);
  if (rc == 0) {
    mark_running(t);
    /* Each resume ends in one ptrace stop: the command's cost. */
    if (t->proc->running) t->proc->op.nstops++;
  }
  return rc;
}

static bool is_site_at(sse_process *p, uint64_t pc) {
  sse__bp_site *s = sse__site_find(p, pc);
  return s && s->inserted;
}

static void on_clone(sse_thread *t, int ev);
static void thread_gone(sse_thread *t, int st);
static void on_exec(sse_thread *t);

/* Single-step t synchronously (the other threads are stopped), stepping
 * off an int3 under the pc if there is one: take the original byte back,
 * step, reinsert. Returns the wait status; clone events on the way are
 * handled and the step repeated. */
static int singlestep_sync(sse_thread *t) {
  sse_process *p = t->proc;
  uint64_t pc = thread_pc(t);
  sse__bp_site *s = sse__site_find(p, pc);
  bool lifted = false;
  if (s && s->inserted) {
    if (sse__mem_write_raw(p, pc, &s->orig, 1, NULL) == SSE_OK) {
      s->inserted = false;
      lifted = true;
    }
  }
  int st = 0;
  /* If the resume fails (the task died under us), the wait reports how. */
  resume(t, true);
  for (;;) {
    pid_t r = sse__pt_wait(t->tid, &st, __WALL);
    if (r != t->tid) {
      st = W_EXITCODE(0, 0); /* ECHILD: the task is gone, reaped elsewhere */
      break;
    }
    if (WIFSTOPPED(st)) {
      int ev = st >> 16;
      if (ev == 0 && WSTOPSIG(st) == SIGSTOP && t->sigstop_expected) {
        /* Our SIGSTOP (from an all-stop) came before the step: swallow it
         * and step again. */
        t->sigstop_expected = false;
        t->state = SSE__T_STOPPED;
        resume(t, true);
        continue;
      }
      if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK ||
          ev == PTRACE_EVENT_VFORK) {
        t->state = SSE__T_STOPPED;
        on_clone(t, ev);
        resume(t, true);
        continue;
      }
    }
    break;
  }
  if (WIFSTOPPED(st)) t->state = SSE__T_STOPPED;
  if (lifted && !(WIFEXITED(st) || WIFSIGNALED(st))) {
    uint8_t cc = sse__arch_break_insn[0];
    if (sse__mem_write_raw(p, pc, &cc, 1, NULL) == SSE_OK) s->inserted = true;
  }
  return st;
}

/* ------------------------------------------------------------ all-stop */

/* Stop every running thread of p except `except`, synchronously: SIGSTOP
 * each (tgkill), then waitpid() each by tid. A thread that reports
 * something else first (a breakpoint, a signal) keeps that event pending
 * and still owes the SIGSTOP, which is swallowed when it comes. */
void sse__run_stop_all(sse_process *p, sse_thread *except) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->state != SSE__T_RUNNING || t->sigstop_expected)
      continue;
    if (sse__pt_tgkill(p->pid, t->tid, SIGSTOP) == 0)
      t->sigstop_expected = true;
  }
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except) continue;
    while (t->state == SSE__T_RUNNING) {
      int st;
      if (sse__pt_wait(t->tid, &st, __WALL) != t->tid) {
        thread_gone(t, W_EXITCODE(0, 0));
        break;
      }
      if (WIFEXITED(st) || WIFSIGNALED(st)) {
        thread_gone(t, st);
        break;
      }
      t->state = SSE__T_STOPPED;
      int sig = WSTOPSIG(st), ev = st >> 16;
      if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK ||
          ev == PTRACE_EVENT_VFORK) {
        on_clone(t, ev); /* new thread appended: the loop reaches it */
        break;
      }
      if (ev == 0 && sig == SIGSTOP && t->sigstop_expected) {
        t->sigstop_expected = false;
        break;
      }
      if (ev == PTRACE_EVENT_EXEC) break;
      /* Some other event came first: keep it. An int3 hit is rewound so
       * that the pc shows the breakpoint address, and reported on the next
       * resume if the breakpoint is still there. */
      if (sig == SIGTRAP) {
        siginfo_t si;
        if (sse__pt_getsiginfo(t->tid, &si) == 0 && si.si_code == SI_KERNEL) {
          uint64_t pc = thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
          if (is_site_at(p, pc)) {
            set_pc(t, pc);
            t->pending_bp = true;
            continue;
          }
        }
      }
      t->has_pending = true;
      t->pending_status = st;
    }
    if (p->exited) return;
  }
  sse__mem_invalidate(p);
}

/* ------------------------------------------------------------ reporting */

void sse__run_fill_location(sse_process *p, uint64_t pc, sse_location *loc) {
  memset(loc, 0, sizeof *loc);
  loc->pc = pc;
  sse__loc l;
  if (sse__proc_lookup(p, pc, &l) != 0) return; /* modules, then JIT (issue 6) */
  loc->module = l.module;
  loc->function = l.function;
  loc->offset = l.offset;
  if (l.has_line) {
    loc->file = l.file;
    loc->line = l.line;
    loc->column = l.column;
  }
}

/* Finish the running command (or report the first stop): fill in the stop,
 * mark the process stopped, fire events, wake blocked callers. */
void sse__run_report(sse_process *p, sse_stop *s) {
  s->process = p;
  s->pid = p->pid;
  if (s->thread) {
    s->tid = s->thread->tid;
    struct user_regs_struct r;
    if (!p->exited && getregs(s->thread, &r) == 0) {
      s->pc = r.rip;
      s->sp = r.rsp;
      sse__run_fill_location(p, s->pc, &s->loc);
      /* gdb hides inline frames that start at the stop pc and reports the
       * call site; a `step` there then enters them one by one. */
      sse_thread *t = s->thread;
      sse__inline v[SSE__INLINE_MAX];
      int n = inline_chain(p, s->pc, v);
      sse__inl_stop why = p->op.stepi_only ? SSE__INL_STOP_STEPI
                          : s->reason == SSE_STOP_BREAKPOINT
                              ? SSE__INL_STOP_USER_BP
                              : SSE__INL_STOP_OTHER;
      if (!t->inl.valid || t->inl.pc != s->pc)
        sse__inline_stop(&t->inl, v, n, s->pc, why);
      sse__loc l;
      struct sse__symtab *st = sse__proc_symtab(p);
      if (n > 0 && st && sse__symtab_lookup(st, s->pc, &l) == 0)
        sse__inline_location(v, n, t->inl.skip, &l, s->pc, &s->loc);
    }
  }
  if (p->exited) s->thread = NULL;
  s->ptrace_stops = p->op.nstops;
  memset(&p->op, 0, sizeof p->op);
  p->interrupt_requested = false;
  pthread_mutex_lock(&p->engine->lock);
  p->last_stop = *s;
  p->running = false;
  p->ops_finished = p->ops_started;
  if (atomic_load(&p->stop_gen) & 1) atomic_fetch_add(&p->stop_gen, 1);
  pthread_mutex_unlock(&p->engine->lock);
  sse__ev_stop(p, s);
  sse__engine_wake_waiters(p->engine);
}

static void disarm_runto(sse_process *p);

static void end_op(sse_process *p, sse_stop_reason why, sse_thread *t,
                   int signo) {
  sse_stop s;
  memset(&s, 0, sizeof s);
  disarm_runto(p);
  if (!p->exited) sse__run_stop_all(p, NULL);
  s.reason = why;
  s.thread = t;
  s.signo = signo;
  if (p->exited) {
    s.reason = p->exit_signal ? SSE_STOP_KILLED : SSE_STOP_EXITED;
    s.exit_status = p->exit_status;
    s.signo = p->exit_signal;
    s.thread = NULL;
  }
  sse__run_report(p, &s);
}

static void end_bp(sse_process *p, sse_thread *t, sse__bp *b) {
  sse_stop s;
  memset(&s, 0, sizeof s);
  disarm_runto(p);
  sse__run_stop_all(p, NULL);
  b->hits++;
  s.reason = SSE_STOP_BREAKPOINT;
  s.thread = t;
  s.breakpoint_id = b->id;
  if (p->exited) {
    end_op(p, SSE_STOP_EXITED, NULL, 0);
    return;
  }
  sse__run_report(p, &s);
}

/* A watchpoint (debug register `slot`) fired in t. */
static void end_watch(sse_process *p, sse_thread *t, int slot) {
  sse__bp *b = sse__watch_by_slot(p, slot);
  sse_stop s;
  memset(&s, 0, sizeof s);
  disarm_runto(p);
  sse__run_stop_all(p, NULL);
  if (b) b->hits++;
  s.reason = SSE_STOP_WATCHPOINT;
  s.thread = t;
  s.breakpoint_id = b ? b->id : 0;
  s.watch_addr = b ? b->waddr : 0;
  if (p->exited) {
    end_op(p, SSE_STOP_EXITED, NULL, 0);
    return;
  }
  sse__run_report(p, &s);
}

/* The watchpoint slot that fired in t's last debug trap, or -1; DR6 is
 * cleared. Only asked when p has watchpoints. */
static int watch_fired(sse_process *p, sse_thread *t) {
  uint64_t dr6 = 0;
  if (sse__hw_read_dr6(t->tid, &dr6) != 0) return -1;
  sse__hw_reset_dr6(t->tid);
  for (int i = 0; i < SSE__ARCH_HW_SLOTS; i++)
    if (((dr6 >> i) & 1) && (p->watch_slots & (1u << i))) return i;
  return -1;
}

/* ------------------------------------------------------------ threads */

static void on_clone(sse_thread *t, int ev) {
  sse_process *p = t->proc;
  unsigned long msg = 0;
  if (sse__pt_geteventmsg(t->tid, &msg) != 0 || msg == 0) return;
  pid_t ntid = (pid_t)msg;
  if (ev != PTRACE_EVENT_CLONE) {
    /* A forked child: not followed; detach it so it runs free. It starts
     * with a SIGSTOP we must take first. */
    int st;
    sse__pt_wait(ntid, &st, __WALL);
    sse__pt_detach(ntid, 0);
    return;
  }
  sse_thread *n = sse__thread_add(p, ntid);
  if (!n) return;
  /* The new thread starts with a SIGSTOP we have not seen yet (it may
   * already have been reaped by the loop: see early statuses). */
  n->state = SSE__T_RUNNING;
  n->sigstop_expected = true;
  sse_engine *e = p->engine;
  for (int i = 0; i < e->nearly; i++) {
    if (e->early_tid[i] != ntid) continue;
    int st = e->early_st[i];
    e->early_tid[i] = e->early_tid[--e->nearly];
    e->early_st[i] = e->early_st[e->nearly];
    n->state = SSE__T_STOPPED;
    if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP) n->sigstop_expected = false;
    break;
  }
  sse__watch_apply_thread(n);
  if (sse__ev_wanted(e, SSE_EV_THREAD_CREATED)) {
    sse_event ev2;
    memset(&ev2, 0, sizeof ev2);
    ev2.kind = SSE_EV_THREAD_CREATED;
    ev2.engine = e;
    ev2.process = p;
    ev2.thread = n;
    ev2.tid = ntid;
    sse__ev_emit(e, &ev2);
  }
  /* Let it run now if the current phase runs the other threads. */
  if (n->state == SSE__T_STOPPED && !n->sigstop_expected && p->running &&
      p->others_run)
    resume(n, false);
}

static void thread_gone(sse_thread *t, int st) {
  sse_process *p = t->proc;
  sse_engine *e = p->engine;
  if (t->state == SSE__T_EXITED) return;
  pthread_mutex_lock(&e->lock);
  t->state = SSE__T_EXITED;
  p->nthreads_live--;
  pthread_mutex_unlock(&e->lock);
  if (t->tid == p->pid) {
    /* The leader's status comes last (__WALL): the process is gone. */
    sse__proc_mark_exited(p, st);
    if (sse__ev_wanted(e, SSE_EV_PROCESS_EXITED)) {
      sse_stop s;
      memset(&s, 0, sizeof s);
      s.reason = p->exit_signal ? SSE_STOP_KILLED : SSE_STOP_EXITED;
      s.process = p;
      s.pid = p->pid;
      s.exit_status = p->exit_status;
      s.signo = p->exit_signal;
      sse_event ev;
      memset(&ev, 0, sizeof ev);
      ev.kind = SSE_EV_PROCESS_EXITED;
      ev.engine = e;
      ev.process = p;
      ev.tid = p->pid;
      ev.stop = &s;
      ev.signo = p->exit_signal;
      sse__ev_emit(e, &ev);
    }
    if (p->running) end_op(p, SSE_STOP_EXITED, NULL, 0);
    else sse__engine_wake_waiters(e);
    return;
  }
  if (sse__ev_wanted(e, SSE_EV_THREAD_EXITED)) {
    sse_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SSE_EV_THREAD_EXITED;
    ev.engine = e;
    ev.process = p;
    ev.thread = t;
    ev.tid = t->tid;
    sse__ev_emit(e, &ev);
  }
  if (p->running && p->op.thr == t) {
    /* The stepping thread is gone: the command becomes a continue of the
     * others, as gdb does. */
    disarm_runto(p);
    p->op.kind = SSE__OP_CONTINUE;
    p->op.thr = NULL;
    p->others_run = true;
    for (sse_thread *o = p->threads; o; o = o->next) {
      if (o->state != SSE__T_STOPPED) continue;
      if (o->has_pending) {
        o->has_pending = false;
        op_event(o, o->pending_status);
        if (!p->running) return;
        continue;
      }
      if (is_site_at(p, thread_pc(o))) {
        int st2 = singlestep_sync(o);
        if (!WIFSTOPPED(st2)) {
          thread_gone(o, st2);
          continue;
        }
      }
      resume(o, false);
    }
  }
}

static void on_exec(sse_thread *t) {
  sse_process *p = t->proc;
  sse_engine *e = p->engine;
  /* Every other thread is gone; the address space is new: no int3 of ours
   * is in it and the kernel dropped the debug registers. */
  for (sse_thread *o = p->threads; o; o = o->next) {
    if (o == t || o->state == SSE__T_EXITED) continue;
    pthread_mutex_lock(&e->lock);
    o->state = SSE__T_EXITED;
    p->nthreads_live--;
    pthread_mutex_unlock(&e->lock);
  }
  t->dr7 = 0;
  memset(t->hw_addr, 0, sizeof t->hw_addr);
  sse__bp_exec_reset(p);
  /* The /proc/PID/mem file we hold points at the old address space. */
  sse__mem_free(p);
  sse__unwind_flush(p);
  sse__run_code_changed(p, 0, UINT64_MAX);
  sse__proc_jit_exec(p); /* JIT state of the old image (issue 6) */
  sse__proc_symbols_changed(p);
  if (sse__ev_wanted(e, SSE_EV_EXEC)) {
    sse_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SSE_EV_EXEC;
    ev.engine = e;
    ev.process = p;
    ev.thread = t;
    ev.tid = t->tid;
    sse__ev_emit(e, &ev);
  }
}

/* ------------------------------------------------------------ run-to */

static void disarm_runto(sse_process *p) {
  sse__op *op = &p->op;
  for (int i = 0; i < op->nrt; i++) {
    sse__runto *rt = &op->rt[i];
    if (rt->hw && op->thr && op->thr->state != SSE__T_EXITED) {
      sse__hw_clear(op->thr->tid, rt->slot, &op->thr->dr7);
      op->thr->hw_addr[rt->slot] = 0;
    } else if (rt->int3) {
      sse__site_del(p, rt->addr);
    }
  }
  op->nrt = 0;
  op->rt_int3 = false;
}

static int free_hw_slot(sse_process *p, sse_thread *t) {
  for (int i = 0; i < SSE__ARCH_HW_SLOTS; i++) {
    if (p->watch_slots & (1u << i)) continue;
    if (sse__arch_dr7_enabled(t->dr7, i)) continue;
    return i;
  }
  return -1;
}

static sse_err add_runto(sse_process *p, uint64_t addr, uint64_t sp_min,
                         bool check_cfa, uint64_t cfa_min) {
  sse__op *op = &p->op;
  sse_thread *t = op->thr;
  if (op->nrt >= 2) return SSE_E_NOSLOT;
  sse__runto *rt = &op->rt[op->nrt];
  memset(rt, 0, sizeof *rt);
  rt->addr = addr;
  rt->sp_min = sp_min;
  rt->check_cfa = check_cfa;
  rt->cfa_min = cfa_min;
  int slot = p->engine->hw_broken ? -1 : free_hw_slot(p, t);
  if (slot >= 0 &&
      sse__hw_set(t->tid, slot, addr, SSE__HW_EXEC, 1, &t->dr7) == 0) {
    rt->hw = true;
    rt->slot = slot;
    t->hw_addr[slot] = addr;
  } else {
    if (slot >= 0) p->engine->hw_broken = true;
    sse_err err = sse__site_add(p, addr);
    if (err) return err;
    rt->int3 = true;
    op->rt_int3 = true;
  }
  op->nrt++;
  return SSE_OK;
}

/* Resume the other threads of p (stepping over breakpoints they sit on,
 * while everything is still stopped). Returns false when a pending event
 * ended the command. */
static bool resume_others(sse_process *p, sse_thread *except) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->state != SSE__T_STOPPED) continue;
    if (t->has_pending) {
      t->has_pending = false;
      op_event(t, t->pending_status);
      if (!p->running) return false;
      continue;
    }
    if (t->pending_bp) {
      t->pending_bp = false;
      sse__bp *b = sse__bp_at(p, thread_pc(t));
      if (b && b->enabled) {
        end_bp(p, t, b);
        return false;
      }
    }
  }
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t == except || t->state != SSE__T_STOPPED) continue;
    if (is_site_at(p, thread_pc(t))) {
      int st = singlestep_sync(t);
      if (!WIFSTOPPED(st)) {
        thread_gone(t, st);
        if (!p->running) return false;
        continue;
      }
      if (WSTOPSIG(st) != SIGTRAP) {
        t->has_pending = true;
        t->pending_status = st;
        continue;
      }
    }
    if (t->sigstop_expected && t->state == SSE__T_STOPPED) {
      /* It still owes us a SIGSTOP: it will stop at once and be resumed
       * by the loop when that arrives. */
    }
    resume(t, false);
  }
  return true;
}

/* Enter the run-to phase: the stepping thread runs to its armed temporary
 * breakpoints. With an int3 fallback the others stay stopped (they could
 * trip it); with debug registers they run. */
static void start_runto(sse_process *p) {
  sse__op *op = &p->op;
  sse_thread *t = op->thr;
  op->sub = SSE__SUB_RUNTO;
  if (!op->rt_int3) {
    p->others_run = true;
    if (!resume_others(p, t)) return;
  }
  if (is_site_at(p, thread_pc(t))) {
    int st = singlestep_sync(t);
    if (!WIFSTOPPED(st)) {
      thread_gone(t, st);
      return;
    }
    if (WSTOPSIG(st) != SIGTRAP) {
      op_event(t, st);
      return;
    }
    /* The stepped instruction may itself have reached a target. */
    struct user_regs_struct r;
    getregs(t, &r);
    for (int i = 0; i < op->nrt; i++)
      if (r.rip == op->rt[i].addr && r.rsp >= op->rt[i].sp_min) {
        op_event(t, st);
        return;
      }
  }
  resume(t, false);
}

/* The stepping thread stopped at one of its run-to addresses. */
static void runto_hit(sse_process *p, sse_thread *t) {
  sse__op *op = &p->op;
  struct user_regs_struct r;
  getregs(t, &r);
  sse__runto *hit = NULL;
  for (int i = 0; i < op->nrt; i++) {
    sse__runto *rt = &op->rt[i];
    if (r.rip != rt->addr || r.rsp < rt->sp_min) continue;
    if (rt->check_cfa) {
      uint64_t cfa;
      if (sse__unwind_cfa(t, &cfa) == SSE_OK && cfa < rt->cfa_min) continue;
    }
    hit = rt;
    break;
  }
  if (!hit) {
    /* A deeper recursive activation: not our frame. Keep going. */
    if (op->rt_int3) {
      int st = singlestep_sync(t);
      if (!WIFSTOPPED(st)) {
        thread_gone(t, st);
        return;
      }
      if (WSTOPSIG(st) != SIGTRAP) {
        op_event(t, st);
        return;
      }
    }
    resume(t, false);
    return;
  }
  sse__runto_why why = op->why;
  disarm_runto(p);
  sse__run_stop_all(p, t);
  p->others_run = false;
  if (p->exited) return;
  switch (why) {
    case SSE__RT_FINISH: {
      sse_stop s;
      memset(&s, 0, sizeof s);
      s.reason = SSE_STOP_FINISH;
      s.thread = t;
      s.has_retval = true;
      s.retval[0] = r.rax;
      s.retval[1] = r.rdx;
      sse__xmm0(t, &s.retval_xmm0);
      sse__run_report(p, &s);
      return;
    }
    case SSE__RT_UNTIL:
      end_op(p, SSE_STOP_STEP, t, 0);
      return;
    case SSE__RT_INSN:
      /* nexti over a call, stepi over a syscall: one instruction done. */
      end_op(p, SSE_STOP_STEP, t, 0);
      return;
    default:
      op->sub = SSE__SUB_SINGLESTEP;
      /* Back from a call run over inside a PLT stub or the lazy resolver:
       * keep walking the trampoline. */
      if (op->in_trampoline) {
        struct sse__symtab *stt = sse__proc_symtab(p);
        if (stt && sse__symtab_in_trampoline(stt, r.rip)) {
          step_loop(p);
          return;
        }
      }
      if (step_decide_location(p, r.rip, r.rsp)) return;
      step_loop(p);
  }
}

/* ------------------------------------------------------------ events */

static bool handle_signal(sse_thread *t, int sig, bool in_step_loop);

/* An event from a thread while a command runs, in the run-to or continue
 * phase (through the tracer loop). */
static void op_event(sse_thread *t, int st) {
  sse_process *p = t->proc;
  if (WIFEXITED(st) || WIFSIGNALED(st)) {
    thread_gone(t, st);
    return;
  }
  t->state = SSE__T_STOPPED;
  int sig = WSTOPSIG(st);
  if (sig == SIGTRAP) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    sse__pt_getsiginfo(t->tid, &si);
    if (si.si_code == SI_KERNEL) {
      uint64_t pc = thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
      if (is_site_at(p, pc)) {
        set_pc(t, pc);
        sse__bp *b = sse__bp_at(p, pc);
        if (b && b->enabled) {
          end_bp(p, t, b);
          return;
        }
        bool rt_here = false;
        if (p->op.kind == SSE__OP_STEP && t == p->op.thr &&
            p->op.sub == SSE__SUB_RUNTO)
          for (int i = 0; i < p->op.nrt; i++)
            if (p->op.rt[i].addr == pc) rt_here = true;
        if (rt_here) {
          runto_hit(p, t);
          return;
        }
        /* The dynamic linker's rendezvous: libraries came or went. */
        if (sse__proc_is_rbrk(p, pc)) {
          sse__run_code_changed(p, 0, UINT64_MAX);
          sse__proc_symbols_changed(p);
        }
        sse__proc_is_jitbrk(p, pc); /* GDB JIT interface: handled, step over (issue 6) */
        /* JIT agent hand-over trap at sse_agent_checkpoint (issue 6). */
        if (sse__proc_jit_trap(t, pc)) return;
        /* Not ours to stop at (a temporary int3 of another thread's step,
         * the rendezvous): step over it and go on. */
        int st2 = singlestep_sync(t);
        if (!WIFSTOPPED(st2)) {
          thread_gone(t, st2);
          return;
        }
        resume(t, false);
        return;
      }
      /* An int3 of the program's own: report it as SIGTRAP. */
    } else if (si.si_code == TRAP_HWBKPT) {
      uint64_t dr6 = 0;
      sse__hw_read_dr6(t->tid, &dr6);
      sse__hw_reset_dr6(t->tid);
      int slot = sse__arch_dr6_slot(dr6);
      if (slot >= 0 && (p->watch_slots & (1u << slot))) {
        end_watch(p, t, slot);
        return;
      }
      if (p->op.kind == SSE__OP_STEP && t == p->op.thr) {
        runto_hit(p, t);
        return;
      }
      resume(t, false);
      return;
    } else if (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT) {
      /* A stray single-step trap (a step cut short by our SIGSTOP). */
      resume(t, false);
      return;
    }
  }
  if (handle_signal(t, sig, false)) resume(t, false);
}

/* A signal stopped t. Returns true when the caller should resume t (the
 * signal passes silently, queued in deliver_sig); otherwise the command
 * ended or went elsewhere. */
static bool handle_signal(sse_thread *t, int sig, bool in_step_loop) {
  sse_process *p = t->proc;
  sse_engine *e = p->engine;
  if (sig <= 0 || sig >= SSE__NSIG) return true;
  if (sse__ev_wanted(e, SSE_EV_SIGNAL)) {
    sse_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SSE_EV_SIGNAL;
    ev.engine = e;
    ev.process = p;
    ev.thread = t;
    ev.tid = t->tid;
    ev.signo = sig;
    sse__ev_emit(e, &ev);
  }
  t->deliver_sig = p->sig_pass[sig] ? sig : 0;
  if (p->sig_stop[sig]) {
    t->report_sig = true;
    end_op(p, SSE_STOP_SIGNAL, t, sig);
    return false;
  }
  if (in_step_loop && t->deliver_sig && !p->op.stepi_only) {
    /* Run over the handler: back at this pc in this frame. */
    struct user_regs_struct r;
    getregs(t, &r);
    p->op.why = SSE__RT_HANDLER;
    if (add_runto(p, r.rip, r.rsp, false, 0) != SSE_OK) return true;
    start_runto(p);
    return false;
  }
  return true;
}

/* Status of a thread reaped by the tracer loop. */
void sse__run_handle_status(sse_engine *e, pid_t tid, int st) {
  sse_thread *t = sse__thread_find(e, tid);
  if (!t) {
    /* A new clone child can report before its parent's CLONE event. */
    if (e->nearly < SSE__MAX_EARLY) {
      e->early_tid[e->nearly] = tid;
      e->early_st[e->nearly] = st;
      e->nearly++;
    }
    return;
  }
  sse_process *p = t->proc;
  if (WIFEXITED(st) || WIFSIGNALED(st)) {
    thread_gone(t, st);
    return;
  }
  if (!WIFSTOPPED(st)) return;
  t->state = SSE__T_STOPPED;
  int sig = WSTOPSIG(st), ev = st >> 16;
  if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK ||
      ev == PTRACE_EVENT_VFORK) {
    on_clone(t, ev);
    resume(t, false);
    return;
  }
  if (ev == PTRACE_EVENT_EXEC) {
    on_exec(t);
    if (p->running && p->op.kind == SSE__OP_CONTINUE) {
      resume(t, false);
      return;
    }
    if (p->running) end_op(p, SSE_STOP_EXEC, t, 0);
    return;
  }
  if (ev == 0 && sig == SIGSTOP && t->sigstop_expected) {
    t->sigstop_expected = false;
    if (p->running && (p->others_run || t == p->op.thr) &&
        !t->has_pending && !t->pending_bp)
      resume(t, false);
    return;
  }
  if (!p->running) {
    /* Nobody asked for this (a late signal): keep it for the next
     * command. */
    t->has_pending = true;
    t->pending_status = st;
    return;
  }
  op_event(t, st);
}

/* ------------------------------------------------------------ stepping */

static bool in_range(sse__op *op, uint64_t pc) {
  return pc >= op->lo && pc < op->hi;
}

static uint64_t read_u64(sse_process *p, uint64_t addr) {
  uint64_t v = 0;
  sse__mem_read(p, addr, &v, sizeof v, NULL);
  return v;
}

/* gdb's handle_step_into_function: the prologue is skipped with the
 * architecture's analysis; if that lands inside a line, go to the end of
 * that line when it is still in the function. */
static uint64_t step_into_target(sse_process *p, const sse__loc *fl) {
  uint64_t entry = fl->func_lo;
  uint8_t buf[32];
  size_t got = 0;
  sse__mem_read(p, entry, buf, sizeof buf, &got);
  uint64_t start = got ? sse__arch_skip_prologue(buf, got, entry) : entry;
  sse__loc l;
  if (start != entry && step_lookup(p, start, &l) &&
      l.has_line && l.line_lo != start && l.line_hi &&
      (fl->func_hi == 0 || l.line_hi < fl->func_hi))
    start = l.line_hi;
  return start;
}

/* gdb's frame id (its stack part) of a frame in a function without
 * call-frame information, as amd64_frame_cache computes it from the
 * prologue analysis: after [endbr64] push %rbp; mov %rsp,%rbp the frame
 * base is rbp, else rsp adjusted for a push %rbp at the start when it has
 * run (-8 before it). Such an id moves with every other push: when it
 * differs between the step's start and a call made from the frame, gdb
 * does not see the call as a subroutine call and stops at the callee's
 * first instruction (the PLT stub of __cxa_finalize, called from
 * __do_global_dtors_aux). 0 when it cannot tell. */
static uint64_t gdb_nocfi_frame_id(sse_process *p, uint64_t func, uint64_t pc, uint64_t rsp,
                                   uint64_t rbp) {
  uint8_t b[16];
  size_t got = 0;
  if (!func || sse__mem_read(p, func, b, sizeof b, &got) != SSE_OK || got < sizeof b) return 0;
  size_t o = 0;
  if (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa) o = 4;
  int64_t sp_offset = -8;
  if (b[o] == 0x55) {
    if (pc > func + o) sp_offset += 8;
    bool mov = (b[o + 1] == 0x48 && b[o + 2] == 0x89 && b[o + 3] == 0xe5) ||
               (b[o + 1] == 0x48 && b[o + 2] == 0x8b && b[o + 3] == 0xec);
    if (mov && pc > func + o + 1) return rbp + 16;
  }
  return rsp + (uint64_t)sp_offset + 16;
}

/* Arrived in a function by a call (or by leaving a trampoline): step into
 * it when it has line info (step), else run to its return. Returns true
 * when the command ended or went to the run-to phase. */
static bool enter_function(sse_process *p, uint64_t pc, uint64_t sp,
                           bool from_tramp) {
  sse__op *op = &p->op;
  struct sse__symtab *st = sse__proc_symtab(p);
  if (st && sse__symtab_in_trampoline(st, pc)) {
    op->in_trampoline = true;
    op->tramp_by_call = true;
    return false;
  }
  sse__loc l;
  bool have = step_lookup(p, pc, &l);
  if (have && l.has_line && l.func_lo) {
    uint64_t target = step_into_target(p, &l);
    if (target == pc) {
      end_op(p, SSE_STOP_STEP, op->thr, 0);
      return true;
    }
    op->prologue_target = target;
    op->prologue_lo = l.func_lo;
    return false;
  }
  /* Called from inside the dynamic linker (_dl_fini calling a destructor):
   * not a callee of the step's frame, so gdb's line-0 rule stops here. */
  if (from_tramp) {
    end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  /* No line info: run to the return address, in this frame (sp above the
   * callee's entry sp, so a recursive activation does not count). */
  uint64_t ret = read_u64(p, sp);
  op->why = SSE__RT_RETURN;
  if (add_runto(p, ret, sp + 8, false, 0) != SSE_OK) {
    end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  start_runto(p);
  return true;
}

/* gdb's stepping decision at a pc outside the current range (infrun.c,
 * process_event_stop_test): stop at the start of a statement of a
 * different line; in the middle of a line, take that line as the new range
 * and keep going. Returns true when the command ended or went async. */
static bool step_decide_location(sse_process *p, uint64_t pc, uint64_t sp) {
  sse__op *op = &p->op;
  (void)sp;
  if (op->stepi_only) {
    end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  if (in_range(op, pc)) return false;
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  if (!step_lookup(p, pc, &l) || !l.has_line) {
    end_op(p, op->no_line_start ? SSE_STOP_NO_LINE : SSE_STOP_STEP, op->thr,
           0);
    return true;
  }
  /* gdb: `step` that lands in the dynamic linker's code (returning into
   * _dl_fini, say) keeps stepping through it, unless the step began
   * there. */
  if (!op->over_calls && !op->tramp_start && st && sse__symtab_in_trampoline(st, pc)) {
    op->in_trampoline = true;
    op->tramp_by_call = false;
    return false;
  }
  /* Inline frames: stepping into an inlined call, or out of one. */
  sse__inline v[SSE__INLINE_MAX];
  int n = inline_chain(p, pc, v);
  bool same = l.func_lo == op->func_lo;
  sse__inl_verdict vd = sse__inline_step_event(&op->thr->inl, v, n, pc, 0,
                                               l.func_lo, &op->inl_step, &same);
  if (vd == SSE__INL_STOP) {
    end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  if (vd == SSE__INL_KEEP_GOING) return false;
  bool line_zero = false;
  if (pc == l.line_lo && (l.line != op->line || l.file != op->file)) {
    if (l.is_stmt) {
      end_op(p, op->no_line_start ? SSE_STOP_NO_LINE : SSE_STOP_STEP,
             op->thr, 0);
      return true;
    }
    if (same) {
      /* Not a statement, same frame: step on through this row's range,
       * still measured against the line the step started on, so the next
       * statement row stops even when it repeats this row's line number
       * (gdb updates the range, not the step info). */
      op->lo = l.line_lo;
      op->hi = l.line_hi;
      return false;
    }
    /* Not a statement, another frame: take its range but forget the line,
     * so a later row of the same line still stops (gdb). */
    line_zero = true;
  }
  op->lo = l.line_lo;
  op->hi = l.line_hi;
  sse__inline_refresh(&op->inl_step, &op->thr->inl, v, n, pc, &l, 0,
                      l.func_lo, line_zero);
  op->line = op->inl_step.line;
  op->file = op->inl_step.file;
  if (l.func_lo != op->func_lo) op->gdb_frame_id = 0; /* another frame now */
  op->func_lo = l.func_lo;
  op->func_hi = l.func_hi;
  return false;
}

/* gdb runs the lazy binding resolver's call to _dl_fixup as a whole
 * (glibc_skip_solib_resolver); elsewhere in the dynamic linker it steps
 * into calls, and stops when one reaches code with line info. */
static bool in_lazy_resolver(sse_process *p, uint64_t pc) {
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  if (!st || sse__symtab_lookup(st, pc, &l) != 0 || !l.function) return false;
  return strncmp(l.function, "_dl_runtime_resolve", 19) == 0 ||
         strcmp(l.function, "_dl_fixup") == 0 ||
         strcmp(l.function, "_dl_profile_fixup") == 0;
}

static bool is_syscall_insn(const uint8_t *b, size_t n) {
  return n >= 2 && ((b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x34)) ||
                    (b[0] == 0xcd && b[1] == 0x80));
}

/* ------------------------------------------------------------ range stepping
 *
 * Inside the step range, every instruction up to the next control-flow one
 * (sse__arch_scan_to_branch: branch, call, ret, kernel entry, rep string op,
 * undecodable) falls through, so single-stepping it decides nothing: run to
 * that instruction with a temporary breakpoint of the stepping thread (a
 * debug register, else an int3; the other threads stay stopped), then
 * single-step it as before. Decoded runs are cached per start address. */

#define RANGE_SCAN_MAX 256

void sse__run_code_changed(sse_process *p, uint64_t addr, uint64_t len) {
  uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
  for (int i = 0; i < SSE__RUNCACHE_SIZE; i++) {
    sse__runent *e = &p->runcache[i];
    if (!e->start) continue;
    /* The bytes scanned, and the instruction the run ends at. */
    uint64_t hi = e->start + e->off + SSE__ARCH_MAX_INSN_LEN;
    if (e->lim > hi) hi = e->lim;
    if (e->start < end && addr < hi) e->start = 0;
  }
}

static unsigned runcache_slot(uint64_t a) {
  return (unsigned)((a ^ (a >> 8) ^ (a >> 16)) % SSE__RUNCACHE_SIZE);
}

/* How far a range step from pc can run: to the next instruction that is not
 * SSE__INSN_OTHER in [pc, hi), or to where the scan stopped. pc when there
 * is nothing to run over. */
static uint64_t range_target(sse_process *p, uint64_t pc, uint64_t hi) {
  uint64_t lim = hi - pc > RANGE_SCAN_MAX ? pc + RANGE_SCAN_MAX : hi;
  sse__runent *e = &p->runcache[runcache_slot(pc)];
  if (e->start == pc &&
      ((e->found && pc + e->off < hi) || (!e->found && e->lim == lim)))
    return pc + e->off;
  uint8_t buf[RANGE_SCAN_MAX];
  size_t got = 0;
  /* Our int3s are shadowed: the decoder sees the program's bytes. */
  sse__mem_read(p, pc, buf, (size_t)(lim - pc), &got);
  if (!got) return pc;
  sse__insn br;
  size_t off = sse__arch_scan_to_branch(buf, got, pc, &br);
  bool found = !(br.kind == SSE__INSN_INVALID && br.truncated);
  if (got == lim - pc) {
    e->start = pc;
    e->lim = lim;
    e->off = (uint32_t)off;
    e->found = found;
  }
  return pc + off;
}

enum { RANGE_NONE, RANGE_ON, RANGE_DONE };

/* Run t (alone: the others stay stopped) to target, every instruction in
 * [pc, target) being an ordinary one inside the step range, and take the
 * stop as a single-step's would be taken. RANGE_NONE: nothing done (no
 * temporary breakpoint), single-step instead; RANGE_ON: go on stepping;
 * RANGE_DONE: the command ended or went to a run-to phase. */
static int range_run(sse_process *p, sse_thread *t, uint64_t target) {
  sse__op *op = &p->op;
  sse__runto_why why = op->why;
  op->why = SSE__RT_RANGE;
  if (add_runto(p, target, 0, false, 0) != SSE_OK) {
    disarm_runto(p);
    op->why = why;
    return RANGE_NONE;
  }
  int st = 0;
  if (resume(t, false) != 0) {
    disarm_runto(p);
    op->why = why;
    return RANGE_NONE;
  }
  for (;;) {
    if (sse__pt_wait(t->tid, &st, __WALL) != t->tid) {
      st = W_EXITCODE(0, 0); /* ECHILD: the task is gone */
      break;
    }
    if (!WIFSTOPPED(st)) break;
    t->state = SSE__T_STOPPED;
    int ev = st >> 16;
    if (ev == 0 && WSTOPSIG(st) == SIGSTOP && t->sigstop_expected) {
      t->sigstop_expected = false;
      resume(t, false);
      continue;
    }
    if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK ||
        ev == PTRACE_EVENT_VFORK) {
      on_clone(t, ev);
      resume(t, false);
      continue;
    }
    break;
  }
  if (WIFEXITED(st) || WIFSIGNALED(st)) {
    disarm_runto(p);
    op->why = why;
    thread_gone(t, st);
    return RANGE_DONE;
  }
  /* Sort the stop out while the temporary int3 (if any) is still in. */
  int ev = st >> 16, sig = WSTOPSIG(st);
  int watch = -1;
  bool foreign = false;
  if (ev == 0 && sig == SIGTRAP) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    sse__pt_getsiginfo(t->tid, &si);
    if (si.si_code == SI_KERNEL) {
      /* An int3 of ours: the temporary one, a user breakpoint inside the
       * run, the rendezvous. The pc goes back onto it. */
      uint64_t bpc = thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
      if (is_site_at(p, bpc)) set_pc(t, bpc);
      else foreign = true;
    } else if (si.si_code == TRAP_HWBKPT) {
      if (p->watch_slots) watch = watch_fired(p, t);
    } else if (si.si_code <= 0) {
      foreign = true; /* a SIGTRAP sent by kill/tgkill */
    }
  }
  disarm_runto(p);
  op->why = why;
  if (ev == PTRACE_EVENT_EXEC) {
    on_exec(t);
    end_op(p, SSE_STOP_EXEC, t, 0);
    return RANGE_DONE;
  }
  if (sig != SIGTRAP || foreign) {
    /* A signal: as in the single-step loop (delivered with the next
     * resume, or its handler run over). */
    return handle_signal(t, sig, true) ? RANGE_ON : RANGE_DONE;
  }
  if (watch >= 0) {
    end_watch(p, t, watch);
    return RANGE_DONE;
  }
  struct user_regs_struct r;
  if (getregs(t, &r) != 0) {
    end_op(p, SSE_STOP_STEP, t, 0);
    return RANGE_DONE;
  }
  if (sse__proc_is_rbrk(p, r.rip)) {
    sse__run_code_changed(p, 0, UINT64_MAX);
    sse__proc_symbols_changed(p);
  }
  sse__proc_is_jitbrk(p, r.rip); /* GDB JIT interface (issue 6) */
  /* Reaching a user breakpoint ends the step (gdb), wherever in the run. */
  sse__bp *b = sse__bp_at(p, r.rip);
  if (b && b->enabled && b->kind != SSE__BP_WATCH) {
    end_bp(p, t, b);
    return RANGE_DONE;
  }
  return step_decide_location(p, r.rip, r.rsp) ? RANGE_DONE : RANGE_ON;
}

/* The single-step phase: runs until the command ends or enters a run-to
 * phase. The other threads are stopped throughout. */
static void step_loop(sse_process *p) {
  sse__op *op = &p->op;
  sse_thread *t = op->thr;
  for (;;) {
    if (atomic_load(&p->interrupt_requested)) {
      end_op(p, SSE_STOP_INTERRUPTED, t, 0);
      return;
    }
    struct user_regs_struct r;
    if (getregs(t, &r) != 0) {
      end_op(p, SSE_STOP_STEP, t, 0);
      return;
    }
    uint64_t pc = r.rip, sp = r.rsp;
    /* Range stepping: run over the ordinary instructions of the range. */
    if (!op->stepi_only && !op->prologue_target && !op->in_trampoline &&
        !t->deliver_sig && in_range(op, pc) && !is_site_at(p, pc)) {
      uint64_t target = range_target(p, pc, op->hi);
      if (target > pc) {
        int rr = range_run(p, t, target);
        if (rr == RANGE_DONE) return;
        if (rr == RANGE_ON) continue;
      }
    }
    uint8_t buf[SSE__ARCH_MAX_INSN_LEN];
    size_t got = 0;
    sse__mem_read(p, pc, buf, sizeof buf, &got);
    sse__insn in;
    memset(&in, 0, sizeof in);
    if (got) sse__arch_decode(buf, got, pc, &in);
    /* A syscall may block on another thread: run it with the others
     * running, to the next instruction. */
    if (in.kind == SSE__INSN_SYSCALL && is_syscall_insn(buf, got)) {
      op->why = op->stepi_only ? SSE__RT_INSN : SSE__RT_SYSCALL;
      if (add_runto(p, pc + in.len, 0, false, 0) == SSE_OK) {
        start_runto(p);
        return;
      }
    }
    if (in.kind == SSE__INSN_CALL && !op->stepi_into &&
        (op->over_calls ||
         (op->in_trampoline && in_lazy_resolver(p, pc)))) {
      op->why = op->stepi_only ? SSE__RT_INSN : SSE__RT_RETURN;
      if (add_runto(p, pc + in.len, sp, false, 0) == SSE_OK) {
        start_runto(p);
        return;
      }
    }
    int st = singlestep_sync(t);
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      thread_gone(t, st);
      return;
    }
    int ev = st >> 16;
    if (ev == PTRACE_EVENT_EXEC) {
      on_exec(t);
      end_op(p, SSE_STOP_EXEC, t, 0);
      return;
    }
    int sig = WSTOPSIG(st);
    if (sig != SIGTRAP) {
      if (sig == SIGSTOP && t->sigstop_expected) {
        t->sigstop_expected = false;
        continue;
      }
      if (!handle_signal(t, sig, true)) return;
      continue; /* the signal is delivered with the next step */
    }
    /* A watchpoint can fire on the stepped instruction. */
    if (p->watch_slots) {
      int ws = watch_fired(p, t);
      if (ws >= 0) {
        end_watch(p, t, ws);
        return;
      }
    }
    /* A SIGTRAP after stepping an ordinary instruction is the step's own
     * trap; only a trapping instruction (int3, int) needs a closer look. */
    if (in.kind == SSE__INSN_SYSCALL || in.kind == SSE__INSN_INVALID) {
      siginfo_t si;
      if (sse__pt_getsiginfo(t->tid, &si) == 0 && si.si_code == SI_KERNEL) {
        /* Executed an int3: ours (the pc lands after it) or the
         * program's. */
        uint64_t bpc = thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
        if (is_site_at(p, bpc)) {
          set_pc(t, bpc);
        } else if (!handle_signal(t, SIGTRAP, true)) {
          return;
        }
      }
    }
    getregs(t, &r);
    uint64_t npc = r.rip, nsp = r.rsp;
    if (sse__proc_is_rbrk(p, npc)) {
      sse__run_code_changed(p, 0, UINT64_MAX);
      sse__proc_symbols_changed(p);
    }
    sse__proc_is_jitbrk(p, npc); /* GDB JIT interface (issue 6) */
    /* Landing on a user breakpoint counts as hitting it (gdb). */
    sse__bp *b = sse__bp_at(p, npc);
    if (b && b->enabled && b->kind != SSE__BP_WATCH) {
      end_bp(p, t, b);
      return;
    }
    if (op->stepi_only) {
      end_op(p, SSE_STOP_STEP, t, 0);
      return;
    }
    if (op->prologue_target) {
      if (npc == op->prologue_target) {
        end_op(p, SSE_STOP_STEP, t, 0);
        return;
      }
      if (npc >= op->prologue_lo && npc < op->prologue_target) continue;
      op->prologue_target = 0;
    }
    if (in.kind == SSE__INSN_CALL) {
      /* gdb's "stepped into subroutine" test compares frame ids; for a
       * frame without CFI its id can drift (gdb_nocfi_frame_id), and gdb
       * then stops at the callee's entry. Not for calls made while walking
       * dynamic-linker code: gdb walks on through those. */
      if (op->gdb_frame_id && !op->over_calls && !op->in_trampoline) {
        uint64_t ret = read_u64(p, nsp);
        uint64_t id = gdb_nocfi_frame_id(p, op->func_lo, ret, nsp + 8, r.rbp);
        if (id && id != op->gdb_frame_id) {
          end_op(p, op->no_line_start ? SSE_STOP_NO_LINE : SSE_STOP_STEP, t, 0);
          return;
        }
      }
      if (enter_function(p, npc, nsp, op->in_trampoline)) return;
      continue;
    }
    if (op->in_trampoline) {
      struct sse__symtab *stt = sse__proc_symtab(p);
      if (stt && sse__symtab_in_trampoline(stt, npc)) continue;
      op->in_trampoline = false;
      if (in.kind != SSE__INSN_RET) {
        /* Left by a jump. Out of a PLT stub called from the step's frame
         * this is that call's target; out of dynamic-linker code the step
         * wandered into (a tail call, _dl_call_fini to _fini), gdb sees no
         * call from the step's frame and its line-0 rule stops there. */
        if (enter_function(p, npc, nsp, !op->tramp_by_call)) return;
        continue;
      }
    }
    if (step_decide_location(p, npc, nsp)) return;
  }
}

/* ------------------------------------------------------------ commands */

static bool take_pending(sse_process *p) {
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->state != SSE__T_STOPPED) continue;
    if (t->has_pending) {
      t->has_pending = false;
      op_event(t, t->pending_status);
      if (!p->running) return true;
    } else if (t->pending_bp) {
      t->pending_bp = false;
      sse__bp *b = sse__bp_at(p, thread_pc(t));
      if (b && b->enabled) {
        end_bp(p, t, b);
        return true;
      }
    }
  }
  return false;
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
  struct user_regs_struct r;
  if (kind == SSE__OP_STEP) {
    op->frame = *frame;
    if (getregs(thr, &r) != 0) return SSE_E_NOTHREAD;
    op->start_sp = r.rsp;
    switch (frame->mode) {
      case SSE_STEP_INSTRUCTION:
        op->stepi_only = true;
        op->stepi_into = true;
        break;
      case SSE_STEP_OVER_INSTRUCTION:
        op->stepi_only = true;
        op->over_calls = true;
        break;
      case SSE_NEXT_LINE:
        op->over_calls = true;
        /* fall through */
      case SSE_STEP_LINE: {
        struct sse__symtab *st = sse__proc_symtab(p);
        sse__loc l;
        bool have = step_lookup(p, r.rip, &l);
        if (frame->start || frame->end) {
          op->lo = frame->start;
          op->hi = frame->end;
          if (have && l.has_line) {
            op->line = l.line;
            op->file = l.file;
          }
        } else if (have && l.has_line) {
          op->lo = l.line_lo;
          op->hi = l.line_hi;
          op->line = l.line;
          op->file = l.file;
        } else if (have && l.func_lo) {
          /* gdb: "Single stepping until exit from function X, which has
           * no line number information." */
          op->lo = l.func_lo;
          op->hi = l.func_hi ? l.func_hi : l.func_lo + 1;
          op->no_line_start = true;
        } else {
          return SSE_E_NOLINE;
        }
        if (have) {
          op->func_lo = l.func_lo;
          op->func_hi = l.func_hi;
        }
        op->tramp_start = st && sse__symtab_in_trampoline(st, r.rip);
        if (have && l.func_lo && st && !op->tramp_start && !sse__symtab_has_cfi(st, r.rip))
          op->gdb_frame_id = gdb_nocfi_frame_id(p, l.func_lo, r.rip, r.rsp, r.rbp);
        if (have && l.has_line) {
          sse__inline v[SSE__INLINE_MAX];
          int n = inline_chain(p, r.rip, v);
          if (!thr->inl.valid || thr->inl.pc != r.rip)
            sse__inline_stop(&thr->inl, v, n, r.rip, SSE__INL_STOP_OTHER);
          if (sse__inline_step_start(&thr->inl, v, n, r.rip, &l, 0,
                                     l.func_lo, frame->mode == SSE_NEXT_LINE,
                                     &op->inl_step) ==
              SSE__INL_START_STOP_NOW) {
            op->inl_stop_now = true;
          } else if (!frame->start && !frame->end) {
            op->line = op->inl_step.line;
            op->file = op->inl_step.file;
          }
        }
        break;
      }
      case SSE_FINISH: {
        /* gdb: "finish" not meaningful in the outermost frame, and main is
         * the outermost frame a user sees (backtrace past-main off). */
        struct sse__symtab *st = sse__proc_symtab(p);
        sse__loc l;
        bool have = st && sse__symtab_lookup(st, r.rip, &l) == 0;
        if (have && l.has_line) {
          /* Out of an inline frame gdb steps until that frame is left. */
          sse__inline v[SSE__INLINE_MAX];
          int n = inline_chain(p, r.rip, v);
          if (!thr->inl.valid || thr->inl.pc != r.rip)
            sse__inline_stop(&thr->inl, v, n, r.rip, SSE__INL_STOP_OTHER);
          if (n > 0 && sse__inline_finish_start(&thr->inl, v, n, r.rip, 0,
                                                l.func_lo, &op->inl_step)) {
            op->inl_finish = true;
            op->over_calls = true;
            op->lo = op->hi = r.rip;
            op->line = 0;
            op->file = NULL;
            op->func_lo = l.func_lo;
            op->func_hi = l.func_hi;
            break;
          }
        }
        if (have && l.function && strcmp(l.function, "main") == 0)
          return SSE_E_INVAL;
        uint64_t ret, cfa;
        if (sse__unwind_caller(thr, &ret, &cfa) != SSE_OK || !ret)
          return SSE_E_INVAL;
        op->why = SSE__RT_FINISH;
        break;
      }
      case SSE_STEP_UNTIL:
        op->why = SSE__RT_UNTIL;
        break;
      default:
        return SSE_E_INVAL;
    }
  }
  pthread_mutex_lock(&p->engine->lock);
  p->running = true;
  if (!(atomic_load(&p->stop_gen) & 1)) atomic_fetch_add(&p->stop_gen, 1);
  pthread_mutex_unlock(&p->engine->lock);
  p->others_run = false;
  sse__mem_invalidate(p);

  if (take_pending(p)) return SSE_OK;

  if (op->inl_stop_now) {
    /* `step` at a hidden inline frame: into it, without running. */
    end_op(p, SSE_STOP_STEP, thr, 0);
    return SSE_OK;
  }

  if (kind == SSE__OP_CONTINUE) {
    p->others_run = true;
    resume_others(p, NULL);
    return SSE_OK;
  }
  if (op->inl_finish) {
    step_loop(p);
    return SSE_OK;
  }
  switch (frame->mode) {
    case SSE_FINISH: {
      uint64_t ret = 0, cfa = 0;
      sse__unwind_caller(thr, &ret, &cfa);
      if (add_runto(p, ret, cfa, false, 0) != SSE_OK) {
        end_op(p, SSE_STOP_STEP, thr, 0);
        return SSE_OK;
      }
      start_runto(p);
      return SSE_OK;
    }
    case SSE_STEP_UNTIL: {
      uint64_t ret = 0, cfa = 0, cfa0 = 0;
      sse__unwind_caller(thr, &ret, &cfa);
      sse__unwind_cfa(thr, &cfa0);
      if (add_runto(p, frame->until, 0, true, cfa0) != SSE_OK) {
        end_op(p, SSE_STOP_STEP, thr, 0);
        return SSE_OK;
      }
      if (ret) add_runto(p, ret, cfa, false, 0);
      start_runto(p);
      return SSE_OK;
    }
    default:
      step_loop(p);
      return SSE_OK;
  }
}

void sse__run_interrupt(sse_process *p) {
  if (!p->running || p->exited) {
    atomic_store(&p->interrupt_requested, false);
    return;
  }
  sse_thread *t = p->op.thr;
  if (!t) {
    for (t = p->threads; t && t->state == SSE__T_EXITED; t = t->next) {
    }
  }
  end_op(p, SSE_STOP_INTERRUPTED, t, 0);
}
