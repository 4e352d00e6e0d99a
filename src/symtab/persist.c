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
  SEC_EXT = 13,   /* u64 words: the layer above's blob (src/values: its type table) */
};

enum { F_DWARF = 1, F_SYMS = SSE__IXT_SYMS, F_LINES = SSE__IXT_LINES, F_AMAP = SSE__IXT_AMAP,
       F_FMAP = SSE__IXT_FMAP, F_NODWARF = 32 };

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
  uint32_t producer; /* sse__cuinfo's: 0 unknown, SSE__CU_OTHER, SSE__CU_LLVM */
} ix_cu;

typedef struct ix_range {
  uint64_t lo, hi;
  uint32_t cu; /* record in SEC_CUS */
  uint32_t pad;
} ix_range;

/* One segment of the mapped file: its CU records' sse__cuinfo and what
 * its META says it holds. */
struct sse__ixseg {
  const sse__index *ix;
  sse__cuinfo **cus;
  size_t ncus;
  uint32_t flags;
};

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

static const ix_meta *meta(const sse__index *ix) {
  size_t n;
  const ix_meta *m = sse__index_section(ix, SEC_META, sizeof *m, &n);
  return n == 1 ? m : NULL;
}

/* The last segment holding the table of flag f, NULL if none. */
static const struct sse__ixseg *last_with(const sse__modentry *e, uint32_t f) {
  for (size_t i = e->nsegs; i-- > 0;)
    if (e->segs[i].flags & f)
      return &e->segs[i];
  return NULL;
}

void sse__persist_open(sse__modcache *c, sse__modentry *e) {
  const char *why = NULL;
  sse__index *ix = sse__index_open(sse__modcache_index_dir(c), e->key, e->keylen, &why);
  if (ix == NULL)
    sse__modcache_stats_ref(c)->ix_rejected += why != NULL; /* rebuilt: written again */
  else
    sse__persist_attach(c, e, ix);
}

void sse__persist_forget(sse__modentry *e) {
  for (size_t i = 0; i < e->nsegs; i++)
    free(e->segs[i].cus);
  free(e->segs);
  e->segs = NULL;
  e->nsegs = 0;
  sse__index_close(e->ix);
  e->ix = NULL;
}

static int cmp_cu(const void *a, const void *b) {
  const sse__cuinfo *x = *(sse__cuinfo *const *)a, *y = *(sse__cuinfo *const *)b;
  return x->off < y->off ? -1 : x->off > y->off;
}

/* Every CU of every segment gets one sse__cuinfo (by DIE offset), so maps
 * built from DWARF later (make_map finds them by offset) and the file's
 * share them; its rows are those of the last segment that has them. */
static bool attach_cus(sse__modentry *e) {
  size_t total = 0;
  for (size_t i = 0; i < e->nsegs; i++) {
    sse__index_section(e->segs[i].ix, SEC_CUS, sizeof(ix_cu), &e->segs[i].ncus);
    total += e->segs[i].ncus;
  }
  sse__cuinfo **all = malloc((total ? total : 1) * sizeof *all);
  size_t n = 0;
  for (size_t i = 0; all != NULL && i < e->nsegs; i++) {
    struct sse__ixseg *g = &e->segs[i];
    const ix_cu *cus = sse__index_section(g->ix, SEC_CUS, sizeof *cus, &g->ncus);
    g->cus = calloc(g->ncus ? g->ncus : 1, sizeof *g->cus);
    if (g->cus == NULL)
      break;
    for (size_t k = 0; k < g->ncus; k++) {
      sse__cuinfo key = {.off = cus[k].off}, *kp = &key;
      sse__cuinfo **f = n ? bsearch(&kp, all, n, sizeof *all, cmp_cu) : NULL;
      sse__cuinfo *u = f ? *f : calloc(1, sizeof *u);
      if (u == NULL)
        break;
      if (f == NULL) { /* kept sorted: a new offset goes in its place */
        u->off = cus[k].off;
        u->next = e->cus;
        e->cus = u;
        size_t at = 0;
        while (at < n && all[at]->off < u->off)
          at++;
        memmove(all + at + 1, all + at, (n - at) * sizeof *all);
        all[at] = u;
        n++;
      }
      g->cus[k] = u;
      if (cus[k].producer == SSE__CU_OTHER || cus[k].producer == SSE__CU_LLVM)
        u->producer = (uint8_t)cus[k].producer;
      if (cus[k].ready || u->ixseg == NULL) {
        u->ixseg = g->ix;
        u->ixcu = (uint32_t)k + 1;
      }
    }
  }
  bool ok = all != NULL;
  for (size_t i = 0; i < e->nsegs; i++)
    ok = ok && e->segs[i].cus != NULL;
  free(all);
  return ok;
}

