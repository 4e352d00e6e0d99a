/* ssedemo's values: `print[/FMT] EXPR` with gdb's "$N = " history numbers
 * and print limits, `info locals`, `info args`, `ptype`, `whatis`, `set
 * var` (and `set print ...`), the arguments of frame lines, through
 * sse_evaluate(), value handles, sse_frame_variables() and
 * sse_describe_type() on the selected thread and frame. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakcmds.h"
#include "demo.h"

/* gdb's value history: each "$N = " value's text (for $N alone) and a C
 * expression with its value (for $N inside an expression): a scalar's
 * number with its type, an lvalue's address. */
typedef struct hist {
  char *text, *subst;
} hist;

static hist *H;
static int history, hcap;

static int history_add(const char *text, const char *subst) {
  if (history == hcap) {
    int cap = hcap ? hcap * 2 : 64;
    hist *n = realloc(H, (size_t)cap * sizeof *n);
    if (!n) return ++history; /* numbered still, not kept */
    H = n;
    hcap = cap;
  }
  H[history].text = text ? strdup(text) : NULL;
  H[history].subst = subst ? strdup(subst) : NULL;
  return ++history;
}

int values_history_next(void) {
  return history_add(NULL, NULL);
}

/* The history reference at p ("$", "$3", "$$", "$$2"): its number (0:
 * none there), *len its length. */
static int history_at(const char *p, size_t *len) {
  if (p[0] != '$') return 0;
  const char *q = p + 1;
  bool back = *q == '$';
  if (back) q++;
  if (!back && (isalpha((unsigned char)*q) || *q == '_')) return 0; /* $pc, $foo */
  char *end;
  long n = isdigit((unsigned char)*q) ? strtol(q, &end, 10) : (back ? 1 : 0);
  if (!isdigit((unsigned char)*q)) end = (char *)q;
  *len = (size_t)(end - p);
  long k = back ? history - n : n ? n : history;
  return k > 0 ? (int)k : -1;
}

bool values_history_ref(const char *expr) {
  (void)expr;
  return false; /* values_print expands $N itself */
}

/* expr with its history references replaced by their values; NULL after
 * the error is said. *whole: the entry when expr is one reference. */
static char *history_expand(const char *expr, int *whole) {
  size_t cap = strlen(expr) * 4 + 256, len = 0;
  char *out = malloc(cap);
  *whole = 0;
  const char *e = expr;
  while (out && *e) {
    size_t l = 0;
    int k = history_at(e, &l);
    if (!k) {
      if (len + 2 > cap) break;
      out[len++] = *e++;
      continue;
    }
    if (k < 0 || k > history) {
      err_say(history ? "History has not yet reached $%d." : "The history is empty.", k < 0 ? 1 : k);
      free(out);
      return NULL;
    }
    if (e == expr && !e[l]) *whole = k;
    const char *sub = H[k - 1].subst;
    if (!sub && !(*whole && H[k - 1].text)) {
      err_say("History value $%d cannot be used in an expression.", k);
      free(out);
      return NULL;
    }
    if (sub) len += (size_t)snprintf(out + len, cap - len, "(%s)", sub);
    e += l;
    if (len >= cap) break;
  }
  if (out) out[len < cap ? len : cap - 1] = 0;
  return out;
}

/* The expression of a printed value for the history: its number as its
 * type ("(int) -7", "(char) 65"), a double's 17 digits, or its lvalue
 * ("*(struct point *) 0x7ffe...", an array "*(int *) 0x...@3"). */
