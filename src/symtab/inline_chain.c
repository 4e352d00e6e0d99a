/* Inline blocks: sse__symtab_inline_chain (gdb's inline frames; see
 * docs/inline-stepping.md), and the DWARF name of the function at a pc
 * (sse__symtab_dwarf_func_name), both over a per-CU cache of the top-level
 * function ranges. */
#define _GNU_SOURCE
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/bsearch.h"
#include "symtab/pcmemo.h"
#include "symtab/vec.h"
#include "symtab/dies.h"
#include "symtab_int.h"

#define INL_MAXDEPTH 64

/* DIEs containing an address, outermost first (below the CU). */
typedef struct inl_path {
  Dwarf_Die die[INL_MAXDEPTH];
  int n;
} inl_path;

static bool inl_scope_tag(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
         tag == DW_TAG_try_block || tag == DW_TAG_catch_block || tag == DW_TAG_entry_point;
}

/* DIEs without addresses that may hold function definitions. */
static bool inl_container_tag(int tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_module || tag == DW_TAG_class_type ||
         tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_interface_type;
}

/* Per CU, the ranges of its top-level functions, sorted: the descent to
 * the scopes at a pc then starts at the one function containing it instead
 * of walking the whole CU (the step loop asks at every stop). */
/* One address range of a scope DIE inside a function, in depth-first
 * order: the descent to the scopes at a pc scans these plain arrays
 * instead of walking DIEs with libdw at every stop. */
typedef struct inl_node {
  Dwarf_Addr lo, hi;
  Dwarf_Off off;
  int depth;
} inl_node;

typedef struct inl_subent {
  Dwarf_Addr lo, hi;
  Dwarf_Off off;
  inl_node *nodes; /* built on first use; NULL until then */
  size_t nnodes;
  bool built;
  bool owner;      /* this entry frees nodes (a function's ranges share it) */
  bool named;      /* name looked up (dwarf_func_name) */
  const char *name;
} inl_subent;

typedef struct inl_cucache {
  Dwarf *dw;
  Dwarf_Off cu_off;
  bool usable; /* false: the CU nests functions in containers (C++) */
  int has_map;  /* inl_scan_interesting(cu): -1 not known yet */
  size_t n;
  inl_subent *v;
  struct inl_cucache *next;
} inl_cucache;

void sse__symtab_inl_forget(sse__symtab *st) {
  st->cxx_last_dw = NULL;
  st->cxx_last_name = NULL;
  while (st->inl_cus) {
    inl_cucache *c = st->inl_cus;
    st->inl_cus = c->next;
    for (size_t i = 0; i < c->n; i++)
      if (c->v[i].owner) free(c->v[i].nodes);
    free(c->v);
    free(c);
  }
}

static bool inl_scope_tag(int tag);
static bool inl_container_tag(int tag);

typedef struct inl_nodes {
  inl_node *v;
  size_t n, cap;
  bool failed;
} inl_nodes;

static void inl_collect(Dwarf_Die *die, int depth, inl_nodes *out) {
  Dwarf_Die c;
  if (depth > 48 || dwarf_child(die, &c) != 0) return;
  do {
    int tag = dwarf_tag(&c);
    if (inl_scope_tag(tag)) {
      Dwarf_Addr base, lo, hi;
      ptrdiff_t o = 0;
      while ((o = dwarf_ranges(&c, o, &base, &lo, &hi)) > 0) {
        if (lo >= hi) continue;
        inl_node *v = sse__vec_room(out->v, out->n, &out->cap, sizeof *v, 32);
        if (v == NULL) {
          out->failed = true;
          return;
        }
        out->v = v;
        out->v[out->n++] = (inl_node){lo, hi, dwarf_dieoffset(&c), depth};
      }
      if (dwarf_haschildren(&c)) inl_collect(&c, depth + 1, out);
    } else if (inl_container_tag(tag) && dwarf_haschildren(&c)) {
      inl_collect(&c, depth + 1, out);
    }
  } while (dwarf_siblingof(&c, &c) == 0);
}

