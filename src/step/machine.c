/* The step machine: one step command moves through phases, one at a time,
 * and this file holds every transition between them (docs/architecture.md
 * draws the table).
 *
 *   IDLE ──plan──► RANGE   run to the next branch of the range
 *                  STEP    single-step one instruction
 *                  RUN_TO  run to a temporary breakpoint (runto.c)
 *   RANGE/STEP ──their stop──► IDLE (plan again) or the command ends
 *
 * A phase whose stop comes at once (a single step or a straight-line run
 * of a thread that is not inside a system call) is waited for right here,
 * synchronously, with the other threads stopped: the fast path, no trip
 * through sigsuspend. A phase whose thread may block (it sits in a system
 * call the kernel restarts when it is resumed: a futex wait, a read) is
 * left to the tracer loop like a continue: the other threads run (the lock
 * holder can let go), the loop delivers the stop (sse__step_async_status),
 * and an interrupt, a new command or shutdown can end it meanwhile. The
 * synchronous path yields to the loop too when callers queue work during a
 * long step. Tracer thread only. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "ptrace/ptrace.h"
#include "step/step.h"

/* Synchronous phases between two looks at the command queue. */
#define SSE__YIELD_TURNS 64

enum { PLAN_WAIT, PLAN_ASYNC, PLAN_DONE };

bool sse__step_awaiting(sse_process *p, sse_thread *t) {
  sse__op *op = &p->op;
  return p->running && op->kind == SSE__OP_STEP && t == op->thr &&
         (op->phase == SSE__PH_STEP || op->phase == SSE__PH_RANGE);
}

/* SSE__PH_RANGE: run to target with a temporary breakpoint. False when no
 * breakpoint could be had (single-step instead). */
static bool range_begin(sse_process *p, uint64_t target) {
  sse__op *op = &p->op;
  if (sse__runto_add(p, target, 0, false, 0) != SSE_OK ||
      sse__thread_resume(op->thr, false) != 0) {
    sse__runto_disarm(p);
    return false;
  }
  op->phase = SSE__PH_RANGE;
  return true;
}

/* Where a run through a branch to d stops: the next branch from d when d
 * is in the range, else d itself. */
static uint64_t stop_after(sse_process *p, uint64_t d) {
  return sse__step_in_range(&p->op, d) ? sse__range_target(p, d, p->op.hi) : d;
}

/* The range's run ends at a conditional jump whose both ways are known:
 * run on past it in one go, with a temporary breakpoint where each way
 * stops (two debug registers), so the jump needs no stop of its own. */
static bool range_past_jcc(sse_process *p, uint64_t jcc) {
  sse__op *op = &p->op;
  uint8_t b[SSE__ARCH_MAX_INSN_LEN];
  size_t got = 0;
  sse__insn in;
  if (!sse__step_in_range(op, jcc) ||
      sse__mem_read(p, jcc, b, sizeof b, &got) != SSE_OK || !got ||
      sse__arch_decode(b, got, jcc, &in) != 0 || in.kind != SSE__INSN_JCC ||
      !in.has_target || sse__site_inserted_at(p, jcc))
    return false;
  uint64_t taken = stop_after(p, in.target), fall = stop_after(p, jcc + in.len);
  if (taken == jcc || fall == jcc || taken == fall) return false;
  if (sse__runto_add(p, taken, 0, false, 0) != SSE_OK ||
      sse__runto_add(p, fall, 0, false, 0) != SSE_OK ||
      sse__runto_int3(op) || sse__thread_resume(op->thr, false) != 0) {
    sse__runto_disarm(p);
    return false;
  }
  op->phase = SSE__PH_RANGE;
  op->insn = in;
  op->via_branch = true;
  op->branch_dest = in.target;
  op->branch_dest2 = jcc + in.len;
  return true;
}

/* At a branch inside the range the registers say where it goes: run on in
 * one go to the next branch from there (or to its destination, when that
 * leaves the range), instead of single-stepping the branch first: one
 * ptrace stop per branch taken instead of two. */
