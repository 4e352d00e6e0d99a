/* Tasks the engine left asleep in a futex wait through an all-stop
 * ("parked": src/engine/park.c). Such a task is not in a ptrace-stop, so
 * every ptrace request on it must first stop it: the wrappers of this
 * folder call sse__pt_before(tid) before any request but PTRACE_INTERRUPT,
 * and that hands a parked tid to the unpark callback, which stops it
 * (interrupt and wait) and forgets it. The set is per thread, as ptrace
 * is: a tracer thread only ever asks about its own tracees. */
#ifndef SSE_PTRACE_PARK_H
#define SSE_PTRACE_PARK_H

#include <stdbool.h>
#include <sys/types.h>

typedef void (*sse__pt_unpark_fn)(void *owner);

/* Mark tid parked; owner is passed to fn when a request needs it stopped.
 * 0, or -ENOMEM (then it must not be left parked). */
int sse__pt_park(pid_t tid, void *owner, sse__pt_unpark_fn fn);
/* tid is no longer parked (stopped, resumed, gone). */
void sse__pt_park_forget(pid_t tid);
/* Called by the wrappers before a request on tid. */
void sse__pt_before(pid_t tid);

#endif
