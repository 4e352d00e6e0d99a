/* The shared decoded-module cache: one sse__modentry per build ID, holding
 * the function symbols and the gdb-shaped line table, decoded once however
 * many processes map the module, and the strings they hand out. */
#define _GNU_SOURCE
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <gelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "index/index.h"
#include "symtab/bsearch.h"
#include "symtab/pcmemo.h"
#include "symtab/strtab.h"
#include "symtab/vec.h"
#include "symtab_int.h"

struct sse__modcache {
  pthread_mutex_t mu;
  sse__modentry *entries;
  sse__modcache_stats stats;
  unsigned ready; /* tables made ready, decoded or mapped: sse__modcache_decode_count */
  sse__strtab *strs; /* interned strings */
  char *ixdir;       /* the on-disk index's directory, NULL when off */
  /* Download progress (debuginfod.c); its own leaf lock: downloads run
   * under mu. */
  pthread_mutex_t pmu;
  sse__progress_fn progress;
  void *progress_arg;
};

void sse__modentry_free(sse__modentry *e) {
  sse__pcmemo_free(e);
  sse__persist_forget(e);
  if (e->ext_free != NULL)
    e->ext_free(e->ext);
  sse__inlidx_free(atomic_load(&e->inl));
  free(e->key);
  if (e->syms_own) {
    free((void *)e->funcs);
    free((void *)e->names);
    free((void *)e->strs);
  }
  sse__rowtab_free(&e->rows);
  free(e->files);
  free(e->amap);
  free(e->fmap);
  for (sse__cuinfo *u = e->cus, *un; u != NULL; u = un) {
    un = u->next;
    sse__rowtab_free(&u->rows);
    free(u);
  }
  free(e);
}

sse__modcache *sse__modcache_new(void) {
  sse__modcache *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->strs = sse__strtab_new();
  if (c->strs == NULL) {
    free(c);
    return NULL;
  }
  pthread_mutex_init(&c->mu, NULL);
  pthread_mutex_init(&c->pmu, NULL);
  return c;
}

/* Write what e decoded and its index lacks (cache mutex held, or the
 * cache's end). After a failure the directory is not tried again: one
 * warning, symbols decoded in memory. */
static void flush(sse__modcache *c, sse__modentry *e, bool at_end) {
  if (c->ixdir == NULL || !e->indexable || (!at_end && !e->dirty && !sse__pcmemo_dirty(e)))
    return;
  int rc = sse__persist_flush(c, e, at_end);
  if (rc == 0) {
    c->stats.ix_written++;
  } else if (rc < 0 && rc != -ENOMEM) {
    c->stats.ix_failed++;
    fprintf(stderr, "sse: symbol index: cannot write in %s (%s); symbols are decoded in memory\n", c->ixdir,
            strerror(-rc));
    free(c->ixdir);
    c->ixdir = NULL;
  }
}

/* A decoding of e's is kept in the index now (a segment appended), so a
 * process killed later loses none of it: whole tables at once, CUs by
 * the batch (cache mutex held). */
enum { CU_BATCH = 16 };
static void decoded(sse__modcache *c, sse__modentry *e, unsigned table) {
  e->dirty = true;
  e->fresh |= table;
  if (table != 0 || ++e->nfresh_cus >= CU_BATCH)
    flush(c, e, false);
}

