/* The per-pc DWARF answers of a module (pcmemo.h). Those of the index file
 * are searched in place in its mapping (SEC_PCKEYS of each segment, sorted
 * by key, binary search; SEC_PCBLK the blocks); those learned since are in
 * a hash table of this process, appended to the file as they are flushed
 * (docs/index-format.md).
 * Addresses are kept relative to the pc asked about, so they hold for any
 * load address. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "symtab/bsearch.h"
#include "symtab/pcmemo.h"
#include "symtab/vec.h"

enum { SEC_PCKEYS = 11, SEC_PCBLK = 12 };
enum { K_CHAIN = 0, K_NAME = 1 };

typedef struct ix_pc {
  uint64_t key;   /* module-relative pc << 1 | K_* */
  int32_t k;      /* K_CHAIN: blocks; K_NAME: 1 with a name, 0 none */
  uint32_t blk0;  /* K_CHAIN: first block in SEC_PCBLK */
  uint32_t name;  /* K_NAME: string offset */
  uint32_t pad;
} ix_pc;

typedef struct ix_blk {
  uint64_t sub_entry, entry, block_lo, block_hi, lo, hi; /* minus the pc (mod 2^64) */
  uint32_t function, caller, subprogram, call_file;    /* string offsets */
  int32_t call_line, call_column, nranges;
  uint32_t starts_at_pc;
} ix_blk;

/* One answer learned by this process. */
typedef struct pc_ans {
  uint64_t key;
  int k;
  const char *name;
  sse__inline *blk; /* k blocks, addresses minus the pc */
} pc_ans;

struct sse__pcmemo {
  pthread_mutex_t mu;
  pc_ans *v;
  size_t n, cap;
  uint32_t *slot; /* hash table of 1 + index in v, nslot a power of 2 */
  size_t nslot;
  size_t saved; /* v[0, saved) are in the file */
};

static sse__pcmemo *memo_of(sse__modentry *e) {
  sse__pcmemo *m = atomic_load_explicit(&e->memo, memory_order_acquire);
  if (m != NULL)
    return m;
  sse__pcmemo *n = calloc(1, sizeof *n);
  if (n == NULL)
    return NULL;
  pthread_mutex_init(&n->mu, NULL);
  if (atomic_compare_exchange_strong_explicit(&e->memo, &m, n, memory_order_acq_rel, memory_order_acquire))
    return n;
  pthread_mutex_destroy(&n->mu);
  free(n);
  return m;
}

static size_t hash(uint64_t key, size_t nslot) {
  return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (nslot - 1);
}

static pc_ans *mem_find(sse__pcmemo *m, uint64_t key) {
  for (size_t h = m->nslot ? hash(key, m->nslot) : 0; m->nslot && m->slot[h]; h = (h + 1) & (m->nslot - 1))
    if (m->v[m->slot[h] - 1].key == key)
      return &m->v[m->slot[h] - 1];
  return NULL;
}

static bool rehash(sse__pcmemo *m) {
  size_t ns = m->nslot ? m->nslot * 2 : 256;
  uint32_t *s = calloc(ns, sizeof *s);
  if (s == NULL)
    return false;
  for (size_t i = 0; i < m->n; i++) {
    size_t h = hash(m->v[i].key, ns);
    while (s[h])
      h = (h + 1) & (ns - 1);
    s[h] = (uint32_t)(i + 1);
  }
  free(m->slot);
  m->slot = s;
  m->nslot = ns;
  return true;
}

/* Keep a (its blocks taken); false: dropped. m->mu held. */
static bool mem_add(sse__pcmemo *m, pc_ans a) {
  if (m->n >= UINT32_MAX / 4 || ((m->n + 1) * 2 > m->nslot && !rehash(m)))
    return false;
  pc_ans *v = sse__vec_room(m->v, m->n, &m->cap, sizeof *v, 64);
  if (v == NULL)
    return false;
  m->v = v;
  m->v[m->n++] = a;
  size_t h = hash(a.key, m->nslot);
  while (m->slot[h])
    h = (h + 1) & (m->nslot - 1);
  m->slot[h] = (uint32_t)m->n;
  return true;
}

static bool key_before(const void *ctx, size_t i) {
  const struct {
    const ix_pc *v;
    uint64_t key;
  } *c = ctx;
  return c->v[i].key < c->key;
}