static bool range_through_branch(sse_process *p, const sse__regs *r,
                                 const uint8_t *buf, size_t got) {
  sse__op *op = &p->op;
  uint64_t pc = sse__regs_pc(r), d;
  sse__insn_kind k = op->insn.kind;
  if (k != SSE__INSN_JCC && k != SSE__INSN_JMP && k != SSE__INSN_RET)
    return false;
  int how = sse__arch_branch_dest(buf, got, pc, r, &d);
  if (how == 0 ||
      (how == 2 && sse__mem_read(p, d, &d, sizeof d, NULL) != SSE_OK))
    return false;
  /* A return into the middle of the caller's line goes on there: take that
   * row now and run on to its next branch. */
  if (k == SSE__INSN_RET) sse__step_return_takes_range(p, pc, d);
  uint64_t stop =
      sse__step_in_range(op, d) ? sse__range_target(p, d, op->hi) : d;
  /* A breakpoint at the pc itself (a loop whose only branch this is)
   * would fire before the branch runs, unless the resume flag the kernel
   * set at this breakpoint's previous hit lets it run once: then each turn
   * of the loop costs one stop. */
  if ((stop == pc && !sse__regs_resume_flag(r)) || !range_begin(p, stop))
    return false;
  op->via_branch = true;
  op->branch_dest = op->branch_dest2 = d;
  return true;
}

/* `step` into a direct call: run to its target (one stop, not two); the
 * stop there is taken as the call's single-step would be. When the callee's
 * stop past its prologue is known before the call and the prologue has no
 * branch, run right there: the step ends at the first stop. (Not where gdb's
 * frame-id test of a frame without CFI decides at the callee's entry.) */
static bool range_into_call(sse_process *p, uint64_t pc) {
  sse__op *op = &p->op;
  uint64_t d = op->insn.target;
  if (op->insn.kind != SSE__INSN_CALL || !op->insn.has_target || d == pc ||
      sse__step_in_range(op, d))
    return false;
  uint64_t stop = op->have_nocfi_id ? 0 : sse__step_entry_stop(p, d);
  bool entry = stop && (stop == d || sse__range_target(p, d, stop) == stop);
  if (!range_begin(p, entry ? stop : d)) return false;
  op->via_branch = true;
  op->entry_stop = entry;
  op->branch_dest = op->branch_dest2 = entry ? stop : d;
  return true;
}

/* Stepping into a function: its prologue, up to where the step stops, in
 * one run when it has no branch (it seldom has one), instead of an
 * instruction at a time. */
static bool range_prologue(sse_process *p, uint64_t pc) {
  sse__op *op = &p->op;
  if (!op->in_prologue || pc < op->prologue_lo || pc >= op->prologue_target ||
      sse__range_target(p, pc, op->prologue_target) != op->prologue_target ||
      !range_begin(p, op->prologue_target))
    return false;
  memset(&op->insn, 0, sizeof op->insn); /* no instruction was stepped */
  return true;
}

/* A call or a syscall the step runs over as a whole: a run-to phase. */
static bool plan_runto(sse_process *p, const sse__insn *in, const uint8_t *b,
                       size_t got, const sse__regs *r) {
  sse__op *op = &p->op;
  uint64_t pc = sse__regs_pc(r), next = pc + in->len;
  /* A syscall may block on another thread: single-step it with the others
   * running (an asynchronous step phase). Its trap comes where it returns
   * to, which for rt_sigreturn is not the next instruction. With an int3 of
   * ours on it, run to the next instruction instead (the step-off of a
   * run-to lifts it with the others stopped). */
  if (in->kind == SSE__INSN_SYSCALL && sse__arch_is_syscall_insn(b, got)) {
    if (!sse__site_inserted_at(p, pc)) {
      op->async = true;
      return false;
    }
    if (sse__runto_add(p, next, 0, false, 0) != SSE_OK) return false;
    sse__runto_start(p, op->pol.one_insn ? SSE__RT_INSN : SSE__RT_SYSCALL);
    return true;
  }
  if (in->kind == SSE__INSN_CALL && !op->pol.into_calls &&
      (op->pol.over_calls || (op->tramp != SSE__TRAMP_NONE &&
                              sse__step_in_lazy_resolver(p, pc)))) {
    if (sse__runto_add(p, next, sse__regs_sp(r), false, 0) != SSE_OK)
      return false;
    sse__runto_start(p, op->pol.one_insn ? SSE__RT_INSN : SSE__RT_RETURN);
    return true;
  }
  return false;
}

