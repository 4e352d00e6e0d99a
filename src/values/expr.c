/* C expressions, parsed by precedence climbing into a tree: literals,
 * identifiers, ( ), postfix [ ] . ->, unary - + * & ! ~, the binary
 * operators from || down to * / % (and gdb's artificial array, a@n,
 * between the shifts and + -), ?: and the assignments = += ... >>=. Errors are gdb's: "A syntax error in
 * expression, near `REST'." */
#include <ctype.h>
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define EXPR_MAX_DEPTH 200

/* Binary operators: two-character ones coded as distinct ints. */
enum { OP_OROR = 256, OP_ANDAND, OP_EQ, OP_NE, OP_LE, OP_GE, OP_SHL, OP_SHR, OP_DOTSTAR, OP_ARROWSTAR };

#define PARSE_IDENTS 8

typedef struct parser {
  sse__vctx *c;
  const char *s, *p;
  int depth;
  sse__expr *idents[PARSE_IDENTS]; /* the first names read, in order */
  int nidents;
} parser;

static void ws(parser *P) {
  while (isspace((unsigned char)*P->p)) P->p++;
}

static sse__expr *fail(parser *P) {
  ws(P);
  sse__verr(P->c, "A syntax error in expression, near `%s'.", P->p);
  return NULL;
}

static sse__expr *node(parser *P, sse__eop op, sse__expr *a, sse__expr *b) {
  sse__expr *e = sse__va_alloc(P->c, sizeof *e);
  if (!e) return NULL;
  e->op = op;
  e->a = a;
  e->b = b;
  return e;
}

static sse__expr *expr(parser *P, int minprec);
static sse__expr *assign_expr(parser *P);

static sse__expr *number(parser *P) {
  const char *start = P->p;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(start, &end, 0);
  if (*end == '.' || *end == 'e' || *end == 'E') {
    double d = strtod(start, &end);
    sse__expr *e = node(P, SSE__E_FNUM, NULL, NULL);
    if (!e) return NULL;
    e->fnum = d;
    P->p = end;
    return e;
  }
  if (errno == ERANGE) {
    sse__verr(P->c, "Numeric constant too large.");
    return NULL;
  }
  sse__expr *e = node(P, SSE__E_NUM, NULL, NULL);
  if (!e) return NULL;
  e->num = v;
  for (;; end++) {
    if (*end == 'u' || *end == 'U') e->num_unsigned = true;
    else if (*end == 'l' || *end == 'L') e->num_long = true;
    else break;
  }
  if (isalnum((unsigned char)*end) || *end == '_') {
    sse__verr(P->c, "Invalid number \"%.*s\".", (int)(end - start + 1), start);
    return NULL;
  }
  /* C: an int literal that does not fit int is long */
  if (v > (e->num_unsigned ? 0xffffffffull : 0x7fffffffull)) e->num_long = true;
  P->p = end;
  return e;
}

/* gdb's quoted name: 'ns::f(int)', '(anonymous namespace)::g' (more
 * than one character between the quotes, no escape). */
static sse__expr *quoted_name(parser *P) {
  const char *q = P->p + 1, *end = strchr(q, '\'');
  if (*q == '\\' || !end || end - q < 2) return NULL;
  sse__expr *e = node(P, SSE__E_IDENT, NULL, NULL);
  char *s = sse__va_alloc(P->c, (size_t)(end - q) + 1);
  if (!e || !s) return NULL;
  memcpy(s, q, (size_t)(end - q));
  e->name = s;
  e->bin = '\''; /* one name: no error by its scopes */
  P->p = end + 1;
  return e;
}

static sse__expr *charlit(parser *P) {
  sse__expr *qn = quoted_name(P);
  if (qn || P->c->err[0]) return qn;
  const char *q = P->p + 1;
  int ch;
  if (*q == '\\') {
    q++;
    switch (*q) {
      case 'n': ch = '\n'; break;
      case 't': ch = '\t'; break;
      case 'r': ch = '\r'; break;
      case 'a': ch = '\a'; break;
      case 'b': ch = '\b'; break;
      case 'f': ch = '\f'; break;
      case 'v': ch = '\v'; break;
      case 'e': ch = 033; break;
      case '0': ch = 0; break;
      case '\\': case '\'': case '"': ch = *q; break;
      default: return fail(P);
    }
    q++;
  } else {
    if (!*q || *q == '\'') return fail(P);
    ch = (unsigned char)*q++;
  }
  if (*q != '\'') {
    sse__verr(P->c, "Unmatched single quote.");
    return NULL;
  }
  P->p = q + 1;
  sse__expr *e = node(P, SSE__E_NUM, NULL, NULL);
  if (e) {
    e->num = (uint64_t)ch;
    e->num_unsigned = false;
    e->bin = 'c'; /* a char literal: type char */
  }
  return e;
}

