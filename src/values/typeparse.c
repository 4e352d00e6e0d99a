/* Type names in expressions, for casts and sizeof: C's base types by
 * their keywords ("unsigned long", "signed char", "_Bool"), struct,
 * union and enum tags and typedef names looked up in the DWARF (C++:
 * qualified names with template arguments, "std::vector<int,
 * std::allocator<int> >", "(anonymous namespace)::T", and class names
 * without a keyword), then const/volatile and '*'s. */
#include <ctype.h>
#include <dwarf.h>
#include <stdio.h>
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

/* The length of the balanced "<...>" at p (nested <> and ()), or 0. */
static size_t template_args(const char *p) {
  int nest = 0;
  for (size_t k = 0; p[k]; k++) {
    if (p[k] == '<' || p[k] == '(') nest++;
    else if ((p[k] == '>' || p[k] == ')') && --nest == 0) return p[k] == '>' ? k + 1 : 0;
    else if (nest <= 0) return 0;
  }
  return 0;
}

/* One scope or name of a C++ name: an identifier with its template
 * arguments. Its length, or 0. "(anonymous namespace)" is no name to
 * gdb's parser unquoted: a parenthesis, then the symbol "anonymous". */
size_t sse__name_comp_len(const char *p) {
  char id[256];
  size_t k = ident_at(p, id, sizeof id);
  if (!k) return 0;
  const char *q = skip(p + k);
  size_t ta = *q == '<' ? template_args(q) : 0;
  return ta ? (size_t)(q - p) + ta : k;
}

/* A name at p (C's identifier; C++'s "ns::C<int>::T", "::T") into buf,
 * *first its first component; its length in p, 0: none. */
static size_t qual_name_at(const char *p, char *buf, size_t n, char *first, size_t fn) {
  size_t k = p[0] == ':' && p[1] == ':' ? 2 : 0, len = 0;
  for (bool top = true;; top = false) {
    size_t m = sse__name_comp_len(p + k);
    if (!m) return 0;
    if (top) snprintf(first, fn, "%.*s", (int)m, p + k);
    k += m;
    len = k;
    const char *q = skip(p + k);
    if (q[0] != ':' || q[1] != ':') break;
    k = (size_t)(skip(q + 2) - p);
  }
  if (len + 1 > n) return 0;
  memcpy(buf, p, len);
  buf[len] = 0;
  return len;
}

/* struct/union/enum/class TAG, or a typedef name (C++: a class, union or
 * enum name too): NULL when p is neither. */
static sse__vtype *named(sse__vctx *c, const char **pp) {
  static const struct { const char *kw; int tag; const char *what; } tags[] = {
      {"struct", DW_TAG_structure_type, "struct"}, {"class", DW_TAG_structure_type, "struct"},
      {"union", DW_TAG_union_type, "union"}, {"enum", DW_TAG_enumeration_type, "enum"}};
  const char *p = *pp;
  char name[1024], first[256];
  size_t len;
  for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
    if (!word_is(p, tags[i].kw, &len)) continue;
    p = skip(p + len);
    size_t k = qual_name_at(p, name, sizeof name, first, sizeof first);
    if (!k) return NULL;
    Dwarf_Die d;
    if (!sse__scope_find_type(c, tags[i].tag, name, &d)) {
      /* gdb names the first component only ("No struct type named ns.") */
      if (!c->err[0]) sse__verr(c, "No %s type named %s.", tags[i].what, first);
      return NULL;
    }
    *pp = p + k;
    return sse__type_from(c, &d);
  }
  size_t k = qual_name_at(p, name, sizeof name, first, sizeof first);
  Dwarf_Die d;
  if (!k || !sse__scope_find_type(c, DW_TAG_typedef, name, &d)) return NULL;
  *pp = p + k;
  return sse__type_from(c, &d);
}

/* Whether the frame's code is C++ (or unknown). */
static bool frame_cxx(sse__vctx *c) {
  return !c->at || !c->at->cu || sse__die_is_cxx(c->at->cu);
}

/* const t */
static sse__vtype *qualified(sse__vctx *c, sse__vtype *t) {
  sse__vtype *q = sse__type_base(c, NULL, 0, SSE__TY_CONST, false);
  if (q) q->target = t;
  return q;
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
  if (cnst && !(t = qualified(c, t))) return NULL;
  /* "T const *" is "const T *" */
  for (p = skip(p); word_is(p, "const", &len) || word_is(p, "volatile", &len); p = skip(p + len))
    if (p[0] == 'c' && !cnst && !(t = qualified(c, t))) return NULL;
  for (; *p == '*'; p = skip(p + 1))
    if (!(t = sse__type_ptr_to(c, t))) return NULL;
  /* C++: a reference, "T &", "T &&" */
  if (*p == '&' && t && frame_cxx(c)) {
    bool rv = p[1] == '&';
    if (!(t = sse__type_ptr_to(c, t))) return NULL;
    t->ref = rv ? 2 : 1;
    p = skip(p + (rv ? 2 : 1));
  }
  *pp = p;
  return t;
}
