/* C++ exceptions during a run-to: `next`/`step` over a call that throws,
 * `finish` and `until` out of a frame an exception unwinds past. The
 * run-to's breakpoint at the return address is never reached then; gdb
 * catches the landing through libgcc's `libgcc:unwind` SystemTap probe or
 * its _Unwind_DebugHook, and Debian's libgcc_s has neither (no probes, the
 * hook is a local symbol in debug info that is not installed), so gdb 13
 * runs the program on here. What every personality routine does before the
 * unwinder jumps to a landing pad is call the exported _Unwind_SetIP
 * (context, landing_pad): an int3 there gives the pad, an int3 at the pad
 * catches the landing. The frame it lands in is told by the stack pointer
 * alone: the unwinder installs the landing frame's sp as it was at the
 * call that threw, so a landing in the step's frame has sp == the run-to's
 * sp_min and one in an outer frame more, while a cleanup pad of a deeper
 * frame has less. A cleanup pad (the destructors of a frame the exception
 * passes through; the personality's handler switch value is 0 there) is
 * let run too: its _Unwind_Resume installs the next pad through
 * _Unwind_SetIP again. Landed at a handler (in the step's frame or
 * outer), the handler's first call is __cxa_begin_catch: run over it to
 * where it returns, in the middle of the matched catch clause's line, and
 * on from there as after any return, to the first line of the catch
 * block. Tracer thread only. */
#define _GNU_SOURCE
#include "arch/arch.h"
#include "ptrace/debugregs.h"
#include "step/step.h"

static void lookup(sse_process *p) {
  struct sse__symtab *st = sse__proc_symtab(p);
  p->exc_setip_addr = p->exc_catch_addr = 0;
  if (st) {
    sse__symtab_func_addr(st, "_Unwind_SetIP", &p->exc_setip_addr, NULL);
    sse__symtab_func_addr(st, "__cxa_begin_catch", &p->exc_catch_addr, NULL);
  }
  p->exc_known = true;
}

/* The lowest sp a landing may have to count: the run-to's frame (a run
 * over a call: the caller's sp at the call; finish: the caller's; until:
 * the frame's CFA, where the until address itself may be in this frame). */
static uint64_t landing_sp_min(const sse__op *op) {
  uint64_t m = 0;
  for (int i = 0; i < op->nrt; i++) {
    const sse__runto *rt = &op->rt[i];
    if (rt->sp_min > m) m = rt->sp_min;
    if (rt->check_cfa && rt->cfa_min > m) m = rt->cfa_min;
  }
  return m;
}

/* Watch addr: a debug register of the stepping thread when one is free
 * (thread-specific: another thread running the unwinder never traps, and
 * never lifts an int3 the stepping thread could then run through), else
 * an int3. False when neither could be had. */
static bool site_arm(sse_process *p, uint64_t addr, sse__excsite *s) {
  sse_thread *t = p->op.thr;
  int slot = p->engine->hw_broken ? -1 : sse__runto_free_slot(p, t);
  if (slot >= 0 && sse__hw_set(t->tid, slot, addr, SSE__HW_EXEC, 1, &t->dr7) == 0) {
    t->hw_addr[slot] = addr;
    *s = (sse__excsite){addr, slot};
    return true;
  }
  if (sse__site_add(p, addr) != SSE_OK) return false;
  *s = (sse__excsite){addr, -1};
  return true;
}

static void site_del(sse_process *p, sse__excsite *s) {
  sse_thread *t = p->op.thr;
  if (s->addr && s->slot >= 0 && t && t->state != SSE__T_EXITED) {
    sse__hw_clear(t->tid, s->slot, &t->dr7);
    t->hw_addr[s->slot] = 0;
  } else if (s->addr && s->slot < 0) {
    sse__site_del(p, s->addr);
  }
  *s = (sse__excsite){0, -1};
}

void sse__exc_arm(sse_process *p) {
  sse__op *op = &p->op;
  if (!p->exc_known) lookup(p);
  if (!p->exc_setip_addr || op->exc_setip.addr || op->exc_catch.addr ||
      !site_arm(p, p->exc_setip_addr, &op->exc_setip))
    return;
  op->exc_pad = (sse__excsite){0, -1};
  op->exc_sp_min = landing_sp_min(op);
}

/* With every thread stopped (sse__runto_disarm): another thread may sit on
 * one of the int3s with its trap not yet taken, and an int3 taken out
 * under a running thread would leave that trap to be reported as a
 * SIGTRAP of its own. */
void sse__exc_disarm(sse_process *p) {
  sse__op *op = &p->op;
  site_del(p, &op->exc_pad);
  site_del(p, &op->exc_setip);
  site_del(p, &op->exc_catch);
  while (op->nexc_old > 0) site_del(p, &op->exc_old[--op->nexc_old]);
}