static char *history_subst(sse_thread *t, const char *expr, const char *text,
                           const sse_value_info *info) {
  char buf[512], *out = NULL;
  const char *ty = info->type;
  const char *br = strchr(ty, '[');
  if (info->has_address && (strchr(text, '{') == text || br)) {
    if (br && !strchr(br + 1, '['))
      return asprintf(&out, "*(%.*s *) 0x%llx@%ld", (int)(br - ty), ty,
                      (unsigned long long)info->address, atol(br + 1)) < 0 ? NULL : out;
    return asprintf(&out, "*(%s *) 0x%llx", ty, (unsigned long long)info->address) < 0 ? NULL : out;
  }
  if (strchr(text, '{') == text || strchr(ty, '(') || br) return NULL;
  bool fp = !strcmp(ty, "double") || !strcmp(ty, "float");
  if (fp) return asprintf(&out, "(%s) %s", ty, text) < 0 ? NULL : out;
  if (sse_evaluate_format(t, (size_t)D.frame, expr, 'd', buf, sizeof buf, NULL) != SSE_OK)
    return NULL;
  if (strchr(ty, '*')) /* a pointer: its address */
    return asprintf(&out, "(%s) %s", ty, buf) < 0 ? NULL : out;
  return asprintf(&out, "(%s) %s", ty, buf) < 0 ? NULL : out;
}

/* The thread whose frames are shown, or NULL (gdb's "No frame selected."
 * said). */
static sse_thread *frame_thread(void) {
  if (!D.proc || !D.cur || !D.started) {
    err_say("No frame selected.");
    return NULL;
  }
  return D.cur;
}

static sse_print_limits limits = {200, 10, 20};
static bool limits_set;

/* print through a value handle, with the print limits set. */
static sse_err print_limited(sse_thread *t, const char *expr, char fmt, char *buf, size_t n,
                             sse_value_info *info) {
  sse_value *v;
  memset(info, 0, sizeof *info);
  sse_err e = sse_value_evaluate(t, (size_t)D.frame, expr, &v, buf, n);
  if (e) return e;
  e = sse_value_format(v, fmt, &limits, buf, n, NULL);
  snprintf(info->type, sizeof info->type, "%s", sse_value_type(v));
  sse_value_free(v);
  return e;
}

bool values_evaluates(const char *text) {
  sse_thread *t = frame_thread();
  char buf[512];
  sse_value_info info;
  return t && sse_evaluate_format(t, (size_t)D.frame, text, 0, buf, sizeof buf, &info) != SSE_E_NOSYM;
}

bool values_print(const char *text, char fmt) {
  int whole;
  char *expr = history_expand(text, &whole);
  if (expr) expr = catch_exception_expr(expr); /* gdb's $_exception */
  if (!expr) return true;
  sse_thread *t = frame_thread();
  if (whole && !fmt && H[whole - 1].text) { /* $N alone: the value kept */
    char *v = strdup(H[whole - 1].text), *sub = H[whole - 1].subst ? strdup(H[whole - 1].subst) : NULL;
    if (v) say("$%d = %s\n", history_add(v, sub), v);
    free(v);
    free(sub);
    free(expr);
    return true;
  }
  if (!t) {
    free(expr);
    return true;
  }
  char *buf = malloc(65536);
  if (!buf) {
    free(expr);
    return false;
  }
  sse_value_info info;
  sse_err e = limits_set ? print_limited(t, expr, fmt, buf, 65536, &info)
                         : sse_evaluate_format(t, (size_t)D.frame, expr, fmt, buf, 65536, &info);
  if (e != SSE_OK) {
    err_say("%s", buf);
    free(buf);
    free(expr);
    return true;
  }
  char *sub = history_subst(t, expr, fmt ? "" : buf, &info);
  int num = history_add(fmt ? NULL : buf, sub);
  free(sub);
  if (D.json) {
    jbuf j;
    jb_begin(&j, "value");
    jb_int(&j, "history", num);
    jb_str(&j, "expression", text);
    jb_str(&j, "value", buf);
    jb_str(&j, "type", info.type);
    jb_end_print(&j);
  } else {
    say("$%d = %s\n", num, buf);
  }
  free(buf);
  free(expr);
  return true;
}

