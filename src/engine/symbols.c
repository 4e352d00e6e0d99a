/* Glue between the engine and src/symtab: the per-process symbol table,
 * refreshed on exec and at the dynamic linker's rendezvous breakpoint
 * (_dl_debug_state, where r_debug.r_brk points), so libraries loaded by
 * dlopen get line info and pending breakpoints without a restart.
 *
 * JIT code (issue 6, DESIGN.md "JIT code: two readers, one symbol thread"):
 * the tracer thread's half of the JIT agent protocol lives here, the symbol
 * thread's in symthread.c.
 *  - Discovery: after each refresh that changed the modules, look for the
 *    data symbol `sse_agent_descriptor`. When found: write debugger_pid and
 *    debugger_flags (SYNC); if every thread is stopped, copy the blobs now
 *    (the protocol's consistency rule 2) and write debugger_generation.
 *  - Hand-over: the helper thread is taken from the tracer at a point where
 *    it is in a ptrace stop of ours: either at once (attach: helper_tid is
 *    known and the thread is stopped), or when it first reaches
 *    sse_agent_checkpoint, where an int3 of ours waits (the helper starts
 *    lazily, on the first register, so it may appear any time later; its
 *    tid is in the descriptor before its first checkpoint). The tracer takes
 *    the int3 out, clears the thread's debug registers, PTRACE_DETACHes it,
 *    marks its sse_thread handed_over (state EXITED for the engine: all-stop,
 *    detach, the thread list skip it) and hands the tid to the symbol
 *    thread. Never SIGSTOP (a whole-group stop); never while the thread
 *    still owes us a SIGSTOP (detaching then would let it stop the group).
 *  - Lookups: an address in no module is looked up in the JIT copies;
 *    a function name unknown to the modules is looked up there too. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/sse_agent.h"
#include "internal.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"
#include "jit/jit.h"
#include "symtab/symtab.h"
#include "unwind/unwind.h"

#define SSE__JIT_MAX_BLOB (256u << 20)

typedef struct sse__jitproc {
  sse__jit *table;       /* the agent's blobs, copied */
  uint64_t desc;         /* &sse_agent_descriptor, 0 until found */
  uint64_t checkpoint;   /* &sse_agent_checkpoint */
  bool cp_site;          /* our int3 at the checkpoint: the hand-over trap */
  bool handed;           /* the helper belongs to the symbol thread */
  /* GDB JIT interface (block "GDB JIT interface" below) */
  uint64_t gdb_desc;     /* &__jit_debug_descriptor, 0 until found */
  uint64_t gdb_brk;      /* &__jit_debug_register_code */
  bool gdb_site;         /* our int3 there */
} sse__jitproc;

static void jit_discover(sse_process *p, bool modules_changed);

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
  if (changed > 0) sse__symtab_prefetch(st);
  rbrk_setup(p);
  jit_discover(p, changed != 0);
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

/* The step engine's range-stepping decode cache follows writes to code
 * (memaccess reports them to its one subscriber). */
static void code_changed(void *arg, uint64_t addr, uint64_t len) {
  sse__run_code_changed(arg, addr, len);
}

/* The unwinder's view of the engine: the register cache, the locations. */
static const sse__unwind_host unwind_host = {
    .getregs = sse__thread_getregs,
    .locate = sse__run_fill_location,
};

/* Every new process comes here first (spawn, attach), before anything
 * writes to it: the lower layers' callbacks into the engine are installed
 * here. */
void sse__proc_symbols_init(sse_process *p) {
  sse__mem_on_code_changed(p, code_changed, p);
  sse__unwind_set_host(&unwind_host);
  if (sse__proc_symtab(p)) {
    rbrk_setup(p);
    jit_discover(p, true);
  }
}

bool sse__proc_is_rbrk(sse_process *p, uint64_t pc) {
  return p->rbrk_set && pc == p->rbrk_addr;
}

/* ------------------------------------------------------------ JIT lookups */

