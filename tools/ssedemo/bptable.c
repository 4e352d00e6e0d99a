/* bptable.c — gdb's `info breakpoints` table (breakpoint.c's
 * print_one_breakpoint): a row per breakpoint, its condition, hit and
 * ignore lines, and for one with several locations (or a location
 * disabled alone) "<MULTIPLE>" and a row per location ("1.2 ... y
 * 0x... in f(int) at f.cc:3"); `disable 1.2` / `enable 1.2`. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "breakcmds.h"
#include "demo.h"

#define MAXLOCS 1024

static bool alive(void) { return D.proc && !sse_process_exited(D.proc); }

/* A source file as gdb names it in a symtab: the compiler's name, which
 * for a file compiled here (the usual case) is the path below the current
 * directory; else the path in full. */
static const char *symtab_file(const char *path) {
  static char cwd[4096];
  if (!cwd[0] && !getcwd(cwd, sizeof cwd - 1)) cwd[0] = 0;
  size_t n = strlen(cwd);
  if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/') return path + n + 1;
  return path;
}

/* gdb's What of a location: "in F(params) at FILE:LINE" with debug info,
 * else "<sym+off>" (print_address_symbolic; PLT stubs "<f@plt>"). */
static void what_of(uint64_t addr, const char *func, char *out, size_t n) {
  sse_location loc = {0};
  char name[1024];
  out[0] = 0;
  if (sse_lookup(D.proc, addr, &loc) != SSE_OK || !loc.function) return;
  if (loc.file && loc.line > 0) {
    if (sse_function_print_name(D.proc, addr, func, name, sizeof name) != SSE_OK)
      snprintf(name, sizeof name, "%s", loc.function);
    snprintf(out, n, "in %s at %s:%d", name, symtab_file(loc.file), loc.line);
  } else if (loc.offset == 0) {
    snprintf(out, n, "<%s>", loc.function);
  } else {
    snprintf(out, n, "<%s+%llu>", loc.function, (unsigned long long)loc.offset);
  }
}

/* The function a breakpoint was set on (its locations are named by it),
 * or NULL for FILE:LINE and *ADDR. */
static const char *bp_func(const demo_bp *b) {
  const char *colon = strrchr(b->spec, ':');
  bool line = colon && colon > b->spec && colon[-1] != ':' && isdigit((unsigned char)colon[1]);
  return b->spec[0] == '*' || line || !b->spec[0] ? NULL : b->spec;
}

static void row(const char *num, const char *type, const char *disp, const char *enb,
                const char *addr, const char *what) {
  say("%-7s %-14s %-4s %-3s %-18s %s\n", num, type, disp, enb, addr, what);
}

/* The rows of one location-bearing breakpoint b (library record me). */
static void show_bp(const demo_bp *b, const sse_breakpoint_info *me) {
  static sse_break_location locs[MAXLOCS];
  size_t n = 0;
  if (me && !me->pending && !b->watch)
    sse_break_locations(D.proc, me->id, locs, MAXLOCS, &n);
  if (n > MAXLOCS) n = MAXLOCS;
  bool multiple = n > 1 || (n == 1 && !locs[0].enabled);
  char num[16], addr[32] = "<PENDING>", what[1400];
  snprintf(num, sizeof num, "%d", b->num);
  snprintf(what, sizeof what, "%s", b->spec);
  if (b->watch) addr[0] = 0;
  else if (multiple) snprintf(addr, sizeof addr, "<MULTIPLE>"), what[0] = 0;
  else if (n == 1) {
    snprintf(addr, sizeof addr, "0x%016llx", (unsigned long long)locs[0].addr);
    what_of(locs[0].addr, bp_func(b), what, sizeof what);
  }
  row(num, b->watch ? "hw watchpoint" : "breakpoint", b->temporary ? "del" : "keep",
      b->enabled ? "y" : "n", addr, what);
  breakcmds_info(me);
  if (me && me->hits)
    say("\tbreakpoint already hit %u time%s\n", me->hits, me->hits == 1 ? "" : "s");
  if (me && me->ignore) say("\tignore next %u hits\n", me->ignore);
  for (size_t i = 0; multiple && i < n; i++) {
    snprintf(num, sizeof num, "%d.%zu", b->num, i + 1);
    snprintf(addr, sizeof addr, "0x%016llx", (unsigned long long)locs[i].addr);
    what_of(locs[i].addr, bp_func(b), what, sizeof what);
    /* gdb 13: "y-" for an enabled location of a disabled breakpoint */
    say("%-7s %-14s %-4s %-3s %s %s\n", num, "", "",
        !locs[i].enabled ? "n" : b->enabled ? "y" : "y-", addr, what);
  }
}

