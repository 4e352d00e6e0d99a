/* gdb's chain of tail calls between two real frames (gdb/dwarf2/loc.c
 * call_site_find_chain_1, chain_candidate): from the caller's call site,
 * through the tail-call sites (DW_AT_call_tail_call) of each function it
 * reaches, to the callee's entry; every chain that gets there is found,
 * and what they share is kept. Runs with the symtab's mutex held
 * (sse__symtab_with_dwarf), on libdw only. */
#include "symtab/tailcall.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/dies.h"
#include "symtab_int.h"

#ifndef DW_AT_call_return_pc
#define DW_AT_call_return_pc 0x7d
#endif

#define SITES_MAX 32  /* tail-call sites looked at in one function */
#define CHAINS_MAX 16 /* complete chains compared */
#define VISITS_MAX 256

typedef struct site {
  uint64_t ret;    /* return pc (absolute): the tailcall frame's pc */
  uint64_t target; /* the function it calls, 0 unknown */
} site;

typedef struct search {
  const sse__dwarf_at *at;
  uint64_t callee;
  uint64_t path[SSE__TAILCALL_MAX];
  int depth, visits;
  /* The chains found so far, intersected: callers = common prefix,
   * callees = common suffix of every chain (gdb's call_site_chain). */
  uint64_t first[SSE__TAILCALL_MAX];
  int len, callers, callees, nchains;
} search;

static bool attr_addr(Dwarf_Die *d, int name, Dwarf_Addr *out) {
  Dwarf_Attribute a;
  return dwarf_attr(d, name, &a) && dwarf_formaddr(&a, out) == 0;
}

static bool attr_flag(Dwarf_Die *d, int name) {
  Dwarf_Attribute a;
  bool v = false;
  return dwarf_attr(d, name, &a) && dwarf_formflag(&a, &v) == 0 && v;
}

typedef struct want {
  const char *name;
  const sse__fsym *f;
} want;

static bool defines(sse__symtab *st, smod *m, void *arg) {
  want *w = arg;
  const sse__modentry *e = sse__symtab_syms(st, sse__symtab_resolve(st, m));
  w->f = e ? sse__symtab_find_name(e, w->name) : NULL;
  return w->f != NULL;
}

/* A function by its symbol name, in any module (gdb's minimal symbol of a
 * declaration's physname: a call through the PLT reaches the library's
 * definition), 0 when none. */
static uint64_t sym_addr(const sse__dwarf_at *at, const char *name) {
  want w = {name, NULL};
  smod *m = name ? sse__symtab_first_mod(at->st, defines, &w) : NULL;
  return m ? w.f->addr + m->ebias : 0;
}

/* The address call site cs calls: its DW_AT_call_origin's entry, or for
 * a declaration the symbol of its name. An indirect call (DW_AT_call_target)
 * has none: gdb cannot evaluate it without the frame's registers. */
static uint64_t site_target(const sse__dwarf_at *at, Dwarf_Die *cs) {
  Dwarf_Attribute a;
  Dwarf_Die o;
  if ((!dwarf_attr(cs, DW_AT_call_origin, &a) && !dwarf_attr(cs, DW_AT_abstract_origin, &a)) ||
      !dwarf_formref_die(&a, &o))
    return 0;
  Dwarf_Addr lo;
  if (dwarf_entrypc(&o, &lo) == 0) return lo + at->bias;
  Dwarf_Attribute ln;
  const char *name = dwarf_formstring(dwarf_attr_integrate(&o, DW_AT_linkage_name, &ln));
  if (!name) name = dwarf_diename(&o);
  return sym_addr(at, name);
}

/* The tail-call sites under die (not in nested functions), appended. */
static void collect(const sse__dwarf_at *at, Dwarf_Die *die, site *out, int *n) {
  Dwarf_Die ch;
  if (dwarf_child(die, &ch) != 0) return;
  do {
    int tag = dwarf_tag(&ch);
    if (tag == DW_TAG_subprogram) continue;
    if (tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) {
      Dwarf_Addr ret;
      bool tail = attr_flag(&ch, DW_AT_call_tail_call) || attr_flag(&ch, DW_AT_GNU_tail_call);
      if (tail && *n < SITES_MAX &&
          (attr_addr(&ch, DW_AT_call_return_pc, &ret) || attr_addr(&ch, DW_AT_low_pc, &ret)))
        out[(*n)++] = (site){.ret = ret + at->bias, .target = site_target(at, &ch)};
      continue;
    }
    collect(at, &ch, out, n);
  } while (dwarf_siblingof(&ch, &ch) == 0);
}

/* The subprogram of the CU holding pc (entry: its entry pc must be pc),
 * searched through namespaces and classes (C++ member functions). */
