/* A step's start, by mode: its policy (what it does with calls, how far it
 * goes), its first range and line, and its first phase. gdb's step_command
 * / finish_command / until_command set-up. Tracer thread only. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "symtab/tailcall.h"
#include "unwind/unwind.h"

/* The line the step starts on, inline-aware: gdb's hidden inline frames at
 * this pc decide which frame's line it is. SSE_OK; *stop_now when a `step`
 * only unhides an inline frame. */
static void start_inline(sse_process *p, sse_thread *thr, const sse__regs *r,
                         const sse__loc *l, bool *stop_now) {
  sse__op *op = &p->op;
  uint64_t pc = sse__regs_pc(r);
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__proc_inline_chain(p, pc, v);
  if (!thr->inl.valid || thr->inl.pc != pc)
    sse__inline_stop(&thr->inl, v, n, pc, SSE__INL_STOP_OTHER);
  if (sse__inline_step_start(&thr->inl, v, n, pc, l, 0, l->func_lo,
                             op->frame.mode == SSE_NEXT_LINE,
                             &op->inl_step) == SSE__INL_START_STOP_NOW) {
    *stop_now = true;
  } else if (!op->frame.start && !op->frame.end) {
    op->line = op->inl_step.line;
    op->file = op->inl_step.file;
  }
}

/* The first range: the caller's, the pc's line, or (gdb: "Single stepping
 * until exit from function X, which has no line number information") the
 * whole function. */
static sse_err start_range(sse_process *p, bool have, const sse__loc *l) {
  sse__op *op = &p->op;
  const sse_step_frame *f = &op->frame;
  if (f->start || f->end) {
    op->lo = f->start;
    op->hi = f->end;
    if (have && l->has_line) {
      op->line = l->line;
      op->file = l->file;
    }
  } else if (have && l->has_line) {
    op->lo = l->line_lo;
    op->hi = l->line_hi;
    op->line = l->line;
    op->file = l->file;
  } else if (have && l->func_lo) {
    op->lo = l->func_lo;
    op->hi = l->func_hi ? l->func_hi : l->func_lo + 1;
    op->pol.no_line_start = true;
  } else {
    return SSE_E_NOLINE;
  }
  return SSE_OK;
}

static sse_err setup_line(sse_process *p, sse_thread *thr, const sse__regs *r,
                          bool *stop_now) {
  sse__op *op = &p->op;
  uint64_t pc = sse__regs_pc(r);
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  bool have = sse__step_lookup(p, pc, &l);
  sse_err err = start_range(p, have, &l);
  if (err) return err;
  if (have) {
    op->func_lo = l.func_lo;
    op->func_hi = l.func_hi;
  }
  op->pol.tramp_start = st && sse__symtab_in_trampoline(st, pc);
  if (have && l.func_lo && st && !op->pol.tramp_start &&
      !sse__symtab_has_cfi(st, pc)) {
    op->nocfi_id = sse__step_nocfi_frame_id(p, l.func_lo, pc, sse__regs_sp(r),
                                            sse__regs_fp(r));
    op->have_nocfi_id = op->nocfi_id != 0;
  }
  if (have && l.has_line) start_inline(p, thr, r, &l, stop_now);
  return SSE_OK;
}

/* finish of an inline frame (fr[k], of real frame refs[k].phys): gdb's
 * finish_command claims to step in the frame outward of it with an empty
 * range, over calls. In a caller's real frame the frames inward of it
 * return first (a run-to, then the step out: inl_finish_after). */
static sse_err finish_inline(sse_process *p, sse_thread *thr, const sse_frame *fr,
                             const sse__frame_ref *refs, size_t k) {
  sse__op *op = &p->op;
  size_t i = refs[k].phys;
  uint64_t pc = fr[k].pc;
  bool caller = i > 0 && !fr[k].signal_frame && !(k > 0 && fr[k - 1].signal_frame);
  uint64_t look = caller ? pc - 1 : pc;
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  if (!st || sse__symtab_lookup(st, look, &l) != 0) return SSE_E_INVAL;
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__proc_inline_chain(p, look, v);
  sse__inl_state scratch = {0}, *state = i == 0 ? &thr->inl : &scratch;
  if (i == 0 && (!thr->inl.valid || thr->inl.pc != pc))
    sse__inline_stop(&thr->inl, v, n, pc, SSE__INL_STOP_OTHER);
  if (!sse__inline_finish_frame(state, v, n, look, refs[k].depth, 0, l.func_lo, &op->inl_step))
    return SSE_E_INVAL;
  op->pol.over_calls = true;
  op->func_lo = l.func_lo;
  op->func_hi = l.func_hi;
  if (i == 0) {
    op->pol.inl_finish = true;
    op->lo = op->hi = pc;
    return SSE_OK;
  }
  /* The real frame inward of physical frame i returns to pc. */
  size_t j = k;
  while (j > 0 && refs[j].phys == i) j--;
  op->pol.inl_finish_after = true;
  op->fin_ret = pc;
  op->fin_cfa = fr[j].cfa;
  return SSE_OK;
}

