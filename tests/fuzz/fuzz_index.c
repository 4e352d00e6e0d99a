/* libFuzzer target for the symbol index reader (src/index/read.c) and what
 * the module cache takes from a file (src/symtab/persist.c): any bytes are
 * checked as an index file; one that passes has its sections expanded as a
 * module entry would (symbols, the line table, both CU maps, every CU's
 * rows), every record's offsets checked before use.
 *
 * The input is copied into an exact-size 8-aligned heap buffer, so ASan
 * catches a read one byte past the file. The checksum would stop almost
 * every mutation at the first check: each input is tried as it is, then
 * with the header's size and the checksums (the header's, each section's)
 * made to match (those of every segment after the first image too), so
 * the checks behind them are fuzzed as well. The values layer's type
 * table (section 13) is loaded as a module's first request would.
 *
 * Built and run by tests/fuzz/run_fuzz_index.sh (make fuzz; 10 s in make
 * check); seeds are index files sse-index writes for the test programs. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "index/index.h"
#include "symtab/pcmemo.h"
#include "symtab/symtab.h"
#include "symtab/symtab_int.h"
#include "values/values.h"

/* The module cache frees an entry's index of inlined instances (inlbreak.c,
 * built by `break NAME`); the fuzzer's entries never get one, and linking
 * inlbreak.c would bring the whole symbol table in. */
void sse__inlidx_free(struct sse__inlidx *idx) { (void)idx; }

/* The type table's loader (typeindex.c) adds records to a store's memo
 * (types.c, which would bring the values layer in): each record is read
 * whole instead, as a lookup would. */
bool sse__tstore_put(sse__tstore *st, sse__vtype *t) {
  (void)st;
  size_t n = t->name ? strlen(t->name) : 0;
  for (size_t i = 0; t->members && i < t->n; i++)
    n += (t->members[i].name ? strlen(t->members[i].name) : 0) + (size_t)t->members[i].type->kind;
  for (size_t i = 0; t->enums && i < t->n; i++)
    n += strlen(t->enums[i].name ? t->enums[i].name : "");
  for (size_t i = 0; t->params && i < t->n; i++)
    n += (size_t)t->params[i]->kind;
  for (const sse__vtype *x = t; x != NULL; x = x->target) /* a chain ends */
    n++;
  return n != SIZE_MAX;
}

/* The end of a value request (arena.c's, types.c's): never in the fuzzer. */
void sse__types_done(sse__vctx *c) { (void)c; }

/* The values layer's blob of the file (its type table) loaded. */
static void load_types(sse__modentry *e) {
  size_t n;
  const void *blob = sse__persist_ext_blob(e, &n);
  sse__tstore st = {.shared = true};
  if (blob != NULL)
    sse__typeindex_load(&st, blob, n, e);
  sse__arena_free(&st.blocks);
}

static void expand(sse__modcache *c, sse__index *ix) {
  sse__modentry *e = calloc(1, sizeof *e);
  if (e == NULL) {
    sse__index_close(ix);
    return;
  }
  sse__persist_attach(c, e, ix);
  sse__persist_syms(c, e);
  sse__persist_lines(c, e);
  sse__persist_map(c, e, false);
  sse__persist_map(c, e, true);
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next)
    sse__persist_cu(c, e, u);
  /* The tables are used in place: every string reference of every
   * record is read as a lookup reads it. */
  for (size_t i = 0; i < e->nfuncs; i++)
    (void)strlen(sse__fsym_name(e, &e->funcs[i]));
  for (size_t i = 0; i < e->nnames; i++)
    (void)strlen(sse__fsym_key(e, &e->names[i]));
  for (size_t i = 0; i < e->rows.n; i++) {
    const char *f = sse__rowtab_file(&e->rows, e->rows.v[i].file);
    (void)(f ? strlen(f) : 0);
  }
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next)
    for (size_t i = 0; i < u->rows.n; i++) {
      const char *f = sse__rowtab_file(&u->rows, u->rows.v[i].file);
      (void)(f ? strlen(f) : 0);
    }
  for (size_t i = 0; i < e->namap; i++)
    (void)e->amap[i].cu->off;
  for (size_t i = 0; i < e->nfmap; i++)
    (void)e->fmap[i].cu->off;
  load_types(e);
  /* The per-pc answers are read (and bounds-checked) when written back. */
  sse__ixw *w = sse__ixw_new();
  size_t upto;
  if (w != NULL)
    sse__pcmemo_save(e, w, false, &upto);
  sse__ixw_free(w);
  sse__modentry_free(e);
}

/* Make the image at p (n bytes left) pass the size and checksum checks:
 * its size kept when it is plausible (a segment follows), else the rest.
 * Its size. */
static size_t fix_image(unsigned char *p, size_t n) {
  sse__ixhdr *h = (sse__ixhdr *)p;
  if (h->file_size < sizeof *h || h->file_size > n || h->file_size % 8 != 0)
    h->file_size = n & ~(size_t)7;
  size_t size = h->file_size;
  sse__ixsect *st = (sse__ixsect *)(h + 1);
  uint64_t room = (size - sizeof *h) / sizeof *st;
  for (uint64_t i = 0; i < h->nsect && i < room; i++)
    if (st[i].off <= size && st[i].size <= size - st[i].off)
      st[i].sum = sse__ix_checksum(p + st[i].off, st[i].size);
  if (h->key_off <= size && h->keylen <= size - h->key_off && h->key_off + h->keylen >= sizeof *h)
    h->checksum = sse__ix_checksum(p + sizeof *h, h->key_off + h->keylen - sizeof *h);
  return size;
}

static void one(const uint8_t *data, size_t size, bool fix) {
  void *buf = malloc(size ? size : 1); /* 16-aligned, exactly size bytes */
  if (buf == NULL)
    return;
  memcpy(buf, data, size);
  for (size_t pos = 0, k; fix && pos + sizeof(sse__ixhdr) <= size; pos += k)
    if ((k = fix_image((unsigned char *)buf + pos, size - pos)) == 0)
      break;
  const char *why = NULL;
  sse__index *ix = sse__index_from_mem(buf, size, NULL, 0, &why);
  if (ix != NULL) {
    sse__modcache *c = sse__modcache_new();
    if (c != NULL)
      expand(c, ix);
    else
      sse__index_close(ix);
    sse__modcache_free(c);
  }
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  one(data, size, false); /* the checks in front */
  one(data, size, true);  /* and, past the size and checksum, the rest */
  return 0;
}
