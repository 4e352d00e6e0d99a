/* Glue between the engine and src/symtab: the per-process symbol table,
 * refreshed on exec and at the dynamic linker's rendezvous breakpoint
 * (_dl_debug_state, where r_debug.r_brk points), so libraries loaded by
 * dlopen get line info and pending breakpoints without a restart. */
#define _GNU_SOURCE
#include <string.h>

#include "internal.h"
#include "symtab/symtab.h"
#include "symtab/unwind.h"

struct sse__symtab *sse__proc_symtab(sse_process *p) {
  if (p->exited) return p->symtab;
  if (!p->symtab) {
    p->symtab = sse__symtab_new(p->engine->modcache, p->pid);
    if (p->symtab) sse__symtab_refresh(p->symtab);
  }
  return p->symtab;
}

/* Put the rendezvous breakpoint in, once the dynamic linker is mapped. */
static void rbrk_setup(sse_process *p) {
  if (p->rbrk_set || !p->symtab) return;
  uint64_t a;
  if (sse__symtab_dl_debug_state(p->symtab, &a) != 0) return;
  if (sse__site_add(p, a) == SSE_OK) {
    p->rbrk_addr = a;
    p->rbrk_set = true;
  }
}

void sse__proc_symbols_changed(sse_process *p) {
  struct sse__symtab *st = sse__proc_symtab(p);
  if (!st) return;
  int changed = sse__symtab_refresh(st);
  if (changed != 0) sse__unwind_flush(p);
  rbrk_setup(p);
  sse__bp_resolve_pending(p);
  if (changed > 0 && sse__ev_wanted(p->engine, SSE_EV_MODULES_CHANGED)) {
    sse_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SSE_EV_MODULES_CHANGED;
    ev.engine = p->engine;
    ev.process = p;
    sse__ev_emit(p->engine, &ev);
  }
}

void sse__proc_symbols_init(sse_process *p) {
  if (sse__proc_symtab(p)) rbrk_setup(p);
}

bool sse__proc_is_rbrk(sse_process *p, uint64_t pc) {
  return p->rbrk_set && pc == p->rbrk_addr;
}