/* The length of the C++ qualified name at p ("ns::f", "::g",
 * "Box<int>::m", "(anonymous namespace)::h", "std::map<int, int>"); 0
 * when p is no qualified name. */
static size_t qualified_len(const char *p) {
  size_t k = p[0] == ':' && p[1] == ':' ? 2 : 0, last = 0;
  for (;;) {
    size_t m = sse__name_comp_len(p + k), id = 0;
    while (isalnum((unsigned char)p[k + id]) || p[k + id] == '_') id++;
    if (!m) return 0;
    const char *q = p + k + m;
    while (*q == ' ') q++;
    if (q[0] != ':' || q[1] != ':') {
      last = k + m;
      break;
    }
    for (q += 2; *q == ' ';) q++;
    k = (size_t)(q - p);
  }
  return memchr(p, ':', last) ? last : 0;
}

/* C++: the length of the name of a function template's instance at p
 * ("sum<int>"), when the frame's scopes have it; else 0. */
static size_t template_func_len(parser *P, const char *p) {
  size_t m = sse__name_comp_len(p), id = 0;
  while (isalnum((unsigned char)p[id]) || p[id] == '_') id++;
  if (m <= id || !P->c->at || m > 1024) return 0;
  char name[1025];
  Dwarf_Die d;
  memcpy(name, p, m);
  name[m] = 0;
  if (sse__scope_find(P->c, name, &d) && dwarf_tag(&d) == DW_TAG_subprogram) return m;
  P->c->err[0] = 0;
  return 0;
}

static const char *ident(parser *P) {
  const char *start = P->p;
  size_t q = qualified_len(start);
  if (!q) q = template_func_len(P, start);
  if (q) P->p += q;
  else while (isalnum((unsigned char)*P->p) || *P->p == '_') P->p++;
  size_t n = (size_t)(P->p - start);
  char *s = sse__va_alloc(P->c, n + 1);
  if (s) memcpy(s, start, n);
  return s;
}

static sse__expr *primary(parser *P) {
  ws(P);
  char ch = *P->p;
  if (isdigit((unsigned char)ch)) return number(P);
  if (ch == '\'') return charlit(P);
  if (ch == '$') {
    /* a register ($pc, $rax), a convenience variable or history */
    P->p++;
    sse__expr *e = node(P, SSE__E_DOLLAR, NULL, NULL);
    if (e && !(e->name = ident(P))) return NULL;
    return e;
  }
  if (isalpha((unsigned char)ch) || ch == '_' || qualified_len(P->p)) {
    sse__expr *e = node(P, SSE__E_IDENT, NULL, NULL);
    if (e && !(e->name = ident(P))) return NULL;
    if (e && P->nidents < PARSE_IDENTS) P->idents[P->nidents++] = e;
    return e;
  }
  if (ch == '(') {
    P->p++;
    sse__expr *e = assign_expr(P);
    if (!e) return NULL;
    ws(P);
    if (*P->p != ')') return fail(P);
    P->p++;
    return e;
  }
  if (ch == '\\' || ch == '`') {
    sse__verr(P->c, "Invalid character '%c' in expression.", ch);
    return NULL;
  }
  return fail(P);
}

static sse__expr *postfix(parser *P) {
  sse__expr *e = primary(P);
  while (e) {
    ws(P);
    if (*P->p == '[') {
      P->p++;
      sse__expr *i = assign_expr(P);
      if (!i) return NULL;
      ws(P);
      if (*P->p != ']') return fail(P);
      P->p++;
      e = node(P, SSE__E_INDEX, e, i);
    } else if ((*P->p == '.' && P->p[1] != '*') ||
               (P->p[0] == '-' && P->p[1] == '>' && P->p[2] != '*')) {
      sse__eop op = *P->p == '.' ? SSE__E_MEMBER : SSE__E_ARROW;
      P->p += op == SSE__E_MEMBER ? 1 : 2;
      ws(P);
      if (!isalpha((unsigned char)*P->p) && *P->p != '_') return fail(P);
      const char *name = ident(P);
      if (!name || !(e = node(P, op, e, NULL))) return NULL;
      e->name = name;
    } else {
      break;
    }
  }
  return e;
}

static sse__expr *unary(parser *P);

/* "(TYPE)" at P->p: the type, P->p past the ')'; NULL (P->p kept) when
 * the parenthesis holds no type name. */