static void show_json(const demo_bp *b, const sse_breakpoint_info *me) {
  sse_location loc = {0};
  bool have_loc = me && me->naddrs && sse_lookup(D.proc, me->addrs[0], &loc) == SSE_OK;
  jbuf j;
  jb_begin(&j, "breakpoint_info");
  jb_int(&j, "number", b->num);
  jb_str(&j, "type", b->watch ? "hw watchpoint" : "breakpoint");
  jb_str(&j, "spec", b->spec);
  jb_bool(&j, "enabled", b->enabled);
  jb_bool(&j, "temporary", b->temporary);
  jb_bool(&j, "pending", !me || me->pending);
  jb_int(&j, "hits", me ? me->hits : 0);
  jb_int(&j, "locations", me ? (long long)me->naddrs : 0);
  if (me && me->condition) jb_str(&j, "condition", me->condition);
  if (have_loc) {
    jb_hex(&j, "pc", me->addrs[0]);
    jb_str(&j, "function", loc.function);
    jb_str(&j, "file", loc.file);
    jb_int(&j, "line", loc.line);
  }
  jb_end_print(&j);
}

void bptable_info(char *args) {
  (void)args;
  static sse_breakpoint_info info[256];
  size_t n = 0;
  if (alive()) sse_break_list(D.proc, info, 256, &n);
  if (n > 256) n = 256;
  int shown = 0;
  for (int i = 0; i < D.nbps; i++) {
    demo_bp *b = &D.bps[i];
    if (b->deleted) continue;
    const sse_breakpoint_info *me = NULL;
    for (size_t k = 0; k < n; k++)
      if (b->lib_id && info[k].id == b->lib_id) me = &info[k];
    if (!D.json && !shown)
      say("Num     Type           Disp Enb Address            What\n");
    shown++;
    if (b->catch_kinds) catch_info_line(b, me);
    else if (D.json) show_json(b, me);
    else show_bp(b, me);
  }
  if (!shown && !D.json) say("No breakpoints or watchpoints.\n");
}

/* ---- disable N.M / enable N.M */

static demo_bp *numbered(int num) {
  for (int i = 0; i < D.nbps; i++)
    if (D.bps[i].num == num && !D.bps[i].deleted) return &D.bps[i];
  return NULL;
}

static void set_location(demo_bp *b, int loc, bool enable) {
  if (loc < 64) {
    if (enable) b->loc_off &= ~(1ull << loc);
    else b->loc_off |= 1ull << loc;
  }
  if (b->lib_id && alive()) {
    sse_err e = sse_break_enable_location(D.proc, b->lib_id, (size_t)loc, enable);
    if (e) err_say("Bad breakpoint location number '%d'", loc + 1);
  }
}

/* N.M...: digits, then a dot. */
static bool dotted(const char *tok) {
  size_t d = strspn(tok, "0123456789");
  return d && tok[d] == '.';
}

bool bptable_delete_location(const char *tok, bool unused) {
  (void)unused;
  if (!dotted(tok)) return false;
  /* gdb 13's number parser stops at the dot and names what it read as 0 */
  err_say("warning: bad breakpoint number at or near '0'");
  return true;
}

bool bptable_location_arg(const char *tok, bool enable) {
  if (!dotted(tok)) return false;
  const char *dot = strchr(tok, '.');
  demo_bp *b = numbered(atoi(tok));
  if (!b) {
    err_say("No breakpoint number %.*s.", (int)(dot - tok), tok);
    return true;
  }
  char *end;
  long lo = strtol(dot + 1, &end, 10), hi = lo;
  if (*end == '-' && !end[1]) {
    err_say("Bad breakpoint location number at or near: '%s'", dot + 1);
    return true;
  }
  if (*end == '-') hi = strtol(end + 1, &end, 10);
  if (end == dot + 1 || *end) {
    /* gdb names the part that is no number */
    const char *bad = end == dot + 1 ? dot + 1 : *end == '-' ? end + 1 : end;
    err_say("Bad breakpoint location number '%s'", *bad ? bad : dot + 1);
    return true;
  }
  if (hi < lo) {
    err_say("Inverted breakpoint location range at '%s'", dot + 1);
    return true;
  }
  size_t n = 0;
  if (b->lib_id && alive()) sse_break_locations(D.proc, b->lib_id, NULL, 0, &n);
  /* gdb's enable_disable_bp_num_loc: each location in turn, up to the
   * first that is not there; the only location of a breakpoint is the
   * breakpoint */
  if (n == 1 && lo == 1) {
    b->enabled = enable;
    if (b->lib_id && alive()) sse_break_enable(D.proc, b->lib_id, enable);
    lo = 2;
  }
  for (long i = lo; i <= hi; i++) {
    if (i < 1 || (size_t)i > n) {
      err_say("Bad breakpoint location number '%ld'", i);
      return true;
    }
    set_location(b, (int)i - 1, enable);
  }
  return true;
}

void bptable_installed(demo_bp *b) {
  for (int i = 0; i < 64; i++)
    if (b->loc_off & (1ull << i)) sse_break_enable_location(D.proc, b->lib_id, (size_t)i, false);
}
