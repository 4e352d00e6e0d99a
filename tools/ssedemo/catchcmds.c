/* catchcmds.c — gdb's C++ exception catchpoints: `catch throw`, `catch
 * catch`, `catch rethrow`, their stops ("Catchpoint N (exception
 * thrown), 0x... in __cxa_throw () from .../libstdc++.so.6") and their
 * lines in `info breakpoints`. The catchpoint is a demo_bp whose
 * catch_kinds is set; the library's sse_catch makes it. */
#define _GNU_SOURCE
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static const struct {
  int kind;
  const char *word, *event;
} kinds[] = {
    {SSE_CATCH_THROW, "throw", "exception thrown"},
    {SSE_CATCH_CATCH, "catch", "exception caught"},
    {SSE_CATCH_RETHROW, "rethrow", "exception rethrown"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *word_of(int k) {
  for (size_t i = 0; i < NKINDS; i++)
    if (kinds[i].kind == k) return kinds[i].word;
  return "?";
}

/* REGEX given to b's catchpoint in the process; false (gdb's message
 * said) when the library refuses it. */
static bool apply_regex(demo_bp *b) {
  if (!b->catch_regex || !b->lib_id || !D.proc || sse_process_exited(D.proc)) return true;
  char err[256];
  if (sse_catch_matching(D.proc, b->lib_id, b->catch_regex, err, sizeof err) == SSE_OK)
    return true;
  err_say("invalid type-matching regexp: %s", err);
  return false;
}

void catch_installed(demo_bp *b) { apply_regex(b); }

static char *trim_end(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
  return s;
}

void cmd_catch(char *args, int from_tty) {
  (void)from_tty;
  char *w = args ? args + strspn(args, " \t") : "";
  char *rest = w + strcspn(w, " \t");
  if (*rest) *rest++ = 0;
  rest = trim_end(rest + strspn(rest, " \t"));
  int kind = 0;
  for (size_t i = 0; i < NKINDS && *w; i++)
    if (strcmp(w, kinds[i].word) == 0) kind = kinds[i].kind;
  if (!kind) {
    /* gdb lists its catch subcommands; these are the ones here. */
    err_say("\"catch\" must be followed by the name of a catch subcommand: throw, catch, "
            "rethrow.");
    return;
  }
  char spec[32];
  snprintf(spec, sizeof spec, "exception %s", w);
  if (*rest) {
    /* gdb checks the regex before it makes the catchpoint */
    regex_t re;
    int rc = regcomp(&re, rest, REG_NOSUB);
    if (rc != 0) {
      char err[256];
      regerror(rc, &re, err, sizeof err);
      err_say("invalid type-matching regexp: %s", err);
      return;
    }
    regfree(&re);
  }
  add_bp(spec, false, false);
  demo_bp *b = &D.bps[D.nbps - 1];
  b->catch_kinds = kind;
  b->catch_regex = *rest ? strdup(rest) : NULL;
  if (D.proc) install_bp(b, true);
  else catch_announce(b);
}

void catch_announce(const demo_bp *b) {
  if (D.json) {
    jbuf j;
    jb_begin(&j, "catchpoint");
    jb_int(&j, "number", b->num);
    jb_str(&j, "kind", word_of(b->catch_kinds));
    jb_end_print(&j);
    return;
  }
  say("Catchpoint %d (%s)\n", b->num, word_of(b->catch_kinds));
}

const demo_bp *catch_bp_for(int lib_id) {
  for (int i = 0; i < D.nbps; i++)
    if (!D.bps[i].deleted && D.bps[i].lib_id == lib_id && D.bps[i].catch_kinds)
      return &D.bps[i];
  return NULL;
}

bool catch_print_stop(const sse_stop *s) {
  const demo_bp *b = catch_bp_for(s->breakpoint_id);
  if (!b) return false;
  sse_exception_info x;
  const char *ev = "exception";
  if (sse_catch_info(s->thread, &x) == SSE_OK)
    for (size_t i = 0; i < NKINDS; i++)
      if (kinds[i].kind == x.kind) ev = kinds[i].event;
  char loc[1400];
  format_location(loc, sizeof loc, &s->loc, true);
  say("\nCatchpoint %d (%s), %s\n", b->num, ev, loc);
  return true;
}

void catch_stop_json(jbuf *j, const sse_stop *s) {
  sse_exception_info x;
  if (!catch_bp_for(s->breakpoint_id) || sse_catch_info(s->thread, &x) != SSE_OK) return;
  jb_str(j, "catch", word_of(x.kind));
  jb_str(j, "exception_type", x.type[0] ? x.type : NULL);
  jb_hex(j, "exception", x.object);
}

void catch_info_line(const demo_bp *b, const sse_breakpoint_info *me) {
  if (D.json) {
    jbuf j;
    jb_begin(&j, "breakpoint_info");
    jb_int(&j, "number", b->num);
    jb_str(&j, "type", "catchpoint");
    jb_str(&j, "spec", b->spec);
    jb_bool(&j, "enabled", b->enabled);
    jb_int(&j, "hits", me ? me->hits : 0);
    jb_end_print(&j);
    return;
  }
  say("%-7d %-14s %-4s %-3s %-18s %s\n", b->num, "catchpoint", "keep", b->enabled ? "y" : "n",
      "", b->spec);
  if (b->catch_regex) say("\tmatching: %s\n", b->catch_regex);
  if (me && me->hits)
    say("\tcatchpoint already hit %u time%s\n", me->hits, me->hits == 1 ? "" : "s");
}

/* Whether the program's debug info knows type (sizeof evaluates). */
static bool type_known(const char *type) {
  char e[600], out[256];
  snprintf(e, sizeof e, "sizeof (%s)", type);
  return sse_evaluate(D.cur, 0, e, out, sizeof out, NULL) == SSE_OK;
}

/* gdb's $_exception (break-catch-throw.c compute_exception): the thrown
 * object, typed by its std::type_info, at a catchpoint's stop in frame 0.
 * expr (malloc'd) with each $_exception replaced by (*(TYPE *) 0xOBJ),
 * a new malloc'd text; NULL after gdb's error. */
char *catch_exception_expr(char *expr) {
  const char *var = "$_exception";
  size_t vl = strlen(var);
  char *at = strstr(expr, var);
  while (at && (isalnum((unsigned char)at[vl]) || at[vl] == '_')) at = strstr(at + vl, var);
  if (!at) return expr;
  sse_exception_info x;
  if (!D.started || !D.cur || !D.proc || sse_process_exited(D.proc)) {
    err_say("No frame selected");
  } else if (D.frame != 0 || sse_catch_info(D.cur, &x) != SSE_OK || !x.type[0] || !x.object) {
    err_say("did not find exception probe (does libstdcxx have SDT probes?)");
  } else if (!type_known(x.type)) {
    /* gdb's lookup of the type_info's type by name */
    const char *last = strrchr(x.type, ':');
    if (last && last > x.type + 1 && last[-1] == ':')
      err_say("No symbol \"%s\" in namespace \"%.*s\".", last + 1, (int)(last - 1 - x.type),
              x.type);
    else
      err_say("No symbol \"%s\" in current context.", x.type);
  } else {
    char *out = NULL;
    if (asprintf(&out, "%.*s(*(%s *) 0x%llx)%s", (int)(at - expr), expr, x.type,
                 (unsigned long long)x.object, at + vl) < 0)
      out = NULL;
    free(expr);
    return out ? catch_exception_expr(out) : NULL;
  }
  free(expr);
  return NULL;
}
