/* What the JIT readers (src/jit) need from the engine above them: int3s
 * of their own, telling the engine that the JIT's symbols or the process's
 * modules changed or that a thread went to the symbol thread, and the
 * engine's command queue and SIGCHLD waiters for the symbol thread. The
 * engine installs the host (sse__jit_set_host) before it traces anything;
 * src/jit calls nothing of the engine by name.
 *
 * Every member must be set. All are called on the tracer thread, with
 * every thread of p stopped or at the JIT's own stop, except where said. */
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
  /* t (stopped, then PTRACE_DETACHed by us) now belongs to the symbol
   * thread: the engine forgets it (state EXITED, handed_over: all-stop,
   * detach and the thread list skip it). */
  void (*handed_over)(sse_thread *t);
  /* Queue fn(arg) for the tracer thread and return at once (nobody waits;
   * if the engine stops first, arg is freed with free()). Symbol thread. */
  sse_err (*post)(sse_engine *e, void (*fn)(void *), void *arg);
  /* The symbol thread waits for SIGCHLD in sigsuspend as the tracer does:
   * register it (its tid) with the engine's SIGCHLD handler, say when it is
   * about to sleep (idle true) or busy again, unregister it before it
   * exits. Symbol thread. */
  void (*waiter_register)(pid_t tid);
  void (*waiter_idle)(bool on);
  void (*waiter_unregister)(pid_t tid);
} sse__jit_host;

/* Kept by pointer: h must stay valid as long as the library is used. Every
 * engine installs the same one. Any thread. */
void sse__jit_set_host(const sse__jit_host *h);

#endif