/* From the stopped stepping thread's pc, start the next phase. */
static int plan(sse_process *p) {
  sse__op *op = &p->op;
  sse_thread *t = op->thr;
  sse__regs r;
  if (sse__thread_regs(t, &r) != 0) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return PLAN_DONE;
  }
  uint64_t pc = sse__regs_pc(&r);
  bool at_site = sse__site_inserted_at(p, pc);
  /* Resuming a thread inside a restarting system call re-enters it. An
   * int3 of ours lifted for the step must not meet running threads: that
   * rare case steps with the others stopped. */
  op->async = sse__regs_in_restarting_syscall(&r) && !at_site;
  /* Range stepping: run over the ordinary instructions of the range. */
  bool ranging = !op->pol.one_insn && !op->in_prologue && !op->in_longjmp &&
                 op->tramp == SSE__TRAMP_NONE && !t->deliver_sig &&
                 sse__step_in_range(op, pc) && !at_site;
  if (ranging) {
    uint64_t target = sse__range_target(p, pc, op->hi);
    if (target > pc && (range_past_jcc(p, target) || range_begin(p, target)))
      return op->async ? PLAN_ASYNC : PLAN_WAIT;
  }
  uint8_t buf[SSE__ARCH_MAX_INSN_LEN];
  size_t got = 0;
  sse__mem_read(p, pc, buf, sizeof buf, &got);
  memset(&op->insn, 0, sizeof op->insn);
  if (got) sse__arch_decode(buf, got, pc, &op->insn);
  if (ranging && range_through_branch(p, &r, buf, got))
    return op->async ? PLAN_ASYNC : PLAN_WAIT;
  if (!op->in_longjmp && plan_runto(p, &op->insn, buf, got, &r)) {
    op->async = false; /* the run-to phase runs the others itself */
    return PLAN_DONE;
  }
  if ((ranging && !op->pol.range_only && range_into_call(p, pc)) ||
      (!at_site && !t->deliver_sig && range_prologue(p, pc)))
    return op->async ? PLAN_ASYNC : PLAN_WAIT;
  op->phase = SSE__PH_STEP;
  if (op->async) {
    sse__thread_resume(t, true);
    return PLAN_ASYNC;
  }
  return PLAN_WAIT;
}

/* The dynamic linker's rendezvous (libraries came or went) and the GDB JIT
 * interface's breakpoint: handled on the way, the step goes on. */
static void note_solib_events(sse_process *p, uint64_t pc) {
  if (sse__proc_is_rbrk(p, pc)) {
    sse__run_code_changed(p, 0, UINT64_MAX);
    sse__proc_symbols_changed(p);
  }
  sse__proc_is_jitbrk(p, pc);
}

/* Reaching a user breakpoint ends the step (gdb), wherever in the run. */
static bool at_user_bp(sse_process *p, sse_thread *t, uint64_t pc) {
  sse__bp *b = sse__bp_hit(t, pc);
  if (!b) return false;
  sse__end_bp(p, t, b);
  return true;
}

/* The stop of a single-stepped trapping instruction (int3, int): our int3
 * (the pc goes back onto it) or the program's (a SIGTRAP for it). False
 * when that ended the step. */