static int inl_subent_cmp(const void *a, const void *b) {
  const inl_subent *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static inl_cucache *inl_cu(sse__symtab *st, Dwarf_Die *cu) {
  Dwarf *dw = dwarf_cu_getdwarf(cu->cu);
  Dwarf_Off off = dwarf_dieoffset(cu);
  for (inl_cucache *c = st->inl_cus; c; c = c->next)
    if (c->dw == dw && c->cu_off == off) return c;
  inl_cucache *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->dw = dw;
  c->cu_off = off;
  c->usable = true;
  c->has_map = -1;
  size_t cap = 0;
  int lang = dwarf_srclang(cu);
  bool is_c = lang == DW_LANG_C89 || lang == DW_LANG_C || lang == DW_LANG_C99 ||
              lang == DW_LANG_C11 || lang == DW_LANG_Mips_Assembler;
  Dwarf_Die ch;
  if (dwarf_child(cu, &ch) == 0) {
    do {
      int tag = dwarf_tag(&ch);
      /* In C a struct holds no functions; elsewhere (C++ classes,
       * namespaces) take the whole-CU descent. */
      if (!is_c && inl_container_tag(tag) && dwarf_haschildren(&ch))
        c->usable = false;
      if (!inl_scope_tag(tag)) continue;
      Dwarf_Addr base, lo, hi;
      ptrdiff_t o = 0;
      while ((o = dwarf_ranges(&ch, o, &base, &lo, &hi)) > 0) {
        if (lo >= hi) continue;
        inl_subent *v = sse__vec_room(c->v, c->n, &cap, sizeof *v, 64);
        if (v == NULL) {
          c->usable = false;
          break;
        }
        c->v = v;
        c->v[c->n++] = (inl_subent){lo, hi, dwarf_dieoffset(&ch), NULL, 0, false, false, false, NULL};
      }
    } while (dwarf_siblingof(&ch, &ch) == 0);
  }
  qsort(c->v, c->n, sizeof *c->v, inl_subent_cmp);
  c->next = st->inl_cus;
  st->inl_cus = c;
  return c;
}

static bool inl_descend(Dwarf_Die *die, Dwarf_Addr addr, inl_path *p, int level);

/* The scopes containing addr below the CU, as inl_descend(cu) finds them,
 * but starting at the function that contains addr. */
/* The CU's top-level function range holding addr, or NULL. */
static inl_subent *inl_sub_at(inl_cucache *c, Dwarf_Addr addr) {
  size_t lo = SSE__BSEARCH_LE(c->v, c->n, lo, addr);
  /* Ranges of different functions do not overlap; look back a little in
   * case a function's range list is not in address order. */
  for (size_t k = lo, tries = 0; k > 0 && tries < 8; k--, tries++) {
    inl_subent *e = &c->v[k - 1];
    if (addr >= e->lo && addr < e->hi) return e;
  }
  return NULL;
}

static void inl_path_at(sse__symtab *st, Dwarf_Die *cu, Dwarf_Addr addr, inl_path *p) {
  inl_cucache *c = inl_cu(st, cu);
  if (c == NULL || !c->usable) {
    inl_descend(cu, addr, p, 0);
    return;
  }
  inl_subent *e = inl_sub_at(c, addr);
  Dwarf_Die sd;
  if (e != NULL && dwarf_offdie(c->dw, e->off, &sd) != NULL) {
    p->die[0] = sd;
    p->n = 1;
    if (!e->built) {
      inl_nodes ns = {0};
      inl_collect(&sd, 1, &ns);
      e->built = true;
      if (ns.failed) {
        free(ns.v);
      } else {
        /* Every range entry of this function shares the node list. */
        for (size_t i = 0; i < c->n; i++)
          if (c->v[i].off == e->off) {
            c->v[i].nodes = ns.v;
            c->v[i].nnodes = ns.n;
            c->v[i].built = true;
          }
        e->owner = true;
      }
    }
    if (e->nodes == NULL && e->nnodes == 0 && e->built) {
      /* No scopes inside, or the list could not be built: the descent
       * below answers the same from the DIEs. */
      inl_descend(&sd, addr, p, 1);
      return;
    }
    /* Depth-first order: the first node at each depth that contains addr,
     * under the one chosen at the depth above, is inl_descend's choice. */
    int want = 1;
    Dwarf_Off last_at_depth[64];
    for (size_t i = 0; i < e->nnodes && p->n < INL_MAXDEPTH; i++) {
      const inl_node *nd = &e->nodes[i];
      if (nd->depth > want || nd->depth < 1 || nd->depth >= 64) continue;
      /* Another range of the scope just chosen (ranges come before the
       * scope's children). */
      if (want > 1 && nd->depth == want - 1 && last_at_depth[want - 1] == nd->off)
        continue;
      if (nd->depth < want) break; /* left the chosen scope's subtree */
      if (addr < nd->lo || addr >= nd->hi) continue;
      Dwarf_Die d;
      if (dwarf_offdie(c->dw, nd->off, &d) == NULL) break;
      p->die[p->n++] = d;
      last_at_depth[want] = nd->off;
      want++;
    }
    return;
  }
}

/* Descend from die's children to the scopes containing addr. Returns true
 * when something was appended. */
static bool inl_descend(Dwarf_Die *die, Dwarf_Addr addr, inl_path *p, int level) {
  Dwarf_Die child;
  if (level > 16 || dwarf_child(die, &child) != 0)
    return false;
  bool any = false;
  for (;;) {
    int tag = dwarf_tag(&child);
    if (inl_scope_tag(tag)) {
      if (dwarf_haspc(&child, addr) == 1) {
        if (p->n >= INL_MAXDEPTH)
          return any;
        p->die[p->n++] = child;
        any = true;
        /* Continue inside this scope. */
        Dwarf_Die inner;
        if (dwarf_child(&child, &inner) != 0)
          return any;
        child = inner;
        continue;
      }
    } else if (inl_container_tag(tag) && dwarf_haschildren(&child)) {
      Dwarf_Die c = child;
      if (inl_descend(&c, addr, p, level + 1))
        return true;
    }
    if (dwarf_siblingof(&child, &child) != 0)
      return any;
  }
}

typedef struct inl_ranges {
  int n;
  Dwarf_Addr first, min, max; /* first listed non-empty range's start, hull */
  Dwarf_Addr lo, hi;          /* range containing the address asked for */
} inl_ranges;

/* gdb's dwarf2 reader: empty ranges are dropped, and so are ranges at
 * address 0 (no section is at 0 in a shared object or PIE). */
static void inl_get_ranges(Dwarf_Die *die, Dwarf_Addr addr, inl_ranges *r) {
  memset(r, 0, sizeof *r);
  r->min = UINT64_MAX;
  Dwarf_Addr base, s, e;
  ptrdiff_t off = 0;
  while ((off = dwarf_ranges(die, off, &base, &s, &e)) > 0) {
    if (s >= e || s == 0)
      continue;
    if (r->n++ == 0)
      r->first = s;
    if (s < r->min)
      r->min = s;
    if (e > r->max)
      r->max = e;
    if (addr >= s && addr < e && r->hi == 0) {
      r->lo = s;
      r->hi = e;
    }
  }
  if (r->n == 0)
    r->min = 0;
}

/* gdb 13's BLOCK_ENTRY_PC as gdb reports it (Python Block.start, the code
 * address of inline frame IDs): the lowest address of the block. Checked
 * against gdb 13.1 on 16k pcs of glibc 2.36, 800 of them in blocks whose
 * first listed range is not the lowest (cold partitions): the lowest
 * address always matched, the first range start and DW_AT_entry_pc did not
 * always. */
static Dwarf_Addr inl_entry(const inl_ranges *r) { return r->min; }

static bool inl_has_var_child(Dwarf_Die *die) {
  Dwarf_Die c;
  if (dwarf_child(die, &c) != 0)
    return false;
  do {
    int t = dwarf_tag(&c);
    if (t == DW_TAG_variable || t == DW_TAG_typedef || t == DW_TAG_imported_module ||
        t == DW_TAG_imported_declaration)
      return true;
  } while (dwarf_siblingof(&c, &c) == 0);
  return false;
}

/* Whether gdb records a block for die whose ranges make the CU's address
 * map "interesting" (two or more ranges): subprograms and inline blocks
 * always get a block, lexical blocks only when they declare something. */
static bool inl_interesting(Dwarf_Die *die) {
  int tag = dwarf_tag(die);
  if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block)
    return false;
  Dwarf_Attribute a;
  if (dwarf_attr(die, DW_AT_ranges, &a) == NULL)
    return false;
  inl_ranges r;
  inl_get_ranges(die, 0, &r);
  if (r.n < 2)
    return false;
  return tag != DW_TAG_lexical_block || inl_has_var_child(die);
}

