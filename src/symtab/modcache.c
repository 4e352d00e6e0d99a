/* The shared decoded-module cache: one sse__modentry per build ID, holding
 * the function symbols and the gdb-shaped line table, decoded once however
 * many processes map the module. Also the string interner. */
#define _GNU_SOURCE
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <gelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "symtab_int.h"

struct sse__modcache {
  pthread_mutex_t mu;
  sse__modentry *entries;
  unsigned decodes;
  /* Interned strings: open-addressing hash set, power-of-two capacity. */
  char **strs;
  size_t nstrs, capstrs;
};

sse__modcache *sse__modcache_new(void) {
  sse__modcache *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  pthread_mutex_init(&c->mu, NULL);
  return c;
}

void sse__modcache_free(sse__modcache *c) {
  if (c == NULL)
    return;
  sse__modentry *e = c->entries;
  while (e != NULL) {
    sse__modentry *next = e->next;
    free(e->key);
    free(e->funcs);
    free(e->names);
    free(e->rows);
    free(e->files);
    free(e);
    e = next;
  }
  for (size_t i = 0; i < c->capstrs; i++)
    free(c->strs[i]);
  free(c->strs);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

unsigned sse__modcache_decode_count(sse__modcache *c) {
  pthread_mutex_lock(&c->mu);
  unsigned n = c->decodes;
  pthread_mutex_unlock(&c->mu);
  return n;
}

/* ---- interning (cache mutex held) ---- */

static uint64_t str_hash(const char *s, size_t n) {
  uint64_t h = 14695981039346656037ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static bool strs_grow(sse__modcache *c) {
  size_t ncap = c->capstrs ? c->capstrs * 2 : 1024;
  char **n = calloc(ncap, sizeof *n);
  if (n == NULL)
    return false;
  for (size_t i = 0; i < c->capstrs; i++) {
    char *s = c->strs[i];
    if (s == NULL)
      continue;
    size_t j = str_hash(s, strlen(s)) & (ncap - 1);
    while (n[j] != NULL)
      j = (j + 1) & (ncap - 1);
    n[j] = s;
  }
  free(c->strs);
  c->strs = n;
  c->capstrs = ncap;
  return true;
}

/* Intern the n bytes at s. */
static const char *intern_n(sse__modcache *c, const char *s, size_t n) {
  if ((c->nstrs + 1) * 2 > c->capstrs && !strs_grow(c))
    return NULL;
  size_t j = str_hash(s, n) & (c->capstrs - 1);
  while (c->strs[j] != NULL) {
    if (strncmp(c->strs[j], s, n) == 0 && c->strs[j][n] == '\0')
      return c->strs[j];
    j = (j + 1) & (c->capstrs - 1);
  }
  char *d = strndup(s, n);
  if (d == NULL)
    return NULL;
  c->strs[j] = d;
  c->nstrs++;
  return d;
}

static const char *intern_locked(sse__modcache *c, const char *s) {
  return s ? intern_n(c, s, strlen(s)) : NULL;
}

const char *sse__modcache_intern(sse__modcache *c, const char *s) {
  if (s == NULL)
    return NULL;
  pthread_mutex_lock(&c->mu);
  const char *r = intern_locked(c, s);
  pthread_mutex_unlock(&c->mu);
  return r;
}

/* ---- entries ---- */

sse__modentry *sse__modcache_entry(sse__modcache *c, Dwfl_Module *mod) {
  GElf_Addr bias;
  if (dwfl_module_getelf(mod, &bias) == NULL)
    return NULL;
  unsigned char keybuf[512];
  size_t keylen;
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
    if (file != NULL)
      stat(file, &sb);
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
      e->next = c->entries;
      c->entries = e;
    } else {
      free(e);
      e = NULL;
    }
  }
  pthread_mutex_unlock(&c->mu);
  return e;
}

/* ---- symbols ---- */