static bool trapping_insn(sse_process *p, sse_thread *t) {
  siginfo_t si;
  if (sse__pt_getsiginfo(t->tid, &si) != 0 || si.si_code != SI_KERNEL)
    return true;
  uint64_t bpc = sse__thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
  if (sse__site_inserted_at(p, bpc)) {
    sse__thread_set_pc(t, bpc);
    return true;
  }
  return sse__handle_signal(t, SIGTRAP, true);
}

/* Common to both phases' stops: exit, exec, a signal. Returns 1 when the
 * stop is the phase's own trap, 0 when the step goes on with the next
 * phase (a signal to deliver), -1 when the command ended. */
static int common_stop(sse_process *p, sse_thread *t, int st, bool foreign) {
  if (WIFEXITED(st) || WIFSIGNALED(st)) {
    sse__thread_gone(t, st);
    return -1;
  }
  if ((st >> 16) == PTRACE_EVENT_EXEC) {
    sse__op_exec(p, t);
    return -1;
  }
  int sig = WSTOPSIG(st);
  if (sig != SIGTRAP || foreign)
    return sse__handle_signal(t, sig, true) ? 0 : -1;
  return 1;
}

/* Leaving a PLT stub or the dynamic linker, after the stepped instruction.
 * 1 still inside, 0 left by a return (decide as usual), -1 the command
 * ended or ran to a return, 2 entered a function (go on). */
static int tramp_walk(sse_process *p, uint64_t npc, uint64_t nsp) {
  sse__op *op = &p->op;
  struct sse__symtab *stt = sse__proc_symtab(p);
  if (stt && sse__symtab_in_trampoline(stt, npc)) return 1;
  bool by_call = op->tramp == SSE__TRAMP_CALLED;
  op->tramp = SSE__TRAMP_NONE;
  if (op->insn.kind == SSE__INSN_RET) return 0;
  /* Left by a jump. Out of a PLT stub called from the step's frame this is
   * that call's target; out of dynamic-linker code the step wandered into
   * (a tail call, _dl_call_fini to _fini), gdb sees no call from the step's
   * frame and its line-0 rule stops there. */
  return sse__step_enter_function(p, npc, nsp, !by_call) ? -1 : 2;
}

/* A jump out of the stepping function into a PLT stub (`return
 * realloc(p, n)` at -O2 is `jmp realloc@plt`): gdb's `step` walks the stub
 * like one a call entered, to the target's first line (or on out of it
 * when it has no line info); `next` stops in the stub, as gdb's does. */
static bool tail_call_into_stub(sse_process *p, uint64_t npc) {
  sse__op *op = &p->op;
  struct sse__symtab *st = sse__proc_symtab(p);
  if (op->insn.kind != SSE__INSN_JMP || op->pol.over_calls ||
      op->pol.tramp_start || !st || sse__step_in_range(op, npc) ||
      (npc >= op->func_lo && npc < op->func_hi) ||
      !sse__symtab_in_trampoline(st, npc))
    return false;
  op->tramp = SSE__TRAMP_CALLED;
  return true;
}

/* After the stepped instruction, at a new pc of the same command: the
 * prologue of a function stepped into, a call just made, a trampoline.
 * True when the step goes on. */
static bool after_insn(sse_process *p, sse_thread *t, const sse__regs *r) {
  sse__op *op = &p->op;
  uint64_t npc = sse__regs_pc(r), nsp = sse__regs_sp(r);
  if (op->pol.range_only) return !sse__step_decide_location(p, npc);
  if (op->in_prologue) {
    if (npc == op->prologue_target) {
      sse__end_op(p, SSE_STOP_STEP, t, 0);
      return false;
    }
    if (npc >= op->prologue_lo && npc < op->prologue_target) return true;
    op->in_prologue = false;
  }
  if (op->insn.kind == SSE__INSN_CALL) {
    /* gdb's "stepped into subroutine" test compares frame ids; for a frame
     * without CFI its id can drift, and gdb then stops at the callee's
     * entry. */
    if (sse__step_nocfi_call_stops(p, r)) {
      sse__end_op(p, op->pol.no_line_start ? SSE_STOP_NO_LINE : SSE_STOP_STEP,
                  t, 0);
      return false;
    }
    return !sse__step_enter_function(p, npc, nsp,
                                     op->tramp != SSE__TRAMP_NONE);
  }
  if (op->tramp != SSE__TRAMP_NONE) {
    int w = tramp_walk(p, npc, nsp);
    if (w != 0) return w > 0;
  } else if (tail_call_into_stub(p, npc)) {
    return true;
  }
  return !sse__step_decide_location(p, npc);
}

