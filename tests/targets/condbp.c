/* condbp.c — f() called N times (argv[1], default 20000) from one
 * thread: a conditional breakpoint on it stops once, at the call the
 * condition picks (tests/unit/test_condbp.c, bench/condbp.c). A struct
 * member and an array to watch, a null pointer a condition may follow. */
#include <stdlib.h>

struct point {
  int x;
  long y;
  char tag[4];
};

struct point pt;
int big[100];
int *nullp;
volatile long sink;

int f(int i) {
  sink += i;
  pt.x = i;
  return (int)sink;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  for (int i = 0; i < n; i++) f(i);
  pt.y = 7;
  big[3] = 1;
  pt.y = 8;
  return 0;
}