static int cmp_fsym_addr(const void *a, const void *b) {
  const sse__fsym *x = a, *y = b;
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
  const sse__fsym *x = a, *y = b;
  int r = strcmp(x->key, y->key);
  if (r != 0)
    return r;
  if (x->rank != y->rank)
    return x->rank - y->rank;
  if ((x->size == 0) != (y->size == 0))
    return x->size == 0 ? 1 : -1;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void decode_syms(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  GElf_Addr ebias;
  if (dwfl_module_getelf(mod, &ebias) == NULL)
    return;
  int n = dwfl_module_getsymtab(mod);
  if (n <= 0)
    return;
  sse__fsym *v = calloc((size_t)n, sizeof *v);
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
    sse__fsym *f = &v[k];
    f->addr = addr - ebias;
    f->size = sym.st_size;
    f->name = intern_locked(c, name);
    f->key = at ? intern_n(c, name, (size_t)(at - name)) : f->name;
    f->rank = bind == STB_GLOBAL ? 0 : bind == STB_LOCAL ? 2 : 1;
    if (f->name != NULL && f->key != NULL)
      k++;
  }
  sse__fsym *names = malloc((k ? k : 1) * sizeof *names);
  if (names == NULL) {
    free(v);
    return;
  }
  memcpy(names, v, k * sizeof *v);
  qsort(names, k, sizeof *names, cmp_fsym_key);
  qsort(v, k, sizeof *v, cmp_fsym_addr);
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (m == 0 || v[m - 1].addr != v[i].addr)
      v[m++] = v[i];
  e->funcs = v;
  e->nfuncs = m;
  e->names = names;
  e->nnames = k;
}

void sse__modcache_need_syms(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  if (atomic_load_explicit(&e->syms_ready, memory_order_acquire))
    return;
  pthread_mutex_lock(&c->mu);
  if (!atomic_load_explicit(&e->syms_ready, memory_order_relaxed)) {
    decode_syms(c, e, mod);
    c->decodes++;
    atomic_store_explicit(&e->syms_ready, true, memory_order_release);
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
  if (r->n == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 1024;
    sse__lrow *nv = realloc(r->v, ncap * sizeof *nv);
    if (nv == NULL) {
      r->oom = true;
      return;
    }
    r->v = nv;
    r->cap = ncap;
  }
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
    return intern_locked(c, name);
  size_t a = strlen(comp_dir), b = strlen(name);
  char *buf = malloc(a + b + 2);
  if (buf == NULL)
    return NULL;
  memcpy(buf, comp_dir, a);
  size_t k = a;
  if (k > 0 && buf[k - 1] != '/')
    buf[k++] = '/';
  memcpy(buf + k, name, b + 1);
  const char *r = intern_locked(c, buf);
  free(buf);
  return r;
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
    Dwarf_Line *l = dwarf_onesrcline(lines, i);
    Dwarf_Addr a;
    int line = 0, col = 0;
    bool stmt = false, endseq = false;
    unsigned int disc = 0;
    if (l == NULL || dwarf_lineaddr(l, &a) != 0)
      continue;
    dwarf_lineno(l, &line);
    dwarf_linecol(l, &col);
    dwarf_linebeginstatement(l, &stmt);
    dwarf_lineendsequence(l, &endseq);
    dwarf_linediscriminator(l, &disc);
    const char *raw = dwarf_linesrc(l, NULL, NULL);
    if (raw != raw_prev) {
      raw_prev = raw;
      file_prev = abs_file(c, comp_dir, raw);
    }
    const char *file = file_prev;
    uint64_t addr = a + delta;

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

static int cmp_ptr(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (const char *const *)a, y = (uintptr_t) * (const char *const *)b;
  return x < y ? -1 : x > y;
}

static void decode_lines(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  GElf_Addr ebias;
  if (dwfl_module_getelf(mod, &ebias) == NULL)
    return;
  Dwarf_Addr dbias;
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
  keyed_row *k = malloc(r.n * sizeof *k);
  const char **files = malloc(r.n * sizeof *files);
  if (k == NULL || files == NULL) {
    free(k);
    free(files);
    free(r.v);
    return;
  }
  for (size_t i = 0; i < r.n; i++) {
    k[i].row = r.v[i];
    k[i].idx = i;
    files[i] = r.v[i].file;
  }
  qsort(k, r.n, sizeof *k, cmp_keyed_row);
  for (size_t i = 0; i < r.n; i++)
    r.v[i] = k[i].row;
  free(k);
  qsort(files, r.n, sizeof *files, cmp_ptr);
  size_t nf = 0;
  for (size_t i = 0; i < r.n; i++)
    if (files[i] != NULL && (nf == 0 || files[nf - 1] != files[i]))
      files[nf++] = files[i];
  e->rows = r.v;
  e->nrows = r.n;
  e->files = files;
  e->nfiles = nf;
}

void sse__modcache_need_lines(sse__modcache *c, sse__modentry *e, Dwfl_Module *mod) {
  if (atomic_load_explicit(&e->lines_ready, memory_order_acquire))
    return;
  pthread_mutex_lock(&c->mu);
  if (!atomic_load_explicit(&e->lines_ready, memory_order_relaxed)) {
    decode_lines(c, e, mod);
    c->decodes++;
    atomic_store_explicit(&e->lines_ready, true, memory_order_release);
  }
  pthread_mutex_unlock(&c->mu);
}
