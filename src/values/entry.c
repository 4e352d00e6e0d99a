/* Values at a function's entry (DW_OP_entry_value, gdb's NAME@entry):
 * what a register held when the function was called, from the caller's
 * call site: the DW_TAG_call_site (GNU_call_site) whose return address is
 * the frame's, its call_site_parameter for that register, and that
 * parameter's DW_AT_call_value evaluated in the caller's frame (found by
 * CFI). Code without call-site information (gcc -O0, clang) has none:
 * the value is then unavailable (gdb's <optimized out>). */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/dies.h"
#include "values/values.h"

/* Entry values inside call values, caller after caller (a recursive
 * function: depth(n - 1) called with DW_OP_entry_value(rdi) - 1): gdb
 * follows them to main; so do we, this many callers out. */
#define ENTRY_MAX_DEPTH 128

#ifndef DW_AT_call_return_pc
#define DW_AT_call_return_pc 0x7d
#endif

static bool attr_addr(Dwarf_Die *d, int name, Dwarf_Addr *out) {
  Dwarf_Attribute a;
  return dwarf_attr(d, name, &a) && dwarf_formaddr(&a, out) == 0;
}

/* The register of a one-op location (DW_OP_regN, regx), or -1. */
static int reg_of(Dwarf_Attribute *a) {
  Dwarf_Op *ops;
  size_t n;
  if (dwarf_getlocation(a, &ops, &n) != 0 || n != 1) return -1;
  if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) return ops[0].atom - DW_OP_reg0;
  return ops[0].atom == DW_OP_regx ? (int)ops[0].number : -1;
}

/* What an entry value is asked for: a register (reg >= 0), or the
 * parameter whose DIE is at offset die (DW_OP_GNU_parameter_ref: a
 * parameter IPA dropped, named by the call site's DW_AT_call_parameter). */
typedef struct entry_key {
  int reg;
  Dwarf_Off die;
} entry_key;

static bool param_matches(Dwarf_Die *p, const entry_key *k) {
  Dwarf_Attribute a;
  Dwarf_Die ref;
  if (k->reg >= 0) return dwarf_attr(p, DW_AT_location, &a) && reg_of(&a) == k->reg;
  return (dwarf_attr(p, DW_AT_call_parameter, &a) || dwarf_attr(p, DW_AT_abstract_origin, &a)) &&
         dwarf_formref_die(&a, &ref) && dwarf_dieoffset(&ref) == k->die;
}

/* The call value for key k of call site cs, evaluated in c2. */
static int site_value(sse__vctx *c2, Dwarf_Die *cs, const entry_key *k, uint64_t *out) {
  Dwarf_Die p;
  if (dwarf_child(cs, &p) != 0) return 1;
  do {
    int tag = dwarf_tag(&p);
    Dwarf_Attribute val;
    if (tag != DW_TAG_call_site_parameter && tag != DW_TAG_GNU_call_site_parameter) continue;
    if (!param_matches(&p, k)) continue;
    if (!dwarf_attr(&p, DW_AT_call_value, &val) && !dwarf_attr(&p, DW_AT_GNU_call_site_value, &val))
      return 1;
    Dwarf_Op *ops;
    size_t n;
    if (dwarf_getlocation(&val, &ops, &n) != 0 || n == 0) return 1;
    c2->loc_attr = &val; /* a DW_OP_entry_value's block is read from it */
    int rc = sse__loc_eval_word(c2, ops, n, false, out);
    c2->loc_attr = NULL;
    return rc == 0 ? 0 : 1;
  } while (dwarf_siblingof(&p, &p) == 0);
  return 1;
}

/* Whether the indirect call site cs (DW_AT_call_target, evaluated in the
 * caller c2: a register's value, a memory location's address, as gdb's
 * call_site_to_target_addr) calls fn of c. */
static bool target_is(sse__vctx *c, sse__vctx *c2, Dwarf_Die *cs, Dwarf_Die *fn) {
  Dwarf_Attribute a;
  Dwarf_Op *ops;
  size_t n;
  Dwarf_Addr lo;
  uint64_t target;
  if ((!dwarf_attr(cs, DW_AT_call_target, &a) && !dwarf_attr(cs, DW_AT_GNU_call_site_target, &a)) ||
      dwarf_getlocation(&a, &ops, &n) != 0 || n == 0 || dwarf_entrypc(fn, &lo) != 0)
    return false;
  c2->loc_attr = &a;
  int rc = sse__loc_eval_word(c2, ops, n, false, &target);
  c2->loc_attr = NULL;
  c2->err[0] = 0;
  return rc == 0 && target == lo + c->at->bias;
}

