/* Breakpoint addresses as gdb 13 computes them on x86_64: `break FUNC`
 * (skip_prologue_sal: the line table for LLVM code, the arch's prologue
 * analysis for gcc code) and `break FILE:LINE`. */
#define _GNU_SOURCE
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "symtab/vec.h"
#include "symtab/dies.h"
#include "symtab_int.h"

/* gdb's amd64_skip_prologue for gcc code, by the arch's one analysis.
 * Unlike a step into the function (sse__arch_skip_prologue), `break FUNC`
 * has always skipped no stack-realignment sequence and has also taken
 * `movl %esp,%ebp` for the frame setup (gdb: x32 only); kept so, as the
 * breakpoints tests compare with gdb. */
static uint64_t analyze_prologue(smod *m, uint64_t start) {
  unsigned char b[SSE__ARCH_PROLOGUE_MAX];
  size_t n = sse__symtab_read_code(m, start, b, sizeof b);
  return sse__arch_prologue_end(b, n, start, SSE__ARCH_PRO_FRAME32);
}

static bool cu_is_llvm(sse__symtab *st, smod *m, uint64_t abs) {
  return m->entry != NULL && sse__modcache_cu_llvm(st->cache, m->entry, m->mod, abs - m->ebias);
}

/* gdb's skip_prologue_using_sal takes two consecutive line-table entries
 * at the function's first address (clang -O2 gives main's line, then an
 * inlined callee's there) as "no prologue": the breakpoint is the entry. */
static bool two_rows_at_entry(smod *m, uint64_t abs) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = sse__symtab_cu_at(m->mod, abs, &bias);
  Dwarf_Lines *ls;
  size_t n;
  if (cu == NULL || dwarf_getsrclines(cu, &ls, &n) != 0)
    return false;
  for (size_t i = 0; i + 1 < n; i++) {
    Dwarf_Addr a, b;
    int la, lb;
    Dwarf_Line *l0 = dwarf_onesrcline(ls, i), *l1 = dwarf_onesrcline(ls, i + 1);
    if (dwarf_lineaddr(l0, &a) != 0 || dwarf_lineno(l0, &la) != 0 || a + bias != abs || la == 0)
      continue;
    return dwarf_lineaddr(l1, &b) == 0 && dwarf_lineno(l1, &lb) == 0 && lb != 0 && b == a;
  }
  return false;
}

static bool in_func(const sse__fsym *f, const sse__modentry *e, uint64_t rel) {
  if (f->size != 0)
    return rel >= f->addr && rel - f->addr < f->size;
  return sse__symtab_func_at(e, rel) == f;
}

/* gdb's skip_prologue_using_sal: two line entries of one file at the
 * function's first address mean a prologue that ends right there (clang
 * puts the declaration line and the first body line both at the start of
 * a function without a prologue, or of one whose first code is inlined). */
static bool two_rows_at_start(smod *m, uint64_t abs) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = sse__symtab_cu_at(m->mod, abs, &bias);
  Dwarf_Lines *lines;
  size_t n;
  if (cu == NULL || dwarf_getsrclines(cu, &lines, &n) != 0)
    return false;
  const char *file = NULL;
  int seen = 0;
  for (size_t i = 0; i < n && seen < 2; i++) {
    Dwarf_Line *l = dwarf_onesrcline(lines, i);
    Dwarf_Addr a;
    int line = 0;
    if (l == NULL || dwarf_lineaddr(l, &a) != 0 || a + bias != abs)
      continue;
    const char *f = dwarf_linesrc(l, NULL, NULL);
    if (dwarf_lineno(l, &line) != 0 || line == 0 || f == NULL)
      continue;
    if (file == NULL || strcmp(file, f) == 0)
      seen++;
    file = file ? file : f;
  }
  return seen >= 2;
}

/* gdb's skip_prologue_sal for function f of module m: returns the
 * module-relative breakpoint address of `break FUNC`. */
uint64_t sse__symtab_post_prologue(sse__symtab *st, smod *m, const sse__fsym *f) {
  const sse__modentry *e = m->entry;
  uint64_t pc = f->addr, end = 0;
  if (cu_is_llvm(st, m, f->addr + m->ebias)) {
    if (two_rows_at_entry(m, f->addr + m->ebias))
      return pc;
    /* skip_prologue_using_sal: LLVM emits a line note before and after
     * the prologue, so the second row run of the function is the body. */
    sse__lrow r;
    if (sse__symtab_row_at(st, m, f->addr, &r, &end) && end > pc && in_func(f, e, end) && !two_rows_at_start(m, f->addr + m->ebias))
      pc = end;
  } else {
    pc = analyze_prologue(m, f->addr);
  }
  /* Mid-line after the prologue: go to the start of the next row run if it
   * is still in the function. */
  sse__lrow r;
  if (sse__symtab_row_at(st, m, pc, &r, &end) && r.addr != pc && end != 0 && in_func(f, e, end))
    pc = end;
  return pc;
}

/* ---- break FUNC ---- */

typedef struct func_want {
  const char *name;
  const sse__fsym *f;
} func_want;

static bool has_func(sse__symtab *st, smod *m, void *arg) {
  func_want *w = arg;
  const sse__modentry *e = sse__symtab_syms(st, sse__symtab_resolve(st, m));
  w->f = e ? sse__symtab_find_name(e, w->name) : NULL;
  return w->f != NULL;
}

/* By exact symbol name; with cxx, else the first C++ function that gdb's
 * `break NAME` finds (cxxbreak.c). */