static bool inl_scan_interesting(Dwarf_Die *die, int level) {
  Dwarf_Die c;
  if (level > 64 || dwarf_child(die, &c) != 0)
    return false;
  do {
    if (inl_interesting(&c))
      return true;
    if (dwarf_haschildren(&c) && inl_scan_interesting(&c, level + 1))
      return true;
  } while (dwarf_siblingof(&c, &c) == 0);
  return false;
}

/* gdb 13 only builds an address map for a CU (BLOCKVECTOR_MAP) when one of
 * its blocks has ranges other than its [start, end) hull; without the map
 * block_starting_point_at answers 0. */
static bool inl_cu_has_map(sse__symtab *st, Dwarf_Die *cu, const inl_path *p) {
  for (int i = 0; i < p->n; i++) {
    Dwarf_Die d = p->die[i];
    if (inl_interesting(&d))
      return true;
  }
  /* The whole-CU scan is done once per CU. */
  inl_cucache *c = inl_cu(st, cu);
  if (c == NULL)
    return inl_scan_interesting(cu, 0);
  if (c->has_map < 0)
    c->has_map = inl_scan_interesting(cu, 0);
  return c->has_map;
}

/* gdb's print_name for C: the linkage name when there is one (glibc's
 * "__GI___pthread_kill", the asm name of hidden_proto), else DW_AT_name.
 * C++: DW_AT_name qualified with its scopes ("shapes::Circle::area").
 * Other languages: DW_AT_name. */
