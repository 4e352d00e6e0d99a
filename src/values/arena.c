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
/* A request never needs more: a bound on what a corrupt DWARF can make us
 * allocate. */
#define ARENA_MAX_BLOCKS 4096

static size_t nblocks(const sse__vctx *c) {
  size_t k = 0;
  for (const sse__arena_blk *b = c->blocks; b; b = b->next) k++;
  return k;
}

void *sse__va_alloc(sse__vctx *c, size_t n) {
  n = (n + 15) & ~(size_t)15;
  sse__arena_blk *b = c->blocks;
  if (b == NULL || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    if (n > (size_t)1 << 28 || nblocks(c) >= ARENA_MAX_BLOCKS ||
        (b = malloc(sizeof *b + cap)) == NULL) {
      sse__verr(c, "virtual memory exhausted.");
      return NULL;
    }
    b->cap = cap;
    b->used = 0;
    b->next = c->blocks;
    c->blocks = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
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
  while (c->blocks) {
    sse__arena_blk *b = c->blocks;
    c->blocks = b->next;
    free(b);
  }
  free(c->memo);
  c->memo = NULL;
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