/* The record of key in segment g, NULL if none. */
static const ix_pc *seg_find(const sse__index *g, uint64_t key, const ix_blk **blk, size_t *nblk) {
  size_t n;
  const ix_pc *v = sse__index_section(g, SEC_PCKEYS, sizeof *v, &n);
  *blk = sse__index_section(g, SEC_PCBLK, sizeof **blk, nblk);
  struct {
    const ix_pc *v;
    uint64_t key;
  } ctx = {v, key};
  size_t i = sse__bsearch(n, key_before, &ctx);
  if (i >= n || v[i].key != key || v[i].k < 0)
    return NULL;
  if ((uint64_t)v[i].blk0 + (uint64_t)v[i].k > *nblk && (key & 1) == K_CHAIN)
    return NULL;
  return &v[i];
}

/* The file's record of key (the first segment that has one: *seg), NULL
 * if none. */
static const ix_pc *file_find(const sse__modentry *e, uint64_t key, const ix_blk **blk, size_t *nblk,
                              const sse__index **seg) {
  for (const sse__index *g = e->ix; g != NULL; g = sse__index_next(g)) {
    const ix_pc *r = seg_find(g, key, blk, nblk);
    if (r != NULL) {
      *seg = g;
      return r;
    }
  }
  return NULL;
}

static const char *str_in(sse__symtab *st, const sse__index *g, uint32_t off) {
  const char *s = sse__index_str(g, off);
  return s ? sse__modcache_intern(st->cache, s) : NULL;
}

static void blk_from(sse__symtab *st, const sse__index *e, const ix_blk *b, uint64_t pc, sse__inline *o) {
  *o = (sse__inline){.function = str_in(st, e, b->function), .caller = str_in(st, e, b->caller),
                     .subprogram = str_in(st, e, b->subprogram), .sub_entry = b->sub_entry + pc,
                     .entry = b->entry + pc, .block_lo = b->block_lo + pc, .block_hi = b->block_hi + pc,
                     .lo = b->lo + pc, .hi = b->hi + pc, .call_file = str_in(st, e, b->call_file),
                     .call_line = b->call_line, .call_column = b->call_column,
                     .starts_at_pc = b->starts_at_pc != 0, .nranges = b->nranges};
}

/* The caller of the last block written is unknown when some are missing. */
static void trim(sse__inline *out, int k, int max) {
  if (k > max && max > 0)
    out[max - 1].caller = NULL;
}

bool sse__pcmemo_chain(sse__symtab *st, smod *m, uint64_t pc, sse__inline *out, int max, int *k) {
  sse__modentry *e = m->entry;
  sse__pcmemo *pm = e ? memo_of(e) : NULL;
  if (pm == NULL)
    return false;
  uint64_t rel = pc - m->ebias, key = rel << 1 | K_CHAIN;
  pthread_mutex_lock(&pm->mu);
  pc_ans *a = mem_find(pm, key);
  bool found = a != NULL;
  if (found) {
    for (int i = 0; i < a->k && i < max; i++) {
      out[i] = a->blk[i];
      out[i].sub_entry += pc, out[i].entry += pc, out[i].block_lo += pc, out[i].block_hi += pc, out[i].lo += pc, out[i].hi += pc;
    }
    *k = a->k;
  }
  pthread_mutex_unlock(&pm->mu);
  if (!found) {
    const ix_blk *b;
    size_t nb;
    const sse__index *g;
    const ix_pc *r = file_find(e, key, &b, &nb, &g);
    if (r == NULL || sse__index_damaged(e->ix))
      return false;
    for (int i = 0; i < r->k && i < max; i++)
      blk_from(st, g, &b[r->blk0 + i], pc, &out[i]);
    *k = r->k;
  }
  trim(out, *k, max);
  return true;
}

void sse__pcmemo_put_chain(sse__symtab *st, smod *m, uint64_t pc, const sse__inline *v, int k, int max) {
  sse__modentry *e = m->entry;
  sse__pcmemo *pm = e && k <= max && k >= 0 ? memo_of(e) : NULL;
  if (pm == NULL)
    return;
  pc_ans a = {.key = (pc - m->ebias) << 1 | K_CHAIN, .k = k, .blk = calloc(k ? (size_t)k : 1, sizeof *v)};
  if (a.blk == NULL)
    return;
  for (int i = 0; i < k; i++) {
    a.blk[i] = v[i];
    a.blk[i].sub_entry -= pc, a.blk[i].entry -= pc, a.blk[i].block_lo -= pc, a.blk[i].block_hi -= pc, a.blk[i].lo -= pc, a.blk[i].hi -= pc;
  }
  pthread_mutex_lock(&pm->mu);
  bool ok = mem_find(pm, a.key) == NULL && mem_add(pm, a);
  pthread_mutex_unlock(&pm->mu);
  if (!ok)
    free(a.blk);
}

