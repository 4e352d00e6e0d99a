/* sig_blocked.c — blocks every signal it can (sigprocmask of a full set:
 * all but SIGKILL and SIGSTOP, and glibc keeps its own two), says "b" on
 * stdout, then loops calling tick() until stop_flag is set (by the
 * debugger, through memory), and exits 0. */
#include <signal.h>
#include <unistd.h>

volatile int stop_flag;
volatile long ticks;

void __attribute__((noinline)) tick(long i) { ticks += i; }

int main(void) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, NULL);
  (void)write(1, "b", 1);
  for (long i = 0; !stop_flag; i++) {
    tick(i); /* tick_line */
    ticks++;
  }
  return 0;
}
