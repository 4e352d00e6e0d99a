/* siginfo.h — a stopped thread's siginfo, as PTRACE_GETSIGINFO has it.
 * Tracer thread only. 0 or -errno. */
#ifndef SSE_ENGINE_SIGINFO_H
#define SSE_ENGINE_SIGINFO_H

#include "internal.h"

int sse__thread_get_siginfo(sse_thread *t, uint8_t out[128]);

#endif