void sse__persist_attach(sse__modcache *c, sse__modentry *e, sse__index *ix) {
  sse__modcache_stats *st = sse__modcache_stats_ref(c);
  e->ix = ix;
  e->nsegs = sse__index_segments(ix);
  e->segs = calloc(e->nsegs, sizeof *e->segs);
  bool ok = e->segs != NULL;
  size_t i = 0;
  for (const sse__index *g = ix; ok && g != NULL; g = sse__index_next(g), i++) {
    const ix_meta *m = meta(g);
    ok = m != NULL;
    e->segs[i] = (struct sse__ixseg){.ix = g, .flags = m ? m->flags : 0};
    if (ok && (m->flags & F_AMAP))
      e->delta = m->delta;
  }
  if (!ok || sse__index_damaged(ix) || !attach_cus(e)) {
    for (sse__cuinfo *u = e->cus, *n; u != NULL; u = n) {
      n = u->next;
      free(u);
    }
    e->cus = NULL;
    sse__persist_forget(e);
    st->ix_rejected++;
    return;
  }
  st->ix_loaded++;
  /* A torn segment at the end (a writer killed while appending): what it
   * held is decoded again and appended after the cut. */
  st->ix_rejected += sse__index_torn(ix);
  e->file_segs = e->nsegs;
  /* Whether the DWARF was looked for: the last image that says (the
   * first may have been written before the DWARF was asked about). */
  const struct sse__ixseg *g = last_with(e, F_DWARF | F_NODWARF);
  e->has_dwarf = g != NULL && (g->flags & F_DWARF) != 0;
  e->dwarf_checked = g != NULL;
}

void sse__persist_detach(sse__modcache *c, sse__modentry *e) {
  for (sse__cuinfo *u = e->cus, *n; u != NULL; u = n) {
    n = u->next;
    sse__rowtab_free(&u->rows);
    free(u);
  }
  e->cus = NULL;
  sse__persist_forget(e);
  e->has_dwarf = e->dwarf_checked = false; /* looked for again */
  e->dirty = e->ix_bad = true; /* written again, whole, with what is decoded now */
  sse__modcache_stats_ref(c)->ix_rejected++;
}

static const sse__fsym *funcs_from(sse__modcache *c, sse__modentry *e, const sse__index *ix, uint32_t id,
                                   size_t *n) {
  const sse__fsym *v = sse__index_section(ix, id, sizeof *v, n);
  return damaged(c, e) ? NULL : v;
}

