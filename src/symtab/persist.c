/* The decoded module in the on-disk index (src/index): the records of each
 * section, what a module entry takes from a mapped file, and the file
 * written back with everything decoded so far (docs/index-format.md).
 *
 * Used in place: the function tables, the whole line table, every CU's
 * rows and the string pool are searched in the mapping (their records
 * are the tables' own layout: sse__fsym, sse__lrec), with no DWARF read,
 * nothing parsed and nothing copied. Only the CU maps (a few records per
 * CU, holding pointers to the CUs) and the list of source files are
 * built from their records. Every record field that indexes something is
 * checked against its table when it is used. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "symtab/pcmemo.h"
#include "symtab/strtab.h"
#include "symtab_int.h"

enum {
  SEC_META = 2,   /* one ix_meta */
  SEC_FUNCS = 3,  /* sse__fsym, by address (e->funcs) */
  SEC_NAMES = 4,  /* sse__fsym, by key (e->names) */
  SEC_ROWS = 5,   /* sse__lrec, the whole line table (e->rows) */
  SEC_FILES = 6,  /* uint32_t string offsets (e->files) */
  SEC_CUS = 7,    /* ix_cu */
  SEC_CUROWS = 8, /* sse__lrec, every decoded CU's rows back to back */
  SEC_AMAP = 9,   /* ix_range: .debug_aranges' CU map */
  SEC_FMAP = 10,  /* ix_range: every CU's ranges */
};

enum { F_DWARF = 1, F_SYMS = 2, F_LINES = 4, F_AMAP = 8, F_FMAP = 16, F_NODWARF = 32 };

typedef struct ix_meta {
  uint32_t flags; /* F_*: what was decoded */
  uint32_t pad;
  uint64_t delta;
} ix_meta;

/* The records of SEC_FUNCS, SEC_NAMES (sse__fsym) and of SEC_ROWS,
 * SEC_CUROWS (sse__lrec) are the tables' own: used in place. */
_Static_assert(sizeof(sse__fsym) == 32, "the function record of the format");
_Static_assert(sizeof(sse__lrec) == 24, "the row record of the format");

typedef struct ix_cu {
  uint64_t off;   /* CU DIE offset */
  uint64_t row0;  /* its first row in SEC_CUROWS */
  uint64_t nrows; /* 0 with ready: decoded, no rows */
  uint32_t ready;
  uint32_t pad;
} ix_cu;

typedef struct ix_range {
  uint64_t lo, hi;
  uint32_t cu; /* record in SEC_CUS */
  uint32_t pad;
} ix_range;

/* Whether a section read so far failed its checksum: the entry then
 * decodes what it needed from DWARF and the file is rewritten. */
static bool damaged(sse__modcache *c, sse__modentry *e) {
  if (!sse__index_damaged(e->ix))
    return false;
  if (!e->ix_bad) {
    e->ix_bad = e->dirty = true;
    sse__modcache_stats_ref(c)->ix_rejected++;
  }
  return true;
}

static const ix_meta *meta(const sse__modentry *e) {
  size_t n;
  const ix_meta *m = sse__index_section(e->ix, SEC_META, sizeof *m, &n);
  return n == 1 ? m : NULL;
}

void sse__persist_open(sse__modcache *c, sse__modentry *e) {
  const char *why = NULL;
  sse__index *ix = sse__index_open(sse__modcache_index_dir(c), e->key, e->keylen, &why);
  if (ix == NULL)
    sse__modcache_stats_ref(c)->ix_rejected += why != NULL; /* rebuilt: written again at the cache's end */
  else
    sse__persist_attach(c, e, ix);
}

