/* C++ names as gdb prints and matches them: the demangled ELF name
 * (__cxa_demangle, the same cp-demangle code as gdb's libiberty), the
 * scope-qualified DWARF name of a subprogram (gdb's dwarf2 reader:
 * dwarf2_full_name / determine_prefix), and gdb's linespec test of a user's
 * `break NAME` against a demangled symbol (strncmp_iw_with_match with
 * symbol_name_match_type::WILD: trailing scope components, template
 * arguments optional, parameters when given). */
#define _GNU_SOURCE
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab_int.h"

/* libstdc++'s C++ ABI demangler (cxxabi.h is C++ only). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

bool sse__cxx_lang(int lang) {
  return lang == DW_LANG_C_plus_plus || lang == DW_LANG_C_plus_plus_03 || lang == DW_LANG_C_plus_plus_11 ||
         lang == DW_LANG_C_plus_plus_14;
}

/* gdb demangles the standard substitutions Ss, Si, So, Sd in full
 * (DMGL_VERBOSE: "std::basic_string<char, std::char_traits<char>,
 * std::allocator<char> >"), __cxa_demangle by their short names, which
 * only these substitutions print: the short names expanded. */
static const struct {
  const char *abbrev, *full;
} std_subs[] = {
    {"std::string", "std::basic_string<char, std::char_traits<char>, std::allocator<char> >"},
    {"std::istream", "std::basic_istream<char, std::char_traits<char> >"},
    {"std::ostream", "std::basic_ostream<char, std::char_traits<char> >"},
    {"std::iostream", "std::basic_iostream<char, std::char_traits<char> >"},
};

static char *expand_std(char *d) {
  for (size_t k = 0; k < sizeof std_subs / sizeof std_subs[0]; k++) {
    size_t al = strlen(std_subs[k].abbrev), fl = strlen(std_subs[k].full);
    for (char *p = strstr(d, std_subs[k].abbrev); p; p = strstr(p, std_subs[k].abbrev)) {
      bool word = (p == d || (!isalnum((unsigned char)p[-1]) && p[-1] != '_' && p[-1] != ':')) &&
                  !isalnum((unsigned char)p[al]) && p[al] != '_';
      if (!word) {
        p += al;
        continue;
      }
      size_t off = (size_t)(p - d), len = strlen(d);
      char *n = malloc(len - al + fl + 1);
      if (n == NULL)
        return d;
      memcpy(n, d, off);
      memcpy(n + off, std_subs[k].full, fl);
      memcpy(n + off + fl, p + al, len - off - al + 1);
      free(d);
      d = n;
      p = d + off + fl;
    }
  }
  return d;
}

char *sse__cxx_demangle(const char *mangled) {
  if (mangled == NULL || strncmp(mangled, "_Z", 2) != 0)
    return NULL;
  int status = 0;
  char *d = __cxa_demangle(mangled, NULL, NULL, &status);
  if (status != 0) {
    free(d);
    return NULL;
  }
  return expand_std(d);
}

const char *sse__symtab_demangle(sse__symtab *st, const char *mangled) {
  char *d = sse__cxx_demangle(mangled);
  if (d == NULL)
    return NULL;
  const char *r = sse__modcache_intern(st->cache, d);
  free(d);
  return r;
}

static void name_bounds(const char *s, bool with_ret, size_t *start, size_t *params);

/* ---- the qualified DWARF name ---- */

/* The DIE whose parents name die's scope: gdb's determine_prefix follows
 * DW_AT_specification (an out-of-line member definition) and
 * DW_AT_abstract_origin (a concrete instance of a constructor, an inline
 * function) to the declaration inside its class or namespace. */
static void decl_die(Dwarf_Die *die, Dwarf_Die *out) {
  *out = *die;
  for (int i = 0; i < 8; i++) {
    Dwarf_Attribute a;
    Dwarf_Die next;
    if (dwarf_attr(out, DW_AT_specification, &a) == NULL && dwarf_attr(out, DW_AT_abstract_origin, &a) == NULL)
      return;
    if (dwarf_formref_die(&a, &next) == NULL)
      return;
    *out = next;
  }
}

typedef struct sbuf {
  char *s;
  size_t n, cap;
  bool failed;
} sbuf;

static void sb_add(sbuf *b, const char *s) {
  size_t k = strlen(s);
  if (b->n + k + 1 > b->cap) {
    size_t cap = (b->n + k + 1) * 2;
    char *ns = realloc(b->s, cap);
    if (ns == NULL) {
      b->failed = true;
      return;
    }
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, k + 1);
  b->n += k;
}

/* gdb's frame name from a demangled linkage name: no return type (gdb
 * demangles with DMGL_RET_DROP) and no parameters (find_frame_funname's
 * cp_remove_params). Interned; NULL if it has no parameter list. */