int sse__proc_jit_lookup(sse_process *p, uint64_t pc, struct sse__loc *out) {
  if (!p->jit || !p->jit->table) return -1;
  return sse__jit_lookup(p->jit->table, pc, out);
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

/* ------------------------------------------------------------ JIT agent */

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

static bool all_stopped(sse_process *p) {
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->state == SSE__T_RUNNING) return false;
  return true;
}

static void emit_jit_changed(sse_process *p) {
  if (!sse__ev_wanted(p->engine, SSE_EV_JIT_SYMBOLS_CHANGED)) return;
  sse_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = SSE_EV_JIT_SYMBOLS_CHANGED;
  ev.engine = p->engine;
  ev.process = p;
  sse__ev_emit(p->engine, &ev);
}

#define DESC_FIELD(f) offsetof(struct sse_agent_descriptor, f)

/* Every thread stopped, nobody mid-change: the blobs are consistent (rule
 * 2 of sse_agent.h). Copy them all. */
static bool copy_all_stopped(sse_process *p, const struct sse_agent_descriptor *d) {
  sse__jitproc *j = p->jit;
  uint8_t *bufs[3] = {NULL, NULL, NULL};
  size_t lens[3] = {0, 0, 0};
  uint64_t gens[3] = {0, 0, 0};
  unsigned nb = d->nblobs < 3 ? d->nblobs : 3;
  bool ok = true;
  for (unsigned i = 0; i < 3 && ok; i++) {
    uint64_t size = i < nb ? d->blobs[i].size : 0;
    if (size > SSE__JIT_MAX_BLOB) ok = false;
    if (!ok) break;
    gens[i] = i < nb ? d->blobs[i].generation : 0;
    lens[i] = size;
    bufs[i] = malloc(size ? size : 1);
    if (!bufs[i] ||
        (size && sse__mem_read(p, d->blobs[i].addr, bufs[i], size, NULL) != SSE_OK))
      ok = false;
  }
  if (!ok) {
    for (int i = 0; i < 3; i++) free(bufs[i]);
    return false;
  }
  sse__jit_store(j->table, d->generation, bufs, lens, gens);
  uint64_t g = d->generation;
  sse__mem_write(p, j->desc + DESC_FIELD(debugger_generation), &g, sizeof g, NULL);
  return true;
}

/* Give t (stopped under us) to the symbol thread. */
static bool handover(sse_process *p, sse_thread *t) {
  sse__jitproc *j = p->jit;
  if (j->handed || t->state != SSE__T_STOPPED || t->sigstop_expected ||
      t->has_pending || t->tid == p->pid || (p->running && p->op.thr == t))
    return false;
  /* Refuse early if the symbol thread cannot take it (engine closing). */
  if (sse__symthread_start(p->engine) != SSE_OK) return false;
  for (int i = 0; i < 4; i++)
    if (t->dr7 & (3ull << (2 * i))) sse__hw_clear(t->tid, i, &t->dr7);
  if (j->cp_site) {
    sse__site_del(p, j->checkpoint);
    j->cp_site = false;
  }
  int sig = t->deliver_sig;
  if (sse__pt_detach(t->tid, sig) != 0) return false;
  sse_engine *e = p->engine;
  pthread_mutex_lock(&e->lock);
  t->state = SSE__T_EXITED;
  t->handed_over = true;
  t->pending_bp = false;
  t->deliver_sig = 0;
  t->regs_valid = false;
  p->nthreads_live--;
  pthread_mutex_unlock(&e->lock);
  j->handed = true;
  sse__symthread_adopt(e, p, j->table, t->tid, j->desc, j->checkpoint);
  return true;
}

static bool read_desc(sse_process *p, uint64_t a, struct sse_agent_descriptor *d) {
  return sse__mem_read(p, a, d, sizeof *d, NULL) == SSE_OK &&
         d->magic == SSE_AGENT_MAGIC && d->version == SSE_AGENT_VERSION;
}