void sse__modcache_free(sse__modcache *c) {
  if (c == NULL)
    return;
  /* What this cache decoded and has not written yet goes into the index
   * for the next process (a segment appended to the module's file, or
   * the file compacted; docs/index-format.md). */
  for (sse__modentry *e = c->entries; e != NULL && c->ixdir != NULL; e = e->next)
    flush(c, e, true);
  sse__modentry *e = c->entries;
  while (e != NULL) {
    sse__modentry *next = e->next;
    sse__modentry_free(e);
    e = next;
  }
  sse__strtab_free(c->strs);
  free(c->ixdir);
  pthread_mutex_destroy(&c->pmu);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

unsigned sse__modcache_decode_count(sse__modcache *c) {
  pthread_mutex_lock(&c->mu);
  unsigned n = c->ready;
  pthread_mutex_unlock(&c->mu);
  return n;
}

void sse__modcache_get_stats(sse__modcache *c, sse__modcache_stats *out) {
  pthread_mutex_lock(&c->mu);
  *out = c->stats;
  pthread_mutex_unlock(&c->mu);
}

void sse__modcache_set_index(sse__modcache *c, const char *opt) {
  pthread_mutex_lock(&c->mu);
  free(c->ixdir);
  c->ixdir = sse__index_cache_dir(opt);
  pthread_mutex_unlock(&c->mu);
}

const char *sse__modcache_index_dir(sse__modcache *c) { return c->ixdir; }

void sse__modcache_set_progress(sse__modcache *c, sse__progress_fn fn, void *arg) {
  pthread_mutex_lock(&c->pmu);
  c->progress = fn;
  c->progress_arg = arg;
  pthread_mutex_unlock(&c->pmu);
}

void sse__modcache_progress(sse__modcache *c, const char *url, long done, long total) {
  pthread_mutex_lock(&c->pmu);
  if (c->progress != NULL)
    c->progress(url, done, total, c->progress_arg);
  pthread_mutex_unlock(&c->pmu);
}
sse__strtab *sse__modcache_strs(sse__modcache *c) { return c->strs; }
sse__modcache_stats *sse__modcache_stats_ref(sse__modcache *c) { return &c->stats; }

const char *sse__modcache_intern(sse__modcache *c, const char *s) { return sse__strtab_intern(c->strs, s); }

/* ---- entries ---- */

sse__modentry *sse__modcache_entry(sse__modcache *c, Dwfl_Module *mod) {
  GElf_Addr bias;
  if (dwfl_module_getelf(mod, &bias) == NULL)
    return NULL;
  unsigned char keybuf[512];
  size_t keylen;
  bool indexable = true;
  const unsigned char *bits;
  GElf_Addr vaddr;
  int n = dwfl_module_build_id(mod, &bits, &vaddr);
  if (n > 0 && (size_t)n < sizeof keybuf) {
    keybuf[0] = 'B';
    memcpy(keybuf + 1, bits, (size_t)n);
    keylen = (size_t)n + 1;
  } else {
    /* No build ID: the file's identity is its path plus size and mtime. */
    const char *file = NULL;
    dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &file, NULL);
    if (file == NULL)
      file = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    struct stat sb;
    memset(&sb, 0, sizeof sb);
    /* In-memory objects (JIT code) have no file to key an index by. */
    indexable = file != NULL && file[0] == '/' && stat(file, &sb) == 0 && S_ISREG(sb.st_mode);
    int k = snprintf((char *)keybuf, sizeof keybuf, "P%s|%lld|%lld|%lld", file ? file : "?",
                     (long long)sb.st_size, (long long)sb.st_mtim.tv_sec, (long long)sb.st_mtim.tv_nsec);
    if (k < 0)
      return NULL;
    keylen = (size_t)k < sizeof keybuf ? (size_t)k : sizeof keybuf - 1;
  }
  pthread_mutex_lock(&c->mu);
  sse__modentry *e;
  for (e = c->entries; e != NULL; e = e->next)
    if (e->keylen == keylen && memcmp(e->key, keybuf, keylen) == 0)
      break;
  if (e == NULL) {
    e = calloc(1, sizeof *e);
    if (e != NULL && (e->key = malloc(keylen)) != NULL) {
      memcpy(e->key, keybuf, keylen);
      e->keylen = keylen;
      e->indexable = indexable;
      e->next = c->entries;
      c->entries = e;
      if (c->ixdir != NULL && indexable)
        sse__persist_open(c, e);
      /* A file written when the module had no DWARF must not hide a debug
       * file installed or downloaded since: looked for again (cheap when
       * there is none), and the file rebuilt if there is one now. */
      Dwarf_Addr dbias;
      if (e->ix != NULL && e->dwarf_checked && !e->has_dwarf && dwfl_module_getdwarf(mod, &dbias) != NULL)
        sse__persist_detach(c, e);
    } else {
      free(e);
      e = NULL;
    }
  }
  pthread_mutex_unlock(&c->mu);
  return e;
}

/* ---- symbols ---- */

/* A symbol as decoding finds it: interned strings. */
typedef struct dsym {
  uint64_t addr, size;
  const char *name, *key;
  int rank;
} dsym;

static int cmp_fsym_addr(const void *a, const void *b) {
  const dsym *x = a, *y = b;
  if (x->addr != y->addr)
    return x->addr < y->addr ? -1 : 1;
  /* The name shown for an address: sized before zero-size, global or weak
   * before local, then the public spelling ("printf" before "_IO_printf",
   * "malloc" before "__libc_malloc"). */
  if ((x->size == 0) != (y->size == 0))
    return x->size == 0 ? 1 : -1;
  if ((x->rank == 2) != (y->rank == 2))
    return x->rank == 2 ? 1 : -1;
  size_t ux = strspn(x->name, "_"), uy = strspn(y->name, "_");
  if (ux != uy)
    return ux < uy ? -1 : 1;
  if (x->rank != y->rank)
    return x->rank - y->rank;
  return strcmp(x->name, y->name);
}

