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
 * made to match, so the checks behind them are fuzzed too.
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

/* The module cache frees an entry's index of inlined instances (inlbreak.c,
 * built by `break NAME`); the fuzzer's entries never get one, and linking
 * inlbreak.c would bring the whole symbol table in. */
void sse__inlidx_free(struct sse__inlidx *idx) { (void)idx; }

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
  /* The per-pc answers are read (and bounds-checked) when written back. */
  sse__ixw *w = sse__ixw_new();
  size_t upto;
  if (w != NULL)
    sse__pcmemo_save(e, w, false, &upto);
  sse__ixw_free(w);
  sse__modentry_free(e);
}

static void one(const uint8_t *data, size_t size, bool fix) {
  void *buf = malloc(size ? size : 1); /* 16-aligned, exactly size bytes */
  if (buf == NULL)
    return;
  memcpy(buf, data, size);
  if (fix && size >= sizeof(sse__ixhdr)) {
    sse__ixhdr *h = buf;
    h->file_size = size;
    sse__ixsect *st = (sse__ixsect *)(h + 1);
    uint64_t room = (size - sizeof *h) / sizeof *st;
    for (uint64_t i = 0; i < h->nsect && i < room; i++)
      if (st[i].off <= size && st[i].size <= size - st[i].off)
        st[i].sum = sse__ix_checksum((unsigned char *)buf + st[i].off, st[i].size);
    if (h->key_off <= size && h->keylen <= size - h->key_off && h->key_off + h->keylen >= sizeof *h)
      h->checksum = sse__ix_checksum((unsigned char *)buf + sizeof *h, h->key_off + h->keylen - sizeof *h);
  }
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