bool sse__persist_syms(sse__modcache *c, sse__modentry *e) {
  const struct sse__ixseg *g = last_with(e, F_SYMS);
  if (g == NULL)
    return false;
  size_t nf, nn;
  const sse__fsym *f = funcs_from(c, e, g->ix, SEC_FUNCS, &nf), *k = funcs_from(c, e, g->ix, SEC_NAMES, &nn);
  if ((f == NULL && nf > 0) || (k == NULL && nn > 0) || damaged(c, e))
    return false;
  e->funcs = f;
  e->nfuncs = nf;
  e->names = k;
  e->nnames = nn;
  e->strs = sse__index_pool(g->ix, &e->nstrs);
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
  const struct sse__ixseg *g = last_with(e, F_LINES);
  if (g == NULL)
    return false;
  size_t nr;
  const sse__lrec *rows = sse__index_section(g->ix, SEC_ROWS, sizeof *rows, &nr);
  if (!atomic_load_explicit(&e->files_ready, memory_order_relaxed) && !sse__persist_files(c, e))
    return false;
  if (damaged(c, e))
    return false;
  e->rows = rows_in(g->ix, rows, nr); /* nr 0: decoded, no rows */
  return true;
}

bool sse__persist_files(sse__modcache *c, sse__modentry *e) {
  const struct sse__ixseg *g = last_with(e, F_LINES);
  if (g == NULL)
    return false;
  size_t nf;
  const uint32_t *files = sse__index_section(g->ix, SEC_FILES, sizeof *files, &nf);
  const char **f = damaged(c, e) ? NULL : malloc((nf ? nf : 1) * sizeof *f);
  if (f == NULL)
    return false;
  size_t k = 0;
  for (size_t i = 0; i < nf; i++)
    if ((f[k] = sse__strtab_intern(sse__modcache_strs(c), sse__index_str(g->ix, files[i]))) != NULL)
      k++;
  free(e->files);
  e->files = f;
  e->nfiles = k;
  return true;
}