/* info locals (args false) / info args. */
void values_info(bool args) {
  sse_thread *t = frame_thread();
  if (!t) return;
  sse_variable *v = NULL;
  size_t n = 0;
  char err[256];
  sse_err e = sse_frame_variables(t, (size_t)D.frame, args ? SSE_VARS_ARGS : SSE_VARS_LOCALS,
                                  &v, &n, err, sizeof err);
  if (e != SSE_OK) {
    err_say("%s", err[0] ? err : sse_strerror(e));
    return;
  }
  if (n == 0) say(args ? "No arguments.\n" : "No locals.\n");
  for (size_t i = 0; i < n; i++) {
    if (D.json) {
      jbuf j;
      jb_begin(&j, "variable");
      jb_str(&j, "name", v[i].name);
      jb_str(&j, "value", v[i].value);
      jb_str(&j, "type", v[i].type);
      jb_bool(&j, "arg", v[i].is_arg);
      jb_end_print(&j);
    } else {
      say("%s = %s\n", v[i].name, v[i].value);
    }
  }
  sse_variables_free(v, n);
}

static uint64_t finish_pc;

void values_finish_begin(uint64_t pc) {
  finish_pc = pc;
}

/* The history's expression of a returned value: a number as its type, a
 * pointer as printed ("(int *) 0x4010"); NULL for the rest. */
static const char *return_subst(const char *text, const char *type) {
  static char out[512];
  char *end;
  if (text[0] == '(' && strstr(text, ") 0x")) return text;
  (void)strtod(text, &end);
  if (end == text || strpbrk(type, "*{([")) return NULL;
  snprintf(out, sizeof out, "(%s) %.*s", type, (int)(end - text), text);
  return out;
}

bool values_print_return(const sse_stop *s) {
  uint64_t pc = finish_pc;
  finish_pc = 0;
  if (!pc || !D.cur) return false;
  char buf[8192];
  sse_value_info info;
  sse_err e = sse_return_value(D.cur, pc, s, buf, sizeof buf, &info);
  /* void; or no DWARF for the function (gdb knows no type: no value) */
  if (e == SSE_E_NOTFOUND || e == SSE_E_NOSYM) return true;
  if (e != SSE_OK) return false;
  say("Value returned is $%d = %s\n", history_add(buf, return_subst(buf, info.type)), buf);
  return true;
}

/* ------------------------------------------------------------ frame lines */

/* gdb's `print frame-arguments scalars`: a struct, union or array
 * argument shows as "...". */
static const char *arg_text(const sse_variable *v) {
  const char *at = v->value[0] == '@' ? strstr(v->value, ": ") : NULL; /* a C++ reference */
  return v->value[0] == '{' || (at && at[2] == '{') ? "..." : v->value;
}

void values_frame_args(sse_thread *t, size_t frame, char *buf, size_t n) {
  buf[0] = 0;
  sse_variable *v = NULL;
  size_t nv = 0;
  if (!t || sse_frame_variables(t, frame, SSE_VARS_ARGS, &v, &nv, NULL, 0) != SSE_OK) return;
  size_t len = 0;
  for (size_t i = 0; i < nv && len < n; i++) {
    const char *sep = i ? ", " : "", *nm = v[i].name, *e = v[i].entry_value;
    /* gdb's print entry-values default: NAME=NAME@entry=V when the entry
     * value is the value, both when not */
    if (!e)
      len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", sep, nm, arg_text(&v[i]));
    else if (!strcmp(e, v[i].value))
      len += (size_t)snprintf(buf + len, n - len, "%s%s=%s@entry=%s", sep, nm, nm, e);
    else
      len += (size_t)snprintf(buf + len, n - len, "%s%s=%s, %s@entry=%s", sep, nm,
                              arg_text(&v[i]), nm, e);
  }
  sse_variables_free(v, nv);
}