static int cmp_fsym_key(const void *a, const void *b) {
  const dsym *x = a, *y = b;
  int r = strcmp(x->key, y->key);
  if (r != 0)
    return r;
  if (x->rank != y->rank)
    return x->rank - y->rank;
  if ((x->size == 0) != (y->size == 0))
    return x->size == 0 ? 1 : -1;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The k symbols of v, interned, as the distinct strings sorted by
 * pointer (*strs, *nstrs) and the pool holding them (*pool, offsets in
 * *offs, its size *npool). */
static bool sym_pool(const dsym *v, size_t k, const char ***strs, size_t *nstrs, char **pool, uint32_t **offs,
                     size_t *npool) {
  const char **p = malloc((2 * k + 1) * sizeof *p);
  if (p == NULL)
    return false;
  for (size_t i = 0; i < k; i++) {
    p[2 * i] = v[i].name;
    p[2 * i + 1] = v[i].key;
  }
  size_t n = sse__ptrs_unique(p, 2 * k), size = 1;
  uint32_t *o = malloc((n + 1) * sizeof *o);
  for (size_t i = 0; o != NULL && i < n; i++) {
    o[i] = (uint32_t)size;
    size += strlen(p[i]) + 1;
  }
  char *b = o != NULL && size < UINT32_MAX ? malloc(size) : NULL;
  if (b == NULL) {
    free(p);
    free(o);
    return false;
  }
  b[0] = '\0'; /* offset 0: "" */
  for (size_t i = 0; i < n; i++)
    memcpy(b + o[i], p[i], strlen(p[i]) + 1);
  *strs = p;
  *nstrs = n;
  *pool = b;
  *offs = o;
  *npool = size;
  return true;
}

/* Keep the decoded v (k symbols, by key) as e's tables: the records and
 * their string pool. */
static void set_syms(sse__modentry *e, dsym *v, size_t k) {
  const char **strs;
  size_t ns, npool;
  char *pool;
  uint32_t *offs;
  sse__fsym *names = malloc((k ? k : 1) * sizeof *names), *funcs = malloc((k ? k : 1) * sizeof *funcs);
  if (names == NULL || funcs == NULL || !sym_pool(v, k, &strs, &ns, &pool, &offs, &npool)) {
    free(names);
    free(funcs);
    return;
  }
  for (int pass = 0; pass < 2; pass++) {
    sse__fsym *out = pass == 0 ? names : funcs;
    if (pass == 1)
      qsort(v, k, sizeof *v, cmp_fsym_addr);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
      if (pass == 1 && m > 0 && out[m - 1].addr == v[i].addr)
        continue; /* one per address: the best name */
      out[m++] = (sse__fsym){.addr = v[i].addr, .size = v[i].size, .rank = v[i].rank,
                             .name = offs[sse__ptrs_find(strs, ns, v[i].name)],
                             .key = offs[sse__ptrs_find(strs, ns, v[i].key)]};
    }
    if (pass == 0)
      e->nnames = m;
    else
      e->nfuncs = m;
  }
  free(strs);
  free(offs);
  e->names = names;
  e->funcs = funcs;
  e->strs = pool;
  e->nstrs = npool;
  e->syms_own = true;
}

static void decode_syms(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  GElf_Addr ebias;
  if (dwfl_module_getelf(mod, &ebias) == NULL)
    return;
  int n = dwfl_module_getsymtab(mod);
  if (n <= 0)
    return;
  dsym *v = calloc((size_t)n, sizeof *v);
  if (v == NULL)
    return;
  size_t k = 0;
  for (int i = 1; i < n; i++) {
    GElf_Sym sym;
    GElf_Addr addr;
    GElf_Word shndx;
    Elf *selfp;
    Dwarf_Addr sbias;
    const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, &selfp, &sbias);
    if (name == NULL || name[0] == '\0')
      continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_GNU_IFUNC)
      continue;
    if (shndx == SHN_UNDEF)
      continue;
    int bind = GELF_ST_BIND(sym.st_info);
    const char *at = strchr(name, '@');
    dsym *f = &v[k];
    f->addr = addr - ebias;
    f->size = sym.st_size;
    f->name = sse__strtab_intern(c->strs, name);
    f->key = at ? sse__strtab_intern_n(c->strs, name, (size_t)(at - name)) : f->name;
    f->rank = bind == STB_GLOBAL ? 0 : bind == STB_LOCAL ? 2 : 1;
    if (f->name != NULL && f->key != NULL)
      k++;
  }
  qsort(v, k, sizeof *v, cmp_fsym_key);
  set_syms(e, v, k);
  free(v);
}

void sse__modcache_need_syms(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  if (atomic_load_explicit(&e->syms_ready, memory_order_acquire))
    return;
  pthread_mutex_lock(&c->mu);
  if (!atomic_load_explicit(&e->syms_ready, memory_order_relaxed)) {
    c->ready++;
    bool got = !sse__persist_syms(c, e);
    if (got) {
      decode_syms(c, e, mod);
      c->stats.decodes++;
    }
    atomic_store_explicit(&e->syms_ready, true, memory_order_release);
    if (got)
      decoded(c, e, SSE__IXT_SYMS);
  }
  pthread_mutex_unlock(&c->mu);
}

