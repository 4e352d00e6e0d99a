/* Types: DWARF type DIEs transcoded into sse__vtype records, once per
 * module: a module's records live in a store kept with its entry of the
 * module cache (shared by every process mapping the file), found again by
 * DIE offset (the memo also breaks the cycles of self-referencing
 * structs). DIEs of another file (a supplementary one) get the request's
 * store. Also the synthetic types of expression results. sizeof and
 * member lookup read these records only. */
#include <dwarf.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define TYPE_MAX_DEPTH 48
#define TYPE_MAX_COUNT 200000
#define TYPE_MAX_MEMBERS 65536

static size_t memo_hash(const void *dw, Dwarf_Off off, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)dw * 0x9e3779b97f4a7c15ull ^ off * 0xff51afd7ed558ccdull;
  return (size_t)(h ^ h >> 29) & (cap - 1);
}

static sse__vtype *memo_get(sse__tstore *st, const void *dw, Dwarf_Off off) {
  if (!st->memo_cap) return NULL;
  for (size_t i = memo_hash(dw, off, st->memo_cap);; i = (i + 1) & (st->memo_cap - 1)) {
    sse__vtype *t = st->memo[i];
    if (t == NULL) return NULL;
    if (t->off == off && t->dw == dw) return t;
  }
}

static bool memo_put(sse__tstore *st, sse__vtype *t) {
  if ((st->memo_n + 1) * 2 > st->memo_cap) {
    size_t ncap = st->memo_cap ? st->memo_cap * 2 : 256;
    sse__vtype **nm = calloc(ncap, sizeof *nm);
    if (nm == NULL) return false;
    for (size_t i = 0; i < st->memo_cap; i++) {
      sse__vtype *o = st->memo[i];
      if (!o) continue;
      size_t j = memo_hash(o->dw, o->off, ncap);
      while (nm[j]) j = (j + 1) & (ncap - 1);
      nm[j] = o;
    }
    free(st->memo);
    st->memo = nm;
    st->memo_cap = ncap;
  }
  size_t j = memo_hash(t->dw, t->off, st->memo_cap);
  while (st->memo[j]) j = (j + 1) & (st->memo_cap - 1);
  st->memo[j] = t;
  st->memo_n++;
  return true;
}

bool sse__tstore_put(sse__tstore *st, sse__vtype *t) { return memo_put(st, t); }

/* Allocations of the records being made: in the current store. */
static void *talloc(sse__vctx *c, size_t n) {
  void *p = sse__arena_alloc(&c->store->blocks, n);
  if (!p) sse__verr(c, "virtual memory exhausted.");
  return p;
}

static const char *tstrdup(sse__vctx *c, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = talloc(c, n);
  if (d) memcpy(d, s, n);
  return d;
}

/* The store's void (a record may point at it for as long as the store
 * lives). */
static sse__vtype *store_void(sse__vctx *c) {
  sse__tstore *st = c->store;
  if (!st->t_void && (st->t_void = talloc(c, sizeof *st->t_void))) {
    st->t_void->kind = SSE__TY_VOID;
    st->t_void->name = "void";
    st->t_void->size = 1;
  }
  return st->t_void;
}

/* Records made in modules' shared stores, ever (tests). */
static atomic_ulong shared_made;

unsigned long sse__types_shared_made(void) {
  return atomic_load(&shared_made);
}

static void store_free(void *arg) {
  sse__tstore *st = arg;
  if (!st) return;
  free(st->memo);
  sse__arena_free(&st->blocks);
  free(st);
}

/* The shared store of the module of the DIEs looked at (c->var_mod),
 * when dw is that module's own DWARF; else the request's. */
static sse__tstore *store_for(sse__vctx *c, const void *dw) {
  Dwfl_Module *m = c->var_mod;
  if (!m || !c->at) return &c->req;
  if (m != c->store_mod) {
    Dwarf_Addr bias;
    c->store_mod = m;
    c->mod_dw = dwfl_module_getdwarf(m, &bias);
    c->mod_store = NULL;
    /* The module's store, filled from its index's type table when it
     * has one (typeindex.c), and saved into it with the module. */
    const void *blob = NULL;
    size_t nblob = 0;
    void **slot = sse__dwarf_ext_slot_saved(c->at, m, store_free, sse__typeindex_save, &blob, &nblob);
    if (slot && !*slot && (*slot = calloc(1, sizeof(sse__tstore)))) {
      ((sse__tstore *)*slot)->shared = true;
      if (c->mod_dw && blob)
        sse__typeindex_load(*slot, blob, nblob, c->mod_dw);
    }
    if (slot) c->mod_store = *slot;
  }
  return c->mod_store && dw == c->mod_dw ? c->mod_store : &c->req;
}

