/* Threads of a traced process: the register cache of a stop, resuming,
 * and what the engine itself does when a thread is born (clone), ends, or
 * execs. What a running command makes of those (a step whose thread
 * vanished, a process that exited mid-step) is the run control's
 * (src/step), reached through sse__runctl. Tracer thread only. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "internal.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"
#include "unwind/unwind.h"

const sse__runctl *sse__runctl_ops;

void sse__runctl_install(const sse__runctl *ops) { sse__runctl_ops = ops; }

/* ------------------------------------------------------------ registers */

int sse__thread_getregs(sse_thread *t, sse__regs *r) {
  if (!t->regs_valid) {
    int rc = sse__pt_getregs(t->tid, &t->regs);
    if (rc) return rc;
    t->regs_valid = true;
  }
  *r = t->regs;
  return 0;
}

int sse__thread_setregs(sse_thread *t, const sse__regs *r) {
  t->quiet_stop = false; /* a pc moved onto a breakpoint is stepped off */
  int rc = sse__pt_setregs(t->tid, r);
  t->regs_valid = rc == 0;
  if (rc == 0) t->regs = *r;
  return rc;
}

/* Zeroed on failure (a thread that vanished), so callers need no check
 * for the pc they then compare. */
int sse__thread_regs(sse_thread *t, sse__regs *r) {
  int rc = sse__thread_getregs(t, r);
  if (rc) memset(r, 0, sizeof *r);
  return rc;
}

uint64_t sse__thread_pc(sse_thread *t) {
  sse__regs r;
  return sse__thread_regs(t, &r) == 0 ? sse__regs_pc(&r) : 0;
}

void sse__thread_set_pc(sse_thread *t, uint64_t pc) {
  sse__regs r;
  if (sse__thread_regs(t, &r) == 0) {
    sse__regs_set_pc(&r, pc);
    sse__thread_setregs(t, &r);
  }
}

/* ------------------------------------------------------------ resuming */

/* A parked thread is not in a ptrace-stop: it goes on sleeping where it
 * is (src/engine/park.c), and is running again for the engine. */
static int resume_parked(sse_thread *t) {
  sse__park_forget(t);
  t->report_sig = false;
  t->state = SSE__T_RUNNING;
  t->regs_valid = false;
  t->proc->resumes++;
  sse__mem_invalidate(t->proc);
  return 0;
}

/* Resume one thread, single-stepping or not. Its pending signal goes with
 * it; its cached registers and inline-frame state are dropped. Each resume
 * ends in one ptrace stop: counted as the running command's cost. */
int sse__thread_resume(sse_thread *t, bool step) {
  sse_process *p = t->proc;
  if (t->parked && (step || t->deliver_sig)) sse__thread_unpark(t);
  t->inl.valid = false;
  if (t->parked) return resume_parked(t);
  /* A thread let run while the others are held (a single step, a step's
   * lone thread) could wake a parked one: they stop for real first. */
  if (p->nparked && (step || !(p->running && p->others_run))) sse__run_unpark_all(p);
  int sig = t->deliver_sig;
  t->deliver_sig = 0;
  t->report_sig = false;
  int rc = step ? sse__pt_singlestep(t->tid, sig) : sse__pt_cont(t->tid, sig);
  if (rc == 0) {
    t->park_ref = false; /* it runs */
    t->state = SSE__T_RUNNING;
    t->regs_valid = false;
    t->proc->resumes++;
    sse__mem_invalidate(t->proc);
    if (t->proc->running) t->proc->op.nstops++;
  }
  return rc;
}

bool sse__site_inserted_at(sse_process *p, uint64_t pc) {
  sse__bp_site *s = sse__site_find(p, pc);
  return s && s->inserted;
}

/* ------------------------------------------------------------ clone */

/* The status of a thread not known yet (a new clone child can report
 * before its parent's CLONE event): kept until the event names it. */
void sse__thread_early_status(sse_engine *e, pid_t tid, int st) {
  if (e->nearly < SSE__MAX_EARLY) {
    e->early_tid[e->nearly] = tid;
    e->early_st[e->nearly] = st;
    e->nearly++;
  }
}

/* A new thread starts with a stop we have not seen yet (SIGSTOP; a seized
 * tracee's clone a PTRACE_EVENT_STOP), unless the loop already took it
 * early. */
static void take_early(sse_engine *e, sse_thread *n) {
  n->state = SSE__T_RUNNING;
  n->sigstop_expected = true;
  for (int i = 0; i < e->nearly; i++) {
    if (e->early_tid[i] != n->tid) continue;
    int st = e->early_st[i];
    e->early_tid[i] = e->early_tid[--e->nearly];
    e->early_st[i] = e->early_st[e->nearly];
    n->state = SSE__T_STOPPED;
    if (sse__wait_is_owed_stop(n, st)) n->sigstop_expected = false;
    return;
  }
}

