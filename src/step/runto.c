/* Temporary breakpoints of the stepping thread and the run-to phase: run
 * over a call to its return address, finish to the caller, until/advance,
 * run over a signal handler or a system call. A debug register of that
 * thread when one is free (no other thread can trip it, the others run),
 * else an int3 with the other threads kept stopped. Tracer thread only. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "ptrace/debugregs.h"
#include "step/step.h"
#include "unwind/unwind.h"

/* glibc's longjmp family, where every longjmp ends (the exported longjmp,
 * siglongjmp, _longjmp call __longjmp; the fortified one is its own). */
static void longjmp_lookup(sse_process *p) {
  static const char *const names[2] = {"__longjmp", "____longjmp_chk"};
  struct sse__symtab *st = sse__proc_symtab(p);
  for (int i = 0; i < 2; i++) {
    p->lj_addr[i] = 0;
    if (st) sse__symtab_func_addr(st, names[i], &p->lj_addr[i], NULL);
  }
  p->lj_known = true;
}

/* Watch the longjmp family for the run-to (int3s: no debug register is
 * spent; another thread that runs into one steps over it). */
static void arm_longjmp(sse_process *p) {
  sse__op *op = &p->op;
  if (!p->lj_known) longjmp_lookup(p);
  for (int i = 0; i < 2; i++)
    if (p->lj_addr[i] && sse__site_add(p, p->lj_addr[i]) == SSE_OK)
      op->lj[op->nlj++] = p->lj_addr[i];
}

bool sse__runto_longjmp_at(const sse__op *op, uint64_t pc) {
  for (int i = 0; i < op->nlj; i++)
    if (op->lj[i] == pc) return true;
  return false;
}

void sse__runto_disarm(sse_process *p) {
  sse__op *op = &p->op;
  sse__exc_disarm(p);
  for (int i = 0; i < op->nlj; i++) sse__site_del(p, op->lj[i]);
  op->nlj = 0;
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
}

bool sse__runto_int3(const sse__op *op) {
  for (int i = 0; i < op->nrt; i++)
    if (op->rt[i].int3) return true;
  return false;
}

bool sse__runto_at(const sse__op *op, uint64_t pc) {
  for (int i = 0; i < op->nrt; i++)
    if (op->rt[i].addr == pc) return true;
  return false;
}

int sse__runto_free_slot(sse_process *p, sse_thread *t) {
  for (int i = 0; i < SSE__ARCH_HW_SLOTS; i++) {
    if (p->watch_slots & (1u << i)) continue;
    if (sse__arch_dr7_enabled(t->dr7, i)) continue;
    return i;
  }
  return -1;
}

sse_err sse__runto_add(sse_process *p, uint64_t addr, uint64_t sp_min,
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
  int slot = p->engine->hw_broken ? -1 : sse__runto_free_slot(p, t);
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
  }
  op->nrt++;
  return SSE_OK;
}

/* Which armed breakpoint t stopped at in its own frame, or NULL (a deeper
 * recursive activation reached the same address). */
static sse__runto *hit_entry(sse__op *op, sse_thread *t, const sse__regs *r) {
  for (int i = 0; i < op->nrt; i++) {
    sse__runto *rt = &op->rt[i];
    if (sse__regs_pc(r) != rt->addr || sse__regs_sp(r) < rt->sp_min) continue;
    if (rt->check_cfa) {
      uint64_t cfa;
      if (sse__unwind_cfa(t, &cfa) == SSE_OK && cfa < rt->cfa_min) continue;
    }
    return rt;
  }
  return NULL;
}

/* Step t off the int3 it sits on; false when that ended the command or
 * handed t elsewhere. */
static bool step_off(sse_process *p, sse_thread *t, int *status) {
  int st = sse__thread_step_sync(t);
  *status = st;
  if (!WIFSTOPPED(st)) {
    sse__thread_gone(t, st);
    return false;
  }
  if (WSTOPSIG(st) != SIGTRAP) {
    sse__op_event(t, st);
    return false;
  }
  return true;
}

void sse__runto_pass(sse_process *p, sse_thread *t) {
  int st;
  if (sse__site_inserted_at(p, sse__thread_pc(t)) && !step_off(p, t, &st))
    return;
  sse__thread_resume(t, false);
}

/* A debug-register breakpoint at the pc t resumes from must fire when the
 * pc comes back there (a handler's return): no resume flag may skip it. */
static void arm_at_pc(sse_thread *t, const sse__op *op) {
  sse__regs r;
  if (sse__thread_regs(t, &r) != 0) return;
  for (int i = 0; i < op->nrt; i++)
    if (op->rt[i].hw && op->rt[i].addr == sse__regs_pc(&r) &&
        sse__regs_clear_resume_flag(&r)) {
      sse__thread_setregs(t, &r);
      return;
    }
}

