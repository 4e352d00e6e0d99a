/* Stack unwinding of a stopped thread: libunwind's remote API over the
 * engine's memory layer (src/memaccess), with a frame-pointer fallback for
 * code without unwind information (the arch's rule, src/arch).
 *
 * Thread: every function runs on the tracer thread only (it calls ptrace
 * on the thread and reads memory through sse__mem_read). The per-process
 * unwinder state (libunwind address space with its global cache, _UPT
 * context) is created on first use and kept until sse__unwind_forget.
 *
 * What the unwinder needs from the engine above it (a thread's registers,
 * the function at a pc) comes through the host the engine installs; the
 * unwinder calls nothing of the engine itself. */
#ifndef SSE_UNWIND_H
#define SSE_UNWIND_H

#include <stddef.h>

#include "arch/arch.h"
#include "internal.h"

typedef struct sse__unwind_host {
  /* The registers of stopped thread t as the engine caches them for the
   * current stop: 0, or a negated errno (-ESRCH: the thread is gone).
   * Tracer thread. Must not be NULL. */
  int (*getregs)(sse_thread *t, sse__regs *out);
  /* The location of pc in p (module, function and offset, file and line),
   * as a stop reports it: loc zeroed but for pc when nothing is known.
   * Tracer thread. Must not be NULL. */
  void (*locate)(sse_process *p, uint64_t pc, sse_location *loc);
  /* One step by call-frame information the symbols have and libunwind
   * does not find (a JIT's in-memory object's .eh_frame): at look (see
   * locate) in a frame with registers pc, sp, fp, true with the caller's.
   * Tracer thread. May be NULL. */
  bool (*cfi_step)(sse_process *p, uint64_t look, uint64_t pc, uint64_t sp, uint64_t fp,
                   uint64_t *npc, uint64_t *nsp, uint64_t *nfp);
  /* The .eh_frame_hdr of the module holding pc (a process address) and
   * the module's [lo, hi): 0, or -1. Tracer thread. May be NULL. */
  int (*eh_frame_hdr)(sse_process *p, uint64_t pc, uint64_t *hdr, uint64_t *lo, uint64_t *hi);
} sse__unwind_host;

/* Install the host, before the first unwind; kept by pointer, so h must
 * stay valid as long as the library is used. Every engine installs the
 * same one. Without a host every unwind fails (SSE_E_SYS). Any thread. */
void sse__unwind_set_host(const sse__unwind_host *h);

/* Up to max frames of stopped thread t into frames, *n set to the count.
 * Frame 0 is the thread's pc; above it, pc is the return address and loc
 * is resolved at pc-1 (gdb's get_frame_address_in_block: not for a signal
 * trampoline frame nor for the frame it interrupted). cfa is the frame's
 * canonical frame address (the caller's sp after the return); 0 when not
 * known (the outermost frame). Stops at max, at a pc of 0, or when the CFA
 * does not increase (except across a signal frame). */
sse_err sse__backtrace(sse_thread *t, sse_frame *frames, size_t max, size_t *n);

/* The modules of p changed (dlopen, dlclose, exec): drop cached unwind
 * tables (unw_flush_cache) and the _UPT context's mapped ELF image. */
void sse__unwind_flush(sse_process *p);

/* p is going away: free its unwinder state. */
void sse__unwind_forget(sse_process *p);

#endif
