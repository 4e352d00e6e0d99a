/* inline_deep.c -- inlined functions three deep in an optimized build
 * (built with gcc and clang at -O2, tests/unit/test_inline_bt.c): main ->
 * outer (a real frame) -> level1 -> level2 -> level3 (all three inlined
 * into outer) -> leaf (a real frame again). Backtraces and frame selection
 * are compared with gdb's, inline frames included. */
#include <stdio.h>
#include <stdlib.h>

volatile int sink;

__attribute__((noinline)) int leaf(int v) {
  sink += v;
  return sink * 3;
}

static inline __attribute__((always_inline)) int level3(int c) {
  int t = c * 7;
  sink = t;
  t = leaf(t + 1);
  return t + sink;
}

static inline __attribute__((always_inline)) int level2(int b) {
  int u = b + 5;
  sink ^= u;
  u = level3(u);
  return u - 1;
}

static inline __attribute__((always_inline)) int level1(int a) {
  int w = a * 2;
  sink += w;
  w = level2(w);
  return w + 2;
}

__attribute__((noinline)) int outer(int x) {
  int r = level1(x);
  sink = r;
  return r * 5;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  int total = 0;
  for (int i = 0; i < n; i++) total += outer(i);
  printf("%d\n", total);
  return 0;
}