/* Whether call site cs calls the function of c: its DW_AT_call_origin
 * (the same entry, or a declaration of the same name), or the address
 * its DW_AT_call_target gives in the caller. */
static bool calls_callee(sse__vctx *c, sse__vctx *c2, Dwarf_Die *cs) {
  Dwarf_Attribute a;
  Dwarf_Die origin, fn;
  if (!sse__loc_real_function(c, &fn)) return false;
  if (!dwarf_attr(cs, DW_AT_call_origin, &a) && !dwarf_attr(cs, DW_AT_abstract_origin, &a))
    return target_is(c, c2, cs, &fn);
  if (!dwarf_formref_die(&a, &origin)) return false;
  Dwarf_Addr lo, olo;
  if (dwarf_lowpc(&fn, &lo) == 0 && dwarf_lowpc(&origin, &olo) == 0)
    return lo + c->at->bias == olo + c2->at->bias;
  const char *n1 = dwarf_diename(&fn), *n2 = dwarf_diename(&origin);
  return n1 && n2 && strcmp(n1, n2) == 0;
}

/* In the caller c2 (its scopes open): the call site returning to c2->pc. */
static int caller_site(sse__vctx *c, sse__vctx *c2, const entry_key *k, uint64_t *out) {
  for (int i = 0; i < c2->nscopes; i++) {
    Dwarf_Die ch;
    if (dwarf_child(&c2->scopes[i], &ch) == 0) do {
      int tag = dwarf_tag(&ch);
      Dwarf_Addr ret;
      if (tag != DW_TAG_call_site && tag != DW_TAG_GNU_call_site) continue;
      if (!attr_addr(&ch, DW_AT_call_return_pc, &ret) && !attr_addr(&ch, DW_AT_low_pc, &ret)) continue;
      if (ret + c2->at->bias != c2->pc) continue;
      return calls_callee(c, c2, &ch) ? site_value(c2, &ch, k, out) : 1;
    } while (dwarf_siblingof(&ch, &ch) == 0);
    int tag = dwarf_tag(&c2->scopes[i]);
    if (tag == DW_TAG_subprogram) break;
  }
  return 1;
}

/* gdb's rule for the registers the CFI does not give in the caller: the
 * same value as in the callee (its dwarf2 unwinder's "unspecified"). */
static bool same_values(const sse__vctx *c, sse__vctx *c2) {
  for (int r = 0; r <= SSE__REGNUM_MAX; r++)
    if (!(c2->regmask >> r & 1) && (c->regmask >> r & 1)) {
      c2->reg[r] = c->reg[r];
      c2->regmask |= 1u << r;
    }
  return true;
}

/* c's scopes as the tree holds them: past an inlined block, its
 * containers in the function it is inlined into (dwarf_getscopes goes on
 * into the block's abstract origin instead), where a call site may be a
 * child of the real function (clang). */
static void real_scopes(sse__vctx *c) {
  for (int i = 0; i < c->nscopes; i++) {
    if (dwarf_tag(&c->scopes[i]) != DW_TAG_inlined_subroutine) continue;
    Dwarf_Die *sc = NULL;
    int n = dwarf_getscopes_die(&c->scopes[i], &sc);
    Dwarf_Die *all = n > 0 ? malloc((size_t)(i + n) * sizeof *all) : NULL;
    if (all) {
      memcpy(all, c->scopes, (size_t)i * sizeof *all);
      memcpy(all + i, sc, (size_t)n * sizeof *all);
      free(c->scopes);
      c->scopes = all;
      c->nscopes = i + n;
    }
    free(sc);
    return;
  }
}

/* Whether c's frame is main's: gdb's backtrace stops there (backtrace
 * past-main off), so main has no caller to take entry values from
 * ("DW_OP_entry_value resolving requires caller of main"). */
static bool in_main(const sse__vctx *c) {
  Dwarf_Die fn;
  const char *name;
  return !c->tail_self && sse__loc_real_function(c, &fn) && (name = dwarf_diename(&fn)) &&
         strcmp(name, "main") == 0;
}

