/* The decoded tables in the index's record layout: a line table's rows
 * (sse__rowtab) and the pool of a symbol table's strings, built from what
 * decoding produced with interned pointers, so a decoded table and a
 * mapped one are searched by the same code. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "symtab/bsearch.h"
#include "symtab_int.h"

void sse__rowtab_free(sse__rowtab *t) {
  if (t->owned) {
    free((void *)t->v);
    free(t->files);
  }
  memset(t, 0, sizeof *t);
}

static int cmp_ptr(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (const char *const *)a, y = (uintptr_t) * (const char *const *)b;
  return x < y ? -1 : x > y;
}

size_t sse__ptrs_unique(const char **v, size_t n) {
  qsort(v, n, sizeof *v, cmp_ptr);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || v[k - 1] != v[i])
      v[k++] = v[i];
  return k;
}

typedef struct ptr_key {
  const char *const *v;
  uintptr_t p;
} ptr_key;

static bool ptr_before(const void *ctx, size_t i) {
  const ptr_key *k = ctx;
  return (uintptr_t)k->v[i] < k->p;
}

size_t sse__ptrs_find(const char *const *v, size_t n, const char *p) {
  return sse__bsearch(n, ptr_before, &(ptr_key){v, (uintptr_t)p});
}

bool sse__rowtab_from_rows(sse__rowtab *t, sse__lrow *v, size_t n) {
  memset(t, 0, sizeof *t);
  const char **files = malloc((n ? n : 1) * sizeof *files);
  sse__lrec *r = malloc((n ? n : 1) * sizeof *r);
  if (files == NULL || r == NULL) {
    free(files);
    free(r);
    free(v);
    return false;
  }
  for (size_t i = 0; i < n; i++)
    files[i] = v[i].file;
  size_t nf = sse__ptrs_unique(files, n);
  const char *last = NULL;
  uint32_t lastf = UINT32_MAX;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || v[i].file != last) {
      last = v[i].file;
      lastf = (uint32_t)sse__ptrs_find(files, nf, last);
    }
    r[i] = (sse__lrec){.addr = v[i].addr, .file = lastf, .line = v[i].line, .col = v[i].col,
                       .is_stmt = v[i].is_stmt};
  }
  free(v);
  /* A NULL file (no name in the line program) stays an index whose
   * entry is NULL, as the decoded row had it. */
  *t = (sse__rowtab){.v = r, .n = n, .files = files, .nfiles = nf, .owned = true};
  return true;
}
