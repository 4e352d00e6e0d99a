/* Types: DWARF type DIEs transcoded into sse__vtype records, one per DIE a
 * request meets (a memo by Dwarf and DIE offset breaks the cycles of
 * self-referencing structs), and the synthetic types of expression
 * results. sizeof and member lookup read these records only. */
#include <dwarf.h>
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

static sse__vtype *memo_get(sse__vctx *c, const void *dw, Dwarf_Off off) {
  if (!c->memo_cap) return NULL;
  for (size_t i = memo_hash(dw, off, c->memo_cap);; i = (i + 1) & (c->memo_cap - 1)) {
    sse__vtype *t = c->memo[i];
    if (t == NULL) return NULL;
    if (t->off == off && t->dw == dw) return t;
  }
}

static bool memo_put(sse__vctx *c, sse__vtype *t) {
  if ((c->memo_n + 1) * 2 > c->memo_cap) {
    size_t ncap = c->memo_cap ? c->memo_cap * 2 : 256;
    sse__vtype **nm = calloc(ncap, sizeof *nm);
    if (nm == NULL) return false;
    for (size_t i = 0; i < c->memo_cap; i++) {
      sse__vtype *o = c->memo[i];
      if (!o) continue;
      size_t j = memo_hash(o->dw, o->off, ncap);
      while (nm[j]) j = (j + 1) & (ncap - 1);
      nm[j] = o;
    }
    free(c->memo);
    c->memo = nm;
    c->memo_cap = ncap;
  }
  size_t j = memo_hash(t->dw, t->off, c->memo_cap);
  while (c->memo[j]) j = (j + 1) & (c->memo_cap - 1);
  c->memo[j] = t;
  c->memo_n++;
  return true;
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

static void base_kind(sse__vtype *t, Dwarf_Die *d) {
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

static int fill_members(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  Dwarf_Die ch;
  size_t n = count_children(d, DW_TAG_member);
  if (n == 0 || dwarf_child(d, &ch) != 0) return 0;
  if (!(t->members = sse__va_alloc(c, n * sizeof *t->members))) return -1;
  size_t i = 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_member) continue;
    sse__member *m = &t->members[i++];
    m->name = sse__va_strdup(c, dwarf_diename(&ch));
    m->type = sse__type_of_die(c, &ch);
    if (c->err[0]) return -1;
    m->bit_size = (unsigned)attr_u(&ch, DW_AT_bit_size, 0);
    uint64_t off = attr_u(&ch, DW_AT_data_member_location, 0);
    if (attr_has(&ch, DW_AT_data_bit_offset)) {
      uint64_t bo = attr_u(&ch, DW_AT_data_bit_offset, 0);
      off = bo / 8;
      m->bit_off = bo % 8;
    } else if (m->bit_size && attr_has(&ch, DW_AT_bit_offset)) {
      /* DWARF 2-4: from the storage unit's most significant bit. */
      uint64_t unit = attr_u(&ch, DW_AT_byte_size, m->type ? sse__type_size(m->type) : 4) * 8;
      uint64_t bo = attr_u(&ch, DW_AT_bit_offset, 0);
      if (bo + m->bit_size <= unit) m->bit_off = (unsigned)(unit - bo - m->bit_size);
    }
    if (m->bit_size > 64) m->bit_size = 64;
    m->offset = off + m->bit_off / 8;
    m->bit_off %= 8;
  } while (i < n && dwarf_siblingof(&ch, &ch) == 0);
  t->n = i;
  return 0;
}

static int fill_enum(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  Dwarf_Die ch;
  size_t n = count_children(d, DW_TAG_enumerator);
  t->target = sse__type_of_die(c, d);
  if (c->err[0]) return -1;
  t->is_signed = t->target ? sse__type_strip(t->target)->is_signed : false;
  if (n == 0 || dwarf_child(d, &ch) != 0) return 0;
  if (!(t->enums = sse__va_alloc(c, n * sizeof *t->enums))) return -1;
  size_t i = 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_enumerator) continue;
    Dwarf_Attribute a;
    Dwarf_Sword sv = 0;
    if (dwarf_attr(&ch, DW_AT_const_value, &a)) dwarf_formsdata(&a, &sv);
    t->enums[i].name = sse__va_strdup(c, dwarf_diename(&ch));
    t->enums[i++].value = sv;
    if (sv < 0 && !t->target) t->is_signed = true;
  } while (i < n && dwarf_siblingof(&ch, &ch) == 0);
  t->n = i;
  return 0;
}