/* ---- line table ----
 *
 * Built the way gdb 13 builds its line tables (dwarf2/read.c
 * lnp_state_machine::record_line and buildsym.c record_line), so that
 * a lookup gives gdb's sal.pc / sal.end:
 *  - consecutive rows of the same file and line are collapsed only when the
 *    line had a non-zero discriminator (gdb PR 17276: gcc marks the end of
 *    a prologue with a repeated line, so those rows must stay);
 *  - a file switch and an end of sequence add a line-0 end marker for the
 *    previous file ("no line from here");
 *  - rows with line 0 are dropped: gdb does not stop there, and does not
 *    end the previous row's range there either;
 *  - a marker removes earlier entries of its file at the same address;
 *  - the table is stably sorted by address with markers first at an address,
 *    so the last entry at an address wins in a lookup. */

typedef struct rowvec {
  sse__lrow *v;
  size_t n, cap;
  bool oom;
} rowvec;

static void rv_push(rowvec *r, sse__lrow row) {
  sse__lrow *nv = sse__vec_room(r->v, r->n, &r->cap, sizeof *nv, 1024);
  if (nv == NULL) {
    r->oom = true;
    return;
  }
  r->v = nv;
  r->v[r->n++] = row;
}

/* gdb buildsym record_line for an entry of file at addr; seq0 is the index
 * where the current sequence starts. */
static void record(rowvec *r, size_t seq0, const char *file, int line, int col, uint64_t addr, bool is_stmt) {
  if (line == 0) {
    bool seen = false;
    int last_line = 0;
    for (size_t j = r->n; j-- > seq0;) {
      if (r->v[j].file != file)
        continue;
      seen = true;
      last_line = r->v[j].line;
      if (r->v[j].addr != addr)
        break;
      memmove(&r->v[j], &r->v[j + 1], (r->n - j - 1) * sizeof *r->v);
      r->n--;
    }
    /* An end marker of an empty sequence is dropped. */
    if (!seen || last_line == 0)
      return;
    is_stmt = true;
    col = 0;
  }
  rv_push(r, (sse__lrow){.addr = addr, .file = file, .line = line, .col = col, .is_stmt = is_stmt});
}

static const char *abs_file(sse__modcache *c, const char *comp_dir, const char *name) {
  if (name == NULL)
    return NULL;
  /* libdw already joins the include directory, itself joined with the
   * comp_dir; a relative result means the comp_dir is relative too (glibc is
   * built with -fdebug-prefix-map=...=.), and there is nothing to add. */
  if (name[0] == '/' || comp_dir == NULL || comp_dir[0] != '/')
    return sse__strtab_intern(c->strs, name);
  size_t a = strlen(comp_dir), b = strlen(name);
  char *buf = malloc(a + b + 2);
  if (buf == NULL)
    return NULL;
  memcpy(buf, comp_dir, a);
  size_t k = a;
  if (k > 0 && buf[k - 1] != '/')
    buf[k++] = '/';
  memcpy(buf + k, name, b + 1);
  const char *r = sse__strtab_intern(c->strs, buf);
  free(buf);
  return r;
}

/* One row of a CU's line program as libdw gives it. */
typedef struct raw_line {
  Dwarf_Addr addr;
  int line, col;
  bool stmt, endseq;
  unsigned int disc;
  const char *src;
} raw_line;

static bool read_line(Dwarf_Line *l, raw_line *out) {
  memset(out, 0, sizeof *out);
  if (l == NULL || dwarf_lineaddr(l, &out->addr) != 0)
    return false;
  dwarf_lineno(l, &out->line);
  dwarf_linecol(l, &out->col);
  dwarf_linebeginstatement(l, &out->stmt);
  dwarf_lineendsequence(l, &out->endseq);
  dwarf_linediscriminator(l, &out->disc);
  out->src = dwarf_linesrc(l, NULL, NULL);
  return true;
}

static void decode_cu(sse__modcache *c, rowvec *r, Dwarf_Die *cu, uint64_t delta) {
  Dwarf_Lines *lines;
  size_t nl;
  if (dwarf_getsrclines(cu, &lines, &nl) != 0)
    return;
  Dwarf_Attribute attr;
  const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
  /* Interning every row's file name is the slow part: remember the last. */
  const char *raw_prev = NULL, *file_prev = NULL;

  /* State of gdb's lnp_state_machine, reset per sequence. */
  size_t seq0 = r->n;
  const char *last_file = NULL;
  int last_line = 0, sm_line = -1;
  bool nz_disc = false, stmt_at_addr = false;
  uint64_t last_addr = UINT64_MAX;

  for (size_t i = 0; i < nl; i++) {
    raw_line rl;
    if (!read_line(dwarf_onesrcline(lines, i), &rl))
      continue;
    if (rl.src != raw_prev) {
      raw_prev = rl.src;
      file_prev = abs_file(c, comp_dir, rl.src);
    }
    const char *file = file_prev;
    uint64_t addr = rl.addr + delta;
    int line = rl.line, col = rl.col;
    bool stmt = rl.stmt, endseq = rl.endseq;
    unsigned int disc = rl.disc;

    if (line != sm_line)
      nz_disc = disc != 0;
    else
      nz_disc |= disc != 0;
    sm_line = line;

    bool file_changed = last_file != file;
    /* gdb 13 ignores a line-0 row altogether (not even as the end of the
     * previous row's range: clang's line-0 rows inside a line's code do not
     * split it), and a non-statement row that switches file at an address
     * which already has a statement. */
    bool ignore = (file_changed && !endseq && last_addr == addr && !stmt && stmt_at_addr) || (!endseq && line == 0);
    if ((file_changed && !ignore) || endseq) {
      if (last_file != NULL)
        record(r, seq0, last_file, 0, 0, addr, true);
    }
    if (!endseq && !ignore) {
      if (file_changed || line != last_line || !nz_disc)
        record(r, seq0, file, line, col, addr, stmt);
      last_file = file;
      last_line = line;
    }
    if (last_addr != addr) {
      stmt_at_addr = false;
      last_addr = addr;
    }
    stmt_at_addr |= stmt;

    if (endseq) {
      seq0 = r->n;
      last_file = NULL;
      last_line = 0;
      sm_line = -1;
      nz_disc = stmt_at_addr = false;
      last_addr = UINT64_MAX;
    }
  }
}

