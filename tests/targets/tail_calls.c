/* tail_calls.c — built at -O2 (gcc, gcc -z now, clang): grow() is
 * `jmp realloc@plt`, tail_cmp() `jmp strcmp@plt` (an IFUNC), tail_local()
 * a jump to local_leaf(). gdb's `step` goes through the PLT stub into the
 * target's first line; `next` stops in the stub. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

__attribute__((noinline)) void *grow(void *p, size_t n) {
  return realloc(p, n);
}

__attribute__((noinline)) int local_leaf(int x) {
  int y = x * 3;
  return y + 1;
}

__attribute__((noinline)) int tail_local(int x) {
  return local_leaf(x + 1);
}

__attribute__((noinline)) int tail_cmp(const char *a, const char *b) {
  return strcmp(a, b);
}

int main(int argc, char **argv) {
  void *p = malloc(16);
  p = grow(p, 64);
  int r = tail_local(argc);
  r += tail_cmp(argv[0], "x");
  printf("%d\n", r);
  free(p);
  return 0;
}
