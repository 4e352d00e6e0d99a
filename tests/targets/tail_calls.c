/* tail_calls.c — built at -O2 (gcc and clang, lazy binding and -z now):
 * grow() is `jmp realloc@plt`, tail_cmp() `jmp strcmp@plt`, tail_len()
 * `jmp strlen@plt`, tail_copy() `jmp memcpy@plt` (three IFUNCs),
 * tail_local() a jump to local_leaf(). gdb's `step` goes through the PLT stub into the
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

__attribute__((noinline)) size_t tail_len(const char *s) {
  return strlen(s);
}

__attribute__((noinline)) void *tail_copy(void *d, const void *s, size_t n) {
  return memcpy(d, s, n);
}

int main(int argc, char **argv) {
  void *p = malloc(16);
  p = grow(p, 64);
  int r = tail_local(argc);
  r += tail_cmp(argv[0], "x");
  char buf[64];
  r += (int)tail_len(argv[0]);
  tail_copy(buf, argv[0], sizeof buf < tail_len(argv[0]) ? sizeof buf : tail_len(argv[0]));
  r += buf[0];
  printf("%d\n", r);
  free(p);
  return 0;
}