typedef struct keyed_row {
  sse__lrow row;
  size_t idx;
} keyed_row;

static int cmp_keyed_row(const void *a, const void *b) {
  const keyed_row *x = a, *y = b;
  if (x->row.addr != y->row.addr)
    return x->row.addr < y->row.addr ? -1 : 1;
  if ((x->row.line == 0) != (y->row.line == 0))
    return x->row.line == 0 ? -1 : 1;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sort the rows of one decoding (a CU or the whole module) the gdb way:
 * stably by address, markers first at an address. The rows of a CU keep the
 * relative order they have in the whole-module table. */
static bool sort_rows(sse__lrow *v, size_t n) {
  keyed_row *k = malloc((n ? n : 1) * sizeof *k);
  if (k == NULL)
    return false;
  for (size_t i = 0; i < n; i++) {
    k[i].row = v[i];
    k[i].idx = i;
  }
  qsort(k, n, sizeof *k, cmp_keyed_row);
  for (size_t i = 0; i < n; i++)
    v[i] = k[i].row;
  free(k);
  return true;
}

static void decode_lines(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  GElf_Addr ebias;
  if (dwfl_module_getelf(mod, &ebias) == NULL)
    return;
  Dwarf_Addr dbias;
  e->dwarf_checked = true;
  if (dwfl_module_getdwarf(mod, &dbias) == NULL)
    return;
  e->has_dwarf = true;
  rowvec r = {0};
  Dwarf_Die *cu = NULL;
  Dwarf_Addr cubias;
  while ((cu = dwfl_module_nextcu(mod, cu, &cubias)) != NULL)
    decode_cu(c, &r, cu, cubias - ebias);
  if (r.oom || r.n == 0) {
    free(r.v);
    return;
  }
  if (!sort_rows(r.v, r.n)) {
    free(r.v);
    return;
  }
  if (!sse__rowtab_from_rows(&e->rows, r.v, r.n))
    return;
  /* The distinct files: the table's, less a NULL. */
  const char **files = malloc((e->rows.nfiles ? e->rows.nfiles : 1) * sizeof *files);
  size_t nf = 0;
  for (size_t i = 0; files != NULL && i < e->rows.nfiles; i++)
    if (e->rows.files[i] != NULL)
      files[nf++] = e->rows.files[i];
  if (files == NULL || atomic_load_explicit(&e->files_ready, memory_order_relaxed)) {
    free(files); /* readers may hold the files the index gave */
  } else {
    e->files = files;
    e->nfiles = nf;
  }
}

void sse__modcache_need_lines(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  if (atomic_load_explicit(&e->lines_ready, memory_order_acquire))
    return;
  pthread_mutex_lock(&c->mu);
  if (!atomic_load_explicit(&e->lines_ready, memory_order_relaxed)) {
    c->ready++;
    bool got = !sse__persist_lines(c, e);
    if (got) {
      decode_lines(c, e, mod);
      c->stats.decodes++;
    }
    atomic_store_explicit(&e->files_ready, true, memory_order_release);
    atomic_store_explicit(&e->lines_ready, true, memory_order_release);
    if (got)
      decoded(c, e, SSE__IXT_LINES);
  }
  pthread_mutex_unlock(&c->mu);
}

void sse__modcache_need_files(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  if (atomic_load_explicit(&e->files_ready, memory_order_acquire))
    return;
  pthread_mutex_lock(&c->mu);
  bool have = atomic_load_explicit(&e->files_ready, memory_order_relaxed) || sse__persist_files(c, e);
  if (have)
    atomic_store_explicit(&e->files_ready, true, memory_order_release);
  pthread_mutex_unlock(&c->mu);
  if (!have)
    sse__modcache_need_lines(c, e, mod);
}

/* ---- per-CU line tables ----
 *
 * A lookup finds the CU containing the pc from the CU address ranges (first
 * .debug_aranges: a few ms for libc; where it misses, every CU's own
 * DW_AT_ranges / low_pc+high_pc, which also covers producers that emit no
 * .debug_aranges, like clang), then decodes only that CU's line program with
 * the same rules as the whole table. decode_cu's state never crosses a CU,
 * and the sort is stable, so a CU's rows are exactly its rows of the whole
 * table, in the same order. */

typedef struct rawrange {
  uint64_t lo, hi, off;
} rawrange;

static int cmp_raw_off(const void *a, const void *b) {
  const rawrange *x = a, *y = b;
  return x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_range_lo(const void *a, const void *b) {
  const sse__curange *x = a, *y = b;
  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static int cmp_cu_off(const void *a, const void *b) {
  const sse__cuinfo *x = *(sse__cuinfo *const *)a, *y = *(sse__cuinfo *const *)b;
  return x->off < y->off ? -1 : x->off > y->off;
}

/* Turn raw (sorted by off) into a map sorted by lo, finding or creating the
 * entry's sse__cuinfo of each offset (cache mutex held). */
static sse__curange *make_map(sse__modentry *e, rawrange *raw, size_t n, size_t *nout) {
  *nout = 0;
  size_t nold = 0;
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next)
    nold++;
  sse__cuinfo **old = malloc((nold ? nold : 1) * sizeof *old);
  sse__curange *m = malloc((n ? n : 1) * sizeof *m);
  if (old == NULL || m == NULL) {
    free(old);
    free(m);
    return NULL;
  }
  nold = 0;
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next)
    old[nold++] = u;
  qsort(old, nold, sizeof *old, cmp_cu_off);
  sse__cuinfo *cur = NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (raw[i].lo >= raw[i].hi)
      continue;
    if (cur == NULL || cur->off != raw[i].off) {
      sse__cuinfo key = {.off = raw[i].off}, *kp = &key;
      sse__cuinfo **f = nold ? bsearch(&kp, old, nold, sizeof *old, cmp_cu_off) : NULL;
      if (f != NULL) {
        cur = *f;
      } else {
        cur = calloc(1, sizeof *cur);
        if (cur == NULL)
          break;
        cur->off = raw[i].off;
        cur->next = e->cus;
        e->cus = cur;
      }
    }
    m[k++] = (sse__curange){.lo = raw[i].lo, .hi = raw[i].hi, .cu = cur};
  }
  free(old);
  qsort(m, k, sizeof *m, cmp_range_lo);
  uint64_t mx = 0;
  for (size_t i = 0; i < k; i++) {
    if (m[i].hi > mx)
      mx = m[i].hi;
    m[i].maxhi = mx;
  }
  *nout = k;
  return m;
}

