/* What the JIT readers (src/jit) need from the engine above them: int3s
 * of their own, and telling the engine that the JIT's symbols or the
 * process's modules changed. The engine installs the host
 * (sse__jit_set_host) before it traces anything; src/jit calls nothing of
 * the engine's breakpoints, events or symbol glue by name.
 *
 * Every member must be set. All are called on the tracer thread, with
 * every thread of p stopped or at the JIT's own stop. */
#ifndef SSE_JIT_HOST_H
#define SSE_JIT_HOST_H

#include "internal.h"

typedef struct sse__jit_host {
  /* Put an int3 of ours at addr (a breakpoint site, shared with the user's
   * breakpoints and hidden from memory reads) / take it out again. */
  sse_err (*site_add)(sse_process *p, uint64_t addr);
  void (*site_del)(sse_process *p, uint64_t addr);
  /* The JIT's symbols changed (an agent generation landed, a GDB JIT
   * object came or went): resolve pending breakpoints again and send
   * SSE_EV_JIT_SYMBOLS_CHANGED. */
  void (*symbols_changed)(sse_process *p);
  /* The process's modules changed (a GDB JIT object came or went): what
   * the engine derives from them follows (sse__proc_symbols_changed). */
  void (*modules_changed)(sse_process *p);
} sse__jit_host;

/* Kept by pointer: h must stay valid as long as the library is used. Every
 * engine installs the same one. Any thread. */
void sse__jit_set_host(const sse__jit_host *h);

#endif
