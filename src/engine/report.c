/* A stop as the user sees it: where it is (gdb's location, inline frames
 * at the pc hidden as gdb hides them), reported to waiters and events.
 * Every command's end and the first stop of a process come here. Tracer
 * thread only. */
#include <string.h>

#include "internal.h"
#include "symtab/symtab.h"

/* The inline blocks at pc (gdb's inline frames), innermost first. */
int sse__proc_inline_chain(sse_process *p, uint64_t pc, sse__inline *v) {
  struct sse__symtab *st = sse__proc_symtab(p);
  if (!st) return 0;
  int n = sse__symtab_inline_chain(st, pc, v, SSE__INLINE_MAX);
  if (n < 0) return 0;
  return n > SSE__INLINE_MAX ? SSE__INLINE_MAX : n;
}

void sse__run_fill_location(sse_process *p, uint64_t pc, sse_location *loc) {
  memset(loc, 0, sizeof *loc);
  loc->pc = pc;
  loc->mid_statement = true;
  sse__loc l;
  if (sse__proc_lookup(p, pc, &l) != 0) return; /* modules, then JIT */
  loc->mid_statement = !(l.has_line && l.line_lo == pc && l.is_stmt);
  loc->module = l.module;
  loc->function = l.function;
  loc->offset = l.offset;
  if (l.has_line) {
    loc->file = l.file;
    loc->line = l.line;
    loc->column = l.column;
  }
}

int sse__run_eh_frame_hdr(sse_process *p, uint64_t pc, uint64_t *hdr, uint64_t *lo, uint64_t *hi) {
  struct sse__symtab *st = sse__proc_symtab(p);
  return st ? sse__symtab_eh_frame_hdr(st, pc, hdr, lo, hi) : -1;
}

void sse__thread_location(sse_thread *t, uint64_t pc, sse__inl_stop why,
                          sse_location *loc) {
  sse_process *p = t->proc;
  sse__run_fill_location(p, pc, loc);
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__proc_inline_chain(p, pc, v);
  if (!t->inl.valid || t->inl.pc != pc) sse__inline_stop(&t->inl, v, n, pc, why);
  sse__loc l;
  struct sse__symtab *st = sse__proc_symtab(p);
  if (n > 0 && st && sse__symtab_lookup(st, pc, &l) == 0)
    sse__inline_location(v, n, t->inl.skip, &l, pc, loc);
}

/* A stop at a breakpoint set on a function: the inline frames at the pc
 * are hidden as gdb hides them for its location's symbol. */
static void function_bp_inline_state(sse_process *p, const sse_stop *s) {
  sse__bp *b = p->bps;
  while (b && b->id != s->breakpoint_id) b = b->next;
  if (!b || b->kind != SSE__BP_FUNC) return;
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__proc_inline_chain(p, s->pc, v);
  sse_thread *t = s->thread;
  t->inl.pc = s->pc;
  t->inl.skip = sse__inline_skip_for_function(v, n, b->name_or_file);
  t->inl.valid = true;
}

/* gdb hides inline frames that start at the stop pc and reports the call
 * site; a `step` there then enters them one by one. */
static void fill_stop_location(sse_process *p, sse_stop *s) {
  sse_thread *t = s->thread;
  sse__regs r;
  if (p->exited || sse__thread_regs(t, &r) != 0) return;
  s->pc = sse__regs_pc(&r);
  s->sp = sse__regs_sp(&r);
  sse__inl_stop why = p->op.pol.one_insn ? SSE__INL_STOP_STEPI
                      : s->reason == SSE_STOP_BREAKPOINT
                          ? SSE__INL_STOP_USER_BP
                          : SSE__INL_STOP_OTHER;
  if (s->reason == SSE_STOP_BREAKPOINT) function_bp_inline_state(p, s);
  sse__thread_location(t, s->pc, why, &s->loc);
}

/* Finish the running command (or report the first stop): fill in the stop,
 * mark the process stopped, fire events, wake blocked callers. */
void sse__run_report(sse_process *p, sse_stop *s) {
  s->process = p;
  s->pid = p->pid;
  if (s->thread) {
    s->tid = s->thread->tid;
    fill_stop_location(p, s);
  }
  if (p->exited) s->thread = NULL;
  s->ptrace_stops = p->op.nstops;
  memset(&p->op, 0, sizeof p->op);
  pthread_mutex_lock(&p->engine->lock);
  atomic_store(&p->interrupt_requested, false);
  p->last_stop = *s;
  p->running = false;
  uint64_t done = p->ops_finished = p->ops_started;
  if (atomic_load(&p->stop_gen) & 1) atomic_fetch_add(&p->stop_gen, 1);
  pthread_mutex_unlock(&p->engine->lock);
  sse__ev_stop(p, s);
  sse__engine_mark_reported(p, done);
  sse__engine_wake_waiters(p->engine);
}