/* A step of the longjmp family: on inside it; landed, control is where
 * the setjmp returns a second time, in the step's frame or an outer one.
 * finish and until stop there (gdb would have lost the program: Debian's
 * glibc has no longjmp probes); step and next go on to a line's start, as
 * after a return into the middle of a line. */
static bool longjmp_step(sse_process *p, sse_thread *t, uint64_t pc) {
  sse__op *op = &p->op;
  if (pc >= op->lj_lo && pc < op->lj_hi) return true;
  op->in_longjmp = false;
  if (op->frame.mode == SSE_FINISH || op->frame.mode == SSE_STEP_UNTIL) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return false;
  }
  return !sse__step_decide_location(p, pc);
}

/* SSE__PH_STEP ended with status st. True when the step goes on. */
static bool step_stopped(sse_process *p, sse_thread *t, int st) {
  sse__op *op = &p->op;
  int c = common_stop(p, t, st, false);
  if (c <= 0) return c == 0;
  /* A watchpoint can fire on the stepped instruction. */
  int ws = p->watch_slots ? sse__watch_fired(p, t) : -1;
  if (ws >= 0) {
    sse__end_watch(p, t, ws);
    return false;
  }
  /* A SIGTRAP after stepping an ordinary instruction is the step's own
   * trap; only a trapping instruction needs a closer look. */
  if ((op->insn.kind == SSE__INSN_SYSCALL ||
       op->insn.kind == SSE__INSN_INVALID) && !trapping_insn(p, t))
    return false;
  sse__regs r;
  sse__thread_regs(t, &r);
  note_solib_events(p, sse__regs_pc(&r));
  /* Landing on a user breakpoint counts as hitting it (gdb). */
  if (at_user_bp(p, t, sse__regs_pc(&r))) return false;
  if (op->pol.one_insn) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return false;
  }
  if (op->in_longjmp) return longjmp_step(p, t, sse__regs_pc(&r));
  return after_insn(p, t, &r);
}

/* How a range run's SIGTRAP is to be read, while its temporary int3 (if
 * any) is still in: *foreign when it is no trap of ours; the watchpoint
 * that fired, or -1. */
static int range_trap(sse_process *p, sse_thread *t, int *st, bool *foreign) {
  *foreign = false;
  if ((*st >> 16) != 0 || !WIFSTOPPED(*st) || WSTOPSIG(*st) != SIGTRAP)
    return -1;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (sse__pt_getsiginfo(t->tid, &si) == -ESRCH) {
    /* Out of its stop already: killed (SIGKILL wakes a stopped tracee).
     * Its exit is the status to take, not a stray SIGTRAP. */
    *st = sse__wait_dying(t);
    return -1;
  }
  if (si.si_code == SI_KERNEL) {
    /* An int3 of ours: the temporary one, a user breakpoint inside the
     * run, the rendezvous. The pc goes back onto it. */
    uint64_t bpc = sse__thread_pc(t) - SSE__ARCH_BREAK_PC_ADJUST;
    if (sse__site_inserted_at(p, bpc))
      sse__thread_set_pc(t, bpc);
    else
      *foreign = true;
  } else if (si.si_code == TRAP_HWBKPT) {
    if (p->watch_slots) return sse__watch_fired(p, t);
  } else if (si.si_code <= 0) {
    *foreign = true; /* a SIGTRAP sent by kill/tgkill */
  }
  return -1;
}