bool sse__pcmemo_name(sse__symtab *st, smod *m, uint64_t pc, const char **name) {
  sse__modentry *e = m->entry;
  sse__pcmemo *pm = e ? memo_of(e) : NULL;
  if (pm == NULL)
    return false;
  uint64_t key = (pc - m->ebias) << 1 | K_NAME;
  pthread_mutex_lock(&pm->mu);
  pc_ans *a = mem_find(pm, key);
  if (a != NULL)
    *name = a->name;
  pthread_mutex_unlock(&pm->mu);
  if (a != NULL)
    return true;
  const ix_blk *b;
  size_t nb;
  const sse__index *g;
  const ix_pc *r = file_find(e, key, &b, &nb, &g);
  if (r == NULL || sse__index_damaged(e->ix))
    return false;
  *name = r->k ? str_in(st, g, r->name) : NULL;
  return r->k == 0 || *name != NULL;
}

void sse__pcmemo_put_name(sse__symtab *st, smod *m, uint64_t pc, const char *name) {
  sse__modentry *e = m->entry;
  sse__pcmemo *pm = e ? memo_of(e) : NULL;
  if (pm == NULL)
    return;
  pc_ans a = {.key = (pc - m->ebias) << 1 | K_NAME, .k = name != NULL, .name = name};
  pthread_mutex_lock(&pm->mu);
  if (mem_find(pm, a.key) == NULL)
    mem_add(pm, a);
  pthread_mutex_unlock(&pm->mu);
}

bool sse__pcmemo_dirty(sse__modentry *e) {
  sse__pcmemo *pm = atomic_load_explicit(&e->memo, memory_order_acquire);
  if (pm == NULL)
    return false;
  pthread_mutex_lock(&pm->mu);
  bool d = pm->n > pm->saved;
  pthread_mutex_unlock(&pm->mu);
  return d;
}

void sse__pcmemo_saved(sse__modentry *e, size_t upto) {
  sse__pcmemo *pm = atomic_load_explicit(&e->memo, memory_order_acquire);
  if (pm == NULL)
    return;
  pthread_mutex_lock(&pm->mu);
  if (upto > pm->saved && upto <= pm->n)
    pm->saved = upto;
  pthread_mutex_unlock(&pm->mu);
}

/* An answer to write: learned now (mem) or the file's (file, of segment
 * seg). */
typedef struct save_ent {
  uint64_t key;
  const pc_ans *mem;
  const ix_pc *file;
  const sse__index *seg;
} save_ent;

static int ent_cmp(const void *a, const void *b) {
  const save_ent *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->mem == NULL) - (y->mem == NULL); /* the one learned now first */
}

static ix_blk blk_to(sse__ixw *w, const sse__inline *b) {
  return (ix_blk){.sub_entry = b->sub_entry, .entry = b->entry, .block_lo = b->block_lo, .block_hi = b->block_hi,
                  .lo = b->lo, .hi = b->hi, .function = sse__ixw_str(w, b->function),
                  .caller = sse__ixw_str(w, b->caller), .subprogram = sse__ixw_str(w, b->subprogram),
                  .call_file = sse__ixw_str(w, b->call_file), .call_line = b->call_line,
                  .call_column = b->call_column, .nranges = b->nranges, .starts_at_pc = b->starts_at_pc};
}

static ix_blk blk_copy(sse__ixw *w, const sse__index *ix, const ix_blk *b) {
  ix_blk r = *b;
  r.function = sse__ixw_str(w, sse__index_str(ix, b->function));
  r.caller = sse__ixw_str(w, sse__index_str(ix, b->caller));
  r.subprogram = sse__ixw_str(w, sse__index_str(ix, b->subprogram));
  r.call_file = sse__ixw_str(w, sse__index_str(ix, b->call_file));
  return r;
}

/* Segment g's valid answers appended to v (*k used). */
static void gather_seg(const sse__index *g, save_ent *v, size_t *k) {
  size_t nf = 0, nb = 0;
  const ix_pc *f = sse__index_section(g, SEC_PCKEYS, sizeof *f, &nf);
  sse__index_section(g, SEC_PCBLK, sizeof(ix_blk), &nb);
  for (size_t i = 0; i < nf; i++) {
    bool chain = (f[i].key & 1) == K_CHAIN;
    if (f[i].k < 0 || (chain && (uint64_t)f[i].blk0 + (uint64_t)f[i].k > nb))
      continue;
    v[(*k)++] = (save_ent){.key = f[i].key, .file = &f[i], .seg = g};
  }
}