static const char *inl_name(sse__symtab *st, Dwarf_Die *cu, Dwarf_Die *die) {
  Dwarf_Attribute a;
  const char *n = NULL;
  int lang = dwarf_srclang(cu);
  if (sse__cxx_lang(lang))
    return sse__symtab_cxx_qualname(st, die);
  if (lang == DW_LANG_C || lang == DW_LANG_C89 || lang == DW_LANG_C99 || lang == DW_LANG_C11) {
    n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
    if (n == NULL)
      n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
  }
  if (n == NULL)
    n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
  return n ? sse__modcache_intern(st->cache, n) : NULL;
}

/* The line table's file naming (modcache.c abs_file): libdw's name joined
 * with an absolute comp_dir when it is relative. */
static const char *inl_file(sse__symtab *st, Dwarf_Die *cu, Dwarf_Die *die) {
  Dwarf_Attribute a;
  Dwarf_Word idx;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &a), &idx) != 0)
    return NULL;
  Dwarf_Files *files;
  size_t nfiles;
  if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
    return NULL;
  const char *name = dwarf_filesrc(files, idx, NULL, NULL);
  if (name == NULL)
    return NULL;
  const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
  if (name[0] == '/' || comp_dir == NULL || comp_dir[0] != '/')
    return sse__modcache_intern(st->cache, name);
  char *buf = NULL;
  size_t k = strlen(comp_dir);
  if (asprintf(&buf, "%s%s%s", comp_dir, k && comp_dir[k - 1] == '/' ? "" : "/", name) < 0)
    return NULL;
  const char *r = sse__modcache_intern(st->cache, buf);
  free(buf);
  return r;
}

static int inl_udata(Dwarf_Die *die, unsigned name) {
  Dwarf_Attribute a;
  Dwarf_Word w;
  if (dwarf_formudata(dwarf_attr(die, name, &a), &w) != 0 || w > INT_MAX)
    return 0;
  return (int)w;
}

/* C++ (the CU nests functions in namespaces: no per-CU function list):
 * the outermost subprogram holding pc, by a descent from the CU, its name
 * kept for the range found, so the steps of one function ask once. */
/* The outermost subprogram DIE holding addr, by the descent; false if none. */
static bool cxx_sub_at(Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Die *out) {
  inl_path *p = calloc(1, sizeof *p);
  if (p == NULL)
    return false;
  inl_descend(cu, addr, p, 0);
  bool found = false;
  for (int i = 0; i < p->n && !found; i++)
    if (dwarf_tag(&p->die[i]) == DW_TAG_subprogram) {
      *out = p->die[i];
      found = true;
    }
  free(p);
  return found;
}

static const char *cxx_func_name(sse__symtab *st, Dwarf_Die *cu, Dwarf_Addr addr) {
  Dwarf *dw = dwarf_cu_getdwarf(cu->cu);
  if (st->cxx_last_dw == dw && addr >= st->cxx_last_lo && addr < st->cxx_last_hi)
    return st->cxx_last_name;
  Dwarf_Die sd;
  if (!cxx_sub_at(cu, addr, &sd))
    return NULL;
  const char *name = sse__symtab_cxx_qualname(st, &sd);
  inl_ranges r;
  inl_get_ranges(&sd, addr, &r);
  if (r.hi != 0) {
    st->cxx_last_dw = dw;
    st->cxx_last_lo = r.lo;
    st->cxx_last_hi = r.hi;
    st->cxx_last_name = name;
  }
  return name;
}