static void agent_discover(sse_process *p) {
  struct sse__symtab *st = p->symtab;
  sse__jitproc *j = p->jit;
  uint64_t a, cp;
  if (sse__symtab_data_addr(st, "sse_agent_descriptor", &a) != 0 ||
      sse__symtab_func_addr(st, "sse_agent_checkpoint", &cp, NULL) != 0)
    return;
  struct sse_agent_descriptor d;
  if (!read_desc(p, a, &d)) return;
  j->desc = a;
  j->checkpoint = cp;
  if (sse__symthread_start(p->engine) != SSE_OK) return;
  int32_t me = (int32_t)getpid();
  uint32_t flags = d.debugger_flags | SSE_AGENT_DEBUGGER_SYNC;
  sse__mem_write(p, a + DESC_FIELD(debugger_pid), &me, sizeof me, NULL);
  sse__mem_write(p, a + DESC_FIELD(debugger_flags), &flags, sizeof flags, NULL);
  if (all_stopped(p) && !d.updating && d.generation != 0 && copy_all_stopped(p, &d)) {
    sse__bp_resolve_pending(p);
    emit_jit_changed(p);
  }
  /* The helper exists and is stopped under us (attach): take it now. */
  if (d.helper_tid > 0) {
    sse_thread *t = sse__thread_find(p->engine, d.helper_tid);
    if (t && t->proc == p && handover(p, t)) return;
  }
  if (sse__site_add(p, cp) == SSE_OK) j->cp_site = true;
}

static void gdbjit_discover(sse_process *p);

static void jit_discover(sse_process *p, bool modules_changed) {
  if (p->exited || !p->symtab) return;
  sse__jitproc *j = jp_get(p);
  if (!j) return;
  if (!j->desc && modules_changed) agent_discover(p);
  if (!j->gdb_desc && modules_changed) gdbjit_discover(p);
}

bool sse__proc_jit_trap(sse_thread *t, uint64_t pc) {
  sse_process *p = t->proc;
  sse__jitproc *j = p->jit;
  if (!j || !j->cp_site || pc != j->checkpoint) return false;
  int32_t htid = 0;
  if (sse__mem_read(p, j->desc + DESC_FIELD(helper_tid), &htid, sizeof htid, NULL) != SSE_OK ||
      htid != t->tid)
    return false; /* somebody else called the checkpoint: step over it */
  return handover(p, t);
}

/* Tracer thread: a generation landed (posted by the symbol thread, which
 * holds the helper at the checkpoint until this has run). */
void sse__proc_jit_landed(sse_process *p) {
  if (p->exited) return;
  sse__bp_resolve_pending(p);
  emit_jit_changed(p);
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
  if (p->symtab) sse__symtab_jit_clear(p->symtab);
}

void sse__proc_jit_release(sse_process *p) {
  sse__jitproc *j = p->jit;
  if (!j || !j->desc) return;
  if (j->handed) sse__symthread_release(p->engine, p);
  j->handed = false;
  int32_t zero = 0;
  if (!p->exited)
    sse__mem_write(p, j->desc + DESC_FIELD(debugger_pid), &zero, sizeof zero, NULL);
}