static uint64_t attr_u(Dwarf_Die *d, int name, uint64_t dflt) {
  Dwarf_Attribute a;
  Dwarf_Word w;
  if (dwarf_attr_integrate(d, name, &a) && dwarf_formudata(&a, &w) == 0) return w;
  return dflt;
}

static bool attr_has(Dwarf_Die *d, int name) {
  Dwarf_Attribute a;
  return dwarf_attr_integrate(d, name, &a) != NULL;
}

/* The DW_AT_type target of d (NULL: void, or an error in c->err). */
sse__vtype *sse__type_of_die(sse__vctx *c, Dwarf_Die *d) {
  Dwarf_Attribute a;
  Dwarf_Die td;
  if (!dwarf_attr_integrate(d, DW_AT_type, &a)) return NULL;
  if (!dwarf_formref_die(&a, &td)) {
    sse__verr(c, "Invalid DWARF type reference.");
    return NULL;
  }
  return sse__type_from(c, &td);
}

/* gdb's names of GCC's base types ("long unsigned int" is "unsigned
 * long" to gdb). */
static const char *gdb_base_name(const char *name) {
  static const char *const map[][2] = {
      {"long int", "long"}, {"long unsigned int", "unsigned long"},
      {"short int", "short"}, {"short unsigned int", "unsigned short"},
      {"long long int", "long long"}, {"long long unsigned int", "unsigned long long"}};
  for (size_t i = 0; name && i < sizeof map / sizeof *map; i++)
    if (strcmp(name, map[i][0]) == 0) return map[i][1];
  return name;
}

static void base_kind(sse__vtype *t, Dwarf_Die *d) {
  t->name = gdb_base_name(t->name);
  uint64_t enc = attr_u(d, DW_AT_encoding, DW_ATE_signed);
  t->kind = SSE__TY_INT;
  t->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
  if (enc == DW_ATE_boolean) t->kind = SSE__TY_BOOL;
  else if (enc == DW_ATE_float) t->kind = SSE__TY_FLOAT;
  else if ((enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) && t->size == 1)
    t->kind = SSE__TY_CHAR;
}

/* How many children of d have tag (bounded). */
static size_t count_children(Dwarf_Die *d, int tag) {
  Dwarf_Die ch;
  size_t n = 0;
  if (dwarf_child(d, &ch) == 0)
    do n += dwarf_tag(&ch) == tag;
    while (dwarf_siblingof(&ch, &ch) == 0 && n < TYPE_MAX_MEMBERS);
  return n;
}

/* Where member m (DIE ch) is: its offset, bitfield bits. */
static void member_place(sse__member *m, Dwarf_Die *ch) {
  m->bit_size = (unsigned)attr_u(ch, DW_AT_bit_size, 0);
  uint64_t off = attr_u(ch, DW_AT_data_member_location, 0);
  if (attr_has(ch, DW_AT_data_bit_offset)) {
    uint64_t bo = attr_u(ch, DW_AT_data_bit_offset, 0);
    off = bo / 8;
    m->bit_off = bo % 8;
  } else if (m->bit_size && attr_has(ch, DW_AT_bit_offset)) {
    /* DWARF 2-4: from the storage unit's most significant bit. */
    uint64_t unit = attr_u(ch, DW_AT_byte_size, m->type ? sse__type_size(m->type) : 4) * 8;
    uint64_t bo = attr_u(ch, DW_AT_bit_offset, 0);
    if (bo + m->bit_size <= unit) m->bit_off = (unsigned)(unit - bo - m->bit_size);
  }
  if (m->bit_size > 64) m->bit_size = 64;
  m->offset = off + m->bit_off / 8;
  m->bit_off %= 8;
}

/* A virtual base's DW_AT_data_member_location, GCC's and clang's
 * "DW_OP_dup DW_OP_deref DW_OP_constu N DW_OP_minus DW_OP_deref
 * DW_OP_plus": the vbase offset at N bytes before the vtable address. */
