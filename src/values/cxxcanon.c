/* C++ names in gdb's canonical form (its cp_canonicalize_string, which
 * prints a name as the demangler does): in template arguments a
 * qualifier follows its type ("std::pair<int const, int>" for GCC's
 * "pair<const int, int>"), no blank before a '*' or '&' ("char const*"),
 * base types by their short names ("unsigned long"), "> >" between two
 * closing brackets. Names without template arguments are left alone. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "values/values.h"

#define CANON_DEPTH 16
#define CANON_ARG_MAX 4096

typedef struct cbuf {
  char *s;
  size_t n, len;
  bool full;
  const sse__tsubst *subst;
} cbuf;

static void put(cbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->n) {
    b->full = true;
    return;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static bool is_id(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

/* The end of the balanced "<...>" or "(...)" starting at p[0]. */
static const char *close_of(const char *p, const char *end) {
  int nest = 0;
  for (const char *q = p; q < end; q++) {
    if (*q == '<' || *q == '(') nest++;
    else if ((*q == '>' || *q == ')') && --nest == 0) return q + 1;
  }
  return end;
}

static bool word_at(const char *p, const char *end, const char *w) {
  size_t n = strlen(w);
  return (size_t)(end - p) >= n && strncmp(p, w, n) == 0 && (p + n == end || !is_id(p[n]));
}

/* gdb's name of a base type spelt by GCC ("long unsigned int"). */
static const char *short_base(const char *p, size_t n) {
  static const char *const map[][2] = {
      {"long int", "long"}, {"long unsigned int", "unsigned long"}, {"short int", "short"},
      {"short unsigned int", "unsigned short"}, {"long long int", "long long"},
      {"long long unsigned int", "unsigned long long"}};
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (strlen(map[i][0]) == n && strncmp(p, map[i][0], n) == 0) return map[i][1];
  return NULL;
}

static void name(cbuf *b, const char *p, const char *end, int depth);

/* One template argument: [cv] BASE [cv] DECLARATOR. */
static void arg(cbuf *b, const char *p, const char *end, int depth) {
  while (p < end && *p == ' ') p++;
  while (end > p && end[-1] == ' ') end--;
  const char *quals[4];
  int nq = 0;
  for (;;) {
    const char *w = word_at(p, end, "const") ? "const" : word_at(p, end, "volatile") ? "volatile" : NULL;
    if (!w || nq == 4) break;
    quals[nq++] = w;
    for (p += strlen(w); p < end && *p == ' ';) p++;
  }
  /* the base: words, scopes and template arguments */
  const char *q = p;
  while (q < end) {
    if (is_id(*q) || *q == ':') q++;
    else if (*q == '<') q = close_of(q, end);
    else if (*q == ' ' && q + 1 < end && (is_id(q[1]) || q[1] == ':') &&
             !word_at(q + 1, end, "const") && !word_at(q + 1, end, "volatile")) q++;
    else break;
  }
  const char *sb = short_base(p, (size_t)(q - p));
  /* the whole argument replaced first, else the names inside it */
  char tmp[CANON_ARG_MAX];
  cbuf tb = {.s = tmp, .n = sizeof tmp};
  tmp[0] = 0;
  if (sb) put(&tb, sb, strlen(sb));
  else name(&tb, p, q, depth + 1);
  const char *rep = NULL;
  if (b->subst && b->subst->tab) rep = sse__tdtab_find_named(b->subst->tab, tmp);
  for (size_t i = 0; b->subst && !b->subst->tab && !rep && i < b->subst->n; i++)
    if (strcmp(tmp, b->subst->from[i]) == 0) rep = b->subst->to[i];
  if (!rep && b->subst && !sb) {
    tb = (cbuf){.s = tmp, .n = sizeof tmp, .subst = b->subst};
    tmp[0] = 0;
    name(&tb, p, q, depth + 1);
  }
  b->full |= tb.full;
  put(b, rep ? rep : tmp, strlen(rep ? rep : tmp));
  for (int i = 0; i < nq; i++) {
    put(b, " ", 1);
    put(b, quals[i], strlen(quals[i]));
  }
  for (; q < end; q++) {
    if (*q == ' ' && q + 1 < end && (q[1] == '*' || q[1] == '&')) continue;
    put(b, q, 1);
  }
}

/* A name: text outside template arguments as it is, each argument
 * list's arguments canonical. */
static void name(cbuf *b, const char *p, const char *end, int depth) {
  if (depth > CANON_DEPTH) {
    put(b, p, (size_t)(end - p));
    return;
  }
  while (p < end) {
    const char *lt = memchr(p, '<', (size_t)(end - p));
    /* "operator<" and "operator<<" are names, not argument lists */
    while (lt && lt - p >= 8 && strncmp(lt - 8, "operator", 8) == 0) {
      const char *after = lt + 1 < end && (lt[1] == '<' || lt[1] == '=') ? lt + 2 : lt + 1;
      lt = after < end ? memchr(after, '<', (size_t)(end - after)) : NULL;
    }
    if (!lt) {
      put(b, p, (size_t)(end - p));
      return;
    }
    put(b, p, (size_t)(lt - p + 1));
    const char *close = close_of(lt, end);
    const char *in = lt + 1, *stop = close > in && close[-1] == '>' ? close - 1 : close;
    for (const char *a = in; a <= stop;) {
      const char *c = a;
      while (c < stop && *c != ',') c = *c == '<' || *c == '(' ? close_of(c, stop) : c + 1;
      arg(b, a, c, depth);
      if (c >= stop) break;
      put(b, ", ", 2);
      a = c + 1;
    }
    if (stop < close) {
      if (b->len && b->s[b->len - 1] == '>') put(b, " ", 1);
      put(b, ">", 1);
    }
    p = close;
  }
}

bool sse__cxx_canon_subst(const char *in, char *out, size_t n, const sse__tsubst *s) {
  if (!n) return false;
  out[0] = 0;
  if (!strchr(in, '<')) return false;
  cbuf b = {.s = out, .n = n, .subst = s};
  name(&b, in, in + strlen(in), 0);
  return !b.full;
}

bool sse__cxx_canon(const char *in, char *out, size_t n) {
  return sse__cxx_canon_subst(in, out, n, NULL);
}

bool sse__cxx_canon_type(const char *in, char *out, size_t n) {
  if (!n) return false;
  out[0] = 0;
  cbuf b = {.s = out, .n = n};
  arg(&b, in, in + strlen(in), 0);
  return !b.full;
}
