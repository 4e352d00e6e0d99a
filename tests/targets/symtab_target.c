/* Target for tests/unit/test_symtab.c: a few functions and loops, a call to
 * printf, then it writes one byte to the fd given as argv[1] (the tracer's
 * "ready" signal) and blocks in pause() until killed. Line numbers matter to
 * the test only through gdb, which is the oracle. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int square(int x)
{
  return x * x;
}

int sum_squares(int n)
{
  int total = 0;
  for (int i = 0; i < n; i++)
    total += square(i);
  return total;
}

int count_down(int n)
{
  int steps = 0;

  while (n > 0) {
    n--;
    steps++;
  }
  return steps;
}

int main(int argc, char **argv)
{
  int fd = argc > 1 ? atoi(argv[1]) : -1;
  int a = sum_squares(5);
  int b = count_down(3);
  printf("symtab_target %d %d\n", a, b);
  fflush(stdout);
  if (fd >= 0) {
    char c = 'R';
    if (write(fd, &c, 1) != 1)
      return 1;
    close(fd);
  }
  for (;;)
    pause();
  return 0;
}
