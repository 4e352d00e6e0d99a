/* gdb's stepping decisions (infrun.c's process_event_stop_test and its
 * helpers): where a line step stops, where it takes a new range, how it
 * enters a called function, how it walks PLT stubs and the dynamic
 * linker. The step machine (machine.c) asks; nothing here resumes a thread
 * except by ending the command or starting a run-to phase. Tracer thread
 * only. */
#define _GNU_SOURCE
#include <string.h>

#include "arch/arch.h"
#include "step/step.h"

bool sse__step_lookup(sse_process *p, uint64_t pc, sse__loc *l) {
  /* The modules, then the JIT agent's copy (its functions and line tables
   * step like any other code). */
  return sse__proc_lookup(p, pc, l) == 0;
}

bool sse__step_in_range(const sse__op *op, uint64_t pc) {
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
  if (start != entry && sse__step_lookup(p, start, &l) && l.has_line &&
      l.line_lo != start && l.line_hi &&
      (fl->func_hi == 0 || l.line_hi < fl->func_hi))
    start = l.line_hi;
  return start;
}

/* gdb's frame id (its stack part) of a frame in a function without
 * call-frame information, from the architecture's prologue analysis
 * (sse__arch_nocfi_frame_id). When it differs between the step's start and
 * a call made from the frame, gdb does not see the call as a subroutine
 * call and stops at the callee's first instruction (the PLT stub of
 * __cxa_finalize, called from __do_global_dtors_aux). 0 when it cannot
 * tell. */
uint64_t sse__step_nocfi_frame_id(sse_process *p, uint64_t func, uint64_t pc,
                                  uint64_t sp, uint64_t fp) {
  uint8_t b[16];
  size_t got = 0;
  if (!func || sse__mem_read(p, func, b, sizeof b, &got) != SSE_OK) return 0;
  return sse__arch_nocfi_frame_id(b, got, func, pc, sp, fp);
}

bool sse__step_nocfi_call_stops(sse_process *p, const sse__regs *r) {
  sse__op *op = &p->op;
  if (!op->have_nocfi_id || op->pol.over_calls || op->tramp != SSE__TRAMP_NONE)
    return false;
  uint64_t sp = sse__regs_sp(r);
  uint64_t ret = read_u64(p, sp);
  uint64_t id = sse__step_nocfi_frame_id(p, op->func_lo, ret, sp + 8,
                                         sse__regs_fp(r));
  return id && id != op->nocfi_id;
}

static sse_stop_reason step_reason(const sse__op *op) {
  return op->pol.no_line_start ? SSE_STOP_NO_LINE : SSE_STOP_STEP;
}

/* No line info in the callee: run to the return address, in this frame
 * (sp above the callee's entry sp, so a recursive activation does not
 * count). */
static void run_to_return(sse_process *p, uint64_t sp) {
  uint64_t ret = read_u64(p, sp);
  if (sse__runto_add(p, ret, sp + 8, false, 0) != SSE_OK) {
    sse__end_op(p, SSE_STOP_STEP, p->op.thr, 0);
    return;
  }
  sse__runto_start(p, SSE__RT_RETURN);
}

uint64_t sse__step_entry_stop(sse_process *p, uint64_t callee) {
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  if (!st || sse__symtab_in_trampoline(st, callee) ||
      !sse__step_lookup(p, callee, &l) || !l.has_line || l.func_lo != callee)
    return 0;
  return step_into_target(p, &l);
}

