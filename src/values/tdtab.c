/* gdb's local typedef table of a C++ class that ptype spells out
 * (typeprint.c's typedef_hash_table): the class template's parameters,
 * then the typedefs of the class and of its bases, each kept only when
 * no entry gdb counts as the same type (types_equal) is met first. It
 * is a libiberty htab: an entry hashed by its own type's name
 * (TYPE_SAFE_NAME, no typedef looked through), found by probing from
 * the looked-up type's name. Which of two names for one type gdb writes
 * (allocator_type or _Alloc) is the one its probe meets first, so the
 * table is the same htab: htab_hash_string, the same primes, the same
 * double hashing and growth. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <string.h>

#include "values/values.h"

typedef struct td_entry {
  const char *name;
  sse__vtype *type; /* NULL: a key by name only */
  const char *key;  /* ... that name */
  Dwarf_Off fin;    /* ... a key by the DIE it stands for (not 0) */
  const void *fdw;
} td_entry;

struct sse__tdtab {
  sse__vctx *c;
  td_entry **slot;
  size_t size, n;
};

/* libiberty's prime_tab, as far as a class's typedefs go */
static const unsigned primes[] = {7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381};

static size_t higher_prime(size_t n) {
  for (size_t i = 0; i < sizeof primes / sizeof *primes; i++)
    if (primes[i] >= n) return primes[i];
  return primes[sizeof primes / sizeof *primes - 1];
}

static unsigned hash_string(const char *s) {
  unsigned r = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) r = r * 67 + *p - 113;
  return r;
}

/* gdb's TYPE_SAFE_NAME: a qualified type has its type's name */
static const char *safe_name(sse__vtype *t) {
  while (t && (t->kind == SSE__TY_CONST || t->kind == SSE__TY_VOLATILE)) t = t->target;
  return t && t->name ? t->name : "<unnamed type>";
}

static unsigned entry_hash(const td_entry *e) {
  return hash_string(e->type ? safe_name(e->type) : e->key);
}

static bool same(sse__vtype *a, sse__vtype *b) {
  return a == b || (a && b && a->off && a->off == b->off && a->dwarf == b->dwarf);
}

/* gdb's types_equal */
static bool types_equal(sse__vtype *a, sse__vtype *b, int depth) {
  if (same(a, b)) return true;
  if (depth > 16) return false;
  a = sse__type_strip(a);
  b = sse__type_strip(b);
  if (!a || !b || same(a, b)) return same(a, b);
  if (a->kind != b->kind || (a->kind == SSE__TY_PTR && a->ref != b->ref)) return false;
  if (a->kind == SSE__TY_PTR && a->ref != 2) return types_equal(a->target, b->target, depth + 1);
  if (a->name && b->name && strcmp(a->name, b->name) == 0) return true;
  if (a->kind != SSE__TY_FUNC || a->n != b->n || !types_equal(a->target, b->target, depth + 1))
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (!types_equal(a->params[i], b->params[i], depth + 1)) return false;
  return true;
}

/* An entry against a key: by type, or (a name inside a template
 * argument, gdb's symbol of that name) by the entry's names. */
static bool eq(const td_entry *e, const td_entry *k) {
  if (k->type) return types_equal(e->type, k->type, 0);
  if (k->fin) {
    sse__vtype *s = sse__type_strip(e->type);
    return s && s->off == k->fin && s->dwarf == k->fdw;
  }
  if (e->type->name && strcmp(e->type->name, k->key) == 0) return true;
  char tn[1024];
  sse__vtype *s = sse__type_strip(e->type);
  if (!s) return false;
  const sse__tsubst *prev = sse__type_name_subst(NULL); /* its own name, not this table's */
  sse__type_name(s, tn, sizeof tn);
  sse__type_name_subst(prev);
  return strcmp(tn, k->key) == 0;
}

/* The slot of k or, insert, the empty one it goes in; -1: none. */
static long probe(const sse__tdtab *t, const td_entry *k, bool insert) {
  unsigned h = entry_hash(k);
  size_t i = h % t->size, h2 = 1 + h % (t->size - 2);
  for (size_t tries = 0; tries < t->size; tries++) {
    if (!t->slot[i]) return insert ? (long)i : -1;
    if (eq(t->slot[i], k)) return (long)i;
    i += h2;
    if (i >= t->size) i -= t->size;
  }
  return -1;
}

