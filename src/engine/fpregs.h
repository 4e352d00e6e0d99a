/* fpregs.h — a thread's floating-point and vector registers (the
 * tracer's side of sse_get_fpregs/sse_set_fpregs). Tracer thread only;
 * the thread must be stopped. 0 or -errno. */
#ifndef SSE_ENGINE_FPREGS_H
#define SSE_ENGINE_FPREGS_H

#include "internal.h"

int sse__thread_get_fpregs(sse_thread *t, sse_fpregs *out);
int sse__thread_set_fpregs(sse_thread *t, const sse_fpregs *in);

#endif
