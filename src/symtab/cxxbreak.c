/* gdb's `break NAME` for C++ functions: every function symbol whose
 * demangled name matches NAME by gdb's linespec rules (cxxnames.c), in
 * every module, one location per distinct address (a constructor's C1 and
 * C2 are often one function under two names; its D0 is another). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/vec.h"
#include "symtab_int.h"

typedef struct cxx_loc {
  uint64_t entry, post; /* absolute */
} cxx_loc;

static int cmp_loc(const void *a, const void *b) {
  const cxx_loc *x = a, *y = b;
  if (x->post != y->post)
    return x->post < y->post ? -1 : 1;
  return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* The C++ functions matching name, sorted by breakpoint address and
 * distinct; st->mu held. Returns the count (*out malloc'd), 0 (*out NULL)
 * or -ENOMEM. */
static ssize_t cxx_collect(sse__symtab *st, const char *name, cxx_loc **out) {
  *out = NULL;
  sse__cxx_name *pat = sse__cxx_pattern(name);
  if (pat == NULL)
    return 0;
  cxx_loc *v = NULL;
  size_t n = 0, cap = 0;
  ssize_t rc = 0;
  for (size_t i = 0; i < st->nmods && rc == 0; i++) {
    smod *m = sse__symtab_resolve(st, &st->mods[i]);
    const sse__modentry *e = sse__symtab_syms(st, m);
    if (e == NULL)
      continue;
    for (size_t j = 0; j < e->nnames; j++) {
      const sse__fsym *f = &e->names[j];
      if (f->addr == 0 || !sse__cxx_matches(pat, f->key))
        continue;
      /* The by-address entry: prologue analysis bounds a sizeless one by
       * identity. */
      const sse__fsym *g = sse__symtab_func_at(e, f->addr);
      if (g == NULL || g->addr != f->addr)
        g = f;
      cxx_loc *nv = sse__vec_room(v, n, &cap, sizeof *v, 8);
      if (nv == NULL) {
        rc = -ENOMEM;
        break;
      }
      v = nv;
      v[n++] = (cxx_loc){f->addr + m->ebias, sse__symtab_post_prologue(st, m, g) + m->ebias};
    }
  }
  sse__cxx_pattern_free(pat);
  if (rc < 0 || n == 0) {
    free(v);
    return rc;
  }
  qsort(v, n, sizeof *v, cmp_loc);
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (w == 0 || v[w - 1].post != v[i].post)
      v[w++] = v[i];
  *out = v;
  return (ssize_t)w;
}

ssize_t sse__symtab_func_addrs(sse__symtab *st, const char *name, uint64_t **out) {
  *out = NULL;
  if (name == NULL)
    return -EINVAL;
  pthread_mutex_lock(&st->mu);
  cxx_loc *v = NULL;
  ssize_t n = sse__symtab_ensure(st);
  if (n == 0)
    n = cxx_collect(st, name, &v);
  pthread_mutex_unlock(&st->mu);
  if (n <= 0)
    return n < 0 ? n : 0;
  /* A plain (C) function of that name as well: gdb lists it beside the
   * C++ ones. */
  uint64_t post;
  bool plain = sse__symtab_func_addr_plain(st, name, NULL, &post) == 0;
  uint64_t *a = malloc(((size_t)n + 1) * sizeof *a);
  if (a == NULL) {
    free(v);
    return -ENOMEM;
  }
  size_t k = 0;
  for (ssize_t i = 0; i < n; i++) {
    if (plain && post < v[i].post) {
      a[k++] = post;
      plain = false;
    }
    if (plain && post == v[i].post)
      plain = false;
    a[k++] = v[i].post;
  }
  if (plain)
    a[k++] = post;
  free(v);
  *out = a;
  return (ssize_t)k;
}

int sse__symtab_cxx_func_addr(sse__symtab *st, const char *name, uint64_t *entry, uint64_t *post) {
  cxx_loc *v = NULL;
  ssize_t n = name ? cxx_collect(st, name, &v) : 0;
  if (n > 0) {
    if (entry != NULL)
      *entry = v[0].entry;
    if (post != NULL)
      *post = v[0].post;
  }
  free(v);
  return n > 0 ? 0 : -1;
}
