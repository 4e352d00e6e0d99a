/* One process's JIT state (DESIGN.md "JIT code: two readers, one symbol
 * thread"): created when its modules are first looked at, discovery of the
 * two readers after each module change, lookups in the agent's symbols,
 * exec and free. The readers themselves: agent_reader.c (with
 * symthread.c), gdbjit.c (with elfobj.c). */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>

#include "jit/jitproc.h"

static _Atomic(const sse__jit_host *) g_host;

void sse__jit_set_host(const sse__jit_host *h) { atomic_store(&g_host, h); }

const sse__jit_host *sse__jit_host_get(void) { return atomic_load(&g_host); }

static sse__jitproc *jp_get(sse_process *p) {
  if (!p->jit) {
    p->jit = calloc(1, sizeof *p->jit);
    if (p->jit) p->jit->table = sse__jit_new(p->engine->modcache);
    if (p->jit && !p->jit->table) {
      free(p->jit);
      p->jit = NULL;
    }
  }
  return p->jit;
}

void sse__proc_jit_discover(sse_process *p, bool modules_changed) {
  if (p->exited || !p->symtab || sse__jit_host_get() == NULL) return;
  sse__jitproc *j = jp_get(p);
  if (!j) return;
  if (!j->desc && modules_changed) sse__jit_agent_discover(p);
  if (!j->gdb_desc && modules_changed) sse__jit_gdb_discover(p);
}

bool sse__jit_find(sse_process *p, const char *data, uint64_t *data_addr, const char *func,
                   uint64_t *func_addr) {
  return sse__symtab_data_addr(p->symtab, data, data_addr) == 0 &&
         sse__symtab_func_addr(p->symtab, func, func_addr, NULL) == 0;
}

int sse__proc_jit_lookup(sse_process *p, uint64_t pc, struct sse__loc *out) {
  if (!p->jit || !p->jit->table) return -1;
  return sse__jit_lookup(p->jit->table, pc, out);
}

int sse__proc_jit_func_addr(sse_process *p, const char *name, uint64_t *entry,
                            uint64_t *post_prologue) {
  uint64_t a;
  if (!p->jit || !p->jit->table || sse__jit_func_addr(p->jit->table, name, &a) != 0)
    return -1;
  /* The agent knows no prologues: break at the entry. */
  if (entry) *entry = a;
  if (post_prologue) *post_prologue = a;
  return 0;
}

void sse__proc_jit_exec(sse_process *p) {
  sse__jitproc *j = p->jit;
  if (!j) return;
  /* The old helper died with the old image (the symbol thread reaps it);
   * our int3s went with the address space. */
  sse__jit_clear(j->table);
  j->desc = j->checkpoint = 0;
  j->cp_site = j->handed = false;
  j->gdb_desc = j->gdb_brk = 0;
  j->gdb_site = false;
  sse__elfobjs_clear(j->objs);
}

void sse__proc_jit_free(sse_process *p) {
  if (!p->jit) return;
  sse__elfobjs_free(p->jit->objs); /* before the symtab goes */
  sse__jit_free(p->jit->table);
  free(p->jit);
  p->jit = NULL;
}

/* Generation of the process's JIT agent copy (tests, diagnostics). */
uint64_t sse__proc_jit_generation(sse_process *p) {
  return p->jit && p->jit->table ? sse__jit_generation(p->jit->table, NULL) : 0;
}

/* Symbols of the current copy; fn as for sse__jit_foreach. -1 if none. */
long sse__proc_jit_foreach(sse_process *p,
                           void (*fn)(const char *name, uint64_t start, uint64_t size, void *arg),
                           void *arg) {
  return p->jit && p->jit->table ? sse__jit_foreach(p->jit->table, fn, arg) : -1;
}