/* No longer watched: a debug register goes at once (the stepping thread is
 * stopped, no other can trap on it), an int3 at the disarm. False when
 * there is no room to keep it. */
static bool retire(sse_process *p, sse__excsite *s) {
  sse__op *op = &p->op;
  if (!s->addr || s->slot >= 0) {
    site_del(p, s);
    return true;
  }
  if (op->nexc_old == (int)(sizeof op->exc_old / sizeof op->exc_old[0])) return false;
  op->exc_old[op->nexc_old++] = *s;
  *s = (sse__excsite){0, -1};
  return true;
}

/* At _Unwind_SetIP's entry: the pad its second argument names is where
 * the unwinder goes next; the one watched before was passed or never
 * reached. */
static void note_pad(sse_process *p, const sse__regs *r) {
  sse__op *op = &p->op;
  uint64_t pad = sse__regs_arg(r, 1);
  if (pad == op->exc_pad.addr || !retire(p, &op->exc_pad)) return;
  site_arm(p, pad, &op->exc_pad);
}

/* The run-to is over: every thread stopped, the phase idle. False when
 * the process is gone. */
static bool runto_over(sse_process *p, sse_thread *t) {
  sse__run_stop_all(p, t); /* first: see sse__runto_hit */
  sse__runto_disarm(p);
  p->others_run = false;
  p->op.phase = SSE__PH_IDLE;
  p->op.why = SSE__RT_NONE;
  return !p->exited;
}

/* Landed where no __cxa_begin_catch follows (an exception specification's
 * filter, no libstdc++ symbol): finish and until stop right there, step
 * and next decide as after a return. */
static void landed(sse_process *p, sse_thread *t, uint64_t pc) {
  sse__op *op = &p->op;
  if (!runto_over(p, t)) return;
  if (op->frame.mode == SSE_FINISH || op->frame.mode == SSE_STEP_UNTIL) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return;
  }
  if (sse__step_decide_location(p, pc)) return;
  sse__step_drive(p);
}

/* Landed at a handler: watch its __cxa_begin_catch instead (the call
 * that threw will not return, the frame finish or until ran for is gone;
 * their breakpoints and the unwinder's int3s stay in, unwatched, until
 * the disarm). */
static bool watch_catch(sse_process *p) {
  sse__op *op = &p->op;
  retire(p, &op->exc_pad);
  retire(p, &op->exc_setip);
  return p->exc_catch_addr && site_arm(p, p->exc_catch_addr, &op->exc_catch);
}

/* At __cxa_begin_catch's entry from the handler: run over it. A finish or
 * until whose frame is gone goes on as a `next` from where it returns, to
 * the catch block's first line. */
static void into_handler(sse_process *p, sse_thread *t, const sse__regs *r) {
  sse__op *op = &p->op;
  uint64_t sp = sse__regs_sp(r), ret = 0;
  sse_err err = sse__mem_read(p, sp, &ret, sizeof ret, NULL);
  if (!runto_over(p, t)) return;
  if (op->frame.mode == SSE_FINISH || op->frame.mode == SSE_STEP_UNTIL) {
    op->pol.over_calls = true;
    op->lo = op->hi = 0;
    op->line = 0;
    op->file = NULL;
  }
  if (err != SSE_OK || !ret ||
      sse__runto_add(p, ret, sp + sizeof ret, false, 0) != SSE_OK) {
    sse__end_op(p, SSE_STOP_STEP, t, 0);
    return;
  }
  sse__runto_start(p, SSE__RT_RETURN);
}

bool sse__exc_trap(sse_process *p, sse_thread *t, uint64_t pc) {
  sse__op *op = &p->op;
  sse__regs r;
  if (!pc || (pc != op->exc_setip.addr && pc != op->exc_catch.addr && pc != op->exc_pad.addr) ||
      sse__thread_regs(t, &r) != 0)
    return false;
  if (pc == op->exc_setip.addr) {
    note_pad(p, &r);
  } else if (pc == op->exc_catch.addr) {
    into_handler(p, t, &r);
    return true;
  } else {
    /* A deeper frame's pad, or a cleanup (destructors of the frame on the
     * way; its _Unwind_Resume goes on to the next frame's pad): on. */
    int64_t sel = (int64_t)sse__regs_eh_data(&r, 1);
    if (sse__regs_sp(&r) >= op->exc_sp_min && sel != 0 &&
        (sel < 0 || !watch_catch(p))) {
      landed(p, t, pc);
      return true;
    }
  }
  sse__runto_pass(p, t);
  return true;
}