static sse__vtype *paren_type(parser *P) {
  const char *q = P->p + 1;
  sse__vtype *t = sse__typename_parse(P->c, &q);
  if (!t) return NULL;
  while (isspace((unsigned char)*q)) q++;
  if (*q != ')') {
    P->p = q;
    fail(P);
    return NULL;
  }
  P->p = q + 1;
  return t;
}

/* sizeof EXPR, sizeof (TYPE) */
static sse__expr *size_of(parser *P) {
  P->p += 6;
  ws(P);
  if (*P->p == '(') {
    sse__vtype *t = paren_type(P);
    if (P->c->err[0]) return NULL;
    if (t) {
      sse__expr *e = node(P, SSE__E_SIZEOF_TYPE, NULL, NULL);
      if (e) e->type = t;
      return e;
    }
  }
  /* gdb: sizeof TYPE without parentheses is a syntax error after it */
  const char *q = P->p;
  if (sse__typename_parse(P->c, &q)) {
    P->p = q;
    return fail(P);
  }
  P->c->err[0] = 0;
  sse__expr *a = unary(P);
  return a ? node(P, SSE__E_SIZEOF, a, NULL) : NULL;
}

static bool at_word(const char *p, const char *w) {
  size_t n = strlen(w);
  return strncmp(p, w, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

static sse__expr *unary(parser *P) {
  ws(P);
  char ch = *P->p;
  if (at_word(P->p, "sizeof")) return size_of(P);
  if (ch == '(') {
    sse__vtype *t = paren_type(P);
    if (P->c->err[0]) return NULL;
    if (t) {
      sse__expr *a = unary(P);
      sse__expr *e = a ? node(P, SSE__E_CAST, a, NULL) : NULL;
      if (e) e->type = t;
      return e;
    }
  }
  if (++P->depth > EXPR_MAX_DEPTH) {
    sse__verr(P->c, "Expression too deeply nested.");
    return NULL;
  }
  sse__expr *r;
  sse__eop op = ch == '-' ? SSE__E_NEG : ch == '*' ? SSE__E_DEREF : ch == '&' ? SSE__E_ADDR
                : ch == '!' ? SSE__E_NOT : ch == '~' ? SSE__E_BNOT : (sse__eop)-1;
  if (ch == '+' && P->p[1] != '+') {
    P->p++;
    r = unary(P);
  } else if ((int)op >= 0 && !(ch == '-' && P->p[1] == '>')) {
    P->p++;
    sse__expr *a = unary(P);
    r = a ? node(P, op, a, NULL) : NULL;
  } else {
    r = postfix(P);
  }
  P->depth--;
  return r;
}

/* The binary operator at P->p: its code, precedence and length. */
static int binop(const char *p, int *prec, int *len) {
  static const struct { const char *s; int op, prec; } ops[] = {
      {"||", OP_OROR, 1}, {"&&", OP_ANDAND, 2}, {"==", OP_EQ, 6}, {"!=", OP_NE, 6},
      {"<=", OP_LE, 7}, {">=", OP_GE, 7}, {"<<", OP_SHL, 8}, {">>", OP_SHR, 8},
      {"|", '|', 3}, {"^", '^', 4}, {"&", '&', 5}, {"<", '<', 7}, {">", '>', 7},
      {"@", '@', 9}, {"+", '+', 10}, {"-", '-', 10}, {"*", '*', 11}, {"/", '/', 11},
      {"%", '%', 11}};
  /* C++'s pointer-to-member operators bind tighter than * / % */
  int pm = p[0] == '.' && p[1] == '*' ? 2 : p[0] == '-' && p[1] == '>' && p[2] == '*' ? 3 : 0;
  if (pm) {
    *prec = 12;
    *len = pm;
    return pm == 2 ? OP_DOTSTAR : OP_ARROWSTAR;
  }
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    size_t n = strlen(ops[i].s);
    if (strncmp(p, ops[i].s, n) == 0) {
      if (p[0] == '-' && p[1] == '>') return 0;
      /* a op= b is an assignment, not a op (= b) */
      if (p[n] == '=' && ops[i].prec >= 3 && ops[i].prec != 6 && ops[i].prec != 7 &&
          ops[i].op != '@')
        return 0;
      *prec = ops[i].prec;
      *len = (int)n;
      return ops[i].op;
    }
  }
  return 0;
}

static sse__expr *expr(parser *P, int minprec) {
  sse__expr *lhs = unary(P);
  while (lhs) {
    ws(P);
    int prec, len, op = binop(P->p, &prec, &len);
    if (!op || prec <= minprec) break;
    P->p += len;
    sse__expr *rhs = expr(P, prec);
    if (!rhs || !(lhs = node(P, SSE__E_BIN, lhs, rhs))) return NULL;
    lhs->bin = op;
  }
  return lhs;
}

/* The assignment operator at p: its length, *op the operator of a
 * compound one (0 for plain =); 0 when there is none. */
static int assign_op(const char *p, int *op) {
  static const struct { const char *s; int op; } ops[] = {
      {"<<=", OP_SHL}, {">>=", OP_SHR}, {"+=", '+'}, {"-=", '-'}, {"*=", '*'}, {"/=", '/'},
      {"%=", '%'}, {"&=", '&'}, {"|=", '|'}, {"^=", '^'}, {"=", 0}};
  if (p[0] == '=' && p[1] == '=') return 0;
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    size_t n = strlen(ops[i].s);
    if (strncmp(p, ops[i].s, n) == 0) {
      *op = ops[i].op;
      return (int)n;
    }
  }
  return 0;
}

