/* traceme.c — anti-debugging: the program asks to be traced by its parent
 * (PTRACE_TRACEME), which fails with EPERM when a debugger traces it
 * already. It passes the result to checked() and exits 3 when the call
 * failed ("debugger detected"), 0 when it succeeded. */
#include <errno.h>
#include <sys/ptrace.h>

volatile long seen;

void __attribute__((noinline)) checked(long rc, int err) { seen = rc + err; }

int main(void) {
  errno = 0;
  long rc = ptrace(PTRACE_TRACEME, 0, 0, 0); /* traceme_line */
  int err = errno;
  checked(rc, err);
  return rc == -1 ? 3 : 0;
}