void sse__persist_attach(sse__modcache *c, sse__modentry *e, sse__index *ix) {
  sse__modcache_stats *st = sse__modcache_stats_ref(c);
  e->ix = ix;
  const ix_meta *m = meta(e);
  size_t ncu;
  const ix_cu *cus = sse__index_section(e->ix, SEC_CUS, sizeof *cus, &ncu);
  e->ixcus = calloc(ncu ? ncu : 1, sizeof *e->ixcus);
  if (m == NULL || e->ixcus == NULL || sse__index_damaged(ix)) {
    free(e->ixcus);
    e->ixcus = NULL;
    sse__index_close(e->ix);
    e->ix = NULL;
    st->ix_rejected++;
    return;
  }
  st->ix_loaded++;
  e->has_dwarf = (m->flags & F_DWARF) != 0;
  e->dwarf_checked = (m->flags & (F_DWARF | F_NODWARF)) != 0;
  if (m->flags & F_AMAP)
    e->delta = m->delta;
  /* Every CU of the file gets its sse__cuinfo now, so maps built from
   * DWARF later (make_map finds them by offset) and the file's maps share
   * them. */
  for (size_t i = 0; i < ncu; i++) {
    sse__cuinfo *u = calloc(1, sizeof *u);
    if (u == NULL)
      break;
    u->off = cus[i].off;
    u->ixcu = (uint32_t)i + 1;
    u->next = e->cus;
    e->cus = u;
    e->ixcus[i] = u;
    e->nixcus = i + 1;
  }
}

void sse__persist_detach(sse__modcache *c, sse__modentry *e) {
  for (sse__cuinfo *u = e->cus, *n; u != NULL; u = n) {
    n = u->next;
    sse__rowtab_free(&u->rows);
    free(u);
  }
  e->cus = NULL;
  free(e->ixcus);
  e->ixcus = NULL;
  e->nixcus = 0;
  sse__index_close(e->ix);
  e->ix = NULL;
  e->dirty = true; /* written again with what is decoded now */
  sse__modcache_stats_ref(c)->ix_rejected++;
}

static const sse__fsym *funcs_from(sse__modcache *c, sse__modentry *e, uint32_t id, size_t *n) {
  const sse__fsym *v = sse__index_section(e->ix, id, sizeof *v, n);
  return damaged(c, e) ? NULL : v;
}

bool sse__persist_syms(sse__modcache *c, sse__modentry *e) {
  const ix_meta *m = e->ix ? meta(e) : NULL;
  if (m == NULL || !(m->flags & F_SYMS))
    return false;
  size_t nf, nn;
  const sse__fsym *f = funcs_from(c, e, SEC_FUNCS, &nf), *k = funcs_from(c, e, SEC_NAMES, &nn);
  if ((f == NULL && nf > 0) || (k == NULL && nn > 0) || damaged(c, e))
    return false;
  e->funcs = f;
  e->nfuncs = nf;
  e->names = k;
  e->nnames = nn;
  e->strs = sse__index_pool(e->ix, &e->nstrs);
  e->syms_own = false;
  return true;
}

/* The mapped table of the n rows at v. */
static sse__rowtab rows_in(const sse__index *ix, const sse__lrec *v, size_t n) {
  sse__rowtab t = {.v = v, .n = n};
  t.pool = sse__index_pool(ix, &t.npool);
  return t;
}

bool sse__persist_lines(sse__modcache *c, sse__modentry *e) {
  const ix_meta *m = e->ix ? meta(e) : NULL;
  if (m == NULL || !(m->flags & F_LINES))
    return false;
  size_t nr;
  const sse__lrec *rows = sse__index_section(e->ix, SEC_ROWS, sizeof *rows, &nr);
  if (!atomic_load_explicit(&e->files_ready, memory_order_relaxed) && !sse__persist_files(c, e))
    return false;
  if (damaged(c, e))
    return false;
  e->rows = rows_in(e->ix, rows, nr); /* nr 0: decoded, no rows */
  return true;
}

bool sse__persist_files(sse__modcache *c, sse__modentry *e) {
  const ix_meta *m = e->ix ? meta(e) : NULL;
  if (m == NULL || !(m->flags & F_LINES))
    return false;
  size_t nf;
  const uint32_t *files = sse__index_section(e->ix, SEC_FILES, sizeof *files, &nf);
  const char **f = damaged(c, e) ? NULL : malloc((nf ? nf : 1) * sizeof *f);
  if (f == NULL)
    return false;
  size_t k = 0;
  for (size_t i = 0; i < nf; i++)
    if ((f[k] = sse__strtab_intern(sse__modcache_strs(c), sse__index_str(e->ix, files[i]))) != NULL)
      k++;
  free(e->files);
  e->files = f;
  e->nfiles = k;
  return true;
}