/* a ? b : c (b any expression, c a conditional one), C's precedence. */
static sse__expr *cond_expr(parser *P) {
  sse__expr *e = expr(P, 0);
  if (!e) return NULL;
  ws(P);
  if (*P->p != '?') return e;
  if (++P->depth > EXPR_MAX_DEPTH) {
    sse__verr(P->c, "Expression too deeply nested.");
    return NULL;
  }
  P->p++;
  sse__expr *b = assign_expr(P);
  if (!b) return NULL;
  ws(P);
  if (*P->p != ':') return fail(P);
  P->p++;
  sse__expr *alt = cond_expr(P);
  P->depth--;
  if (!alt || !(e = node(P, SSE__E_COND, e, b))) return NULL;
  e->alt = alt;
  return e;
}

/* a = b, a op= b: right to left, below every other operator. */
static sse__expr *assign_expr(parser *P) {
  ws(P);
  size_t lo = (size_t)(P->p - P->s);
  sse__expr *lhs = cond_expr(P);
  if (!lhs) return NULL;
  size_t hi = (size_t)(P->p - P->s);
  while (hi > lo && isspace((unsigned char)P->s[hi - 1])) hi--;
  ws(P);
  int op, len = assign_op(P->p, &op);
  if (!len) return lhs;
  if (++P->depth > EXPR_MAX_DEPTH) {
    sse__verr(P->c, "Expression too deeply nested.");
    return NULL;
  }
  P->p += len;
  sse__expr *rhs = assign_expr(P);
  P->depth--;
  sse__expr *e = rhs ? node(P, SSE__E_ASSIGN, lhs, rhs) : NULL;
  if (!e) return NULL;
  e->bin = op;
  e->lo = lo;
  e->hi = hi;
  return e;
}

bool sse__expr_assigns(const sse__expr *e) {
  if (!e) return false;
  if (e->op == SSE__E_ASSIGN) return true;
  return sse__expr_assigns(e->a) || sse__expr_assigns(e->b) || sse__expr_assigns(e->alt);
}

/* gdb's parser looks a name up as it reads it: a syntax error after a
 * name that is not there is gdb's "No symbol \"anonymous\" in current
 * context." (unquoted "(anonymous namespace)::f"). */
static void unknown_name_first(parser *P) {
  sse__vctx *c = P->c;
  if (!c->at) return;
  char syntax[sizeof c->err];
  memcpy(syntax, c->err, sizeof syntax);
  bool dry = c->dry;
  c->dry = true;
  for (int i = 0; i < P->nidents; i++) {
    sse__value v;
    c->err[0] = 0;
    if (sse__expr_eval(c, P->idents[i], &v) && strncmp(c->err, "No symbol \"", 11) == 0) break;
    memcpy(c->err, syntax, sizeof syntax);
  }
  c->dry = dry;
}

sse__expr *sse__expr_parse(sse__vctx *c, const char *text) {
  parser P = {.c = c, .s = text, .p = text};
  ws(&P);
  if (!*P.p) {
    sse__verr(c, "Argument required (expression to compute).");
    return NULL;
  }
  sse__expr *e = assign_expr(&P);
  if (!e) {
    if (strncmp(c->err, "A syntax error", 14) == 0) unknown_name_first(&P);
    return NULL;
  }
  ws(&P);
  if (*P.p == '\\' || *P.p == '`') {
    sse__verr(c, "Invalid character '%c' in expression.", *P.p);
    return NULL;
  }
  if (*P.p) {
    sse__verr(c, "Junk after end of expression.");
    unknown_name_first(&P);
    return NULL;
  }
  return e;
}
