/* The tracer thread's half of the JIT agent protocol (DESIGN.md "JIT code:
 * two readers, one symbol thread"); the symbol thread's is symthread.c.
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
 *    still owes us a SIGSTOP (detaching then would let it stop the group). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/sse_agent.h"
#include "arch/arch.h"
#include "jit/jitproc.h"
#include "ptrace/debugregs.h"
#include "ptrace/ptrace.h"

#define SSE__JIT_MAX_BLOB (256u << 20)

static bool all_stopped(sse_process *p) {
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->state == SSE__T_RUNNING) return false;
  return true;
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
  for (int i = 0; i < SSE__ARCH_HW_SLOTS; i++)
    if (sse__arch_dr7_enabled(t->dr7, i)) sse__hw_clear(t->tid, i, &t->dr7);
  if (j->cp_site) {
    sse__jit_host_get()->site_del(p, j->checkpoint);
    j->cp_site = false;
  }
  int sig = t->deliver_sig;
  if (sse__pt_detach(t->tid, sig) != 0) return false;
  sse__jit_host_get()->handed_over(t);
  j->handed = true;
  sse__symthread_adopt(p->engine, p, j->table, t->tid, j->desc, j->checkpoint);
  return true;
}

static bool read_desc(sse_process *p, uint64_t a, struct sse_agent_descriptor *d) {
  return sse__mem_read(p, a, d, sizeof *d, NULL) == SSE_OK &&
         d->magic == SSE_AGENT_MAGIC && d->version == SSE_AGENT_VERSION;
}

void sse__jit_agent_discover(sse_process *p) {
  sse__jitproc *j = p->jit;
  uint64_t a, cp;
  if (!sse__jit_find(p, "sse_agent_descriptor", &a, "sse_agent_checkpoint", &cp)) return;
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
    sse__jit_host_get()->symbols_changed(p);
  }
  /* The helper exists and is stopped under us (attach): take it now. */
  if (d.helper_tid > 0) {
    sse_thread *t = p->threads;
    while (t && (t->tid != d.helper_tid || t->state == SSE__T_EXITED)) t = t->next;
    if (t && handover(p, t)) return;
  }
  if (sse__jit_host_get()->site_add(p, cp) == SSE_OK) j->cp_site = true;
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
  sse__jit_host_get()->symbols_changed(p);
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