static bool raw_push(rawrange **v, size_t *n, size_t *cap, rawrange r) {
  rawrange *nv = sse__vec_room(*v, *n, cap, sizeof *nv, 256);
  if (nv == NULL)
    return false;
  *v = nv;
  (*v)[(*n)++] = r;
  return true;
}

static void decode_one(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, sse__cuinfo *u);

/* .debug_aranges (cache mutex held). */
static void build_amap(sse__modentry *e, Dwfl_Module *mod) {
  GElf_Addr ebias;
  Dwarf_Addr dbias;
  Dwarf *dw;
  e->dwarf_checked = true;
  if (dwfl_module_getelf(mod, &ebias) == NULL || (dw = dwfl_module_getdwarf(mod, &dbias)) == NULL)
    return;
  e->has_dwarf = true;
  e->delta = dbias - ebias;
  Dwarf_Aranges *ar;
  size_t na;
  if (dwarf_getaranges(dw, &ar, &na) != 0 || na == 0)
    return;
  rawrange *raw = malloc(na * sizeof *raw);
  if (raw == NULL)
    return;
  size_t n = 0;
  for (size_t i = 0; i < na; i++) {
    Dwarf_Addr a;
    Dwarf_Word len;
    Dwarf_Off off;
    Dwarf_Arange *r = dwarf_onearange(ar, i);
    if (r == NULL || dwarf_getarangeinfo(r, &a, &len, &off) != 0)
      continue;
    raw[n++] = (rawrange){.lo = a + e->delta, .hi = a + len + e->delta, .off = off};
  }
  qsort(raw, n, sizeof *raw, cmp_raw_off);
  e->amap = make_map(e, raw, n, &e->namap);
  free(raw);
}

/* Every CU's ranges (cache mutex held). A CU with a line program but no
 * address attribute gets the span of its rows. */