/* The answers learned since the last write (only_new), or every answer,
 * each key once (learned now before the file's), sorted. */
static save_ent *gather(sse__modentry *e, sse__pcmemo *pm, bool only_new, size_t *n, size_t *nblk) {
  size_t nf = 0, k = 0, m0 = pm && only_new ? pm->saved : 0, nm = pm ? pm->n : 0;
  for (const sse__index *g = only_new ? NULL : e->ix; g != NULL; g = sse__index_next(g)) {
    size_t c;
    sse__index_section(g, SEC_PCKEYS, sizeof(ix_pc), &c);
    nf += c;
  }
  save_ent *v = malloc((nf + nm + 1) * sizeof *v);
  if (v == NULL)
    return NULL;
  for (size_t i = m0; i < nm; i++)
    v[k++] = (save_ent){.key = pm->v[i].key, .mem = &pm->v[i]};
  for (const sse__index *g = only_new ? NULL : e->ix; g != NULL; g = sse__index_next(g))
    gather_seg(g, v, &k);
  qsort(v, k, sizeof *v, ent_cmp);
  size_t j = 0;
  *nblk = 0;
  for (size_t i = 0; i < k; i++) {
    if (j > 0 && v[j - 1].key == v[i].key)
      continue;
    v[j++] = v[i];
    *nblk += (v[i].key & 1) == K_CHAIN ? (size_t)(v[i].mem ? v[i].mem->k : v[i].file->k) : 0;
  }
  *n = j;
  return v;
}

/* Fill o and blk (room for every block) from the n answers of v. */
static void put_ents(sse__ixw *w, const save_ent *v, size_t n, ix_pc *o, ix_blk *blk) {
  size_t nb = 0;
  for (size_t i = 0; i < n; i++) {
    bool chain = (v[i].key & 1) == K_CHAIN;
    int k = v[i].mem ? v[i].mem->k : v[i].file->k;
    o[i] = (ix_pc){.key = v[i].key, .k = k, .blk0 = (uint32_t)nb, .name = SSE__IX_NOSTR};
    if (!chain)
      o[i].name = v[i].mem ? sse__ixw_str(w, v[i].mem->name)
                           : sse__ixw_str(w, sse__index_str(v[i].seg, v[i].file->name));
    size_t nfb = 0;
    const ix_blk *fb = v[i].mem ? NULL : sse__index_section(v[i].seg, SEC_PCBLK, sizeof *fb, &nfb);
    for (int j = 0; chain && j < k; j++)
      blk[nb++] = v[i].mem ? blk_to(w, &v[i].mem->blk[j]) : blk_copy(w, v[i].seg, &fb[v[i].file->blk0 + j]);
  }
}

bool sse__pcmemo_save(sse__modentry *e, sse__ixw *w, bool only_new, size_t *upto) {
  sse__pcmemo *pm = atomic_load_explicit(&e->memo, memory_order_acquire);
  if (pm != NULL)
    pthread_mutex_lock(&pm->mu);
  *upto = pm ? pm->n : 0;
  size_t n = 0, nblk = 0;
  save_ent *v = gather(e, pm, only_new, &n, &nblk);
  ix_pc *o = v ? malloc((n + 1) * sizeof *o) : NULL;
  ix_blk *blk = o ? malloc((nblk + 1) * sizeof *blk) : NULL;
  bool ok = blk != NULL && nblk < UINT32_MAX;
  if (ok) {
    put_ents(w, v, n, o, blk);
    ok = sse__ixw_section(w, SEC_PCKEYS, sizeof *o, o, n) && sse__ixw_section(w, SEC_PCBLK, sizeof *blk, blk, nblk);
  }
  if (pm != NULL)
    pthread_mutex_unlock(&pm->mu);
  free(v);
  free(o);
  free(blk);
  return ok;
}

void sse__pcmemo_free(sse__modentry *e) {
  sse__pcmemo *pm = atomic_load_explicit(&e->memo, memory_order_relaxed);
  if (pm == NULL)
    return;
  for (size_t i = 0; i < pm->n; i++)
    free(pm->v[i].blk);
  free(pm->v);
  free(pm->slot);
  pthread_mutex_destroy(&pm->mu);
  free(pm);
}