static void virtual_base(sse__member *m, Dwarf_Die *ch) {
  Dwarf_Attribute a;
  Dwarf_Op *ops;
  size_t n;
  m->is_virtual = true;
  m->vbase_off = 0;
  if (!dwarf_attr(ch, DW_AT_data_member_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0)
    return;
  for (size_t i = 0; i + 3 < n; i++) {
    unsigned op = ops[i + 1].atom;
    if (ops[i].atom != DW_OP_deref || ops[i + 2].atom != DW_OP_minus ||
        ops[i + 3].atom != DW_OP_deref)
      continue;
    if (op >= DW_OP_lit0 && op <= DW_OP_lit31) m->vbase_off = op - DW_OP_lit0;
    else if (op == DW_OP_constu || op == DW_OP_const1u || op == DW_OP_const2u ||
             op == DW_OP_const4u)
      m->vbase_off = (int64_t)ops[i + 1].number;
    return;
  }
}

/* Data members, C++ base classes (DW_TAG_inheritance) and static members
 * (DWARF 5's DW_TAG_variable, DWARF 4's external member declarations). */
static bool is_member_tag(int tag) {
  return tag == DW_TAG_member || tag == DW_TAG_inheritance || tag == DW_TAG_variable;
}

static int fill_members(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  Dwarf_Die ch;
  size_t n = count_children(d, DW_TAG_member) + count_children(d, DW_TAG_inheritance) +
             count_children(d, DW_TAG_variable);
  if (n == 0 || dwarf_child(d, &ch) != 0) return 0;
  if (!(t->members = talloc(c, n * sizeof *t->members))) return -1;
  size_t i = 0;
  do {
    int tag = dwarf_tag(&ch);
    if (!is_member_tag(tag)) continue;
    sse__member *m = &t->members[i++];
    m->is_base = tag == DW_TAG_inheritance;
    m->is_static = tag == DW_TAG_variable ||
                   (attr_has(&ch, DW_AT_external) && attr_has(&ch, DW_AT_declaration));
    m->name = m->is_base ? NULL : tstrdup(c, dwarf_diename(&ch));
    m->type = sse__type_of_die(c, &ch);
    if (c->err[0]) return -1;
    if (m->is_static) {
      Dwarf_Attribute a;
      const char *ln = dwarf_formstring(dwarf_attr(&ch, DW_AT_linkage_name, &a));
      m->linkage = tstrdup(c, ln ? ln : m->name);
    } else if (m->is_base && attr_u(&ch, DW_AT_virtuality, 0)) {
      virtual_base(m, &ch);
    } else {
      member_place(m, &ch);
    }
  } while (i < n && dwarf_siblingof(&ch, &ch) == 0);
  t->n = i;
  return 0;
}

/* Whether d is in a C++ compilation unit. */
bool sse__die_is_cxx(Dwarf_Die *d) {
  Dwarf_Die cu;
  if (!dwarf_diecu(d, &cu, NULL, NULL)) return false;
  int lang = dwarf_srclang(&cu);
  return lang == DW_LANG_C_plus_plus || lang == DW_LANG_C_plus_plus_03 ||
         lang == DW_LANG_C_plus_plus_11 || lang == DW_LANG_C_plus_plus_14;
}

/* C++: the scopes around d as gdb names them ("std::", "shapes::Circle::"),
 * namespaces and classes outward in; "" at file scope. */
static void cxx_prefix(Dwarf_Die *d, char *b, size_t n) {
  b[0] = 0;
  Dwarf_Die *sc = NULL;
  int ns = dwarf_getscopes_die(d, &sc);
  size_t len = 0;
  for (int i = ns - 1; i >= 1 && len < n; i--) {
    int tag = dwarf_tag(&sc[i]);
    if (tag != DW_TAG_namespace && tag != DW_TAG_structure_type && tag != DW_TAG_class_type &&
        tag != DW_TAG_union_type && tag != DW_TAG_enumeration_type)
      continue;
    const char *nm = dwarf_diename(&sc[i]);
    if (tag == DW_TAG_enumeration_type && !attr_has(&sc[i], DW_AT_enum_class)) continue;
    int w = snprintf(b + len, n - len, "%s::", nm ? nm : "(anonymous namespace)");
    if (w < 0) break;
    len += (size_t)w;
  }
  if (len >= n) b[0] = 0;
  free(sc);
}

/* d's name, its scopes before it in C++. */
static const char *qual_name(sse__vctx *c, Dwarf_Die *d, int tag) {
  const char *nm = dwarf_diename(d);
  if (!nm || !sse__die_is_cxx(d)) return tstrdup(c, nm);
  if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type &&
      tag != DW_TAG_enumeration_type && tag != DW_TAG_typedef)
    return tstrdup(c, nm);
  char pre[1024], full[2048], canon[4096];
  cxx_prefix(d, pre, sizeof pre);
  snprintf(full, sizeof full, "%s%s", pre, nm);
  /* gdb's names of template instances are canonical */
  return tstrdup(c, sse__cxx_canon(full, canon, sizeof canon) ? canon : full);
}

