/* The one binary search of the sorted tables (module ranges, symbols, line
 * rows, CU ranges, JIT regions): C++'s partition_point. Header-only so the
 * predicate is inlined. */
#ifndef SSE_SYMTAB_BSEARCH_H
#define SSE_SYMTAB_BSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The first i in [0, n) for which before(ctx, i) is false, n if none;
 * before must be true for every index below some point and false from it
 * on (a sorted table asked "is element i before the one I want?"). */
static inline size_t sse__bsearch(size_t n, bool (*before)(const void *ctx, size_t i),
                                  const void *ctx) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (before(ctx, mid))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

typedef struct sse__bsearch_u64 {
  const char *base;
  size_t size, off;
  uint64_t key;
} sse__bsearch_u64;

static inline bool sse__bsearch_u64_le(const void *ctx, size_t i) {
  const sse__bsearch_u64 *c = ctx;
  uint64_t v;
  memcpy(&v, c->base + i * c->size + c->off, sizeof v);
  return v <= c->key;
}

/* Of the n elements at base, size bytes apart and sorted by the uint64_t
 * member at offset off: how many have that member <= key, i.e. the index
 * of the first one above key. SSE__BSEARCH_LE(v, n, lo, x) for an array v
 * of structs with member lo. */
static inline size_t sse__bsearch_le(const void *base, size_t n, size_t size, size_t off,
                                     uint64_t key) {
  sse__bsearch_u64 c = {base, size, off, key};
  return sse__bsearch(n, sse__bsearch_u64_le, &c);
}
#define SSE__BSEARCH_LE(v, n, member, key) \
  sse__bsearch_le((v), (n), sizeof *(v), offsetof(__typeof__(*(v)), member), (key))

#endif
