/* Stack unwinding of a stopped thread: libunwind's remote API over the
 * engine's memory layer (src/memaccess), with a frame-pointer fallback for
 * code without unwind information.
 *
 * Thread: every function runs on the tracer thread only (it calls ptrace
 * on the thread and reads memory through sse__mem_read). The per-process
 * unwinder state (libunwind address space with its global cache, _UPT
 * context) is created on first use and kept until sse__unwind_forget. */
#ifndef SSE_UNWIND_H
#define SSE_UNWIND_H

#include <stddef.h>

#include "internal.h"

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