bool sse__persist_map(sse__modcache *c, sse__modentry *e, bool full) {
  const ix_meta *m = e->ix ? meta(e) : NULL;
  if (m == NULL || !(m->flags & (full ? F_FMAP : F_AMAP)))
    return false;
  size_t n;
  const ix_range *v = sse__index_section(e->ix, full ? SEC_FMAP : SEC_AMAP, sizeof *v, &n);
  sse__curange *r = damaged(c, e) ? NULL : malloc((n ? n : 1) * sizeof *r);
  if (r == NULL)
    return false;
  size_t k = 0;
  uint64_t mx = 0;
  for (size_t i = 0; i < n; i++) {
    /* Sorted by lo as written; a record out of order or naming no CU is
     * dropped (the map stays sorted for the binary search). */
    if (v[i].cu >= e->nixcus || v[i].lo >= v[i].hi || (k > 0 && v[i].lo < r[k - 1].lo))
      continue;
    mx = v[i].hi > mx ? v[i].hi : mx;
    r[k++] = (sse__curange){.lo = v[i].lo, .hi = v[i].hi, .maxhi = mx, .cu = e->ixcus[v[i].cu]};
  }
  if (full) {
    e->fmap = r;
    e->nfmap = k;
  } else {
    e->amap = r;
    e->namap = k;
  }
  return true;
}

bool sse__persist_cu(sse__modcache *c, sse__modentry *e, sse__cuinfo *u) {
  if (e->ix == NULL || u->ixcu == 0 || u->ixcu > e->nixcus)
    return false;
  size_t ncu, nr;
  const ix_cu *cus = sse__index_section(e->ix, SEC_CUS, sizeof *cus, &ncu);
  const sse__lrec *rows = sse__index_section(e->ix, SEC_CUROWS, sizeof *rows, &nr);
  if (u->ixcu > ncu || damaged(c, e))
    return false;
  const ix_cu *r = &cus[u->ixcu - 1];
  if (!r->ready || r->row0 > nr || r->nrows > nr - r->row0)
    return false;
  u->rows = rows_in(e->ix, rows ? rows + r->row0 : NULL, r->nrows);
  atomic_store_explicit(&u->ready, true, memory_order_release);
  return true;
}

/* ---- writing ---- */

static void put_row(sse__lrec *o, sse__ixw *w, const sse__rowtab *t, const sse__lrec *r, uint32_t *last,
                    uint32_t *lastoff) {
  if (r->file != *last) {
    *last = r->file;
    *lastoff = sse__ixw_str(w, sse__rowtab_file(t, r->file));
  }
  *o = (sse__lrec){.addr = r->addr, .file = *lastoff, .line = r->line, .col = r->col, .is_stmt = r->is_stmt};
}

static bool put_rows(sse__ixw *w, uint32_t id, const sse__rowtab *t) {
  sse__lrec *o = malloc((t->n ? t->n : 1) * sizeof *o);
  if (o == NULL)
    return false;
  uint32_t last = UINT32_MAX, lastoff = SSE__IX_NOSTR;
  for (size_t i = 0; i < t->n; i++)
    put_row(&o[i], w, t, &t->v[i], &last, &lastoff);
  bool ok = sse__ixw_section(w, id, sizeof *o, o, t->n);
  free(o);
  return ok;
}

static bool put_funcs(sse__ixw *w, const sse__modentry *e, uint32_t id, const sse__fsym *v, size_t n) {
  sse__fsym *o = malloc((n ? n : 1) * sizeof *o);
  if (o == NULL)
    return false;
  for (size_t i = 0; i < n; i++)
    o[i] = (sse__fsym){.addr = v[i].addr, .size = v[i].size, .name = sse__ixw_str(w, sse__fsym_name(e, &v[i])),
                       .key = sse__ixw_str(w, sse__fsym_key(e, &v[i])), .rank = v[i].rank};
  bool ok = sse__ixw_section(w, id, sizeof *o, o, n);
  free(o);
  return ok;
}

static bool put_map(sse__ixw *w, uint32_t id, const sse__curange *m, size_t n) {
  ix_range *o = malloc((n ? n : 1) * sizeof *o);
  if (o == NULL)
    return false;
  for (size_t i = 0; i < n; i++)
    o[i] = (ix_range){.lo = m[i].lo, .hi = m[i].hi, .cu = m[i].cu->saveidx};
  bool ok = sse__ixw_section(w, id, sizeof *o, o, n);
  free(o);
  return ok;
}