/* A forked child is not followed (gdb's detach-on-fork): it is let go
 * without our breakpoints, as gdb does. A fork's copy of the int3s is
 * undone in its memory; a vfork child runs in the parent's memory, so the
 * int3s come out of it until the parent's VFORK_DONE event puts them back.
 * The child starts with a stop (SIGSTOP, or PTRACE_EVENT_STOP when
 * seized) we take first. */
static void let_child_go(sse_process *p, pid_t child, bool vfork) {
  int st;
  sse__pt_wait(child, &st, __WALL);
  if (vfork)
    sse__site_lift_all(p, true);
  else
    sse__site_restore_child(p, child);
  sse__pt_detach(child, 0);
}

void sse__thread_on_clone(sse_thread *t, int ev) {
  sse_process *p = t->proc;
  unsigned long msg = 0;
  if (sse__pt_geteventmsg(t->tid, &msg) != 0 || msg == 0) return;
  pid_t ntid = (pid_t)msg;
  if (ev != PTRACE_EVENT_CLONE) {
    let_child_go(p, ntid, ev == PTRACE_EVENT_VFORK);
    return;
  }
  sse_thread *n = sse__thread_add(p, ntid);
  if (!n) return;
  n->seized = t->seized; /* the kernel's auto-attach copies it */
  sse_engine *e = p->engine;
  take_early(e, n);
  sse__watch_apply_thread(n);
  sse__ev_send(e, SSE_EV_THREAD_CREATED, p, n, ntid, 0, NULL);
  /* Let it run now if the current phase runs the other threads. */
  if (n->state == SSE__T_STOPPED && !n->sigstop_expected && p->running &&
      p->others_run)
    sse__thread_resume(n, false);
}

/* ------------------------------------------------------------ exit, exec */

static void mark_gone(sse_thread *t) {
  sse_process *p = t->proc;
  sse__park_release(t);
  pthread_mutex_lock(&p->engine->lock);
  t->state = SSE__T_EXITED;
  t->gone = true;
  p->nthreads_live--;
  pthread_mutex_unlock(&p->engine->lock);
}

void sse__thread_gone_quiet(sse_thread *t, int st) {
  (void)st;
  if (t->state == SSE__T_EXITED) return;
  mark_gone(t);
  sse__ev_send(t->proc->engine, SSE_EV_THREAD_EXITED, t->proc, t, t->tid, 0,
               NULL);
}

void sse__thread_later_status(sse_engine *e, pid_t tid, int st) {
  if (e->nlater == e->later_cap) {
    int cap = e->later_cap ? e->later_cap * 2 : 16;
    pid_t *nt = realloc(e->later_tid, (size_t)cap * sizeof *nt);
    if (nt) e->later_tid = nt;
    int *ns = nt ? realloc(e->later_st, (size_t)cap * sizeof *ns) : NULL;
    if (!ns) return; /* out of memory: the status is lost */
    e->later_st = ns;
    e->later_cap = cap;
  }
  e->later_tid[e->nlater] = tid;
  e->later_st[e->nlater++] = st;
}

void sse__thread_gone(sse_thread *t, int st) {
  sse_process *p = t->proc;
  sse_engine *e = p->engine;
  if (t->state == SSE__T_EXITED) return;
  mark_gone(t);
  if (t->tid == p->pid) {
    /* The leader's status comes last (__WALL): the process is gone. */
    sse__proc_mark_exited(p, st);
    if (sse__ev_wanted(e, SSE_EV_PROCESS_EXITED)) {
      sse_stop s;
      sse__stop_exit(&s, p);
      sse__ev_send(e, SSE_EV_PROCESS_EXITED, p, NULL, p->pid, p->exit_signal,
                   &s);
    }
  } else {
    sse__ev_send(e, SSE_EV_THREAD_EXITED, p, t, t->tid, 0, NULL);
  }
  if (p->running)
    sse__runctl_ops->gone(t);
  else if (t->tid == p->pid)
    sse__engine_wake_waiters(e);
}

void sse__thread_on_exec(sse_thread *t) {
  sse_process *p = t->proc;
  /* Every other thread is gone; the address space is new: no int3 of ours
   * is in it and the kernel dropped the debug registers. */
  for (sse_thread *o = p->threads; o; o = o->next)
    if (o != t && o->state != SSE__T_EXITED) mark_gone(o);
  t->dr7 = 0;
  memset(t->hw_addr, 0, sizeof t->hw_addr);
  sse__bp_exec_reset(p);
  /* The /proc/PID/mem file we hold points at the old address space. */
  sse__mem_free(p);
  sse__unwind_flush(p);
  sse__runctl_ops->code_changed(p, 0, UINT64_MAX);
  sse__proc_jit_exec(p); /* JIT state of the old image */
  sse__proc_symbols_changed(p);
  sse__ev_send(p->engine, SSE_EV_EXEC, p, t, t->tid, 0, NULL);
}
