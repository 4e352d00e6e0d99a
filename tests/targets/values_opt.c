/* values_opt -- built -O2 (gcc and clang): variables in registers,
 * location lists, values the compiler dropped (<optimized out>), an
 * inlined function's locals. The value tests compare info locals / args
 * and print with gdb at the breakpoints in work() and scale(). */
#include <stdio.h>
#include <stdlib.h>

struct acc {
  long sum;
  int count;
};

__attribute__((noinline)) static void sink(long v) {
  __asm__ volatile("" : : "r"(v) : "memory");
}

static inline int scale(int v, int k) {
  int prod = v * k;
  sink(prod);
  return prod + 1;
}

__attribute__((noinline)) long work(int n, const char *tag) {
  struct acc a = {0, 0};
  int unused = n * 3;
  for (int i = 0; i < n; i++) {
    a.sum += scale(i, n);
    a.count++;
  }
  sink(a.sum);
  sink(tag[0]);
  (void)unused;
  return a.sum + a.count;
}

int main(int argc, char **argv) {
  long r = work(argc + 4, "tag");
  printf("%ld\n", r);
  return 0;
}