bool sse__step_enter_function(sse_process *p, uint64_t pc, uint64_t sp,
                              bool from_tramp) {
  sse__op *op = &p->op;
  struct sse__symtab *st = sse__proc_symtab(p);
  if (st && sse__symtab_in_trampoline(st, pc)) {
    op->tramp = SSE__TRAMP_CALLED;
    return false;
  }
  sse__loc l;
  bool have = sse__step_lookup(p, pc, &l);
  if (have && l.has_line && l.func_lo) {
    uint64_t target = step_into_target(p, &l);
    if (target == pc) {
      sse__end_op(p, SSE_STOP_STEP, op->thr, 0);
      return true;
    }
    op->in_prologue = true;
    op->prologue_target = target;
    op->prologue_lo = l.func_lo;
    return false;
  }
  /* Called from inside the dynamic linker (_dl_fini calling a destructor):
   * not a callee of the step's frame, so gdb's line-0 rule stops here. */
  if (from_tramp) {
    sse__end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  run_to_return(p, sp);
  return true;
}

/* A row that starts at pc on another line: a statement stops the step; a
 * non-statement in the same frame takes over the range but not the line
 * (gdb's refresh_step_info). Returns 1 stop, 0 keep going (range taken),
 * -1 go on to take the row as the new range and line (*line_zero: forget
 * the line). */
static int row_start(sse_process *p, const sse__loc *l, bool same,
                     bool *line_zero) {
  sse__op *op = &p->op;
  if (l->is_stmt) return 1;
  if (same) {
    op->lo = l->line_lo;
    op->hi = l->line_hi;
    return 0;
  }
  *line_zero = true;
  return -1;
}

/* The new range and line at pc (a row in the middle of a line, or a
 * non-statement row of another frame). */
static void take_range(sse_process *p, uint64_t pc, const sse__loc *l,
                       const sse__inline *v, int n, bool line_zero) {
  sse__op *op = &p->op;
  op->lo = l->line_lo;
  op->hi = l->line_hi;
  sse__inline_refresh(&op->inl_step, &op->thr->inl, v, n, pc, l, 0,
                      l->func_lo, line_zero);
  op->line = op->inl_step.line;
  op->file = op->inl_step.file;
  if (l->func_lo != op->func_lo) op->have_nocfi_id = false; /* another frame */
  op->func_lo = l->func_lo;
  op->func_hi = l->func_hi;
}

bool sse__step_return_takes_range(sse_process *p, uint64_t pc, uint64_t dest) {
  sse__op *op = &p->op;
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__inline v[SSE__INLINE_MAX];
  sse__loc l;
  /* gdb's vCont;r stops at the first pc out of its range: gdb decides
   * itself what a return into the middle of a line means (when the caller's
   * line steps into another call, its frame test depends on that stop) */
  if (op->pol.one_insn || op->pol.range_only || !st || sse__step_in_range(op, dest) ||
      !sse__step_lookup(p, dest, &l) || !l.has_line || dest == l.line_lo ||
      !l.line_hi || sse__symtab_in_trampoline(st, dest) ||
      sse__proc_inline_chain(p, pc, v) != 0 ||
      sse__proc_inline_chain(p, dest, v) != 0)
    return false;
  take_range(p, dest, &l, v, 0, false);
  return true;
}

bool sse__step_decide_location(sse_process *p, uint64_t pc) {
  sse__op *op = &p->op;
  if (op->pol.one_insn || (op->pol.range_only && !sse__step_in_range(op, pc))) {
    sse__end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  if (sse__step_in_range(op, pc)) return false;
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  if (!sse__step_lookup(p, pc, &l) || !l.has_line) {
    sse__end_op(p, step_reason(op), op->thr, 0);
    return true;
  }
  /* gdb: `step` that lands in the dynamic linker's code (returning into
   * _dl_fini, say) keeps stepping through it, unless the step began
   * there. */
  if (!op->pol.over_calls && !op->pol.tramp_start && st &&
      sse__symtab_in_trampoline(st, pc)) {
    op->tramp = SSE__TRAMP_WANDERED;
    return false;
  }
  /* Inline frames: stepping into an inlined call, or out of one. */
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__proc_inline_chain(p, pc, v);
  bool same = l.func_lo == op->func_lo;
  sse__inl_verdict vd = sse__inline_step_event(&op->thr->inl, v, n, pc, 0,
                                               l.func_lo, &op->inl_step, &same);
  if (vd == SSE__INL_STOP) {
    sse__end_op(p, SSE_STOP_STEP, op->thr, 0);
    return true;
  }
  if (vd == SSE__INL_KEEP_GOING) return false;
  bool line_zero = false;
  if (pc == l.line_lo && (l.line != op->line || l.file != op->file)) {
    int r = row_start(p, &l, same, &line_zero);
    if (r == 1) {
      sse__end_op(p, step_reason(op), op->thr, 0);
      return true;
    }
    if (r == 0) return false;
  }
  take_range(p, pc, &l, v, n, line_zero);
  return false;
}

/* gdb runs the lazy binding resolver's call to _dl_fixup as a whole
 * (glibc_skip_solib_resolver); elsewhere in the dynamic linker it steps
 * into calls, and stops when one reaches code with line info. */
bool sse__step_in_lazy_resolver(sse_process *p, uint64_t pc) {
  struct sse__symtab *st = sse__proc_symtab(p);
  sse__loc l;
  if (!st || sse__symtab_lookup(st, pc, &l) != 0 || !l.function) return false;
  return strncmp(l.function, "_dl_runtime_resolve", 19) == 0 ||
         strcmp(l.function, "_dl_fixup") == 0 ||
         strcmp(l.function, "_dl_profile_fixup") == 0;
}
