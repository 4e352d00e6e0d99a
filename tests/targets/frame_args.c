/* frame_args.c -- arguments of optimized frames as gdb shows them, built
 * with gcc -O2 (tests/unit/test_values_demo.c): a parameter IPA-CP drops
 * (drop.constprop.0, whose `dropped` is a DW_OP_GNU_parameter_ref to the
 * caller's call site), two tail calls in a row (chain_a jumps to chain_b,
 * which jumps to chain_leaf: two tail-call frames whose arguments are
 * entry values), and a function called through a pointer (its entry
 * values through the call site's DW_AT_call_target). */
#include <stdio.h>

volatile int sink;

static __attribute__((noinline)) int drop(int used, int dropped) {
  sink = used;
  return used + 1;
}

__attribute__((noinline)) int chain_leaf(int z) {
  sink = z;
  return z * 3;
}

__attribute__((noinline)) int chain_b(int y) {
  return chain_leaf(y + 1);
}

__attribute__((noinline)) int chain_a(int x) {
  return chain_b(x * 2);
}

__attribute__((noinline)) int by_ptr(int v) {
  sink = v;
  return v - 1;
}

int (*volatile fp)(int) = by_ptr;
int driver(int n);

int main(int argc, char **argv) {
  (void)argv;
  int r = drop(argc + 1, argc * 7);
  r += drop(argc + 2, argc * 9);
  r += chain_a(argc + 4);
  r += fp(argc + 10);
  r += driver(5);
  printf("%d\n", r);
  return 0;
}

int pong(int n);

__attribute__((noinline)) int ping(int n) {
  sink = n;
  if (n <= 0) return sink;
  return pong(n - 1);
}

__attribute__((noinline)) int pong(int n) {
  sink = n * 2;
  if (n <= 0) return sink;
  return ping(n - 1);
}

__attribute__((noinline)) int driver(int n) {
  int r = ping(n + 3);
  sink = r;
  return r + 1;
}