static int fill_enum(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  Dwarf_Die ch;
  size_t n = count_children(d, DW_TAG_enumerator);
  t->target = sse__type_of_die(c, d);
  if (c->err[0]) return -1;
  t->is_signed = t->target ? sse__type_strip(t->target)->is_signed : false;
  if (n == 0 || dwarf_child(d, &ch) != 0) return 0;
  if (!(t->enums = talloc(c, n * sizeof *t->enums))) return -1;
  /* C++ enumerators by gdb's names: "shapes::color::green" of an enum
   * class, "shapes::red" of a plain enum in a namespace */
  char pre[1024] = "";
  if (t->cxx) {
    cxx_prefix(d, pre, sizeof pre);
    t->enum_class = attr_has(d, DW_AT_enum_class);
    if (t->enum_class && dwarf_diename(d)) {
      size_t l = strlen(pre);
      snprintf(pre + l, sizeof pre - l, "%s::", dwarf_diename(d));
    }
  }
  size_t i = 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_enumerator) continue;
    Dwarf_Attribute a;
    Dwarf_Sword sv = 0;
    Dwarf_Word uv = 0;
    if (dwarf_attr(&ch, DW_AT_const_value, &a)) {
      /* an unsigned underlying type: data1 200 is 200, not -56 */
      if (t->target && !t->is_signed && dwarf_formudata(&a, &uv) == 0) sv = (Dwarf_Sword)uv;
      else dwarf_formsdata(&a, &sv);
    }
    const char *en = dwarf_diename(&ch);
    if (en && pre[0]) {
      char full[1536];
      snprintf(full, sizeof full, "%s%s", pre, en);
      t->enums[i].name = tstrdup(c, full);
    } else t->enums[i].name = tstrdup(c, en);
    t->enums[i++].value = sv;
    if (sv < 0 && !t->target) t->is_signed = true;
  } while (i < n && dwarf_siblingof(&ch, &ch) == 0);
  t->n = i;
  return 0;
}

static int fill_func(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  Dwarf_Die ch;
  t->target = sse__type_of_die(c, d);
  Dwarf_Attribute pa;
  bool proto = false;
  if (dwarf_attr_integrate(d, DW_AT_prototyped, &pa)) dwarf_formflag(&pa, &proto);
  t->prototyped = proto || sse__die_is_cxx(d); /* C++ functions all are */
  size_t n = count_children(d, DW_TAG_formal_parameter);
  t->varargs = count_children(d, DW_TAG_unspecified_parameters) > 0;
  if (c->err[0]) return -1;
  if (n == 0 || dwarf_child(d, &ch) != 0) return 0;
  if (!(t->params = talloc(c, n * sizeof *t->params))) return -1;
  size_t i = 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_formal_parameter) continue;
    sse__vtype *pt = sse__type_of_die(c, &ch);
    if (c->err[0]) return -1;
    /* gdb: a method's `this` is a const pointer ("C * const") */
    if (i == 0 && pt && pt->kind == SSE__TY_PTR && t->prototyped && attr_has(&ch, DW_AT_artificial)) {
      sse__vtype *q = talloc(c, sizeof *q);
      if (!q) return -1;
      q->kind = SSE__TY_CONST;
      q->target = pt;
      pt = q;
    }
    t->params[i++] = pt;
  } while (i < n && dwarf_siblingof(&ch, &ch) == 0);
  t->n = i;
  return 0;
}

/* The array type of d from its subrange number k on (C's a[2][3]: an
 * array of 2 arrays of 3). */
static sse__vtype *array_from(sse__vctx *c, Dwarf_Die *d, Dwarf_Die *subs, int nsub, int k,
                              sse__vtype *elem, sse__vtype *outer) {
  sse__vtype *t = outer ? outer : talloc(c, sizeof *t);
  if (!t) return NULL;
  t->kind = SSE__TY_ARRAY;
  t->count = -1;
  if (k < nsub) {
    if (attr_has(&subs[k], DW_AT_count)) t->count = (int64_t)attr_u(&subs[k], DW_AT_count, 0);
    else if (attr_has(&subs[k], DW_AT_upper_bound)) {
      Dwarf_Attribute a;
      Dwarf_Word ub;
      if (dwarf_formudata(dwarf_attr(&subs[k], DW_AT_upper_bound, &a), &ub) == 0 && ub < (1ull << 40))
        t->count = (int64_t)ub + 1;
    }
  }
  t->target = k + 1 < nsub ? array_from(c, d, subs, nsub, k + 1, elem, NULL) : elem;
  if (!t->target) return NULL;
  uint64_t es = sse__type_size(t->target);
  t->size = t->count > 0 && es ? (uint64_t)t->count * es : 0;
  return t;
}