#ifndef DW_AT_call_tail_call
#define DW_AT_call_tail_call 0x82
#endif
#define SELFTAIL_MAX 64 /* functions looked through for a self tail call */

typedef struct tail_walk {
  Dwarf_Off seen[SELFTAIL_MAX];
  int nseen;
  Dwarf_Off self;
  bool unreliable;
} tail_walk;

/* The tail-call sites in the tree of function die d (not into nested
 * functions): their targets pushed on w, or w->unreliable when one
 * reaches w->self or has no static target (gdb 13 throws for
 * DW_AT_call_target without a caller frame). */
static void tail_sites(Dwarf_Die *d, tail_walk *w, int depth) {
  Dwarf_Die ch, origin;
  Dwarf_Attribute a;
  if (depth > 32 || dwarf_child(d, &ch) != 0) return;
  do {
    int tag = dwarf_tag(&ch);
    if (tag == DW_TAG_subprogram) continue;
    if (tag != DW_TAG_call_site && tag != DW_TAG_GNU_call_site) {
      tail_sites(&ch, w, depth + 1);
      continue;
    }
    if (!dwarf_hasattr(&ch, DW_AT_call_tail_call) && !dwarf_hasattr(&ch, DW_AT_GNU_tail_call)) continue;
    if ((!dwarf_attr(&ch, DW_AT_call_origin, &a) && !dwarf_attr(&ch, DW_AT_abstract_origin, &a)) ||
        !dwarf_formref_die(&a, &origin)) {
      w->unreliable = true;
      return;
    }
    Dwarf_Off off = dwarf_dieoffset(&origin);
    if (off == w->self) w->unreliable = true;
    bool known = false;
    for (int i = 0; i < w->nseen && !known; i++) known = w->seen[i] == off;
    if (!known && w->nseen < SELFTAIL_MAX) w->seen[w->nseen++] = off;
  } while (!w->unreliable && dwarf_siblingof(&ch, &ch) == 0);
}

/* gdb's func_verify_no_selftailcall: no entry value of a function is
 * reliable when it can reach itself by tail calls (ping jumps to pong,
 * which jumps back to ping: the caller's call site says nothing of this
 * entry). Functions of c's module's DWARF only. */
static bool calls_itself_by_tail(const sse__vctx *c) {
  Dwarf_Die fn, f;
  if (!sse__loc_real_function(c, &fn)) return false;
  Dwarf *dw = dwarf_cu_getdwarf(fn.cu);
  tail_walk *w = calloc(1, sizeof *w);
  if (!w || !dw) {
    free(w);
    return false;
  }
  w->self = dwarf_dieoffset(&fn);
  tail_sites(&fn, w, 0);
  for (int i = 0; i < w->nseen && !w->unreliable; i++)
    if (dwarf_offdie(dw, w->seen[i], &f)) tail_sites(&f, w, 0);
  bool r = w->unreliable;
  free(w);
  return r;
}

/* c2 (a copy of c) moved to the caller of c's frame: the tail-call frame
 * outward of it when there is one (gdb's TAILCALL_FRAME: its real
 * caller's registers, its own pc, no CFA), else the real caller (by the
 * CFI, or, from a tail-call frame, the registers it has). 0, or 1. */
static int to_caller(const sse__vctx *c, sse__vctx *c2, Dwfl *dwfl) {
  if (!c->tail_self && (sse__cfi_unwind(c2, dwfl) != 0 || !same_values(c, c2))) return 1;
  if (c->ntail > 0) {
    c2->pc = c->tail_pc[0];
    memmove(c2->tail_pc, c->tail_pc + 1, sizeof c->tail_pc - sizeof c->tail_pc[0]);
    c2->ntail = c->ntail - 1;
    c2->tail_self = true;
    c2->cfa = 0;
  } else if (c->tail_self) {
    if (!(c->regmask >> SSE__REGNUM_PC & 1)) return 1;
    c2->pc = c->reg[SSE__REGNUM_PC];
    c2->tail_self = false;
  }
  c2->lookup_pc = c2->pc - 1;
  if (c->tail_self && !c2->tail_self) sse__cfi_cfa(c2, dwfl); /* the real caller's own */
  return 0;
}

