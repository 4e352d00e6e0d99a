/* What the value entry points (api_values.c, api_valhandle.c) share. */
#ifndef SSE_API_VALUES_H
#define SSE_API_VALUES_H

#include "internal.h"

/* Tracer thread: whether t can be read now (SSE_OK), or why not. */
sse_err sse__api_thread_readable(sse_thread *t);
/* The error code of a gdb message ("No symbol ...": SSE_E_NOSYM). */
sse_err sse__api_values_errcode(const char *msg);

#endif