void values_frame_args_json(sse_thread *t, size_t frame, jbuf *b) {
  sse_variable *v = NULL;
  size_t nv = 0;
  if (!t || sse_frame_variables(t, frame, SSE_VARS_ARGS, &v, &nv, NULL, 0) != SSE_OK) nv = 0;
  jbuf arr;
  memset(&arr, 0, sizeof arr);
  jb_append(&arr, "[", 1);
  for (size_t i = 0; i < nv; i++) {
    jbuf a;
    jb_begin(&a, NULL);
    jb_str(&a, "name", v[i].name);
    jb_str(&a, "value", arg_text(&v[i]));
    jb_str(&a, "type", v[i].type);
    jb_append(&a, "}", 1);
    if (i) jb_append(&arr, ",", 1);
    jb_append(&arr, a.s, a.len);
    free(a.s);
  }
  jb_append(&arr, "]", 1);
  jb_raw(b, "args", arr.s);
  free(arr.s);
  sse_variables_free(v, nv);
}

/* ------------------------------------------------------------ ptype, whatis */

static void describe(char *args, bool ptype) {
  sse_thread *t = frame_thread();
  if (!t) return;
  while (isspace((unsigned char)*args)) args++;
  if (!*args) { /* whatis $: the last value's type */
    if (!history) err_say("The history is empty.");
    else err_say("History has not yet reached $%d.", history + 1);
    return;
  }
  char *buf = malloc(65536);
  if (!buf) return;
  sse_err e = sse_describe_type(t, (size_t)D.frame, args, ptype, buf, 65536);
  if (e) {
    err_say("%s", buf);
  } else if (D.json) {
    jbuf j;
    jb_begin(&j, "type");
    jb_str(&j, "expression", args);
    jb_str(&j, "type", buf);
    jb_end_print(&j);
  } else {
    say("type = %s\n", buf);
  }
  free(buf);
}

void cmd_ptype(char *args, int tty) { (void)tty; describe(args, true); }
void cmd_whatis(char *args, int tty) { (void)tty; describe(args, false); }

/* ------------------------------------------------------------ set */

/* set print elements|repeats|max-depth N|unlimited */
static void set_print(char *args) {
  char what[32] = "", val[32] = "";
  sscanf(args, "%31s %31s", what, val);
  unsigned *slot = !strcmp(what, "elements") || !strcmp(what, "characters") ? &limits.max_elements
                   : !strcmp(what, "repeats") ? &limits.repeats
                   : !strcmp(what, "max-depth") ? &limits.max_depth : NULL;
  if (!slot) return; /* other print settings: gdb's defaults kept */
  char *end;
  long n = strtol(val, &end, 10);
  if (!strcmp(val, "unlimited")) n = 0;
  else if (*end || n < 0) {
    err_say("integer %s out of range", val);
    return;
  }
  *slot = (unsigned)n;
  limits_set = true;
}

void cmd_set(char *args, int tty) {
  (void)tty;
  while (isspace((unsigned char)*args)) args++;
  size_t w = strcspn(args, " \t");
  char *rest = args + w;
  while (isspace((unsigned char)*rest)) rest++;
  if ((w == 3 && !strncmp(args, "var", 3)) || (w == 8 && !strncmp(args, "variable", 8))) {
    args = rest;
  } else if (w == 5 && !strncmp(args, "print", 5)) {
    set_print(rest);
    return;
  } else if (w == 10 && !strncmp(args, "breakpoint", 10)) {
    breakcmds_set(rest);
    return;
  } else if (w && strchr("cpwhl", args[0]) && !strchr(args, '=')) {
    return; /* confirm, pagination, width, height, listsize: nothing to do */
  }
  if (!*args) {
    err_say("Argument required (expression to compute).");
    return;
  }
  sse_thread *t = frame_thread();
  if (!t) return;
  char buf[4096];
  if (sse_evaluate(t, (size_t)D.frame, args, buf, sizeof buf, NULL) != SSE_OK) err_say("%s", buf);
}