static const char *frame_name(sse__symtab *st, const char *demangled) {
  size_t start, par;
  name_bounds(demangled, true, &start, &par);
  if (par == SIZE_MAX || par <= start)
    return NULL;
  char *n = strndup(demangled + start, par - start);
  const char *r = n ? sse__modcache_intern(st->cache, n) : NULL;
  free(n);
  return r;
}

size_t sse__cxx_name_start(const char *demangled) {
  size_t start, par;
  name_bounds(demangled, true, &start, &par);
  return par == SIZE_MAX || par <= start ? 0 : start;
}

const char *sse__symtab_cxx_frame_name(sse__symtab *st, const char *mangled) {
  char *dm = sse__cxx_demangle(mangled);
  const char *r = dm ? frame_name(st, dm) : NULL;
  free(dm);
  return r;
}

const char *sse__symtab_cxx_qualname(sse__symtab *st, Dwarf_Die *die) {
  Dwarf_Attribute a;
  /* gdb names a C++ symbol by its demangled linkage name where it has one
   * (dwarf2_physname): its template arguments in full
   * ("operator!=<int*, std::vector<int, std::allocator<int> > >" where
   * DW_AT_name drops the defaulted ones). */
  const char *ln = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
  if (ln == NULL)
    ln = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
  const char *r = sse__symtab_cxx_frame_name(st, ln);
  if (r != NULL)
    return r;
  /* Else DW_AT_name qualified with the scopes (dwarf2_compute_name). */
  const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
  if (name == NULL)
    return NULL;
  Dwarf_Die d;
  decl_die(die, &d);
  Dwarf_Die *scopes = NULL;
  int n = dwarf_getscopes_die(&d, &scopes);
  sbuf b = {0};
  /* scopes[0] is d itself, scopes[n - 1] the CU. */
  for (int i = n - 2; i >= 1; i--) {
    int tag = dwarf_tag(&scopes[i]);
    const char *sn = dwarf_formstring(dwarf_attr(&scopes[i], DW_AT_name, &a));
    if (tag == DW_TAG_namespace) {
      sb_add(&b, sn ? sn : "(anonymous namespace)");
    } else if (tag == DW_TAG_class_type || tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
               tag == DW_TAG_interface_type) {
      if (sn == NULL)
        continue;
      sb_add(&b, sn);
    } else {
      continue;
    }
    sb_add(&b, "::");
  }
  free(scopes);
  sb_add(&b, name);
  r = b.failed ? NULL : sse__modcache_intern(st->cache, b.s);
  free(b.s);
  return r;
}

/* ---- gdb's linespec match ---- */

static bool ident_ch(int c) { return isalnum(c) || c == '_' || c == '$'; }

/* The length of the operator token at s ("operator==", "operator()",
 * "operator new[]", "operator int"), or 0 when s starts no operator name. */
static size_t operator_len(const char *s, const char *start) {
  if (strncmp(s, "operator", 8) != 0 || ident_ch((unsigned char)s[8]))
    return 0;
  if (s > start && ident_ch((unsigned char)s[-1]))
    return 0;
  const char *p = s + 8;
  while (*p == ' ')
    p++;
  if ((p[0] == '(' && p[1] == ')') || (p[0] == '[' && p[1] == ']'))
    return (size_t)(p + 2 - s);
  /* The longest operator spelled at p: its '<' and '>' are not template
   * brackets ("operator!=<int*>" is operator!= of a template). */
  static const char *const ops[] = {"->*", "<<=", ">>=", "<=>", "->", "<<", ">>", "<=", ">=", "==", "!=",
                                    "&&",  "||",  "++",  "--",  "+=", "-=", "*=", "/=", "%=", "^=", "&=",
                                    "|=",  "+",   "-",   "*",   "/",  "%",  "^",  "&",  "|",  "~",  "!",
                                    "=",   "<",   ">",   ","};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    size_t k = strlen(ops[i]);
    if (strncmp(p, ops[i], k) == 0)
      return (size_t)(p + k - s);
  }
  /* new, delete, a conversion: the identifier (and "[]"); the rest of a
   * conversion's type is scanned as ordinary text. */
  while (ident_ch((unsigned char)*p))
    p++;
  if (p[0] == '[' && p[1] == ']')
    p += 2;
  return (size_t)(p - s);
}

/* Copy s[0..n) without the spaces that separate no two identifier
 * characters, and without "[abi:...]" tags: gdb's strncmp_iw ignores
 * whitespace, and a symbol's ABI tag need not be typed. */