static int fill_array(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  sse__vtype *elem = sse__type_of_die(c, d);
  if (!elem) return sse__verr(c, "Invalid DWARF array type.");
  Dwarf_Die ch, subs[8];
  int nsub = 0;
  if (dwarf_child(d, &ch) == 0)
    do
      if (dwarf_tag(&ch) == DW_TAG_subrange_type && nsub < 8) subs[nsub++] = ch;
    while (dwarf_siblingof(&ch, &ch) == 0);
  return array_from(c, d, subs, nsub, 0, elem, t) ? 0 : -1;
}

static int fill(sse__vctx *c, sse__vtype *t, Dwarf_Die *d, int tag) {
  switch (tag) {
    case DW_TAG_base_type: base_kind(t, d); return 0;
    case DW_TAG_unspecified_type: t->kind = SSE__TY_VOID; return 0;
    case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
      t->kind = SSE__TY_PTR;
      t->ref = tag == DW_TAG_reference_type ? 1 : tag == DW_TAG_rvalue_reference_type ? 2 : 0;
      if (!t->size) t->size = 8;
      t->target = sse__type_of_die(c, d);
      return c->err[0] ? -1 : 0;
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      t->cxx = sse__die_is_cxx(d);
      t->kind = tag == DW_TAG_union_type ? SSE__TY_UNION : SSE__TY_STRUCT;
      t->complete = !attr_u(d, DW_AT_declaration, 0);
      return fill_members(c, t, d);
    case DW_TAG_enumeration_type:
      t->cxx = sse__die_is_cxx(d);
      t->kind = SSE__TY_ENUM;
      t->complete = !attr_u(d, DW_AT_declaration, 0);
      return fill_enum(c, t, d);
    case DW_TAG_array_type: return fill_array(c, t, d);
    case DW_TAG_ptr_to_member_type: {
      t->kind = SSE__TY_MEMPTR;
      t->target = sse__type_of_die(c, d);
      Dwarf_Attribute a;
      Dwarf_Die cd;
      if (!c->err[0] && dwarf_attr(d, DW_AT_containing_type, &a) && dwarf_formref_die(&a, &cd))
        t->cls = sse__type_from(c, &cd);
      if (!t->size) t->size = t->target && t->target->kind == SSE__TY_FUNC ? 16 : 8;
      return c->err[0] ? -1 : 0;
    }
    case DW_TAG_subroutine_type: case DW_TAG_subprogram:
      t->kind = SSE__TY_FUNC;
      t->size = 1;
      return fill_func(c, t, d);
    case DW_TAG_typedef: case DW_TAG_const_type: case DW_TAG_volatile_type:
      t->kind = tag == DW_TAG_typedef ? SSE__TY_TYPEDEF
                : tag == DW_TAG_const_type ? SSE__TY_CONST : SSE__TY_VOLATILE;
      t->target = sse__type_of_die(c, d);
      if (c->err[0]) return -1;
      if (!t->target && tag != DW_TAG_typedef) t->target = store_void(c);
      if (!t->target) t->target = store_void(c);
      return 0;
    default: /* restrict, atomic, ...: as their target */
      t->kind = SSE__TY_TYPEDEF;
      t->name = NULL;
      t->target = sse__type_of_die(c, d);
      if (!t->target) t->target = store_void(c);
      return c->err[0] ? -1 : 0;
  }
}

