/* Breakpoint conditions (cond.c): compiled once, evaluated at each hit
 * by the engine through sse__cond_ops (internal.h). Tracer thread. */
#ifndef SSE_VALUES_COND_H
#define SSE_VALUES_COND_H

#include "internal.h"

typedef struct sse__cond sse__cond;

/* text parsed in the scope of pc (0: syntax only, identifiers looked up
 * at each hit): 0 and *out, or -1 with gdb's message in err. */
int sse__cond_compile(sse_process *p, uint64_t pc, const char *text, sse__cond **out,
                      char *err, size_t errsz);
void sse__cond_free(sse__cond *cond);

#endif