static bool subprogram_at(Dwarf_Die *parent, uint64_t pc, bool entry, Dwarf_Die *out) {
  Dwarf_Die ch;
  if (dwarf_child(parent, &ch) != 0) return false;
  do {
    int tag = dwarf_tag(&ch);
    Dwarf_Addr lo;
    if (tag == DW_TAG_subprogram) {
      bool hit = entry ? dwarf_entrypc(&ch, &lo) == 0 && lo == pc : dwarf_haspc(&ch, pc) > 0;
      if (hit) {
        *out = ch;
        return true;
      }
    } else if ((tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type) &&
               subprogram_at(&ch, pc, entry, out)) {
      return true;
    }
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

/* The tail-call sites of the function that starts at fn (in any module). */
static int tail_sites(const sse__dwarf_at *at, uint64_t fn, site *out) {
  Dwarf_Addr bias;
  Dwfl_Module *mod = dwfl_addrmodule(at->dwfl, fn);
  Dwarf_Die *cu = sse__symtab_cu_at(mod, fn, &bias), sub;
  int n = 0;
  sse__dwarf_at here = *at;
  here.mod = mod;
  here.bias = bias;
  if (cu && subprogram_at(cu, fn - bias, true, &sub)) collect(&here, &sub, out, &n);
  return n;
}

/* A chain reached the callee: gdb's chain_candidate. */
static void candidate(search *s) {
  if (s->nchains++ == 0) {
    memcpy(s->first, s->path, sizeof s->path);
    s->len = s->callers = s->callees = s->depth;
    return;
  }
  int c = 0;
  while (c < s->callers && c < s->depth && s->first[c] == s->path[c]) c++;
  s->callers = c;
  int e = 0;
  while (e < s->callees && e < s->depth && s->first[s->len - 1 - e] == s->path[s->depth - 1 - e]) e++;
  s->callees = e;
}

static bool on_path(const search *s, uint64_t ret) {
  for (int i = 0; i < s->depth; i++)
    if (s->path[i] == ret) return true;
  return false;
}

/* From a function entered at fn (by the call or a tail call), on. */
static void walk(search *s, uint64_t fn) {
  if (fn == 0 || s->nchains >= CHAINS_MAX || s->visits++ >= VISITS_MAX) return;
  if (fn == s->callee) {
    candidate(s);
    return;
  }
  if (s->depth >= SSE__TAILCALL_MAX) return;
  site v[SITES_MAX];
  int n = tail_sites(s->at, fn, v);
  for (int i = 0; i < n; i++) {
    if (on_path(s, v[i].ret)) continue; /* gdb enters a site once */
    s->path[s->depth++] = v[i].ret;
    walk(s, v[i].target);
    s->depth--;
  }
}

/* The call site under die (not in nested functions) whose return pc is
 * ret: the address it calls, 0 when there is none or it is unknown. */
static uint64_t call_target(const sse__dwarf_at *at, Dwarf_Die *die, uint64_t ret, bool *found) {
  Dwarf_Die ch;
  if (dwarf_child(die, &ch) != 0) return 0;
  do {
    int tag = dwarf_tag(&ch);
    Dwarf_Addr r;
    if (tag == DW_TAG_subprogram) continue;
    if (tag != DW_TAG_call_site && tag != DW_TAG_GNU_call_site) {
      uint64_t t = call_target(at, &ch, ret, found);
      if (*found) return t;
      continue;
    }
    if (!attr_addr(&ch, DW_AT_call_return_pc, &r) && !attr_addr(&ch, DW_AT_low_pc, &r)) continue;
    if (r + at->bias != ret) continue;
    *found = true;
    return site_target(at, &ch);
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return 0;
}

typedef struct req {
  uint64_t ret, callee;
  uint64_t *pcs;
  int max, n;
} req;

static int find_cb(void *arg, const sse__dwarf_at *at) {
  req *r = arg;
  Dwarf_Die sub;
  bool found = false;
  if (!at->mod || !at->cu || !subprogram_at(at->cu, r->ret - 1 - at->bias, false, &sub)) return 0;
  uint64_t t = call_target(at, &sub, r->ret, &found);
  search *s = t ? calloc(1, sizeof *s) : NULL;
  if (!s) return 0;
  s->at = at;
  s->callee = r->callee;
  walk(s, t);
  /* gdb's pretended_chain_levels: the whole chain when one chain is
   * known, else its common callers and callees. */
  int keep[SSE__TAILCALL_MAX], nk = 0;
  for (int i = 0; i < s->len && s->nchains > 0; i++)
    if (s->nchains == 1 || i < s->callers || i >= s->len - s->callees) keep[nk++] = i;
  for (int i = 0; i < nk && r->n < r->max; i++) r->pcs[r->n++] = s->first[keep[i]];
  free(s);
  return 0;
}

int sse__symtab_tailcalls(sse__symtab *st, uint64_t ret_pc, uint64_t callee, uint64_t *pcs, int max) {
  if (!st || !ret_pc || !callee || max <= 0) return 0;
  req r = {.ret = ret_pc, .callee = callee, .pcs = pcs, .max = max};
  if (sse__symtab_with_dwarf(st, ret_pc, find_cb, &r) < 0) return 0;
  return r.n;
}
