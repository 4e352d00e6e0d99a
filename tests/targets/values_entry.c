/* values_entry -- parameters an -O2 build only knows from the caller's
 * call site (DW_OP_entry_value, DW_OP_GNU_parameter_ref) and pointers to
 * values that live nowhere (DW_OP_implicit_pointer), for the value tests
 * (issue 12). Built with gcc -O2 and clang -O2. */
#include <stdio.h>

struct pair {
  int a, b;
};

volatile int sink;

__attribute__((noinline)) int use(int v) {
  sink += v;
  return v * 3;
}

__attribute__((noinline)) int twice_used(int a, int b, long c) {
  int r = use(a + 1);
  r += use(b); /* line 20: a is known only at the entry */
  return r + (int)c;
}

static inline int sum2(const struct pair *p) {
  sink = p->a;
  sink = p->b; /* line 26: p is a pointer to q, which is in no memory */
  return p->a + p->b;
}

__attribute__((noinline)) int via_pointer(int x) {
  struct pair q = {x, x * 2};
  return sum2(&q);
}

int main(int argc, char **argv) {
  (void)argv;
  int t = twice_used(argc + 4, argc + 6, 1000L * argc);
  t += via_pointer(argc + 20);
  printf("%d\n", t);
  return 0;
}
