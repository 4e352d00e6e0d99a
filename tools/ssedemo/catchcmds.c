/* catchcmds.c — gdb's C++ exception catchpoints: `catch throw`, `catch
 * catch`, `catch rethrow`, their stops ("Catchpoint N (exception
 * thrown), 0x... in __cxa_throw () from .../libstdc++.so.6") and their
 * lines in `info breakpoints`. The catchpoint is a demo_bp whose
 * catch_kinds is set; the library's sse_catch makes it. */
#define _GNU_SOURCE
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

void cmd_catch(char *args, int from_tty) {
  (void)from_tty;
  char *w = args ? args + strspn(args, " \t") : "";
  w[strcspn(w, " \t")] = 0;
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
  add_bp(spec, false, false);
  demo_bp *b = &D.bps[D.nbps - 1];
  b->catch_kinds = kind;
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
  if (me && me->hits)
    say("\tcatchpoint already hit %u time%s\n", me->hits, me->hits == 1 ? "" : "s");
}