/* finish of frame k: out of an inline frame gdb steps until that frame is
 * left; otherwise a run-to to the caller. Not in main, the outermost frame
 * a user sees (backtrace past-main off). */
static sse_err finish_plan(sse_process *p, sse_thread *thr, const sse_frame *fr,
                           const sse__frame_ref *refs, size_t n, size_t k) {
  sse__op *op = &p->op;
  if (n <= k) return SSE_E_NOTFOUND;
  if (fr[k].inlined) return finish_inline(p, thr, fr, refs, k);
  /* gdb's skip_tailcall_frames: they returned already, in effect (their
   * jumps left no return address); the real caller is next. */
  size_t c = k + 1;
  while (c < n && fr[c].tailcall) c++;
  const char *fn = fr[k].loc.function;
  if ((fn && strcmp(fn, "main") == 0) || c >= n || !fr[c].pc || !fr[k].cfa)
    return SSE_E_INVAL;
  op->fin_ret = fr[c].pc;
  op->fin_cfa = fr[k].cfa;
  /* gdb prints no value out of a void function, nor out of a tail-call
   * frame whose pc (its site's return pc, gdb's find_pc_function of the
   * frame's pc) is past its function. */
  struct sse__symtab *st = sse__proc_symtab(p);
  if (fr[k].tailcall) {
    op->pol.finish_void = !st || sse__symtab_func_returns(st, fr[k].pc) != 1;
    return SSE_OK;
  }
  uint64_t look = fr[k].pc - (refs[k].phys > 0 && !fr[k - 1].signal_frame);
  op->pol.finish_void = st && sse__symtab_func_returns(st, look) == 0;
  return SSE_OK;
}

static sse_err setup_finish(sse_process *p, sse_thread *thr) {
  size_t k = p->op.frame.frame, max = k + 2 + SSE__TAILCALL_MAX, n = 0;
  if (max < k) return SSE_E_NOTFOUND;
  sse_frame *fr = calloc(max, sizeof *fr);
  sse__frame_ref *refs = calloc(max, sizeof *refs);
  sse_err err = SSE_E_NOMEM;
  if (fr && refs) {
    err = sse__frames(thr, fr, max, &n, refs);
    /* An unwind that ends early still gives the frames it found. */
    if (n > 0 || err == SSE_OK) err = finish_plan(p, thr, fr, refs, n, k);
  }
  free(fr);
  free(refs);
  return err;
}

sse_err sse__step_setup(sse_process *p, sse_thread *thr,
                        const sse_step_frame *frame, bool *stop_now) {
  sse__op *op = &p->op;
  op->frame = *frame;
  *stop_now = false;
  sse__regs r;
  if (sse__thread_regs(thr, &r) != 0) return SSE_E_NOTHREAD;
  switch (frame->mode) {
    case SSE_STEP_INSTRUCTION:
      op->pol.one_insn = true;
      op->pol.into_calls = true;
      return SSE_OK;
    case SSE_STEP_OVER_INSTRUCTION:
      op->pol.one_insn = true;
      op->pol.over_calls = true;
      return SSE_OK;
    case SSE_NEXT_LINE:
      op->pol.over_calls = true;
      /* fall through */
    case SSE_STEP_LINE:
      return setup_line(p, thr, &r, stop_now);
    case SSE_FINISH:
      return setup_finish(p, thr);
    case SSE_STEP_UNTIL:
      return SSE_OK;
    case SSE_STEP_RANGE: /* gdb's vCont;r: calls entered, nothing decided */
      op->pol.range_only = true;
      op->pol.into_calls = true;
      op->lo = frame->start;
      op->hi = frame->end;
      return SSE_OK;
    default:
      return SSE_E_INVAL;
  }
}

/* finish: a run-to to the caller, in the caller's frame (or, for an
 * inline frame of a caller, to the return into its real frame). */
static void begin_finish(sse_process *p) {
  sse_thread *thr = p->op.thr;
  if (sse__runto_add(p, p->op.fin_ret, p->op.fin_cfa, false, 0) != SSE_OK) {
    sse__end_op(p, SSE_STOP_STEP, thr, 0);
    return;
  }
  sse__runto_start(p, SSE__RT_FINISH);
}

/* until/advance: to the address in this or an outer frame, or to the
 * caller when this frame returns first. */
static void begin_until(sse_process *p) {
  sse_thread *thr = p->op.thr;
  uint64_t ret = 0, cfa = 0, cfa0 = 0;
  sse__unwind_caller(thr, &ret, &cfa);
  sse__unwind_cfa(thr, &cfa0);
  if (sse__runto_add(p, p->op.frame.until, 0, true, cfa0) != SSE_OK) {
    sse__end_op(p, SSE_STOP_STEP, thr, 0);
    return;
  }
  if (ret) sse__runto_add(p, ret, cfa, false, 0);
  sse__runto_start(p, SSE__RT_UNTIL);
}

void sse__step_begin(sse_process *p) {
  sse__op *op = &p->op;
  if (!op->pol.inl_finish && op->frame.mode == SSE_FINISH)
    begin_finish(p);
  else if (op->frame.mode == SSE_STEP_UNTIL)
    begin_until(p);
  else
    sse__step_drive(p);
}