void sse__runto_start(sse_process *p, sse__runto_why why) {
  sse__op *op = &p->op;
  sse_thread *t = op->thr;
  op->phase = SSE__PH_RUN_TO;
  op->why = why;
  arm_at_pc(t, op);
  if (why == SSE__RT_RETURN || why == SSE__RT_FINISH || why == SSE__RT_UNTIL) {
    arm_longjmp(p);
    sse__exc_arm(p);
  }
  if (!sse__runto_int3(op)) {
    p->others_run = true;
    if (!sse__resume_others(p, t)) return;
  }
  if (sse__site_inserted_at(p, sse__thread_pc(t))) {
    int st;
    if (!step_off(p, t, &st)) return;
    /* The stepped instruction may itself have reached a target: its trap
     * goes through the event path, which resumes onto the target. */
    sse__regs r;
    sse__thread_regs(t, &r);
    for (int i = 0; i < op->nrt; i++)
      if (sse__regs_pc(&r) == op->rt[i].addr &&
          sse__regs_sp(&r) >= op->rt[i].sp_min) {
        sse__op_event(t, st);
        return;
      }
  }
  sse__thread_resume(t, false);
}

/* finish: stopped right after the call, with the returned value. */
static void end_finish(sse_process *p, sse_thread *t, const sse__regs *r) {
  sse_stop s;
  sse__stop_init(&s, SSE_STOP_FINISH, t, 0);
  s.has_retval = !p->op.pol.finish_void;
  sse__regs_retval(r, s.retval);
  sse__xmm0(t, &s.retval_xmm0);
  sse__run_report(p, &s);
}

/* finish of a caller's inline frame: back in its real frame, step out
 * of the inline frame (the step frame was set up at the start). */
static void finish_inline_now(sse_process *p, uint64_t pc) {
  sse__op *op = &p->op;
  op->pol.inl_finish_after = false;
  op->pol.inl_finish = true;
  op->lo = op->hi = pc;
  sse__step_drive(p);
}

void sse__runto_hit(sse_process *p, sse_thread *t) {
  sse__op *op = &p->op;
  sse__regs r;
  sse__thread_regs(t, &r);
  /* The exception watch's (a debug register of this thread, or a landing
   * pad that is a call's return address). */
  if (sse__exc_trap(p, t, sse__regs_pc(&r))) return;
  if (!hit_entry(op, t, &r)) {
    /* A deeper recursive activation: not our frame. Keep going. */
    int st;
    if (sse__runto_int3(op) && !step_off(p, t, &st)) return;
    sse__thread_resume(t, false);
    return;
  }
  sse__runto_why why = op->why;
  /* The others stop first: one that hit an int3 of the run-to's (the
   * longjmp and exception watches) meanwhile is then kept pending at a
   * site of ours, and let go on at its next resume, not reported as a
   * SIGTRAP of its own. */
  sse__run_stop_all(p, t);
  sse__runto_disarm(p);
  p->others_run = false;
  op->phase = SSE__PH_IDLE;
  op->why = SSE__RT_NONE;
  if (p->exited) return;
  switch (why) {
    case SSE__RT_FINISH:
      if (op->pol.inl_finish_after) {
        finish_inline_now(p, sse__regs_pc(&r));
        return;
      }
      end_finish(p, t, &r);
      return;
    case SSE__RT_UNTIL:
    case SSE__RT_INSN: /* nexti over a call, stepi over a syscall */
      sse__end_op(p, SSE_STOP_STEP, t, 0);
      return;
    default:
      /* Back from a call run over inside a PLT stub or the lazy resolver:
       * keep walking the trampoline. */
      if (op->tramp != SSE__TRAMP_NONE) {
        struct sse__symtab *stt = sse__proc_symtab(p);
        if (stt && sse__symtab_in_trampoline(stt, sse__regs_pc(&r))) {
          sse__step_drive(p);
          return;
        }
      }
      if (sse__step_decide_location(p, sse__regs_pc(&r))) return;
      sse__step_drive(p);
  }
}

void sse__runto_longjmp(sse_process *p, sse_thread *t) {
  sse__op *op = &p->op;
  uint64_t pc = sse__thread_pc(t);
  sse__loc l;
  sse__run_stop_all(p, t); /* first: see sse__runto_hit */
  sse__runto_disarm(p);
  p->others_run = false;
  if (p->exited) return;
  /* Single-step out of it: it ends in an indirect jump to the setjmp
   * caller's pc, with the jmp_buf's (pointer-guard mangled) stack. */
  op->in_longjmp = true;
  op->lj_lo = pc;
  op->lj_hi = sse__step_lookup(p, pc, &l) && l.func_hi > pc ? l.func_hi : pc + 256;
  op->phase = SSE__PH_IDLE;
  op->why = SSE__RT_NONE;
  sse__step_drive(p);
}