/* The name of the DWARF function (DW_TAG_subprogram, not inlined) whose
 * code holds pc, for C and C++ compilation units (elf_name: the ELF
 * symbol there, for C++ code the descent does not find); NULL when there
 * is none (no debug info, assembly, other languages: the caller keeps the
 * ELF name). st->mu held. */
const char *sse__symtab_dwarf_func_name(sse__symtab *st, smod *m, uint64_t pc, const char *elf_name) {
  if (m->mod == NULL)
    return NULL;
  Dwarf_Addr bias = 0;
  Dwarf_Die *cup = sse__symtab_cu_at(m->mod, pc, &bias);
  if (cup == NULL)
    return NULL;
  int lang = dwarf_srclang(cup);
  if (sse__cxx_lang(lang)) {
    Dwarf_Die cu = *cup;
    const char *n = cxx_func_name(st, &cu, pc - bias);
    /* A member of a local class ("f()::_Guard::~_Guard") is defined
     * inside a subprogram without that pc, where the descent does not
     * look: gdb's name is the demangled linkage name, the ELF symbol's. */
    return n ? n : sse__symtab_cxx_frame_name(st, elf_name);
  }
  if (lang != DW_LANG_C && lang != DW_LANG_C89 && lang != DW_LANG_C99 && lang != DW_LANG_C11)
    return NULL;
  Dwarf_Die cu = *cup;
  inl_cucache *c = inl_cu(st, &cu);
  if (c == NULL || !c->usable)
    return NULL;
  inl_subent *e = inl_sub_at(c, pc - bias);
  if (e == NULL)
    return NULL;
  if (!e->named) {
    Dwarf_Die sd;
    if (dwarf_offdie(c->dw, e->off, &sd) != NULL && dwarf_tag(&sd) == DW_TAG_subprogram)
      e->name = inl_name(st, &cu, &sd);
    e->named = true;
  }
  return e->name;
}

/* Whether the DWARF function whose code holds pc returns a value: 1 (it
 * has a DW_AT_type), 0 (void), -1 (no DWARF function there). st->mu held. */
static int func_returns(sse__symtab *st, smod *m, uint64_t pc) {
  Dwarf_Addr bias = 0;
  Dwarf_Die *cup = m->mod ? sse__symtab_cu_at(m->mod, pc, &bias) : NULL;
  if (cup == NULL)
    return -1;
  Dwarf_Die cu = *cup;
  Dwarf_Die sd;
  if (sse__cxx_lang(dwarf_srclang(&cu))) /* C++: no per-CU function list */
    return cxx_sub_at(&cu, pc - bias, &sd) ? dwarf_hasattr_integrate(&sd, DW_AT_type) != 0 : -1;
  inl_cucache *c = inl_cu(st, &cu);
  inl_subent *e = c && c->usable ? inl_sub_at(c, pc - bias) : NULL;
  if (e == NULL || dwarf_offdie(c->dw, e->off, &sd) == NULL || dwarf_tag(&sd) != DW_TAG_subprogram)
    return -1;
  return dwarf_hasattr_integrate(&sd, DW_AT_type) ? 1 : 0;
}

int sse__symtab_func_returns(sse__symtab *st, uint64_t pc) {
  pthread_mutex_lock(&st->mu);
  smod *m = sse__symtab_ensure(st) == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  int r = m != NULL ? func_returns(st, m, pc) : -1;
  pthread_mutex_unlock(&st->mu);
  return r;
}

/* What sse__symtab_inline_chain works on: the CU holding pc, the scopes at
 * pc, and (built when first needed) the scopes at pc - 1. */
typedef struct chain_ctx {
  sse__symtab *st;
  Dwarf_Die cu;
  uint64_t pc;
  Dwarf_Addr bias, addr; /* addr = pc - bias, an address of the CU */
  inl_path *p, *prev;
  int map; /* inl_cu_has_map, -1 until asked */
  const char *subname;
  uint64_t sub_entry;
} chain_ctx;

/* gdb's skip_inline_frames test for block d with entry `entry` at pc: it
 * starts there (entry == pc), or block_starting_point_at(pc) says so (the
 * CU has an address map and pc - 1 is not in this block nor in a block
 * nested in it). */