bool sse__persist_map(sse__modcache *c, sse__modentry *e, bool full) {
  const struct sse__ixseg *g = last_with(e, full ? F_FMAP : F_AMAP);
  if (g == NULL)
    return false;
  size_t n;
  const ix_range *v = sse__index_section(g->ix, full ? SEC_FMAP : SEC_AMAP, sizeof *v, &n);
  sse__curange *r = damaged(c, e) ? NULL : malloc((n ? n : 1) * sizeof *r);
  if (r == NULL)
    return false;
  size_t k = 0;
  uint64_t mx = 0;
  for (size_t i = 0; i < n; i++) {
    /* Sorted by lo as written; a record out of order or naming no CU is
     * dropped (the map stays sorted for the binary search). */
    if (v[i].cu >= g->ncus || v[i].lo >= v[i].hi || (k > 0 && v[i].lo < r[k - 1].lo))
      continue;
    mx = v[i].hi > mx ? v[i].hi : mx;
    r[k++] = (sse__curange){.lo = v[i].lo, .hi = v[i].hi, .maxhi = mx, .cu = g->cus[v[i].cu]};
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
  if (e->ix == NULL || u->ixseg == NULL || u->ixcu == 0)
    return false;
  size_t ncu, nr;
  const ix_cu *cus = sse__index_section(u->ixseg, SEC_CUS, sizeof *cus, &ncu);
  const sse__lrec *rows = sse__index_section(u->ixseg, SEC_CUROWS, sizeof *rows, &nr);
  if (u->ixcu > ncu || damaged(c, e))
    return false;
  const ix_cu *r = &cus[u->ixcu - 1];
  if (!r->ready || r->row0 > nr || r->nrows > nr - r->row0)
    return false;
  u->rows = rows_in(u->ixseg, rows ? rows + r->row0 : NULL, r->nrows);
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
/* Which CUs a file or segment gets: every one with its rows (a whole
 * file: those the old file had as well), every one with only the fresh
 * rows (a segment whose maps name them all), or only the fresh ones. */
typedef enum { CUS_ALL, CUS_FRESH_ROWS, CUS_FRESH } cus_mode;

static bool cu_rows_put(const sse__cuinfo *u, cus_mode mode) {
  /* A segment takes the rows decoded here (not those in the file). */
  return atomic_load_explicit(&u->ready, memory_order_relaxed) && (mode == CUS_ALL || u->rows.owned);
}

/* The CUs (numbered: saveidx) and their rows. */
static bool put_cus(sse__modcache *c, sse__modentry *e, sse__ixw *w, cus_mode mode) {
  size_t n = 0, nrows = 0;
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next) {
    if (mode == CUS_ALL && !atomic_load_explicit(&u->ready, memory_order_relaxed))
      sse__persist_cu(c, e, u);
    n += mode != CUS_FRESH || u->fresh;
    nrows += cu_rows_put(u, mode) ? u->rows.n : 0;
  }
  ix_cu *cus = malloc((n ? n : 1) * sizeof *cus);
  sse__lrec *rows = malloc((nrows ? nrows : 1) * sizeof *rows);
  bool ok = cus != NULL && rows != NULL;
  size_t i = 0, k = 0;
  for (sse__cuinfo *u = e->cus; ok && u != NULL; u = u->next) {
    if (mode == CUS_FRESH && !u->fresh)
      continue;
    bool put = cu_rows_put(u, mode);
    u->saveidx = (uint32_t)i;
    cus[i++] = (ix_cu){.off = u->off, .row0 = k, .nrows = put ? u->rows.n : 0, .ready = put, .producer = u->producer};
    uint32_t last = UINT32_MAX, lastoff = SSE__IX_NOSTR;
    for (size_t j = 0; put && j < u->rows.n; j++)
      put_row(&rows[k++], w, &u->rows, &u->rows.v[j], &last, &lastoff);
  }
  ok = ok && sse__ixw_section(w, SEC_CUS, sizeof *cus, cus, n) && sse__ixw_section(w, SEC_CUROWS, sizeof *rows, rows, k);
  free(cus);
  free(rows);
  return ok;
}

static bool put_lines(sse__ixw *w, const sse__modentry *e) {
  uint32_t *f = malloc((e->nfiles ? e->nfiles : 1) * sizeof *f);
  bool ok = f != NULL && put_rows(w, SEC_ROWS, &e->rows);
  for (size_t i = 0; ok && i < e->nfiles; i++)
    f[i] = sse__ixw_str(w, e->files[i]);
  ok = ok && sse__ixw_section(w, SEC_FILES, sizeof *f, f, e->nfiles);
  free(f);
  return ok;
}

const void *sse__persist_ext_blob(sse__modentry *e, size_t *n) {
  const void *b = NULL;
  *n = 0;
  for (size_t i = 0; i < e->nsegs; i++) {
    size_t k;
    const void *p = sse__index_section(e->segs[i].ix, SEC_EXT, 8, &k);
    if (p != NULL) {
      b = p;
      *n = k * 8;
    }
  }
  return b;
}

/* The ext's blob into w: the new one (ext), else when writing a whole
 * file the one the file has. */
static bool put_ext(sse__ixw *w, sse__modentry *e, const void *ext, size_t next, cus_mode mode) {
  if (ext == NULL && mode == CUS_ALL)
    ext = sse__persist_ext_blob(e, &next);
  return ext == NULL || next % 8 != 0 || sse__ixw_section(w, SEC_EXT, 8, ext, next / 8);
}

/* An image with the tables of flags (F_SYMS, F_LINES, F_AMAP, F_FMAP),
 * the CUs as mode says, the per-pc answers (only the new ones unless
 * mode is CUS_ALL; *upto: how many of the memo's were taken). */
static sse__ixw *image(sse__modcache *c, sse__modentry *e, uint32_t flags, cus_mode mode, size_t *upto,
                        const void *ext, size_t next) {
  sse__ixw *w = sse__ixw_new();
  if (w == NULL)
    return NULL;
  ix_meta m = {.flags = (e->has_dwarf ? F_DWARF : e->dwarf_checked ? F_NODWARF : 0) | flags, .delta = e->delta};
  bool ok = sse__ixw_section(w, SEC_META, sizeof m, &m, 1) && put_cus(c, e, w, mode);
  if (ok && (flags & F_SYMS))
    ok = put_funcs(w, e, SEC_FUNCS, e->funcs, e->nfuncs) && put_funcs(w, e, SEC_NAMES, e->names, e->nnames);
  if (ok && (flags & F_LINES))
    ok = put_lines(w, e);
  ok = ok && sse__pcmemo_save(e, w, mode != CUS_ALL, upto);
  if (ok && (flags & F_AMAP))
    ok = put_map(w, SEC_AMAP, e->amap, e->namap);
  if (ok && (flags & F_FMAP))
    ok = put_map(w, SEC_FMAP, e->fmap, e->nfmap);
  ok = ok && put_ext(w, e, ext, next, mode);
  if (!ok) {
    sse__ixw_free(w);
    return NULL;
  }
  return w;
}

/* Everything written: nothing fresh any more. */
static void written(sse__modentry *e, size_t upto) {
  e->fresh = e->nfresh_cus = 0;
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next)
    u->fresh = false;
  sse__pcmemo_saved(e, upto);
  e->dirty = false;
}

