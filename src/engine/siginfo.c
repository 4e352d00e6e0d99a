/* siginfo.c — the siginfo of a thread's last ptrace stop (the tracer's
 * side of sse_thread_siginfo). */
#include "engine/siginfo.h"

#include <string.h>

#include "ptrace/ptrace.h"

_Static_assert(sizeof(siginfo_t) == 128, "Linux's siginfo_t");

int sse__thread_get_siginfo(sse_thread *t, uint8_t out[128]) {
  siginfo_t si;
  int rc = sse__pt_getsiginfo(t->tid, &si);
  if (rc == 0) memcpy(out, &si, sizeof si);
  return rc;
}