/* SSE__PH_RANGE ended with status st. True when the step goes on. */
static bool range_stopped(sse_process *p, sse_thread *t, int st) {
  bool via = p->op.via_branch, entry = p->op.entry_stop, foreign;
  p->op.via_branch = p->op.entry_stop = false;
  int watch = range_trap(p, t, &st, &foreign);
  sse__runto_disarm(p);
  int c = common_stop(p, t, st, foreign);
  if (c <= 0) return c == 0;
  if (watch >= 0) {
    sse__end_watch(p, t, watch);
    return false;
  }
  sse__regs r;
  if (sse__thread_regs(t, &r) != 0) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return false;
  }
  note_solib_events(p, sse__regs_pc(&r));
  if (at_user_bp(p, t, sse__regs_pc(&r))) return false;
  /* Into a call, right to where `step` into it ends; stopped on the way at
   * its entry (an int3 of ours there: the GDB JIT interface's, the
   * rendezvous), as if the call had been single-stepped. */
  if (via && entry && sse__regs_pc(&r) == p->op.branch_dest) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return false;
  }
  if (via && entry && sse__regs_pc(&r) == p->op.insn.target)
    return after_insn(p, t, &r);
  /* Through a branch to where it leaves the range: as if the branch had
   * been single-stepped (a jump into a stub, a return to the caller, a
   * call entered); through a prologue: as its last instruction's step. */
  uint64_t pc = sse__regs_pc(&r);
  if ((via && (pc == p->op.branch_dest || pc == p->op.branch_dest2) &&
       !sse__step_in_range(&p->op, pc)) ||
      p->op.in_prologue)
    return after_insn(p, t, &r);
  return !sse__step_decide_location(p, sse__regs_pc(&r));
}

static bool phase_stopped(sse_process *p, int st) {
  sse__op *op = &p->op;
  sse__phase ph = op->phase;
  op->phase = SSE__PH_IDLE;
  return ph == SSE__PH_STEP ? step_stopped(p, op->thr, st)
                            : range_stopped(p, op->thr, st);
}

/* Callers queued work during a long synchronous step: yield to the loop,
 * which drains it and drives this step on (sse__runctl poll). */
static bool should_yield(sse_process *p) {
  sse__op *op = &p->op;
  if (++op->sync_turns % SSE__YIELD_TURNS) return false;
  sse_engine *e = p->engine;
  pthread_mutex_lock(&e->lock);
  bool queued = e->q_head != NULL;
  pthread_mutex_unlock(&e->lock);
  return queued;
}

void sse__step_drive(sse_process *p) {
  sse__op *op = &p->op;
  while (p->running && op->kind == SSE__OP_STEP && op->phase == SSE__PH_IDLE) {
    if (atomic_load(&p->interrupt_requested)) {
      sse__end_op(p, SSE_STOP_INTERRUPTED, op->thr, 0);
      return;
    }
    if (should_yield(p)) {
      op->deferred = true;
      return;
    }
    int r = plan(p);
    if (r == PLAN_ASYNC) {
      /* The stepping thread may not come back at once (it re-entered a
       * system call): the others run — the lock holder can let go — and
       * the loop delivers its stop. It went first, so it is back in its
       * wait before they act. */
      p->others_run = true;
      sse__resume_others(p, op->thr);
    }
    if (r != PLAN_WAIT) return;
    sse_thread *t = op->thr;
    int st = op->phase == SSE__PH_STEP ? sse__thread_step_sync(t)
                                       : sse__wait_thread(t, false);
    if (!phase_stopped(p, st)) return;
  }
}

void sse__step_async_status(sse_process *p, int st) {
  sse__op *op = &p->op;
  sse_thread *t = op->thr;
  op->async = false;
  if (WIFSTOPPED(st)) {
    /* Back to the synchronous rule: the others stop while it steps. */
    sse__run_stop_all(p, t);
    p->others_run = false;
    if (!p->running) return;
  }
  if (phase_stopped(p, st)) sse__step_drive(p);
}
