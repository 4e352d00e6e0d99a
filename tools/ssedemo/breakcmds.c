/* gdb's conditional breakpoints and watched expressions in ssedemo:
 * `break LOCATION if COND`, `tbreak ... if COND`, `condition N [COND]`,
 * `watch EXPR`, `awatch EXPR`, the "stop only if" line of `info
 * breakpoints` and "Error in testing breakpoint condition:" at a stop.
 * Conditions are the library's (sse_break_condition), evaluated in the
 * tracer; the text is kept here per breakpoint number so that `run` again
 * gives the new process's breakpoint the same condition. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakcmds.h"
#include "demo.h"

/* the condition of demo breakpoint number i (index i), or NULL */
static char **conds;
static int nconds;

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

static demo_bp *bp_numbered(int num) {
  for (int i = 0; i < D.nbps; i++)
    if (D.bps[i].num == num && !D.bps[i].deleted) return &D.bps[i];
  return NULL;
}

static void remember(int num, const char *cond) {
  if (num >= nconds) {
    int n = num + 16;
    char **c = realloc(conds, (size_t)n * sizeof *c);
    if (!c) return;
    memset(c + nconds, 0, (size_t)(n - nconds) * sizeof *c);
    conds = c;
    nconds = n;
  }
  free(conds[num]);
  conds[num] = cond ? strdup(cond) : NULL;
}

/* Give b's library breakpoint cond; false (gdb's message said) when the
 * library refuses it. */
static bool apply(demo_bp *b, const char *cond) {
  if (!b->lib_id || !D.proc || sse_process_exited(D.proc)) return true;
  char err[256];
  sse_err e = sse_break_condition(D.proc, b->lib_id, cond, err, sizeof err);
  if (e) err_say("%s", err);
  return e == SSE_OK;
}

void breakcmds_installed(demo_bp *b) {
  if (b->num < nconds && conds[b->num]) apply(b, conds[b->num]);
  bptable_installed(b);
  if (b->catch_kinds) catch_installed(b);
}

/* " if " (or a leading "if ") that starts a condition in args, or NULL. */
static char *find_if(char *args) {
  if (!strncmp(args, "if ", 3) || !strncmp(args, "if\t", 3) || !strcmp(args, "if")) return args;
  for (char *p = args; (p = strstr(p, "if")); p += 2)
    if (p > args && isspace((unsigned char)p[-1]) && (isspace((unsigned char)p[2]) || !p[2]))
      return p;
  return NULL;
}

static void break_if(char *args, int tty, cmd_fn plain) {
  char *kw = find_if(args);
  if (!kw) {
    plain(args, tty);
    return;
  }
  char *cond = trim(kw + 2);
  *kw = 0;
  int before = D.next_bp;
  plain(args, tty);
  demo_bp *b = D.next_bp != before ? bp_numbered(D.next_bp) : NULL;
  if (!b) return;
  if (!*cond) {
    err_say("Argument required (boolean expression).");
    return;
  }
  if (apply(b, cond)) {
    remember(b->num, cond);
  } else {
    /* gdb makes no breakpoint with a condition it cannot parse */
    if (b->lib_id) sse_break_remove(D.proc, b->lib_id);
    b->lib_id = 0;
    b->deleted = true;
    D.next_bp--;
  }
}

void cmd_break_if(char *args, int tty) { break_if(args, tty, cmd_break); }
void cmd_tbreak_if(char *args, int tty) { break_if(args, tty, cmd_tbreak); }

/* condition N [COND] */
void cmd_condition(char *args, int tty) {
  args = trim(args);
  if (!*args) {
    err_say("Argument required (breakpoint number).");
    return;
  }
  char *end;
  long num = strtol(args, &end, 10);
  if (end == args || (*end && !isspace((unsigned char)*end))) {
    err_say("Bad breakpoint argument: '%s'", args);
    return;
  }
  demo_bp *b = bp_numbered((int)num);
  if (!b) {
    err_say("No breakpoint number %ld.", num);
    return;
  }
  char *cond = trim(end);
  if (!*cond) {
    apply(b, NULL);
    remember(b->num, NULL);
    if (D.interactive) say("Breakpoint %d now unconditional.\n", b->num);
    return;
  }
  if (apply(b, cond)) remember(b->num, cond);
}

/* watch EXPR / awatch EXPR: the library sizes the lvalue; *ADDR and -l
 * go to the plain watch. */
static void watch_expr(char *args, int tty, int kind) {
  args = trim(args);
  if (kind == SSE_WATCH_WRITE && (*args == '*' || !strncmp(args, "-l", 2))) {
    cmd_watch(args, tty);
    return;
  }
  if (!*args) {
    err_say("Argument required (expression to compute).");
    return;
  }
  if (!D.proc || sse_process_exited(D.proc) || !D.started || !D.cur) {
    err_say("The program is not being run.");
    return;
  }
  char err[256], size[64];
  int id = 0;
  sse_breakpoint_info info[64];
  size_t n = 0;
  if (sse_watch_expression(D.cur, (size_t)D.frame, args, kind, &id, err, sizeof err)) {
    err_say("%s", err);
    return;
  }
  char sz[600];
  snprintf(sz, sizeof sz, "sizeof (%s)", args);
  sse_evaluate(D.cur, (size_t)D.frame, sz, size, sizeof size, NULL);
  sse_break_list(D.proc, info, 64, &n);
  if (D.nbps == D.capbps) {
    D.capbps = D.capbps ? D.capbps * 2 : 16;
    D.bps = realloc(D.bps, (size_t)D.capbps * sizeof *D.bps);
  }
  demo_bp *b = &D.bps[D.nbps++];
  memset(b, 0, sizeof *b);
  b->num = ++D.next_bp;
  b->lib_id = id;
  b->spec = strdup(args);
  b->enabled = b->watch = true;
  b->watch_len = atoi(size);
  for (size_t i = 0; i < n && i < 64; i++)
    if (info[i].id == id) b->watch_addr = info[i].addrs[0];
  sse_read_memory(D.proc, b->watch_addr, &b->watch_old, (size_t)b->watch_len, NULL);
  say("%s %d: %s\n", kind == SSE_WATCH_WRITE ? "Hardware watchpoint"
                     : "Hardware access (read/write) watchpoint", b->num, args);
}

void cmd_watch_expr(char *args, int tty) { watch_expr(args, tty, SSE_WATCH_WRITE); }
void cmd_awatch(char *args, int tty) { watch_expr(args, tty, SSE_WATCH_READWRITE); }

void breakcmds_info(const sse_breakpoint_info *me) {
  if (me && me->condition) say("\tstop only if %s\n", me->condition);
}

void breakcmds_stop(const sse_stop *s) {
  if ((s->reason == SSE_STOP_BREAKPOINT || s->reason == SSE_STOP_WATCHPOINT) &&
      s->cond_error[0])
    say("Error in testing breakpoint condition:\n%s\n", s->cond_error);
}

void breakcmds_set(char *args) {
  args = trim(args);
  if (strncmp(args, "pending", 7) != 0 || (args[7] && !isspace((unsigned char)args[7]))) {
    err_say("Undefined set breakpoint command: \"%s\".  Try \"help set breakpoint\".", args);
    return;
  }
  char *v = trim(args + 7);
  if (!strcmp(v, "on") || !*v) D.bp_pending = 1;
  else if (!strcmp(v, "off")) D.bp_pending = 2;
  else if (!strcmp(v, "auto")) D.bp_pending = 0;
  else err_say("\"on\", \"off\" or \"auto\" expected.");
}