/* Every CU known, numbered (saveidx), with its rows: a CU the file had
 * decoded is expanded first so the new file keeps it. */
static bool put_cus(sse__modcache *c, sse__modentry *e, sse__ixw *w) {
  size_t n = 0, nrows = 0;
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next, n++) {
    if (!atomic_load_explicit(&u->ready, memory_order_relaxed))
      sse__persist_cu(c, e, u);
    nrows += atomic_load_explicit(&u->ready, memory_order_relaxed) ? u->rows.n : 0;
  }
  ix_cu *cus = malloc((n ? n : 1) * sizeof *cus);
  sse__lrec *rows = malloc((nrows ? nrows : 1) * sizeof *rows);
  bool ok = cus != NULL && rows != NULL;
  size_t i = 0, k = 0;
  for (sse__cuinfo *u = e->cus; ok && u != NULL; u = u->next, i++) {
    bool ready = atomic_load_explicit(&u->ready, memory_order_relaxed);
    u->saveidx = (uint32_t)i;
    cus[i] = (ix_cu){.off = u->off, .row0 = k, .nrows = ready ? u->rows.n : 0, .ready = ready};
    uint32_t last = UINT32_MAX, lastoff = SSE__IX_NOSTR;
    for (size_t j = 0; ready && j < u->rows.n; j++)
      put_row(&rows[k++], w, &u->rows, &u->rows.v[j], &last, &lastoff);
  }
  ok = ok && sse__ixw_section(w, SEC_CUS, sizeof *cus, cus, n) && sse__ixw_section(w, SEC_CUROWS, sizeof *rows, rows, k);
  free(cus);
  free(rows);
  return ok;
}

int sse__persist_save(sse__modcache *c, sse__modentry *e) {
  sse__ixw *w = sse__ixw_new();
  if (w == NULL)
    return -ENOMEM;
  bool syms = atomic_load_explicit(&e->syms_ready, memory_order_relaxed);
  bool lines = atomic_load_explicit(&e->lines_ready, memory_order_relaxed);
  bool amap = atomic_load_explicit(&e->amap_ready, memory_order_relaxed);
  bool fmap = atomic_load_explicit(&e->fmap_ready, memory_order_relaxed);
  /* What the old file had and this process never needed stays. */
  syms = syms || sse__persist_syms(c, e);
  lines = lines || sse__persist_lines(c, e);
  amap = amap || sse__persist_map(c, e, false);
  fmap = fmap || sse__persist_map(c, e, true);
  ix_meta m = {.flags = (e->has_dwarf ? F_DWARF : e->dwarf_checked ? F_NODWARF : 0) | (syms ? F_SYMS : 0) | (lines ? F_LINES : 0) |
                        (amap ? F_AMAP : 0) | (fmap ? F_FMAP : 0),
               .delta = e->delta};
  bool ok = sse__ixw_section(w, SEC_META, sizeof m, &m, 1) && put_cus(c, e, w);
  if (ok && syms)
    ok = put_funcs(w, e, SEC_FUNCS, e->funcs, e->nfuncs) && put_funcs(w, e, SEC_NAMES, e->names, e->nnames);
  if (ok && lines) {
    uint32_t *f = malloc((e->nfiles ? e->nfiles : 1) * sizeof *f);
    ok = f != NULL && put_rows(w, SEC_ROWS, &e->rows);
    for (size_t i = 0; ok && i < e->nfiles; i++)
      f[i] = sse__ixw_str(w, e->files[i]);
    ok = ok && sse__ixw_section(w, SEC_FILES, sizeof *f, f, e->nfiles);
    free(f);
  }
  ok = ok && sse__pcmemo_save(e, w);
  if (ok && amap)
    ok = put_map(w, SEC_AMAP, e->amap, e->namap);
  if (ok && fmap)
    ok = put_map(w, SEC_FMAP, e->fmap, e->nfmap);
  int rc = ok ? sse__ixw_commit(w, sse__modcache_index_dir(c), e->key, e->keylen) : -ENOMEM;
  sse__ixw_free(w);
  if (rc == 0)
    e->dirty = false;
  return rc;
}
