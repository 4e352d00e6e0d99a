/* dies_midstep.c — a program that dies under a running command.
 *   spin: main calls long_call(), which says "x" on stdout and then never
 *         returns (the test kills it with SIGKILL meanwhile);
 *   spinline: a one-line loop in main says "x" at its 100th turn and
 *         never ends (killed while `next` range-steps that line);
 *   exit: main calls exit_call(3), which calls exit(3).
 * The lines the tests name carry markers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile unsigned long spins;

void __attribute__((noinline)) ready(void) { (void)write(1, "x", 1); }

void __attribute__((noinline)) long_call(void) {
  ready();
  for (;;) spins++;
}

void __attribute__((noinline)) exit_call(int status) {
  spins++;
  exit(status); /* exit_here */
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "spin";
  if (strcmp(mode, "exit") == 0) {
    spins = 0;
    exit_call(3); /* exit_line */
    return 0;
  }
  if (strcmp(mode, "spinline") == 0) {
    spins = 0;
    for (unsigned long i = 0;; i++) if (i == 100) ready(); /* spin_line */
  }
  spins = 0;
  long_call(); /* long_line */
  return 0;
}