static void build_fmap(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  GElf_Addr ebias;
  Dwarf_Addr dbias;
  if (dwfl_module_getelf(mod, &ebias) == NULL || dwfl_module_getdwarf(mod, &dbias) == NULL)
    return;
  rawrange *raw = NULL, *noaddr = NULL;
  size_t n = 0, cap = 0, nn = 0, ncap = 0;
  bool oom = false;
  Dwarf_Die *cu = NULL;
  Dwarf_Addr cubias;
  while (!oom && (cu = dwfl_module_nextcu(mod, cu, &cubias)) != NULL) {
    uint64_t off = dwarf_dieoffset(cu);
    uint64_t d = cubias - ebias;
    Dwarf_Addr base, s, t;
    ptrdiff_t p = 0;
    bool any = false;
    while ((p = dwarf_ranges(cu, p, &base, &s, &t)) > 0) {
      any = true;
      oom |= !raw_push(&raw, &n, &cap, (rawrange){.lo = s + d, .hi = t + d, .off = off});
    }
    Dwarf_Attribute attr;
    if (!any && dwarf_attr(cu, DW_AT_stmt_list, &attr) != NULL)
      oom |= !raw_push(&noaddr, &nn, &ncap, (rawrange){.off = off});
  }
  if (!oom && nn > 0) {
    /* Decode those now to know where they are. */
    qsort(noaddr, nn, sizeof *noaddr, cmp_raw_off);
    for (size_t i = 0; i < nn && !oom; i++) {
      sse__cuinfo *u = NULL;
      for (sse__cuinfo *w = e->cus; w != NULL && u == NULL; w = w->next)
        if (w->off == noaddr[i].off)
          u = w;
      if (u == NULL) {
        u = calloc(1, sizeof *u);
        if (u == NULL)
          break;
        u->off = noaddr[i].off;
        u->next = e->cus;
        e->cus = u;
      }
      decode_one(c, e, mod, u);
      if (u->rows.n > 0)
        oom |= !raw_push(&raw, &n, &cap,
                         (rawrange){.lo = u->rows.v[0].addr, .hi = u->rows.v[u->rows.n - 1].addr + 1, .off = u->off});
    }
  }
  if (!oom) {
    qsort(raw, n, sizeof *raw, cmp_raw_off);
    e->fmap = make_map(e, raw, n, &e->nfmap);
  }
  free(raw);
  free(noaddr);
}

/* Decode the rows of u (cache mutex held). */
static void decode_one(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, sse__cuinfo *u) {
  if (atomic_load_explicit(&u->ready, memory_order_relaxed) || sse__persist_cu(c, e, u))
    return;
  c->stats.cu_decodes++;
  e->dirty = u->fresh = true;
  Dwarf_Addr dbias;
  Dwarf *dw = dwfl_module_getdwarf(mod, &dbias);
  Dwarf_Die die;
  rowvec r = {0};
  if (dw != NULL && dwarf_offdie(dw, u->off, &die) != NULL)
    decode_cu(c, &r, &die, e->delta);
  if (r.oom || !sort_rows(r.v, r.n)) {
    free(r.v);
    r.v = NULL;
    r.n = 0;
  }
  if (!sse__rowtab_from_rows(&u->rows, r.v, r.n))
    memset(&u->rows, 0, sizeof u->rows);
  atomic_store_explicit(&u->ready, true, memory_order_release);
}

static const sse__curange *map_find(const sse__curange *m, size_t n, uint64_t rel) {
  size_t lo = SSE__BSEARCH_LE(m, n, lo, rel); /* first range with lo > rel */
  for (size_t j = lo; j-- > 0 && m[j].maxhi > rel;)
    if (rel < m[j].hi)
      return &m[j];
  return NULL;
}

static void need_map(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, bool full) {
  atomic_bool *flag = full ? &e->fmap_ready : &e->amap_ready;
  if (atomic_load_explicit(flag, memory_order_acquire))
    return;
  unsigned got = 0;
  pthread_mutex_lock(&c->mu);
  if (!atomic_load_explicit(&e->amap_ready, memory_order_relaxed)) {
    c->ready++;
    if (!sse__persist_map(c, e, false)) {
      build_amap(e, mod);
      c->stats.decodes++;
      got |= SSE__IXT_AMAP;
    }
    atomic_store_explicit(&e->amap_ready, true, memory_order_release);
  }
  if (full && !atomic_load_explicit(&e->fmap_ready, memory_order_relaxed)) {
    if (!sse__persist_map(c, e, true)) {
      build_fmap(c, e, mod);
      got |= SSE__IXT_FMAP;
    }
    atomic_store_explicit(&e->fmap_ready, true, memory_order_release);
  }
  if (got)
    decoded(c, e, got);
  pthread_mutex_unlock(&c->mu);
}

static void need_cu(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, sse__cuinfo *u) {
  if (atomic_load_explicit(&u->ready, memory_order_acquire))
    return;
  pthread_mutex_lock(&c->mu);
  bool was = u->fresh;
  decode_one(c, e, mod, u);
  if (u->fresh && !was)
    decoded(c, e, 0);
  pthread_mutex_unlock(&c->mu);
}

static size_t first_after(const sse__lrec *v, size_t n, uint64_t rel) {
  return SSE__BSEARCH_LE(v, n, addr, rel);
}