static bool block_starts(chain_ctx *c, Dwarf_Die *d, Dwarf_Addr entry) {
  if (entry == c->addr)
    return true;
  if (c->map < 0)
    c->map = inl_cu_has_map(c->st, &c->cu, c->p);
  if (!c->map)
    return false;
  if (c->prev == NULL) {
    c->prev = calloc(1, sizeof *c->prev);
    if (c->prev != NULL)
      inl_path_at(c->st, &c->cu, c->addr - 1, c->prev);
  }
  if (c->prev == NULL)
    return false;
  Dwarf_Off off = dwarf_dieoffset(d);
  for (int j = 0; j < c->prev->n; j++)
    if (dwarf_dieoffset(&c->prev->die[j]) == off)
      return false;
  return true;
}

static void fill_block(chain_ctx *c, sse__inline *o, Dwarf_Die *d, const inl_ranges *r) {
  Dwarf_Addr entry = inl_entry(r);
  memset(o, 0, sizeof *o);
  o->function = inl_name(c->st, &c->cu, d);
  o->subprogram = c->subname;
  o->sub_entry = c->sub_entry;
  o->entry = entry + c->bias;
  o->block_lo = r->min + c->bias;
  o->block_hi = r->max + c->bias;
  o->lo = r->hi ? r->lo + c->bias : c->pc;
  o->hi = r->hi ? r->hi + c->bias : c->pc + 1;
  o->call_file = inl_file(c->st, &c->cu, d);
  o->call_line = inl_udata(d, DW_AT_call_line);
  o->call_column = inl_udata(d, DW_AT_call_column);
  o->starts_at_pc = block_starts(c, d, entry);
  o->nranges = r->n;
}

/* The inline blocks of c->p from the innermost up to the subprogram. */
static int chain_blocks(chain_ctx *c, sse__inline *out, int max) {
  inl_path *p = c->p;
  int sub = -1;
  for (int i = p->n - 1; i >= 0 && sub < 0; i--)
    if (dwarf_tag(&p->die[i]) == DW_TAG_subprogram)
      sub = i;
  int first = sub + 1; /* outermost candidate (0 when no subprogram) */
  int count = 0;
  for (int i = p->n - 1; i >= first; i--)
    if (dwarf_tag(&p->die[i]) == DW_TAG_inlined_subroutine)
      count++;
  if (count == 0)
    return 0;
  if (sub >= 0) {
    c->subname = inl_name(c->st, &c->cu, &p->die[sub]);
    inl_ranges r;
    inl_get_ranges(&p->die[sub], c->addr, &r);
    c->sub_entry = r.n ? inl_entry(&r) + c->bias : 0;
  }
  int k = 0;
  for (int i = p->n - 1; i >= first; i--) {
    Dwarf_Die *d = &p->die[i];
    if (dwarf_tag(d) != DW_TAG_inlined_subroutine)
      continue;
    inl_ranges r;
    inl_get_ranges(d, c->addr, &r);
    if (k < max)
      fill_block(c, &out[k], d, &r);
    k++;
  }
  /* caller: the next outer block's function, the subprogram last. */
  int w = k < max ? k : max;
  for (int i = 0; i < w; i++)
    out[i].caller = i + 1 < w ? out[i + 1].function : (k <= max ? c->subname : NULL);
  return k;
}

static int chain_locked(sse__symtab *st, uint64_t pc, sse__inline *out, int max) {
  int rc = sse__symtab_ensure(st);
  smod *m = rc == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  if (m == NULL)
    return rc < 0 ? rc : -ENOENT;
  chain_ctx c = {.st = st, .pc = pc, .map = -1};
  Dwarf_Die *cup = sse__symtab_cu_at(m->mod, pc, &c.bias);
  if (cup == NULL)
    return 0;
  c.cu = *cup;
  c.addr = pc - c.bias;
  c.p = calloc(1, sizeof *c.p);
  if (c.p == NULL)
    return -ENOMEM;
  inl_path_at(st, &c.cu, c.addr, c.p);
  int k = chain_blocks(&c, out, max);
  free(c.prev);
  free(c.p);
  return k;
}

int sse__symtab_inline_chain(sse__symtab *st, uint64_t pc, sse__inline *out, int max) {
  pthread_mutex_lock(&st->mu);
  int rc = sse__pcmemo_inline_chain(st, pc, out, max, chain_locked);
  pthread_mutex_unlock(&st->mu);
  return rc;
}
