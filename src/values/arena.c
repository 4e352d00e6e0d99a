/* The allocator of one value request: blocks freed together at its end,
 * and the error text gdb would print. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

struct sse__arena_blk {
  sse__arena_blk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 16384
/* An arena never needs more: a bound on what a corrupt DWARF can make us
 * allocate. */
#define ARENA_MAX_BLOCKS 4096

void *sse__arena_alloc(sse__arena_blk **blocks, size_t n) {
  n = (n + 15) & ~(size_t)15;
  sse__arena_blk *b = *blocks;
  if (b == NULL || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK, k = 0;
    for (sse__arena_blk *q = *blocks; q; q = q->next) k++;
    if (n > (size_t)1 << 28 || k >= ARENA_MAX_BLOCKS || (b = malloc(sizeof *b + cap)) == NULL)
      return NULL;
    b->cap = cap;
    b->used = 0;
    b->next = *blocks;
    *blocks = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

void sse__arena_free(sse__arena_blk **blocks) {
  while (*blocks) {
    sse__arena_blk *b = *blocks;
    *blocks = b->next;
    free(b);
  }
}

void *sse__va_alloc(sse__vctx *c, size_t n) {
  void *p = sse__arena_alloc(&c->blocks, n);
  if (!p) sse__verr(c, "virtual memory exhausted.");
  return p;
}

char *sse__va_strdup(sse__vctx *c, const char *s) {
  if (s == NULL) return NULL;
  size_t n = strlen(s) + 1;
  char *d = sse__va_alloc(c, n);
  if (d) memcpy(d, s, n);
  return d;
}

void sse__va_free(sse__vctx *c) {
  sse__types_done(c);
  sse__arena_free(&c->blocks);
  free(c->scopes);
  c->scopes = NULL;
}

int sse__verr(sse__vctx *c, const char *fmt, ...) {
  if (c->err[0]) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, sizeof c->err, fmt, ap);
  va_end(ap);
  return -1;
}