/* Address of the first row after rel in the CUs that follow, 0 if none. */
static uint64_t next_row_after(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, const sse__cuinfo *self,
                               uint64_t rel) {
  need_map(c, e, mod, true);
  const sse__curange *m = e->fmap;
  size_t n = e->nfmap, j = SSE__BSEARCH_LE(m, n, lo, rel); /* first range with lo > rel */
  uint64_t best = 0;
  for (; j < n && (best == 0 || m[j].lo < best); j++) {
    sse__cuinfo *u = m[j].cu;
    if (u == self)
      continue;
    need_cu(c, e, mod, u);
    size_t k = first_after(u->rows.v, u->rows.n, rel);
    if (k < u->rows.n && (best == 0 || u->rows.v[k].addr < best))
      best = u->rows.v[k].addr;
  }
  return best;
}

/* The CU holding rel: by .debug_aranges, else by every CU's ranges. */
static sse__cuinfo *cu_of(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, uint64_t rel) {
  need_map(c, e, mod, false);
  const sse__curange *r = map_find(e->amap, e->namap, rel);
  if (r == NULL) {
    need_map(c, e, mod, true);
    r = map_find(e->fmap, e->nfmap, rel);
  }
  return r ? r->cu : NULL;
}

bool sse__modcache_row_at(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, uint64_t rel, sse__lrow *out,
                          uint64_t *end) {
  sse__cuinfo *u = cu_of(c, e, mod, rel);
  if (u == NULL)
    return false;
  need_cu(c, e, mod, u);
  const sse__lrec *rows = u->rows.v;
  size_t n = u->rows.n;
  /* gdb's find_pc_sect_line: the last row at or before rel. */
  size_t lo = first_after(rows, n, rel);
  if (lo == 0)
    return false;
  size_t b = lo - 1;
  if (rows[b].line == 0)
    return false;
  /* Landed on a non-statement entry: prefer a statement entry at the same
   * address (gdb does the same backward scan). */
  size_t t = b;
  while (t > 0 && rows[t - 1].addr == rows[t].addr && rows[t - 1].line != 0 && !rows[t].is_stmt)
    t--;
  if (rows[t].is_stmt)
    b = t;
  *end = lo < n ? rows[lo].addr : next_row_after(c, e, mod, u, rel);
  const char *file = sse__rowtab_file(&u->rows, rows[b].file);
  /* A mapped table's file is interned now: stops compare files by
   * pointer. */
  *out = (sse__lrow){.addr = rows[b].addr, .file = u->rows.pool ? sse__strtab_intern(c->strs, file) : file,
                     .line = rows[b].line, .col = rows[b].col, .is_stmt = rows[b].is_stmt != 0};
  return true;
}

void sse__modcache_ext_saved(sse__modcache *c, sse__modentry *e, void *(*save)(void *ext, size_t *n),
                             const void **blob, size_t *n) {
  pthread_mutex_lock(&c->mu);
  e->ext_save = save;
  *blob = sse__persist_ext_blob(e, n);
  pthread_mutex_unlock(&c->mu);
}

int sse__modcache_has_dwarf(sse__modcache *c, sse__modentry *e) {
  pthread_mutex_lock(&c->mu);
  int r = e->dwarf_checked ? e->has_dwarf : -1;
  pthread_mutex_unlock(&c->mu);
  return r;
}

/* u's producer from its DIE (cache mutex held): true when read. */
static bool learn_producer(sse__modentry *e, Dwfl_Module *mod, sse__cuinfo *u) {
  Dwarf_Addr dbias;
  Dwarf *dw = dwfl_module_getdwarf(mod, &dbias);
  Dwarf_Die die;
  Dwarf_Attribute attr;
  if (dw == NULL || dwarf_offdie(dw, u->off, &die) == NULL)
    return false;
  const char *prod = dwarf_formstring(dwarf_attr(&die, DW_AT_producer, &attr));
  bool llvm = prod != NULL && (strstr(prod, "clang") != NULL || strstr(prod, "flang") != NULL);
  u->producer = llvm ? SSE__CU_LLVM : SSE__CU_OTHER;
  e->dirty = u->fresh = true;
  return true;
}

bool sse__modcache_cu_llvm(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod, uint64_t rel) {
  sse__cuinfo *u = cu_of(c, e, mod, rel);
  if (u == NULL)
    return false;
  pthread_mutex_lock(&c->mu);
  if (u->producer == 0 && learn_producer(e, mod, u))
    decoded(c, e, 0);
  bool llvm = u->producer == SSE__CU_LLVM;
  pthread_mutex_unlock(&c->mu);
  return llvm;
}

void sse__modcache_decode_all(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  sse__modcache_need_syms(c, e, mod);
  sse__modcache_need_lines(c, e, mod);
  need_map(c, e, mod, true);
  pthread_mutex_lock(&c->mu);
  for (sse__cuinfo *u = e->cus; u != NULL; u = u->next) {
    decode_one(c, e, mod, u);
    if (u->producer == 0)
      learn_producer(e, mod, u);
  }
  pthread_mutex_unlock(&c->mu);
}