static int fill_func(sse__vctx *c, sse__vtype *t, Dwarf_Die *d) {
  Dwarf_Die ch;
  t->target = sse__type_of_die(c, d);
  t->prototyped = attr_u(d, DW_AT_prototyped, 0) != 0;
  size_t n = count_children(d, DW_TAG_formal_parameter);
  if (c->err[0]) return -1;
  if (n == 0 || dwarf_child(d, &ch) != 0) return 0;
  if (!(t->params = sse__va_alloc(c, n * sizeof *t->params))) return -1;
  size_t i = 0;
  do {
    if (dwarf_tag(&ch) != DW_TAG_formal_parameter) continue;
    t->params[i++] = sse__type_of_die(c, &ch);
    if (c->err[0]) return -1;
  } while (i < n && dwarf_siblingof(&ch, &ch) == 0);
  t->n = i;
  return 0;
}

/* The array type of d from its subrange number k on (C's a[2][3]: an
 * array of 2 arrays of 3). */
static sse__vtype *array_from(sse__vctx *c, Dwarf_Die *d, Dwarf_Die *subs, int nsub, int k,
                              sse__vtype *elem, sse__vtype *outer) {
  sse__vtype *t = outer ? outer : sse__va_alloc(c, sizeof *t);
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
      if (!t->size) t->size = 8;
      t->target = sse__type_of_die(c, d);
      return c->err[0] ? -1 : 0;
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      t->kind = tag == DW_TAG_union_type ? SSE__TY_UNION : SSE__TY_STRUCT;
      t->complete = !attr_u(d, DW_AT_declaration, 0);
      return fill_members(c, t, d);
    case DW_TAG_enumeration_type:
      t->kind = SSE__TY_ENUM;
      t->complete = !attr_u(d, DW_AT_declaration, 0);
      return fill_enum(c, t, d);
    case DW_TAG_array_type: return fill_array(c, t, d);
    case DW_TAG_subroutine_type: case DW_TAG_subprogram:
      t->kind = SSE__TY_FUNC;
      t->size = 1;
      return fill_func(c, t, d);
    case DW_TAG_typedef: case DW_TAG_const_type: case DW_TAG_volatile_type:
      t->kind = tag == DW_TAG_typedef ? SSE__TY_TYPEDEF
                : tag == DW_TAG_const_type ? SSE__TY_CONST : SSE__TY_VOLATILE;
      t->target = sse__type_of_die(c, d);
      if (c->err[0]) return -1;
      if (!t->target && tag != DW_TAG_typedef) t->target = c->t_void;
      if (!t->target) t->target = c->t_void;
      return 0;
    default: /* restrict, atomic, ...: as their target */
      t->kind = SSE__TY_TYPEDEF;
      t->name = NULL;
      t->target = sse__type_of_die(c, d);
      if (!t->target) t->target = c->t_void;
      return c->err[0] ? -1 : 0;
  }
}

sse__vtype *sse__type_from(sse__vctx *c, Dwarf_Die *d) {
  const void *dw = d->cu ? (const void *)dwarf_cu_getdwarf(d->cu) : NULL;
  Dwarf_Off off = dwarf_dieoffset(d);
  sse__vtype *t = memo_get(c, dw, off);
  if (t) return t;
  if (c->depth >= TYPE_MAX_DEPTH || c->ntypes >= TYPE_MAX_COUNT) {
    sse__verr(c, "Type too deeply nested.");
    return NULL;
  }
  if (!(t = sse__va_alloc(c, sizeof *t))) return NULL;
  t->off = off;
  t->dw = dw;
  t->name = sse__va_strdup(c, dwarf_diename(d));
  t->size = attr_u(d, DW_AT_byte_size, 0);
  if (!memo_put(c, t)) {
    sse__verr(c, "virtual memory exhausted.");
    return NULL;
  }
  c->ntypes++;
  c->depth++;
  int rc = fill(c, t, d, dwarf_tag(d));
  c->depth--;
  if (rc < 0 && !c->err[0]) sse__verr(c, "Invalid DWARF type.");
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

void sse__types_init(sse__vctx *c) {
  c->t_void = sse__type_base(c, "void", 1, SSE__TY_VOID, false);
  c->t_int = sse__type_base(c, "int", 4, SSE__TY_INT, true);
  c->t_uint = sse__type_base(c, "unsigned int", 4, SSE__TY_INT, false);
  c->t_long = sse__type_base(c, "long", 8, SSE__TY_INT, true);
  c->t_ulong = sse__type_base(c, "unsigned long", 8, SSE__TY_INT, false);
  c->t_char = sse__type_base(c, "char", 1, SSE__TY_CHAR, true);
  c->t_double = sse__type_base(c, "double", 8, SSE__TY_FLOAT, true);
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