void sse__proc_jit_free(sse_process *p) {
  if (!p->jit) return;
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

/* ------------------------------------------------------------ GDB JIT interface
 *
 * gdb's JIT interface, read by the tracer like the rendezvous: the program
 * defines
 *   struct jit_code_entry { next, prev; const char *symfile_addr;
 *                           uint64_t symfile_size; };
 *   struct jit_descriptor { uint32_t version; uint32_t action_flag;
 *                           jit_code_entry *relevant_entry, *first_entry; };
 *   jit_descriptor __jit_debug_descriptor = {1, 0, 0, 0};
 *   void __jit_debug_register_code(void) {}   (noinline)
 * and calls __jit_debug_register_code after linking an entry in
 * (action 1, JIT_REGISTER_FN) or before taking one out (action 2,
 * JIT_UNREGISTER_FN), relevant_entry pointing at it. Our int3 sits at the
 * function's entry; each hit reads the descriptor and the entry, and the
 * in-memory ELF object (linked at its run address) becomes a module of the
 * process's symtab (sse__symtab_jit_add), so symbols, lines, breakpoints
 * (pending ones by name), stepping and backtraces work there as anywhere.
 * Entries present when the interface is found (attach) are walked from
 * first_entry. Everything read from the target is bounds-checked: objects
 * of at most SSE__SYMTAB_JIT_MAX bytes, at most GDBJIT_MAX_ENTRIES entries
 * walked (a cycle ends the walk). */

struct gdbjit_entry {
  uint64_t next, prev, symfile_addr, symfile_size;
};
struct gdbjit_desc {
  uint32_t version, action_flag;
  uint64_t relevant_entry, first_entry;
};
#define GDBJIT_MAX_ENTRIES 4096u

/* Copy the object of the entry at ea into the symtab. true if added. */
static bool gdbjit_add(sse_process *p, uint64_t ea) {
  struct gdbjit_entry e;
  if (!ea || sse__mem_read(p, ea, &e, sizeof e, NULL) != SSE_OK) return false;
  if (e.symfile_size < 64 || e.symfile_size > SSE__SYMTAB_JIT_MAX || !e.symfile_addr ||
      e.symfile_addr + e.symfile_size < e.symfile_addr)
    return false;
  void *buf = malloc(e.symfile_size);
  if (!buf) return false;
  bool ok = sse__mem_read(p, e.symfile_addr, buf, e.symfile_size, NULL) == SSE_OK &&
            sse__symtab_jit_add(p->symtab, ea, buf, e.symfile_size) == 0;
  free(buf);
  return ok;
}

/* Modules changed under us: what depends on them follows. */
static void gdbjit_changed(sse_process *p) {
  sse__mem_code_changed(p, 0, UINT64_MAX);
  sse__unwind_flush(p);
  sse__bp_resolve_pending(p);
  emit_jit_changed(p);
}

static void gdbjit_discover(sse_process *p) {
  struct sse__symtab *st = p->symtab;
  sse__jitproc *j = p->jit;
  uint64_t d, f;
  if (sse__symtab_data_addr(st, "__jit_debug_descriptor", &d) != 0 ||
      sse__symtab_func_addr(st, "__jit_debug_register_code", &f, NULL) != 0)
    return;
  if (sse__site_add(p, f) != SSE_OK) return;
  j->gdb_desc = d;
  j->gdb_brk = f;
  j->gdb_site = true;
  /* Entries registered before we came (attach). */
  struct gdbjit_desc desc;
  if (sse__mem_read(p, d, &desc, sizeof desc, NULL) != SSE_OK) return;
  bool any = false;
  uint64_t ea = desc.first_entry;
  for (unsigned n = 0; ea && n < GDBJIT_MAX_ENTRIES; n++) {
    struct gdbjit_entry e;
    if (sse__mem_read(p, ea, &e, sizeof e, NULL) != SSE_OK) break;
    if (gdbjit_add(p, ea)) any = true;
    if (e.next == ea) break;
    ea = e.next;
  }
  if (any) gdbjit_changed(p);
}

bool sse__proc_is_jitbrk(sse_process *p, uint64_t pc) {
  sse__jitproc *j = p->jit;
  if (!j || !j->gdb_site || pc != j->gdb_brk || p->exited || !p->symtab) return false;
  struct gdbjit_desc desc;
  if (sse__mem_read(p, j->gdb_desc, &desc, sizeof desc, NULL) != SSE_OK) return true;
  bool changed = false;
  if (desc.action_flag == 1)
    changed = gdbjit_add(p, desc.relevant_entry);
  else if (desc.action_flag == 2)
    changed = sse__symtab_jit_remove(p->symtab, desc.relevant_entry) == 0;
  if (changed) {
    sse__proc_symbols_changed(p);
    gdbjit_changed(p);
  }
  return true;
}