static char *squeeze(const char *s, size_t n) {
  char *o = malloc(n + 1);
  if (o == NULL)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '[' && strncmp(s + i, "[abi:", 5) == 0) {
      const char *e = memchr(s + i, ']', n - i);
      if (e != NULL) {
        i = (size_t)(e - s);
        continue;
      }
    }
    if (s[i] == ' ') {
      if (k > 0 && ident_ch((unsigned char)o[k - 1]) && i + 1 < n && ident_ch((unsigned char)s[i + 1]))
        o[k++] = ' ';
      continue;
    }
    o[k++] = s[i];
  }
  o[k] = '\0';
  return o;
}

/* A name split at its top level: components (by "::"), the parameter list
 * and what follows it (" const"). Offsets into the squeezed text. */
#define CXX_MAXCOMP 32
typedef struct cxx_split {
  char *text;                 /* squeezed, owned */
  int ncomp;
  size_t comp[CXX_MAXCOMP];   /* start of each component */
  size_t compend[CXX_MAXCOMP];
  size_t params;              /* start of "(...)", or SIZE_MAX */
} cxx_split;

/* Split s: with_ret strips a leading return type (a template function's
 * demangled name, "int sum<int>(...)"). Returns false when s cannot be
 * read as a function name. */
/* Where the name in s starts (after a return type when with_ret) and its
 * parameter list: the top-level "(...)" followed only by qualifiers
 * (SIZE_MAX if none). */
static void name_bounds(const char *s, bool with_ret, size_t *start, size_t *params) {
  size_t n = strlen(s), name_start = 0, par = SIZE_MAX;
  int depth = 0;
  for (size_t i = 0; i < n; i++) {
    size_t ol = operator_len(s + i, s);
    if (ol && depth == 0) {
      i += ol - 1;
      continue;
    }
    char c = s[i];
    if (c == '<' || c == '(' || c == '[') {
      if (c == '(' && depth == 0) {
        /* Its closing parenthesis, then qualifiers only? */
        int d2 = 0;
        size_t j = i;
        for (; j < n; j++) {
          if (s[j] == '(') d2++;
          else if (s[j] == ')' && --d2 == 0) break;
        }
        if (j < n) {
          const char *q = s + j + 1;
          while (*q == ' ' || *q == '&' || strncmp(q, "const", 5) == 0 || strncmp(q, "volatile", 8) == 0) {
            if (*q == ' ' || *q == '&') q++;
            else q += *q == 'c' ? 5 : 8;
          }
          if (*q == '\0' && i > 0) {
            par = i;
            break;
          }
        }
      }
      depth++;
    } else if (c == '>' || c == ')' || c == ']') {
      if (depth > 0) depth--;
    } else if (c == ' ' && depth == 0 && with_ret) {
      name_start = i + 1;
    }
  }
  *start = name_start;
  *params = par;
}

static bool cxx_split_name(const char *s, bool with_ret, cxx_split *o) {
  memset(o, 0, sizeof *o);
  o->params = SIZE_MAX;
  size_t n = strlen(s), name_start, par;
  name_bounds(s, with_ret, &name_start, &par);
  size_t name_end = par == SIZE_MAX ? n : par;
  if (name_start >= name_end)
    return false;
  o->text = squeeze(s + name_start, n - name_start);
  if (o->text == NULL)
    return false;
  /* Offsets change with squeezing: split the squeezed text again. */
  const char *t = o->text;
  size_t tn = strlen(t), cs = 0;
  int depth = 0;
  for (size_t i = 0; i <= tn; i++) {
    size_t ol = i < tn && depth == 0 ? operator_len(t + i, t) : 0;
    if (ol) {
      i += ol - 1;
      continue;
    }
    char c = t[i];
    if (c == '<' || c == '(' || c == '[') {
      if (c == '(' && depth == 0 && par != SIZE_MAX && i > 0) {
        /* The first top-level '(' after the last component start that is
         * not a scope "(anonymous namespace)" is the parameter list. */
        if (strncmp(t + i, "(anonymous namespace)", 21) != 0) {
          o->params = i;
          break;
        }
      }
      depth++;
    } else if (c == '>' || c == ')' || c == ']') {
      if (depth > 0) depth--;
    } else if (c == ':' && t[i + 1] == ':' && depth == 0) {
      if (o->ncomp < CXX_MAXCOMP) {
        o->comp[o->ncomp] = cs;
        o->compend[o->ncomp++] = i;
      }
      cs = i + 2;
      i++;
    } else if (c == '\0') {
      break;
    }
  }
  size_t last_end = o->params != SIZE_MAX ? o->params : tn;
  if (o->ncomp >= CXX_MAXCOMP || last_end <= cs) {
    free(o->text);
    o->text = NULL;
    return false;
  }
  o->comp[o->ncomp] = cs;
  o->compend[o->ncomp++] = last_end;
  return true;
}

/* ---- patterns: a user's `break NAME` ---- */

