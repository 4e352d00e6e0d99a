/* opt_shapes.c -- optimized-code shapes for the gdb-compared stepping
 * tests (built with gcc and clang at -O2): a function whose unlikely path
 * gcc moves out of line (check.cold), a call through a function pointer,
 * a recursive function finished from depth 50. */
#include <stdio.h>
#include <stdlib.h>

volatile int sink;

__attribute__((cold, noinline)) void report_bad(int v) {
  sink = -v;
  fprintf(stderr, "bad value %d\n", v);
}

__attribute__((noinline)) int check(int v) {
  if (__builtin_expect(v < 0, 0)) {
    report_bad(v);
    sink += 3;
    return -1;
  }
  sink += v;
  return v * 2;
}

__attribute__((noinline)) int twice(int v) {
  sink = v;
  return v + v;
}

__attribute__((noinline)) int thrice(int v) {
  sink = v;
  return v * 3;
}

int (*volatile pick)(int) = twice;

__attribute__((noinline)) int depth(int n) {
  if (n == 0) {
    sink = 50;
    return 0;
  }
  int r = depth(n - 1);
  sink = r;
  return r + 1;
}

int main(int argc, char **argv) {
  int v = argc > 1 ? atoi(argv[1]) : -4;
  int a = check(v);
  int b = check(-v);
  int c = pick(a + b);
  pick = thrice;
  c += pick(c);
  int d = depth(50);
  printf("%d %d %d %d\n", a, b, c, d);
  return 0;
}
