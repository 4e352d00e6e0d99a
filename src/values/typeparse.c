/* Type names in expressions, for casts and sizeof: C's base types by
 * their keywords ("unsigned long", "signed char", "_Bool"), struct,
 * union and enum tags and typedef names looked up in the DWARF, then
 * const/volatile and '*'s. */
#include <ctype.h>
#include <dwarf.h>
#include <string.h>

#include "values/values.h"

typedef struct base_words {
  int sgn, uns, chr, shrt, lng, in, flt, dbl, vd, bl;
} base_words;

static bool word_is(const char *p, const char *w, size_t *len) {
  size_t n = strlen(w);
  if (strncmp(p, w, n) != 0 || isalnum((unsigned char)p[n]) || p[n] == '_') return false;
  *len = n;
  return true;
}

static bool base_word(const char *p, base_words *b, size_t *len) {
  if (word_is(p, "signed", len)) return ++b->sgn;
  if (word_is(p, "unsigned", len)) return ++b->uns;
  if (word_is(p, "char", len)) return ++b->chr;
  if (word_is(p, "short", len)) return ++b->shrt;
  if (word_is(p, "long", len)) return ++b->lng;
  if (word_is(p, "int", len)) return ++b->in;
  if (word_is(p, "float", len)) return ++b->flt;
  if (word_is(p, "double", len)) return ++b->dbl;
  if (word_is(p, "void", len)) return ++b->vd;
  if (word_is(p, "_Bool", len)) return ++b->bl;
  return false;
}

/* The type the keywords make, with gdb's name for it. */
static sse__vtype *base_of(sse__vctx *c, const base_words *b) {
  bool u = b->uns > 0;
  if (b->vd) return c->t_void;
  if (b->bl) return sse__type_base(c, "_Bool", 1, SSE__TY_BOOL, false);
  if (b->flt) return sse__type_base(c, "float", 4, SSE__TY_FLOAT, true);
  if (b->dbl) return b->lng ? sse__type_base(c, "long double", 16, SSE__TY_FLOAT, true) : c->t_double;
  if (b->chr)
    return sse__type_base(c, u ? "unsigned char" : b->sgn ? "signed char" : "char", 1, SSE__TY_CHAR, !u);
  if (b->shrt) return sse__type_base(c, u ? "unsigned short" : "short", 2, SSE__TY_INT, !u);
  if (b->lng >= 2) return sse__type_base(c, u ? "unsigned long long" : "long long", 8, SSE__TY_INT, !u);
  if (b->lng) return u ? c->t_ulong : c->t_long;
  return u ? c->t_uint : c->t_int;
}

static const char *skip(const char *p) {
  while (isspace((unsigned char)*p)) p++;
  return p;
}

/* An identifier at p copied into buf; its length (0: none). */
static size_t ident_at(const char *p, char *buf, size_t n) {
  size_t k = 0;
  if (!isalpha((unsigned char)*p) && *p != '_') return 0;
  while ((isalnum((unsigned char)p[k]) || p[k] == '_') && k + 1 < n) buf[k] = p[k], k++;
  buf[k] = 0;
  return k;
}

/* struct/union/enum TAG, or a typedef name: NULL when p is neither. */
static sse__vtype *named(sse__vctx *c, const char **pp) {
  static const struct { const char *kw; int tag; const char *what; } tags[] = {
      {"struct", DW_TAG_structure_type, "struct"}, {"union", DW_TAG_union_type, "union"},
      {"enum", DW_TAG_enumeration_type, "enum"}};
  const char *p = *pp;
  char name[256];
  size_t len;
  for (size_t i = 0; i < 3; i++) {
    if (!word_is(p, tags[i].kw, &len)) continue;
    p = skip(p + len);
    size_t k = ident_at(p, name, sizeof name);
    if (!k) return NULL;
    Dwarf_Die d;
    if (!sse__scope_find_type(c, tags[i].tag, name, &d)) {
      sse__verr(c, "No %s type named %s.", tags[i].what, name);
      return NULL;
    }
    *pp = p + k;
    return sse__type_from(c, &d);
  }
  size_t k = ident_at(p, name, sizeof name);
  Dwarf_Die d;
  if (!k || !sse__scope_find_type(c, DW_TAG_typedef, name, &d)) return NULL;
  *pp = p + k;
  return sse__type_from(c, &d);
}

sse__vtype *sse__typename_parse(sse__vctx *c, const char **pp) {
  const char *p = skip(*pp);
  base_words b = {0};
  size_t len;
  bool cnst = false, any = false;
  sse__vtype *t = NULL;
  for (;;) {
    if (word_is(p, "const", &len) || word_is(p, "volatile", &len)) {
      cnst = cnst || p[0] == 'c';
      p = skip(p + len);
    } else if (!t && base_word(p, &b, &len)) {
      any = true;
      p = skip(p + len);
    } else break;
  }
  if (any) t = base_of(c, &b);
  else if (!(t = named(c, &p))) return NULL;
  if (!t) return NULL;
  if (cnst) {
    sse__vtype *q = sse__type_base(c, NULL, 0, SSE__TY_CONST, false);
    if (!q) return NULL;
    q->target = t;
    t = q;
  }
  for (p = skip(p); *p == '*'; p = skip(p + 1))
    if (!(t = sse__type_ptr_to(c, t))) return NULL;
  *pp = p;
  return t;
}
