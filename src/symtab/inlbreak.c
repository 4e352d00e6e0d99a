/* Inlined copies of a function as locations of `break NAME`, as gdb 13
 * gives them at -O2 (linespec.c collects a function's inlined instances,
 * block_inlined_p, beside its out-of-line copy): each DW_TAG_inlined_
 * subroutine whose abstract origin is the function, at its block's entry
 * pc (gdb 13's entry_pc: the start of a contiguous block, else of the
 * first range listed; optimized CUs' locations are valid, so no prologue
 * is skipped there).
 *
 * A module's inlined instances are indexed once (one walk over its DIEs;
 * libc's, from libc6-dbg, takes some 75 ms) and kept with its modcache
 * entry: the origin's linkage name (C++: matched as ELF symbols are) and
 * DW_AT_name (C: matched exactly), at DWARF addresses (the entry is
 * shared by processes that load the module at other places). st->mu held
 * by the callers. */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/vec.h"
#include "symtab_int.h"

typedef struct inl_site {
  const char *key;  /* the origin's linkage name (interned), or NULL */
  const char *name; /* its DW_AT_name (interned), or NULL */
  uint64_t addr;    /* DWARF address of the entry */
} inl_site;

struct sse__inlidx {
  inl_site *v;
  size_t n, cap;
  sse__modcache *cache;
  bool failed;
};

void sse__inlidx_free(struct sse__inlidx *x) {
  if (x == NULL)
    return;
  free(x->v);
  free(x);
}

/* An empty block (high_pc == low_pc: an inlined call optimized to
 * nothing) is no location: gdb makes no block of it. */
static bool entry_pc(Dwarf_Die *d, uint64_t *pc) {
  Dwarf_Addr lo, hi, base, start, end;
  if (dwarf_lowpc(d, &lo) == 0) {
    *pc = lo;
    return dwarf_highpc(d, &hi) == 0 && hi > lo;
  }
  ptrdiff_t off = 0;
  while ((off = dwarf_ranges(d, off, &base, &start, &end)) > 0)
    if (end > start) {
      *pc = start;
      return true;
    }
  return false;
}

static void add_site(struct sse__inlidx *x, Dwarf_Die *d) {
  Dwarf_Attribute a;
  Dwarf_Die origin;
  uint64_t pc;
  if (!entry_pc(d, &pc) || dwarf_formref_die(dwarf_attr(d, DW_AT_abstract_origin, &a), &origin) == NULL)
    return;
  const char *ln = dwarf_formstring(dwarf_attr_integrate(&origin, DW_AT_linkage_name, &a));
  if (ln == NULL)
    ln = dwarf_formstring(dwarf_attr_integrate(&origin, DW_AT_MIPS_linkage_name, &a));
  const char *name = dwarf_formstring(dwarf_attr_integrate(&origin, DW_AT_name, &a));
  if (ln == NULL && name == NULL)
    return;
  inl_site *nv = sse__vec_room(x->v, x->n, &x->cap, sizeof *x->v, 64);
  if (nv == NULL) {
    x->failed = true;
    return;
  }
  x->v = nv;
  x->v[x->n++] = (inl_site){sse__modcache_intern(x->cache, ln), sse__modcache_intern(x->cache, name), pc};
}

static bool scope_tag(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
         tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
         tag == DW_TAG_union_type || tag == DW_TAG_try_block || tag == DW_TAG_catch_block ||
         tag == DW_TAG_module;
}

static void walk(struct sse__inlidx *x, Dwarf_Die *parent, int depth) {
  Dwarf_Die c;
  if (depth > 64 || dwarf_child(parent, &c) != 0)
    return;
  do {
    int tag = dwarf_tag(&c);
    if (tag == DW_TAG_inlined_subroutine)
      add_site(x, &c);
    if (scope_tag(tag))
      walk(x, &c, depth + 1);
  } while (dwarf_siblingof(&c, &c) == 0);
}

static struct sse__inlidx *build(sse__modcache *cache, Dwfl_Module *mod) {
  struct sse__inlidx *x = calloc(1, sizeof *x);
  if (x == NULL)
    return NULL;
  x->cache = cache;
  Dwarf_Addr bias;
  Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
  Dwarf_Off off = 0, next;
  size_t hsize;
  while (dw != NULL && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
    Dwarf_Die cu;
    if (dwarf_offdie(dw, off + hsize, &cu) != NULL)
      walk(x, &cu, 0);
    off = next;
  }
  return x;
}

/* m's index, built on first use (another thread may build one at the same
 * time: the first stored stays). */
static const struct sse__inlidx *index_of(sse__symtab *st, smod *m) {
  _Atomic(struct sse__inlidx *) *slot = &m->entry->inl;
  struct sse__inlidx *x = atomic_load_explicit(slot, memory_order_acquire);
  if (x != NULL)
    return x;
  struct sse__inlidx *mine = build(st->cache, m->mod), *none = NULL;
  if (mine == NULL)
    return NULL;
  if (!atomic_compare_exchange_strong_explicit(slot, &none, mine, memory_order_acq_rel, memory_order_acquire)) {
    sse__inlidx_free(mine);
    return none;
  }
  return mine;
}

ssize_t sse__symtab_inline_addrs(sse__symtab *st, const sse__cxx_name *pat, const char *plain, uint64_t **out,
                                 size_t *n, size_t *cap) {
  for (size_t i = 0; i < st->nmods; i++) {
    smod *m = sse__symtab_resolve(st, &st->mods[i]);
    const struct sse__inlidx *x = m && m->entry && m->mod ? index_of(st, m) : NULL;
    Dwarf_Addr bias = 0;
    if (x == NULL || x->n == 0 || dwfl_module_getdwarf(m->mod, &bias) == NULL)
      continue;
    for (size_t j = 0; j < x->n; j++) {
      const inl_site *s = &x->v[j];
      if (!(s->key ? pat && sse__cxx_matches(pat, s->key) : plain && s->name && strcmp(s->name, plain) == 0))
        continue;
      uint64_t *nv = sse__vec_room(*out, *n, cap, sizeof **out, 8);
      if (nv == NULL)
        return -ENOMEM;
      *out = nv;
      (*out)[(*n)++] = s->addr + bias;
    }
  }
  return (ssize_t)*n;
}
