/* Glue between the engine and src/symtab: the per-process symbol table,
 * refreshed on exec and at the dynamic linker's rendezvous breakpoint
 * (_dl_debug_state, where r_debug.r_brk points), so libraries loaded by
 * dlopen get line info and pending breakpoints without a restart. A pc's
 * location is looked up in the modules, then in JIT code (src/jit).
 *
 * The lower layers' callbacks into the engine are installed here, where
 * every new process passes first (sse__proc_symbols_init): memaccess's
 * "code changed", the unwinder's host, the JIT readers' host. */
#define _GNU_SOURCE
#include <string.h>

#include "internal.h"
#include "jit/jit_host.h"
#include "symtab/symtab.h"
#include "unwind/unwind.h"

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

/* Send a process event of this kind, if anyone wants it. */
static void emit(sse_process *p, sse_event_kind kind) {
  if (!sse__ev_wanted(p->engine, kind)) return;
  sse_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  ev.engine = p->engine;
  ev.process = p;
  sse__ev_emit(p->engine, &ev);
}

void sse__proc_symbols_changed(sse_process *p) {
  struct sse__symtab *st = sse__proc_symtab(p);
  if (!st) return;
  int changed = sse__symtab_refresh(st);
  if (changed != 0) sse__unwind_flush(p);
  if (changed != 0) p->lj_known = false; /* the longjmp family moved */
  if (changed != 0) p->exc_known = false; /* and the unwinder */
  if (changed > 0) sse__symtab_prefetch(st);
  rbrk_setup(p);
  sse__proc_jit_discover(p, changed != 0);
  sse__bp_resolve_pending(p);
  if (changed > 0) emit(p, SSE_EV_MODULES_CHANGED);
}

/* The step engine's range-stepping decode cache follows writes to code
 * (memaccess reports them to its one subscriber). */
static void code_changed(void *arg, uint64_t addr, uint64_t len) {
  sse__runctl_ops->code_changed(arg, addr, len);
}

static int read_word(void *arg, uint64_t addr, uint64_t *out) {
  return sse__mem_read(arg, addr, out, sizeof *out, NULL) == SSE_OK ? 0 : -1;
}

/* Call-frame information libunwind does not find: the symtab's (a JIT
 * object's .eh_frame). */
static bool cfi_step(sse_process *p, uint64_t look, uint64_t pc, uint64_t sp, uint64_t fp,
                     uint64_t *npc, uint64_t *nsp, uint64_t *nfp) {
  struct sse__symtab *st = sse__proc_symtab(p);
  uint64_t regs[SSE__REGNUM_MAX + 1] = {0};
  regs[SSE__REGNUM_PC] = pc;
  regs[SSE__REGNUM_SP] = sp;
  regs[SSE__REGNUM_FP] = fp;
  uint64_t known = 1ull << SSE__REGNUM_PC | 1ull << SSE__REGNUM_SP | 1ull << SSE__REGNUM_FP;
  return st && sse__symtab_cfi_step(st, look, regs, known, read_word, p, npc, nsp, nfp) == 0;
}

/* The unwinder's view of the engine: the register cache, the locations,
 * the symbols' call-frame information. */
static const sse__unwind_host unwind_host = {
    .getregs = sse__thread_getregs,
    .locate = sse__run_fill_location,
    .cfi_step = cfi_step,
    .eh_frame_hdr = sse__run_eh_frame_hdr,
};

/* The JIT's symbols changed: pending breakpoints may resolve now. */
static void jit_symbols_changed(sse_process *p) {
  sse__bp_resolve_pending(p);
  emit(p, SSE_EV_JIT_SYMBOLS_CHANGED);
}

/* The JIT agent's helper thread went to the symbol thread (PTRACE_DETACHed
 * by the tracer): for the engine it is gone. */
static void jit_handed_over(sse_thread *t) {
  sse_process *p = t->proc;
  sse_engine *e = p->engine;
  pthread_mutex_lock(&e->lock);
  t->state = SSE__T_EXITED;
  t->gone = true;
  t->handed_over = true;
  t->pending_bp = false;
  t->deliver_sig = 0;
  t->regs_valid = false;
  p->nthreads_live--;
  pthread_mutex_unlock(&e->lock);
}

/* The JIT readers' view of the engine: breakpoint sites, the symbol glue,
 * the thread list, the command queue and the SIGCHLD waiters. */
static const sse__jit_host jit_host = {
    .site_add = sse__site_add,
    .site_del = sse__site_del,
    .symbols_changed = jit_symbols_changed,
    .modules_changed = sse__proc_symbols_changed,
    .handed_over = jit_handed_over,
    .post = sse__engine_post,
    .waiter_register = sse__sig_register_waiter,
    .waiter_idle = sse__sig_idle,
    .waiter_unregister = sse__sig_unregister_waiter,
};

/* Every new process comes here first (spawn, attach), before anything
 * writes to it: the lower layers' callbacks into the engine are installed
 * here. */
void sse__proc_symbols_init(sse_process *p) {
  sse__mem_on_code_changed(p, code_changed, p);
  sse__unwind_set_host(&unwind_host);
  sse__jit_set_host(&jit_host);
  if (sse__proc_symtab(p)) {
    rbrk_setup(p);
    sse__proc_jit_discover(p, true);
  }
}

bool sse__proc_is_rbrk(sse_process *p, uint64_t pc) {
  return p->rbrk_set && pc == p->rbrk_addr;
}

int sse__proc_lookup(sse_process *p, uint64_t pc, struct sse__loc *out) {
  struct sse__symtab *st = sse__proc_symtab(p);
  int rc = st ? sse__symtab_lookup(st, pc, out) : -1;
  if (rc == 0 && out->function) return 0;
  /* No module, or a module's range without a function there (libdwfl's
   * ranges may take in anonymous mappings next to a module's own). */
  struct sse__loc j;
  if (sse__proc_jit_lookup(p, pc, &j) == 0) {
    *out = j;
    return 0;
  }
  return rc == 0 ? 0 : -1;
}