struct sse__cxx_name {
  cxx_split s;
  char prefilter[80]; /* "<len><ident>": text every matching mangled name
                         holds; empty when none can be told */
  bool anchored;      /* "::f": from the global scope */
};

/* A component without its template argument list ("sum<int>" -> 3),
 * not counting an operator's '<'. */
static size_t comp_base_len(const char *c, size_t n) {
  size_t ol = operator_len(c, c);
  if (ol)
    return ol <= n ? ol : n;
  const char *lt = memchr(c, '<', n);
  return lt ? (size_t)(lt - c) : n;
}

sse__cxx_name *sse__cxx_pattern(const char *user) {
  if (user == NULL || *user == '\0')
    return NULL;
  sse__cxx_name *p = calloc(1, sizeof *p);
  if (p == NULL)
    return NULL;
  if (!cxx_split_name(user, false, &p->s)) {
    free(p);
    return NULL;
  }
  const char *t = p->s.text;
  if (p->s.ncomp > 1 && p->s.compend[0] == p->s.comp[0])
    p->anchored = true;
  int k = p->s.ncomp - 1;
  const char *last = t + p->s.comp[k];
  size_t ln = p->s.compend[k] - p->s.comp[k];
  size_t bl = comp_base_len(last, ln);
  bool op = operator_len(last, last) != 0;
  bool dtor = last[0] == '~';
  bool ctor = false;
  if (k > 0) {
    const char *prev = t + p->s.comp[k - 1];
    size_t pl = comp_base_len(prev, p->s.compend[k - 1] - p->s.comp[k - 1]);
    ctor = pl == bl && memcmp(prev, last, bl) == 0;
  }
  /* The function's own name is always spelled out in its mangled name,
   * except for operators, constructors and destructors (C1, D0: the class
   * may be a substitution, "Sa" for std::allocator). */
  if (!op && !dtor && !ctor && bl > 0 && bl < 60)
    snprintf(p->prefilter, sizeof p->prefilter, "%zu%.*s", bl, (int)bl, last);
  return p;
}

bool sse__cxx_has_params(const sse__cxx_name *p) { return p->s.params != SIZE_MAX; }

void sse__cxx_pattern_free(sse__cxx_name *p) {
  if (p == NULL)
    return;
  free(p->s.text);
  free(p);
}

static bool comp_eq(const char *u, size_t un, const char *s, size_t sn) {
  if (un == sn && memcmp(u, s, un) == 0)
    return true;
  /* gdb 13 ignores the template arguments the user left out: `sum`
   * matches sum<int> (not for an operator's own '<'). */
  if (memchr(u, '<', un) == NULL && operator_len(u, u) == 0) {
    size_t bl = comp_base_len(s, sn);
    return bl == un && bl < sn && memcmp(u, s, un) == 0;
  }
  return false;
}

/* Does the demangled name d (a function's, "shapes::Circle::area() const")
 * match pattern p as gdb's linespec does? */
static bool demangled_matches(const sse__cxx_name *p, const char *d) {
  cxx_split s;
  if (!cxx_split_name(d, true, &s))
    return false;
  bool ok = s.params != SIZE_MAX; /* a function: has parameters */
  const cxx_split *u = &p->s;
  int un = u->ncomp - (p->anchored ? 1 : 0);
  if (ok && (un > s.ncomp || (p->anchored && un != s.ncomp)))
    ok = false;
  for (int i = 0; ok && i < un; i++) {
    int ui = u->ncomp - 1 - i, si = s.ncomp - 1 - i;
    ok = comp_eq(u->text + u->comp[ui], u->compend[ui] - u->comp[ui], s.text + s.comp[si],
                 s.compend[si] - s.comp[si]);
  }
  if (ok && u->params != SIZE_MAX) {
    const char *up = u->text + u->params, *sp = s.text + s.params;
    /* The qualifiers too: gdb's `break Square::area()` does not find
     * `Square::area() const`. */
    ok = strcmp(up, sp) == 0;
  }
  free(s.text);
  return ok;
}

bool sse__cxx_matches(const sse__cxx_name *p, const char *mangled) {
  if (mangled == NULL || strncmp(mangled, "_Z", 2) != 0)
    return false;
  /* Thunks, vtables, typeinfo, guard variables, transaction clones: no
   * breakpoint goes there. */
  if (strncmp(mangled, "_ZT", 3) == 0 || strncmp(mangled, "_ZG", 3) == 0)
    return false;
  if (p->prefilter[0] != '\0' && strstr(mangled, p->prefilter) == NULL)
    return false;
  char *d = sse__cxx_demangle(mangled);
  if (d == NULL)
    return false;
  /* A partial copy ("f() [clone .cold]", ".isra.0") is not where gdb
   * breaks. */
  bool ok = strstr(d, " [clone ") == NULL && demangled_matches(p, d);
  free(d);
  return ok;
}