/* gdb's dwarf_expr_reg_to_entry_parameter: the value register reg held
 * at the entry of c's function (for an inline frame, of the real function
 * holding it), from the call site in its caller. 0, or 1 (unavailable). */
static int entry_value(sse__vctx *c, const entry_key *k, uint64_t *out) {
  if (c->entry_depth >= ENTRY_MAX_DEPTH || !c->at || !c->at->dwfl || in_main(c) ||
      calls_itself_by_tail(c))
    return 1;
  sse__vctx *c2 = malloc(sizeof *c2);
  if (!c2) return 1;
  *c2 = *c;
  c2->entry_depth++;
  c2->scopes = NULL;
  c2->nscopes = 0;
  int rc = 1;
  Dwarf_Addr bias = 0;
  Dwfl_Module *mod;
  Dwarf_Die *cu;
  if (to_caller(c, c2, c->at->dwfl) == 0 && (mod = dwfl_addrmodule(c->at->dwfl, c2->lookup_pc)) &&
      (cu = sse__symtab_cu_at(mod, c2->lookup_pc, &bias))) {
    sse__dwarf_at at = {.dwfl = c->at->dwfl, .mod = mod, .cu = cu, .bias = bias, .st = c->at->st};
    c2->at = &at;
    c2->var_bias = bias;
    c2->var_mod = mod;
    int n = dwarf_getscopes(cu, c2->lookup_pc - bias, &c2->scopes);
    c2->nscopes = n > 0 ? n : 0;
    real_scopes(c2);
    rc = caller_site(c, c2, k, out);
  }
  free(c2->scopes);
  c->blocks = c2->blocks; /* what it allocated is freed with c's */
  free(c2);
  return rc;
}

int sse__entry_reg(sse__vctx *c, int reg, uint64_t *out) {
  entry_key k = {.reg = reg};
  return entry_value(c, &k, out);
}

int sse__entry_param_ref(sse__vctx *c, Dwarf_Off cu_off, uint64_t *out) {
  if (!c->at || !c->at->cu) return 1;
  /* cu_off counts from the CU header (the CU DIE is that far in) */
  Dwarf_Off cu_start = dwarf_dieoffset(c->at->cu) - dwarf_cuoffset(c->at->cu);
  entry_key k = {.reg = -1, .die = cu_start + cu_off};
  return entry_value(c, &k, out);
}

/* gdb's BLOCK_ENTRY_PC of block fn (a subprogram or an inlined block):
 * DW_AT_entry_pc, its low pc, or the start of its first range. */
static bool block_entry(Dwarf_Die *fn, Dwarf_Addr *entry) {
  if (dwarf_entrypc(fn, entry) == 0) return true;
  Dwarf_Addr base, end;
  return dwarf_ranges(fn, 0, &base, entry, &end) > 0;
}

/* The register the parameter par of the function in scope fn is passed
 * in: its location at the function's entry, or -1. */
static int entry_register(const sse__vctx *c, Dwarf_Die *fn, Dwarf_Die *par) {
  Dwarf_Addr entry;
  Dwarf_Attribute a;
  Dwarf_Op *ops;
  size_t n;
  if (!block_entry(fn, &entry) || !dwarf_attr_integrate(par, DW_AT_location, &a)) return -1;
  if (sse__loc_at(c, &a, entry, &ops, &n) != 1 || n != 1) return -1;
  if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) return ops[0].atom - DW_OP_reg0;
  return ops[0].atom == DW_OP_regx ? (int)ops[0].number : -1;
}

/* gdb's read_variable_at_entry: the parameter's location at the entry
 * of the frame's function (gdb's get_frame_func: for an inline frame too
 * the real function's entry, block_linkage_function), when that is a
 * register, then that register's entry value. */
int sse__entry_param(sse__vctx *c, Dwarf_Die *par, sse__value *out) {
  Dwarf_Die fn;
  int reg = sse__loc_real_function(c, &fn) ? entry_register(c, &fn, par) : -1;
  uint64_t v;
  if (reg < 0 || sse__entry_reg(c, reg, &v)) return 1;
  memset(out, 0, sizeof *out);
  out->type = sse__type_of_die(c, par);
  if (!out->type || sse__type_size(out->type) > 8) return 1;
  return sse__val_from_int(c, out->type, (int64_t)v, out) ? -1 : 0;
}
