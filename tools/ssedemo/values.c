/* ssedemo's values: `print[/FMT] EXPR` with gdb's "$N = " history numbers,
 * `info locals`, `info args`, through sse_evaluate() and
 * sse_frame_variables() on the selected thread and frame. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static int history;

int values_history_next(void) {
  return ++history;
}

bool values_history_ref(const char *expr) {
  for (const char *p = strchr(expr, '$'); p; p = strchr(p + 1, '$'))
    if (!p[1] || p[1] == '$' || isdigit((unsigned char)p[1]) || !(isalnum((unsigned char)p[1]) || p[1] == '_'))
      return true;
  return false;
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

bool values_print(const char *expr, char fmt) {
  sse_thread *t = frame_thread();
  if (!t) return true;
  char *buf = malloc(65536);
  if (!buf) return false;
  sse_value_info info;
  sse_err e = sse_evaluate_format(t, (size_t)D.frame, expr, fmt, buf, 65536, &info);
  if (e != SSE_OK) {
    err_say("%s", buf);
  } else if (D.json) {
    jbuf j;
    jb_begin(&j, "value");
    jb_int(&j, "history", values_history_next());
    jb_str(&j, "expression", expr);
    jb_str(&j, "value", buf);
    jb_str(&j, "type", info.type);
    jb_end_print(&j);
  } else {
    say("$%d = %s\n", values_history_next(), buf);
  }
  free(buf);
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

bool values_print_return(const sse_stop *s) {
  uint64_t pc = finish_pc;
  finish_pc = 0;
  if (!pc || !D.cur) return false;
  char buf[8192];
  sse_err e = sse_return_value(D.cur, pc, s, buf, sizeof buf, NULL);
  if (e == SSE_E_NOTFOUND) return true; /* void */
  if (e != SSE_OK) return false;
  say("Value returned is $%d = %s\n", values_history_next(), buf);
  return true;
}