static int func_addr(sse__symtab *st, const char *name, uint64_t *entry, uint64_t *post, bool cxx) {
  int rc = -1;
  pthread_mutex_lock(&st->mu);
  func_want w = {name, NULL};
  bool ok = sse__symtab_ensure(st) == 0 && name != NULL;
  smod *m = ok ? sse__symtab_first_mod(st, has_func, &w) : NULL;
  if (m != NULL) {
    if (entry != NULL)
      *entry = w.f->addr + m->ebias;
    if (post != NULL)
      *post = sse__symtab_post_prologue(st, m, w.f) + m->ebias;
    rc = 0;
  } else if (ok && cxx) {
    rc = sse__symtab_cxx_func_addr(st, name, entry, post);
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}

int sse__symtab_func_addr(sse__symtab *st, const char *name, uint64_t *entry, uint64_t *post) {
  return func_addr(st, name, entry, post, true);
}

int sse__symtab_func_addr_plain(sse__symtab *st, const char *name, uint64_t *entry, uint64_t *post) {
  return func_addr(st, name, entry, post, false);
}

/* ---- break FILE:LINE ---- */

/* The function a gcc out-of-line part belongs to ("f.cold", "f.cold.3"
 * -> "f"): gdb's block of a line in the part is f's, whose entry and
 * prologue are f's own. f itself when it is no such part. */
static const sse__fsym *owner_of_part(const sse__modentry *e, const sse__fsym *f) {
  const char *n = sse__fsym_key(e, f);
  const char *dot = n ? strstr(n, ".cold") : NULL;
  if (dot == NULL || dot == n || (dot[5] != 0 && dot[5] != '.'))
    return f;
  char base[512];
  snprintf(base, sizeof base, "%.*s", (int)(dot - n), n);
  const sse__fsym *o = sse__symtab_find_name(e, base);
  return o ? o : f;
}

static bool file_matches(const char *path, const char *want) {
  if (path == NULL)
    return false;
  if (strcmp(path, want) == 0)
    return true;
  size_t a = strlen(path), b = strlen(want);
  return b < a && path[a - b - 1] == '/' && strcmp(path + a - b, want) == 0;
}

typedef struct hit {
  smod *m;
  const sse__fsym *f;
  uint64_t rel;
} hit;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Collect is_stmt rows of exactly `line` in matching files; *best gets the
 * smallest greater line that has such rows. */
static int collect_line(sse__symtab *st, const char *file, int line, hit **out, size_t *nout, int *best) {
  size_t n = 0, cap = 0;
  hit *v = NULL;
  *best = INT_MAX;
  for (size_t i = 0; i < st->nmods; i++) {
    smod *m = sse__symtab_resolve(st, &st->mods[i]);
    const sse__modentry *e = sse__symtab_files(st, m);
    bool any = false;
    for (size_t j = 0; e != NULL && j < e->nfiles && !any; j++)
      any = file_matches(e->files[j], file);
    if (!any || (e = sse__symtab_lines(st, m)) == NULL || e->rows.n == 0)
      continue;
    sse__symtab_syms(st, m);
    uint32_t last = UINT32_MAX;
    bool last_ok = false;
    for (size_t j = 0; j < e->rows.n; j++) {
      const sse__lrec *r = &e->rows.v[j];
      if (r->line == 0 || !r->is_stmt)
        continue;
      if (r->file != last) {
        last = r->file;
        last_ok = file_matches(sse__rowtab_file(&e->rows, r->file), file);
      }
      if (!last_ok)
        continue;
      if (r->line > line && r->line < *best)
        *best = r->line;
      if (r->line != line)
        continue;
      hit *nv = sse__vec_room(v, n, &cap, sizeof *v, 16);
      if (nv == NULL) {
        free(v);
        return -ENOMEM;
      }
      v = nv;
      const sse__fsym *f = sse__symtab_func_at(e, r->addr);
      v[n++] = (hit){.m = m, .f = f ? owner_of_part(e, f) : NULL, .rel = r->addr};
    }
  }
  *out = v;
  *nout = n;
  return 0;
}

int sse__symtab_line_addrs(sse__symtab *st, const char *file, int line, uint64_t *addrs, size_t max) {
  if (file == NULL || line <= 0)
    return -EINVAL;
  pthread_mutex_lock(&st->mu);
  int rc = sse__symtab_ensure(st);
  hit *v = NULL;
  size_t n = 0;
  int best;
  if (rc == 0)
    rc = collect_line(st, file, line, &v, &n, &best);
  if (rc == 0 && n == 0 && best != INT_MAX) {
    free(v);
    rc = collect_line(st, file, best, &v, &n, &best);
  }
  uint64_t *res = rc == 0 && n ? malloc(n * sizeof *res) : NULL;
  size_t k = 0;
  if (res != NULL) {
    /* Rows are in address order: keep the first (lowest) per function
     * (its out-of-line parts included), then move addresses inside a
     * prologue past it, as gdb does; gdb also moves a part placed below
     * its function (f.cold) to the function's prologue end. */
    for (size_t i = 0; i < n; i++) {
      bool dup = false;
      for (size_t j = 0; j < i && !dup; j++)
        dup = v[i].f != NULL && v[j].m == v[i].m && v[j].f == v[i].f;
      if (dup)
        continue;
      uint64_t rel = v[i].rel;
      if (v[i].f != NULL) {
        uint64_t pp = sse__symtab_post_prologue(st, v[i].m, v[i].f);
        if (rel < pp)
          rel = pp;
      }
      res[k++] = rel + v[i].m->ebias;
    }
    qsort(res, k, sizeof *res, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < k; i++)
      if (w == 0 || res[w - 1] != res[i])
        res[w++] = res[i];
    k = w;
    for (size_t i = 0; i < k && i < max; i++)
      addrs[i] = res[i];
    rc = (int)(k < max ? k : max);
  } else if (rc == 0 && n != 0) {
    rc = -ENOMEM;
  }
  free(res);
  free(v);
  pthread_mutex_unlock(&st->mu);
  return rc;
}

