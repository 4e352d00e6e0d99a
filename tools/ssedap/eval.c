/* eval.c — evaluate: "watch", "hover", "variables" and "clipboard" take a C
 * expression (sse's evaluator has no assignment and no calls: no side
 * effects); "repl" runs ssedemo's command language (bt, x/4x $sp, info
 * registers, p EXPR). setExpression assigns to an expression's value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

static bool repl(json_t *args, const char *expr, json_t *body, char *err,
                 size_t errsz) {
  sse_thread *t = NULL;
  size_t level = 0;
  char ferr[256];
  if (!dap_frame_or_current(args, &t, &level, ferr, sizeof ferr)) t = NULL;
  char *out = NULL;
  bool ok = dap_repl_exec(expr, t, level, &out);
  json_object_set_new(body, "result", json_string(out ? out : ""));
  json_object_set_new(body, "variablesReference", json_integer(0));
  if (!ok) snprintf(err, errsz, "%s", out && *out ? out : "the command failed");
  free(out);
  return ok;
}

/* Whether expr assigns (= op= ++ --) outside its string and character
 * literals: sse's evaluator does, and watch and hover must not. */
static bool has_side_effects(const char *e) {
  char quote = 0;
  for (const char *p = e; *p; p++) {
    if (quote) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == quote) quote = 0;
      continue;
    }
    if (*p == '"' || *p == '\'') quote = *p;
    else if ((*p == '+' && p[1] == '+') || (*p == '-' && p[1] == '-')) return true;
    else if (*p == '=' && p[1] != '=' && (p == e || !strchr("=!<>", p[-1]))) return true;
    else if (*p == '=' && p[1] != '=' && p > e + 1 && strchr("<>", p[-1]) && p[-2] == p[-1])
      return true; /* <<= >>= */
  }
  return false;
}

bool dap_evaluate(json_t *args, json_t *body, char *err, size_t errsz) {
  const char *expr = dap_jstr(args, "expression");
  const char *ctx = dap_jstr(args, "context");
  if (!expr) {
    snprintf(err, errsz, "evaluate: an \"expression\" is required");
    return false;
  }
  if (ctx && !strcmp(ctx, "repl")) return repl(args, expr, body, err, errsz);
  if (has_side_effects(expr)) {
    snprintf(err, errsz, "%s evaluates no assignment: use setExpression or the debug console",
             ctx ? ctx : "watch");
    return false;
  }
  sse_thread *t;
  size_t level;
  if (!dap_frame_or_current(args, &t, &level, err, errsz)) return false;
  dap_value v;
  if (!dap_value_eval(t, level, expr, expr, &v, err, errsz)) return false;
  json_t *fmt = json_object_get(args, "format");
  if (dap_jbool(fmt, "hex", false)) {
    char buf[4096];
    if (!sse_evaluate_format(t, level, expr, 'x', buf, sizeof buf, NULL)) {
      free(v.text);
      v.text = strdup(buf);
    }
  }
  json_object_set_new(body, "result", json_string(v.text));
  json_object_set_new(body, "type", json_string(v.type));
  json_object_set_new(body, "variablesReference", json_integer((json_int_t)dap_ref_value(&v)));
  if (v.nindexed) json_object_set_new(body, "indexedVariables", json_integer((json_int_t)v.nindexed));
  if (v.nnamed) json_object_set_new(body, "namedVariables", json_integer((json_int_t)v.nnamed));
  dap_value_clear(&v);
  return true;
}

bool dap_set_expression(json_t *args, json_t *body, char *err, size_t errsz) {
  const char *expr = dap_jstr(args, "expression"), *value = dap_jstr(args, "value");
  if (!expr || !value) {
    snprintf(err, errsz, "setExpression: \"expression\" and \"value\" are required");
    return false;
  }
  sse_thread *t;
  size_t level;
  if (!dap_frame_or_current(args, &t, &level, err, errsz)) return false;
  dap_value v;
  bool ok = dap_value_eval(t, level, expr, expr, &v, err, errsz) &&
            dap_value_assign(&v, value, err, errsz);
  if (ok) {
    json_object_set_new(body, "value", json_string(v.text));
    json_object_set_new(body, "type", json_string(v.type));
    json_object_set_new(body, "variablesReference", json_integer((json_int_t)dap_ref_value(&v)));
  }
  dap_value_clear(&v);
  return ok;
}