static int make(sse__tdtab *t, size_t size) {
  t->slot = sse__va_alloc(t->c, size * sizeof *t->slot);
  t->size = size;
  return t->slot ? 0 : -1;
}

/* htab_expand: the entries again in their slots' order */
static int expand(sse__tdtab *t) {
  td_entry **old = t->slot;
  size_t osize = t->size;
  if (make(t, t->n * 2 > osize ? higher_prime(t->n * 2) : osize)) return -1;
  for (size_t i = 0; i < osize; i++) {
    if (!old[i]) continue;
    unsigned h = entry_hash(old[i]);
    size_t j = h % t->size, h2 = 1 + h % (t->size - 2);
    while (t->slot[j]) {
      j += h2;
      if (j >= t->size) j -= t->size;
    }
    t->slot[j] = old[i];
  }
  return 0;
}

static int insert(sse__tdtab *t, td_entry *e) {
  if (t->size * 3 <= t->n * 4 && expand(t)) return -1;
  long i = probe(t, e, true);
  if (i >= 0 && !t->slot[i]) {
    t->slot[i] = e;
    t->n++;
  }
  return 0;
}

sse__tdtab *sse__tdtab_new(sse__vctx *c) {
  sse__tdtab *t = sse__va_alloc(c, sizeof *t);
  if (!t) return NULL;
  t->c = c;
  return make(t, higher_prime(10)) ? NULL : t;
}

int sse__tdtab_add(sse__tdtab *t, const char *name, sse__vtype *type) {
  if (!type) return 0;
  td_entry *e = sse__va_alloc(t->c, sizeof *e);
  if (!e) return -1;
  e->name = name;
  e->type = type;
  return insert(t, e);
}

sse__tdtab *sse__tdtab_copy(const sse__tdtab *t) {
  sse__tdtab *r = sse__tdtab_new(t->c);
  for (size_t i = 0; r && i < t->size; i++)
    if (t->slot[i] && insert(r, t->slot[i])) return NULL;
  return r;
}

const char *sse__tdtab_find(const sse__tdtab *t, sse__vtype *type) {
  td_entry k = {.type = type};
  long i = t && type ? probe(t, &k, false) : -1;
  return i >= 0 ? t->slot[i]->name : NULL;
}

const char *sse__tdtab_find_named(const sse__tdtab *t, const char *name) {
  td_entry k = {.key = name};
  long i = t && name ? probe(t, &k, false) : -1;
  return i >= 0 ? t->slot[i]->name : NULL;
}

/* The DIE typedef (or qualifier) DIE d comes down to. */
static bool die_final(Dwarf_Die *d) {
  Dwarf_Attribute a;
  for (int i = 0; i < 64; i++) {
    int tag = dwarf_tag(d);
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
      return true;
    if (!dwarf_attr_integrate(d, DW_AT_type, &a) || !dwarf_formref_die(&a, d)) return false;
  }
  return false;
}

const char *sse__tdtab_find_symbol(const sse__tdtab *t, sse__vtype *type) {
  Dwarf_Die d;
  if (!t || !type || type->kind != SSE__TY_TYPEDEF || !type->name || t->c->err[0])
    return sse__tdtab_find(t, type);
  char saved[sizeof t->c->err];
  memcpy(saved, t->c->err, sizeof saved);
  int found = sse__scope_find_type(t->c, DW_TAG_typedef, type->name, &d);
  memcpy(t->c->err, saved, sizeof saved); /* not found: the type itself */
  if (found != 1 || (dwarf_dieoffset(&d) == type->off && d.cu &&
                     (const void *)dwarf_cu_getdwarf(d.cu) == type->dwarf))
    return sse__tdtab_find(t, type);
  /* another typedef of that name (an alias template's instances): the
   * type it stands for, by its DIE, not transcoded here */
  if (!die_final(&d)) return NULL;
  td_entry k = {.key = type->name, .fin = dwarf_dieoffset(&d),
                .fdw = d.cu ? (const void *)dwarf_cu_getdwarf(d.cu) : NULL};
  long i = probe(t, &k, false);
  return i >= 0 ? t->slot[i]->name : NULL;
}