static int save_whole(sse__modcache *c, sse__modentry *e, const void *ext, size_t next) {
  bool syms = atomic_load_explicit(&e->syms_ready, memory_order_relaxed);
  bool lines = atomic_load_explicit(&e->lines_ready, memory_order_relaxed);
  bool amap = atomic_load_explicit(&e->amap_ready, memory_order_relaxed);
  bool fmap = atomic_load_explicit(&e->fmap_ready, memory_order_relaxed);
  /* What the old file had and this process never needed stays. */
  syms = syms || sse__persist_syms(c, e);
  lines = lines || sse__persist_lines(c, e);
  amap = amap || sse__persist_map(c, e, false);
  fmap = fmap || sse__persist_map(c, e, true);
  uint32_t flags = (syms ? F_SYMS : 0) | (lines ? F_LINES : 0) | (amap ? F_AMAP : 0) | (fmap ? F_FMAP : 0);
  size_t upto = 0;
  sse__ixw *w = image(c, e, flags, CUS_ALL, &upto, ext, next);
  int rc = w ? sse__ixw_commit(w, sse__modcache_index_dir(c), e->key, e->keylen) : -ENOMEM;
  sse__ixw_free(w);
  if (rc == 0) {
    written(e, upto);
    e->ix_bad = false;
    e->file_segs = 1;
  }
  return rc;
}

int sse__persist_save(sse__modcache *c, sse__modentry *e) { return save_whole(c, e, NULL, 0); }

/* Segments a file may pile up before the next write compacts it. */
enum { MAX_SEGS = 8 };

static int append(sse__modcache *c, sse__modentry *e, const void *ext, size_t next) {
  uint32_t flags = e->fresh & (F_SYMS | F_LINES | F_AMAP | F_FMAP);
  size_t upto = 0, nseg = 0;
  sse__ixw *w = image(c, e, flags, flags & (F_AMAP | F_FMAP) ? CUS_FRESH_ROWS : CUS_FRESH, &upto, ext, next);
  int rc = w ? sse__ixw_append(w, sse__modcache_index_dir(c), e->key, e->keylen, &nseg) : -ENOMEM;
  sse__ixw_free(w);
  if (rc == 0) {
    written(e, upto);
    e->file_segs = nseg;
  }
  return rc;
}

int sse__persist_flush(sse__modcache *c, sse__modentry *e, bool at_end) {
  /* The layer above's table: at the end only, when nothing else runs. */
  size_t next = 0;
  void *ext = at_end && e->ext_save != NULL && e->ext != NULL ? e->ext_save(e->ext, &next) : NULL;
  int rc;
  if (!e->dirty && !sse__pcmemo_dirty(e) && ext == NULL)
    rc = 1; /* nothing to write */
  else if (e->ix_bad || e->file_segs >= MAX_SEGS)
    rc = save_whole(c, e, ext, next);
  else
    rc = append(c, e, ext, next);
  free(ext);
  return rc;
}
