/* Memory of a traced process (mem.c): reads through a page cache while the
 * process is stopped with our int3s shadowed, writes, the cross-thread
 * fast path, and the "code changed" notice for the layer above.
 *
 * Thread: the tracer thread, except sse__mem_read_fast (any thread). */
#ifndef SSE_MEMACCESS_MEM_H
#define SSE_MEMACCESS_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "sse.h"

sse_err sse__mem_read(sse_process *p, uint64_t addr, void *buf, size_t len,
                      size_t *done);
sse_err sse__mem_read_raw(sse_process *p, uint64_t addr, void *buf,
                          size_t len, size_t *done);
sse_err sse__mem_write_raw(sse_process *p, uint64_t addr, const void *buf,
                           size_t len, size_t *done);
sse_err sse__mem_write(sse_process *p, uint64_t addr, const void *buf,
                       size_t len, size_t *done);
void sse__mem_invalidate(sse_process *p);
void sse__mem_free(sse_process *p);
/* The fast path of sse_read_memory for threads other than the tracer: SSE_OK
 * or "take the delegate" (any other value). */
sse_err sse__mem_read_fast(sse_process *p, uint64_t addr, void *buf,
                           size_t len);
/* p->sites changed (a site added, removed, or all of them dropped): the
 * fast path's copy follows. Tracer thread; breakpoint.c calls it. */
void sse__mem_sites_changed(sse_process *p);
/* Rebuild that copy if a write made it stale (the delegated read). */
void sse__mem_shadow_refresh(sse_process *p);
/* The process is about to be let go (detach) or killed: no fast read from
 * now on. Call before the first thread is detached or killed. */
void sse__mem_retire(sse_process *p);
/* Code in [addr, addr + len) of p may have changed (a write through the
 * library, a JIT's new module): fn(arg, addr, len) is called, on the
 * tracer thread, by sse__mem_code_changed and by every sse__mem_write_raw.
 * One subscriber per process (the step engine's decode cache); a second
 * call replaces it; it lasts as long as the process (exec keeps it). */
void sse__mem_on_code_changed(sse_process *p,
                              void (*fn)(void *arg, uint64_t addr,
                                         uint64_t len),
                              void *arg);
void sse__mem_code_changed(sse_process *p, uint64_t addr, uint64_t len);

#endif