sse__vtype *sse__type_from(sse__vctx *c, Dwarf_Die *d) {
  const void *dw = d->cu ? (const void *)dwarf_cu_getdwarf(d->cu) : NULL;
  Dwarf_Off off = dwarf_dieoffset(d);
  sse__tstore *st = store_for(c, dw), *saved = c->store;
  const void *key = st->shared ? NULL : dw;
  sse__vtype *t = memo_get(st, key, off);
  if (t) {
    if (t->bad) sse__verr(c, "Invalid DWARF type.");
    return t->bad ? NULL : t;
  }
  if (c->depth >= TYPE_MAX_DEPTH || c->ntypes >= TYPE_MAX_COUNT) {
    sse__verr(c, "Type too deeply nested.");
    return NULL;
  }
  c->store = st;
  /* Keyed before it goes in: memo_put hashes off and dw. */
  if ((t = talloc(c, sizeof *t)) != NULL) {
    t->off = off;
    t->dw = key;
  }
  if (t == NULL || !memo_put(st, t)) {
    c->store = saved;
    sse__verr(c, "virtual memory exhausted.");
    return NULL;
  }
  t->dwarf = dw;
  t->name = qual_name(c, d, dwarf_tag(d));
  t->size = attr_u(d, DW_AT_byte_size, 0);
  c->ntypes++;
  if (st->shared) atomic_fetch_add(&shared_made, 1);
  c->depth++;
  int rc = fill(c, t, d, dwarf_tag(d));
  c->depth--;
  c->store = saved;
  if (rc < 0 && !c->err[0]) sse__verr(c, "Invalid DWARF type.");
  /* kept, marked: a bad record fails the same way next time */
  if (rc < 0) t->bad = true;
  return rc < 0 ? NULL : t;
}

sse__vtype *sse__type_base(sse__vctx *c, const char *name, uint64_t size, sse__tkind k, bool sgn) {
  sse__vtype *t = sse__va_alloc(c, sizeof *t);
  if (!t) return NULL;
  t->kind = k;
  t->name = name;
  t->size = size;
  t->is_signed = sgn;
  return t;
}

sse__vtype *sse__type_ptr_to(sse__vctx *c, sse__vtype *target) {
  sse__vtype *t = sse__type_base(c, NULL, 8, SSE__TY_PTR, false);
  if (t) t->target = target;
  return t;
}

void sse__types_done(sse__vctx *c) {
  free(c->req.memo);
  sse__arena_free(&c->req.blocks);
  memset(&c->req, 0, sizeof c->req);
}

void sse__types_init(sse__vctx *c) {
  c->store = &c->req;
  c->var_mod = c->at ? c->at->mod : NULL;
  c->t_void = sse__type_base(c, "void", 1, SSE__TY_VOID, false);
  c->t_int = sse__type_base(c, "int", 4, SSE__TY_INT, true);
  c->t_uint = sse__type_base(c, "unsigned int", 4, SSE__TY_INT, false);
  c->t_long = sse__type_base(c, "long", 8, SSE__TY_INT, true);
  c->t_ulong = sse__type_base(c, "unsigned long", 8, SSE__TY_INT, false);
  c->t_char = sse__type_base(c, "char", 1, SSE__TY_CHAR, true);
  c->t_double = sse__type_base(c, "double", 8, SSE__TY_FLOAT, true);
  c->t_truth = c->at && c->at->cu && sse__die_is_cxx(c->at->cu)
                   ? sse__type_base(c, "bool", 1, SSE__TY_BOOL, false) : c->t_int;
}

sse__vtype *sse__type_strip(sse__vtype *t) {
  for (int i = 0; t && i < 64; i++) {
    if (t->kind != SSE__TY_TYPEDEF && t->kind != SSE__TY_CONST && t->kind != SSE__TY_VOLATILE)
      return t;
    t = t->target;
  }
  return t;
}

uint64_t sse__type_size(sse__vtype *t) {
  for (int i = 0; t && i < 64; i++) {
    if (t->size || (t->kind != SSE__TY_TYPEDEF && t->kind != SSE__TY_CONST &&
                    t->kind != SSE__TY_VOLATILE))
      return t->size;
    t = t->target;
  }
  return 0;
}

/* Member name of struct/union t, anonymous members searched too; *off is
 * its offset from the start of t. */
const sse__member *sse__type_member(sse__vtype *t, const char *name, uint64_t *off) {
  t = sse__type_strip(t);
  if (!t || (t->kind != SSE__TY_STRUCT && t->kind != SSE__TY_UNION)) return NULL;
  for (size_t i = 0; i < t->n; i++) {
    const sse__member *m = &t->members[i];
    if (m->name && strcmp(m->name, name) == 0) {
      *off = m->offset;
      return m;
    }
    uint64_t sub;
    const sse__member *in = m->name ? NULL : sse__type_member(m->type, name, &sub);
    if (in) {
      *off = m->offset + sub;
      return in;
    }
  }
  return NULL;
}

bool sse__type_is_charlike(sse__vtype *t) {
  t = sse__type_strip(t);
  return t && t->kind == SSE__TY_CHAR;
}
