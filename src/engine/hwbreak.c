/* hwbreak.c — sse_break_hardware: a breakpoint in a debug register (gdb's
 * hbreak, the remote protocol's Z1) instead of an int3: the code is not
 * written, so it works in read-only or self-checking code. It takes one of
 * the four slots the watchpoints use (ptrace/debugregs.c sets DR0-3/DR7 of
 * every thread, threads created later included), fires before the
 * instruction runs, and stops as a breakpoint (SSE_STOP_BREAKPOINT, its
 * id): the kernel sets the resume flag at that trap, so the thread goes on
 * past it when resumed. Tracer-side work is the watchpoints' (breakpoint.c,
 * kind SSE__WATCH_EXEC). */
#include "internal.h"

sse_err sse_break_hardware(sse_process *p, uint64_t addr, int *id) {
  if (!p) return SSE_E_INVAL;
  return sse__watch_call(p, addr, 1, SSE__WATCH_EXEC, id);
}
