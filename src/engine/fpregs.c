/* fpregs.c — a thread's x87/SSE/AVX registers, read and written through
 * the ptrace layer's XSAVE access (nothing cached: gdb and the values
 * code read them rarely, and a resume would drop a cache anyway). */
#include "engine/fpregs.h"

#include "ptrace/fpstate.h"

_Static_assert(sizeof(((sse_fpregs *)0)->fxsave) == SSE__FXSAVE_SIZE, "FXSAVE image");
_Static_assert(sizeof(((sse_fpregs *)0)->ymmh) == SSE__YMMH_SIZE, "ymm upper halves");

int sse__thread_get_fpregs(sse_thread *t, sse_fpregs *out) {
  return sse__pt_get_fpstate(t->tid, out->fxsave, out->ymmh, &out->has_avx);
}

int sse__thread_set_fpregs(sse_thread *t, const sse_fpregs *in) {
  return sse__pt_set_fpstate(t->tid, in->fxsave, in->ymmh);
}
