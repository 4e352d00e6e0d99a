/* C++ names against gdb on tests/targets/cxx_shapes.cc: `break NAME` by
 * every linespec form gives gdb's `info breakpoints` addresses; stops and
 * backtraces name functions as gdb does (the DWARF name with its scopes);
 * `step` through methods, constructors and templates stop for stop. */
#include <ctype.h>
#include <stdint.h>
#include <sys/wait.h>

#include "oracle.h"
#include "testutil.h"

#define PROG "cxx_shapes"
#define MAXLOC 64

/* Every name form of the brief; gdb's answer decides each. */
static const char *const specs[] = {
    "shapes::Circle::area",       /* ns::Class::method */
    "Circle::area",               /* Class::method */
    "area",                       /* every class: Circle and Square */
    "scale(int)",                 /* one overload by signature */
    "shapes::scale(double)",
    "scale",                      /* both overloads */
    "sum<int>",                   /* one template instance */
    "sum",                        /* every instance */
    "shapes::Circle::operator==", /* an operator */
    "operator==",                 /* every operator== (libstdc++'s too) */
    "shapes::Circle::Circle",     /* constructor: C1 and C2 are one */
    "shapes::Circle::~Circle",    /* destructor: D1/D2, and D0 */
    "Shape::~Shape",
    "(anonymous namespace)::f",
    "f",
    "helper",                     /* file-static */
    "std::allocator<int>::allocator",
    "total_area",                 /* a plain function */
    "main",
    "Circle",                     /* the constructor by its bare name */
    "~Circle",
    "shapes::Shape::name",        /* an ABI-tagged name[abi:cxx11] */
    "Square::area()",             /* gdb: not a const method's name */
    "Square::area() const",
    "::helper",                   /* from the global scope */
    "std::vector<int, std::allocator<int> >::push_back",
    "push_back",                  /* every instance, its overloads */
    "operator new",               /* libstdc++'s, without debug info */
    "operator new(unsigned long)",
    "sum<double>(std::vector<double, std::allocator<double> > const&)",
    "std::locale::operator==",    /* pending until libstdc++ is mapped */
};
#define NSPECS (sizeof specs / sizeof specs[0])

typedef struct locs {
  size_t n;
  uint64_t a[MAXLOC];
} locs;

static int cmp_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

/* gdb -batch on PROG with these commands (after the settings every run
 * needs), its stdout to read; the command file's name in cmdf[64]. */
static FILE *gdb_open_prog(const char *prog, const char *commands, char *cmdf) {
  snprintf(cmdf, 64, "/tmp/sse_cxx_gdbXXXXXX");
  int fd = mkstemp(cmdf);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "set breakpoint pending on\nset confirm off\nset pagination off\nset width 0\n%s", commands);
  fclose(f);
  char cmd[2048];
  const char *gdb = getenv("ORACLE_GDB");
  snprintf(cmd, sizeof cmd, "%s -batch -nx -x %s %s </dev/null 2>/dev/null", gdb && *gdb ? gdb : "gdb", cmdf,
           tpath(prog));
  FILE *p = popen(cmd, "r");
  cr_assert(p != NULL);
  return p;
}

static FILE *gdb_open(const char *commands, char *cmdf) { return gdb_open_prog(PROG, commands, cmdf); }

static void gdb_close(FILE *p, const char *cmdf) {
  pclose(p);
  unlink(cmdf);
}

/* gdb: break at every spec, run to the first stop (the libraries are
 * loaded), `info breakpoints`; out[i] gets breakpoint i+1's addresses. */
static void gdb_locations(const char *prog, const char *const *sp, size_t ns, locs *out) {
  char script[8192];
  size_t k = (size_t)snprintf(script, sizeof script, "%s", "");
  for (size_t i = 0; i < ns && k < sizeof script; i++)
    k += (size_t)snprintf(script + k, sizeof script - k, "break %s\n", sp[i]);
  snprintf(script + k, sizeof script - k, "run\ninfo breakpoints\nkill\n");
  char cmdf[64];
  FILE *p = gdb_open_prog(prog, script, cmdf);
  memset(out, 0, ns * sizeof *out);
  char line[4096];
  bool table = false;
  while (fgets(line, sizeof line, p)) {
    if (strncmp(line, "Num ", 4) == 0) table = true;
    if (!table) continue;
    /* "3       breakpoint keep y   0x000055555555a2f2 in ..." or a
     * location line "3.2   y   0x... in ..."; <MULTIPLE> has none. */
    char *end;
    long num = strtol(line, &end, 10);
    if (end == line || num < 1 || (size_t)num > ns) continue;
    char *hex = strstr(line, " 0x");
    if (hex == NULL) continue;
    locs *l = &out[num - 1];
    if (l->n < MAXLOC) l->a[l->n++] = strtoull(hex + 1, NULL, 16);
  }
  gdb_close(p, cmdf);
  for (size_t i = 0; i < ns; i++) qsort(out[i].a, out[i].n, sizeof out[i].a[0], cmp_u64);
}

/* `break` by each of sp's names on prog gives gdb's locations, all of
 * them (-O2: the inlined copies too). The last name must be pending until
 * libstdc++ is mapped when pending_last. */
static void locations_match_gdb(const char *prog, const char *const *sp, size_t ns, bool pending_last) {
  static locs g[NSPECS];
  cr_assert(ns <= NSPECS);
  gdb_locations(prog, sp, ns, g);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  int ids[NSPECS];
  for (size_t i = 0; i < ns; i++) SSE_OKAY(sse_break_function(p, sp[i], true, &ids[i]));
  /* Before the dynamic linker ran: libstdc++'s names are pending, and
   * resolve as gdb's when it is mapped. */
  sse_breakpoint_info early[NSPECS];
  SSE_OKAY(sse_break_list(p, early, ns, NULL));
  cr_assert(!pending_last || early[ns - 1].pending, "%s resolved before libstdc++ was mapped", sp[ns - 1]);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  sse_breakpoint_info bi[NSPECS];
  size_t n = 0;
  SSE_OKAY(sse_break_list(p, bi, ns, &n));
  cr_assert_eq(n, ns);
  int bad = 0;
  for (size_t i = 0; i < ns; i++) {
    /* gdb finds nothing: sse's breakpoint is pending. */
    cr_expect_eq(bi[i].pending, g[i].n == 0, "break %s: pending %d, gdb %zu locations", sp[i], bi[i].pending,
                 g[i].n);
    uint64_t a[8];
    size_t k = bi[i].naddrs < 8 ? bi[i].naddrs : 8;
    memcpy(a, bi[i].addrs, k * sizeof a[0]);
    qsort(a, k, sizeof a[0], cmp_u64);
    /* sse_breakpoint_info lists the first 8 (sse sorts them). */
    bool same = bi[i].naddrs == g[i].n && memcmp(a, g[i].a, k * sizeof a[0]) == 0;
    if (!same) {
      bad++;
      fprintf(stderr, "%s: break %s: gdb", prog, sp[i]);
      for (size_t j = 0; j < g[i].n; j++) fprintf(stderr, " %#lx", (unsigned long)g[i].a[j]);
      fprintf(stderr, "; sse");
      for (size_t j = 0; j < k; j++) fprintf(stderr, " %#lx", (unsigned long)a[j]);
      fprintf(stderr, "\n");
    }
    cr_expect(same, "break %s: sse %zu locations, gdb %zu", sp[i], bi[i].naddrs, g[i].n);
  }
  cr_assert_eq(bad, 0);
  sse_engine_free(e);
}

Test(cxx, break_locations_match_gdb, .timeout = 60) { locations_match_gdb(PROG, specs, NSPECS, true); }

/* At -O2 gdb's `break f` has a location at each inlined copy of f
 * besides its out-of-line one (Circle::area in main and out of line,
 * sum<int> and push_back only inlined). */
Test(cxx, break_locations_at_O2_include_inlined_copies, .timeout = 60) {
  locations_match_gdb("cxx_shapes_O2", specs, NSPECS, true);
}

/* The same for C: loops_calls at -O2, where bump is inlined into main
 * only. */
static const char *const c_specs[] = {"bump", "main", "apply", "twice", "sum_squares", "add", "square"};
Test(cxx, break_locations_of_c_at_O2_include_inlined_copies, .timeout = 60) {
  locations_match_gdb("loops_calls_O2", c_specs, sizeof c_specs / sizeof c_specs[0], false);
}

/* clang -O2 (DWARF 5 without .debug_aranges): main starts with two line
 * entries at its first address (its own line, then the inlined bump's),
 * which gdb takes as no prologue. */
Test(cxx, break_locations_of_c_at_clang_O2_match_gdb, .timeout = 60) {
  locations_match_gdb("loops_calls_O2_clang", c_specs, sizeof c_specs / sizeof c_specs[0], false);
  static const char *const libc_specs[] = {"main"};
  locations_match_gdb("libc_calls_O2_clang", libc_specs, 1, false);
}

/* gdb's `bt` at its first stop at `break FUNC`, as printed:
 * "#0  shapes::Circle::Circle (this=0x7ffe..., r=2) at src.cc:25" and
 * "#1  0x... in main () at src.cc:74": the frame names (what precedes the
 * argument list) and lines. Returns the number of frames. */
typedef struct gframe {
  char name[512];
  int line;
} gframe;

static size_t gdb_bt(const char *func, gframe *out, size_t max) {
  char script[1024], cmdf[64];
  snprintf(script, sizeof script, "break %s\nrun\nbt\nkill\n", func);
  FILE *p = gdb_open(script, cmdf);
  size_t n = 0;
  char line[4096];
  while (fgets(line, sizeof line, p) && n < max) {
    if (line[0] != '#' || line[1] < '0' || line[1] > '9') continue;
    line[strcspn(line, "\n")] = '\0';
    char *q = line + 1;
    while (*q >= '0' && *q <= '9') q++;
    while (*q == ' ') q++;
    if (strncmp(q, "0x", 2) == 0) {
      char *in = strstr(q, " in ");
      if (in == NULL) continue;
      q = in + 4;
    }
    /* The argument list: the last "(...)" before " at FILE:LINE", or
     * before " from LIBRARY" without debug info (line 0). */
    char *at = strstr(q, ") at ");
    if (at == NULL) at = strstr(q, ") from ");
    if (at == NULL) continue;
    int depth = 0;
    char *o = at;
    for (; o > q; o--) {
      if (*o == ')') depth++;
      else if (*o == '(' && --depth == 0) break;
    }
    if (o <= q || o[-1] != ' ') continue;
    snprintf(out[n].name, sizeof out[n].name, "%.*s", (int)(o - 1 - q), q);
    char *colon = strncmp(at, ") at ", 5) == 0 ? strrchr(at, ':') : NULL;
    out[n].line = colon ? atoi(colon + 1) : 0;
    n++;
  }
  gdb_close(p, cmdf);
  return n;
}

/* A new engine with prog stopped at `break FUNC`'s first hit, in *s. */
static sse_engine *run_prog_to(const char *prog, const char *func, sse_stop *s) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  SSE_OKAY(sse_break_function(p, func, false, NULL));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "%s: %s", func, sse_stop_reason_name(s->reason));
  return e;
}

static sse_engine *run_to(const char *func, sse_stop *s) { return run_prog_to(PROG, func, s); }

/* Stopped at `break FUNC`: the stop's function and every frame's (up to
 * main) as gdb's `bt` names them, with their lines. */
static void bt_against_gdb(const char *func) {
  gframe g[32];
  size_t gn = gdb_bt(func, g, 32);
  cr_assert_gt(gn, 1, "gdb's bt at %s", func);
  sse_stop s;
  sse_engine *e = run_to(func, &s);
  cr_assert_str_eq(s.loc.function ? s.loc.function : "(null)", g[0].name, "stop at %s: sse %s, gdb %s", func,
                   s.loc.function, g[0].name);
  cr_assert_eq(s.loc.line, g[0].line);
  sse_frame fr[32];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, fr, 32, &n));
  cr_assert_geq(n, gn, "%s: sse %zu frames, gdb %zu", func, n, gn);
  for (size_t i = 0; i < gn; i++) {
    const char *sn = fr[i].loc.function ? fr[i].loc.function : "(null)";
    cr_expect_str_eq(sn, g[i].name, "%s: frame %zu: sse %s, gdb %s", func, i, sn, g[i].name);
    cr_expect_eq(fr[i].loc.line, g[i].line, "%s: frame %zu (%s) line", func, i, g[i].name);
  }
  sse_engine_free(e);
}

Test(cxx, bt_method, .timeout = 30) { bt_against_gdb("shapes::Circle::area"); }
Test(cxx, bt_virtual_via_base, .timeout = 30) { bt_against_gdb("shapes::Square::area"); }
Test(cxx, bt_constructor, .timeout = 30) { bt_against_gdb("shapes::Circle::Circle"); }
Test(cxx, bt_destructor, .timeout = 30) { bt_against_gdb("shapes::Circle::~Circle"); }
Test(cxx, bt_template, .timeout = 30) { bt_against_gdb("sum<double>"); }
Test(cxx, bt_operator, .timeout = 30) { bt_against_gdb("operator=="); }
Test(cxx, bt_static_in_anonymous_namespace, .timeout = 30) { bt_against_gdb("helper"); }
Test(cxx, bt_std_header, .timeout = 30) { bt_against_gdb("std::allocator<int>::allocator"); }
/* In libstdc++, which has no debug info here: the demangled ELF name with
 * its parameters, as gdb prints a minimal symbol. */
Test(cxx, bt_library_without_debuginfo, .timeout = 30) { bt_against_gdb("operator new(unsigned long)"); }

/* A name sse_lookup_function resolves like the first of `break NAME`'s
 * locations, and the demangled ELF name of a function lookup. */
Test(cxx, lookup_function_by_cxx_name, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, PROG, NULL, NULL, -1);
  uint64_t entry = 0, post = 0;
  SSE_OKAY(sse_lookup_function(p, "Circle::area", &entry, &post));
  cr_assert_lt(entry, post);
  sse_location loc;
  SSE_OKAY(sse_lookup(p, post, &loc));
  cr_assert_str_eq(loc.function, "shapes::Circle::area");
  SSE_OKAY(sse_lookup(p, entry, &loc));
  cr_assert_str_eq(loc.function, "shapes::Circle::area");
  cr_assert_eq(sse_lookup_function(p, "Circle::perimeter", NULL, NULL), SSE_E_NOSYM);
  sse_engine_free(e);
}

/* gdb's frame name from a symbol's print name (what the oracle reports):
 * without the parameter list and the qualifiers after it
 * ("shapes::Circle::area() const" -> "shapes::Circle::area"), as gdb's
 * find_frame_funname does (cp_remove_params). */
static void remove_params(char *s) {
  size_t n = strlen(s);
  for (;;) {
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '&')) n--;
    if (n >= 5 && strncmp(s + n - 5, "const", 5) == 0) n -= 5;
    else if (n >= 8 && strncmp(s + n - 8, "volatile", 8) == 0) n -= 8;
    else break;
  }
  if (n == 0 || s[n - 1] != ')') return;
  int depth = 0;
  for (size_t i = n; i-- > 0;) {
    if (s[i] == ')') depth++;
    else if (s[i] == '(' && --depth == 0) {
      if (i > 0) s[i] = '\0';
      return;
    }
  }
}

/* `step` from main through constructors, std::vector and std::string code
 * in the headers, virtual calls, templates and operators: sse and gdb stop
 * for stop (function, file, line). */
static void steps_against_gdb_prog(const char *prog, const char *start, const char *cmds, int count) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  cr_assert_eq(oracle_gdb_steps(tpath(prog), NULL, start, cmds, count, NULL, NULL, &g, &gn), 0,
               "gdb oracle failed");
  sse_stop s;
  sse_engine *e = run_prog_to(prog, start, &s);
  size_t matched = 0;
  for (size_t i = 0; i < gn; i++) {
    if (g[i].error[0]) break;
    if (i > 0) {
      sse_stop s2;
      SSE_OKAY(strcmp(cmds, "next") == 0 ? sse_next_line(s.thread, &s2) : sse_step_line(s.thread, &s2));
      s = s2;
    }
    if (g[i].exited) {
      cr_assert(s.reason == SSE_STOP_EXITED, "stop %zu: gdb exited, sse %s", i, sse_stop_reason_name(s.reason));
      matched++;
      break;
    }
    cr_assert(s.reason != SSE_STOP_EXITED && s.reason != SSE_STOP_KILLED, "stop %zu: sse exited, gdb at %s", i,
              g[i].function);
    char want[256];
    snprintf(want, sizeof want, "%s", g[i].function);
    remove_params(want);
    const char *fn = s.loc.function ? s.loc.function : "??";
    const char *gf = strrchr(g[i].file, '/'), *sf = s.loc.file ? strrchr(s.loc.file, '/') : NULL;
    /* The oracle cuts names at 255 characters: then sse's name up to the
     * parameters gdb's shows. */
    size_t fl = strlen(fn);
    bool name_ok = strcmp(fn, want) == 0 ||
                   (strlen(g[i].function) >= sizeof g[i].function - 1 &&
                    strncmp(fn, want, strlen(want) < fl ? strlen(want) : fl) == 0 &&
                    (strlen(want) <= fl || want[fl] == '('));
    bool same = name_ok && s.loc.line == g[i].line && gf && sf && strcmp(gf, sf) == 0;
    cr_assert(same, "stop %zu: gdb %s %s:%d, sse %s %s:%d", i, want, g[i].file, g[i].line, fn,
              s.loc.file ? s.loc.file : "-", s.loc.line);
    matched++;
  }
  cr_assert_gt(matched, (size_t)count / 2, "only %zu stops compared", matched);
  sse_engine_free(e);
  oracle_free(g);
}

static void steps_against_gdb(const char *start, const char *cmds, int count) {
  steps_against_gdb_prog(PROG, start, cmds, count);
}

/* -O2: inlined methods of std::vector and the iterators, named in
 * gdb's inline frames with their scopes. */
Test(cxx, step_inline_O2_like_gdb, .timeout = 60) { steps_against_gdb_prog("cxx_shapes_O2", "total_area", "step", 30); }
Test(cxx, step_main_O2_like_gdb, .timeout = 60) { steps_against_gdb_prog("cxx_shapes_O2", "main", "step", 60); }

Test(cxx, step_from_main_like_gdb, .timeout = 120) { steps_against_gdb("main", "step", 120); }
Test(cxx, step_through_methods_like_gdb, .timeout = 60) { steps_against_gdb("total_area", "step", 30); }
Test(cxx, next_in_main_like_gdb, .timeout = 60) { steps_against_gdb("main", "next", 25); }
/* Into the file-static helper from the anonymous namespace's f and back
 * to main; from the template sum<int> (its loop over the vector) back to
 * main, into the other overload shapes::scale(double), the vector's
 * push_back and sum<double>. */
Test(cxx, step_into_file_static_like_gdb, .timeout = 60) { steps_against_gdb("f", "step", 12); }
Test(cxx, step_template_and_overload_like_gdb, .timeout = 120) {
  steps_against_gdb("sum<int>", "step", 90);
}
/* std::map<std::string, int>: operator[], the tree's insertion and
 * iteration in the headers, step for step; and next over them. */
Test(cxx, step_through_std_map_like_gdb, .timeout = 120) { steps_against_gdb("tally", "step", 80); }
Test(cxx, next_over_std_map_like_gdb, .timeout = 60) { steps_against_gdb("tally", "next", 12); }

/* gdb's `info symbol ADDR` and `complete break shapes::Ci`: demangled ELF
 * names, the parameters included. */
Test(cxx, symbols_demangled_like_gdb, .timeout = 30) {
  char script[256], cmdf[64], line[1024];
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, PROG, NULL, NULL, -1);
  uint64_t post = 0;
  SSE_OKAY(sse_lookup_function(p, "shapes::Circle::area", NULL, &post));
  snprintf(script, sizeof script, "break main\nrun\ninfo symbol %#lx\ncomplete break shapes::Ci\nkill\n",
           (unsigned long)post);
  FILE *g = gdb_open(script, cmdf);
  char info[512] = "";
  char comp[8][512];
  size_t nc = 0;
  while (fgets(line, sizeof line, g)) {
    line[strcspn(line, "\n")] = '\0';
    char *in = strstr(line, " in section ");
    if (in != NULL && info[0] == '\0') snprintf(info, sizeof info, "%.*s", (int)(in - line), line);
    if (strncmp(line, "break shapes::", 14) == 0 && nc < 8) snprintf(comp[nc++], sizeof comp[0], "%.500s", line + 6);
  }
  gdb_close(g, cmdf);
  sse_symbol sym;
  SSE_OKAY(sse_symbol_at(p, post, SSE_SYMBOLS_FUNCTIONS, &sym));
  char mine[512];
  snprintf(mine, sizeof mine, "%s + %lu", sym.name, (unsigned long)(post - sym.addr));
  cr_assert_str_eq(mine, info, "info symbol: sse %s, gdb %s", mine, info);
  sse_symbol out[32];
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "shapes::Ci", SSE_SYMBOLS_FUNCTIONS, out, 32, &n));
  /* Symbols, one per address: ~Circle() twice (D0, and D1 = D2);
   * completion offers each name once. Sorted by name. */
  size_t distinct = 0;
  for (size_t j = 0; j < n; j++) distinct += j == 0 || strcmp(out[j].name, out[j - 1].name) != 0;
  cr_assert_eq(distinct, nc, "sse %zu names, gdb %zu", distinct, nc);
  for (size_t i = 0; i < nc; i++) {
    bool found = false;
    for (size_t j = 0; j < n && !found; j++) found = strcmp(out[j].name, comp[i]) == 0;
    cr_expect(found, "gdb completes %s, sse does not", comp[i]);
  }
  sse_engine_free(e);
}

/* `finish` out of a C++ function: a value where gdb prints "Value
 * returned" (area, a double), none out of a destructor (void). */
static void finish_against_gdb(const char *func) {
  char script[512], cmdf[64], line[1024];
  snprintf(script, sizeof script, "break %s\nrun\nfinish\nkill\n", func);
  FILE *g = gdb_open(script, cmdf);
  bool gdb_value = false;
  while (fgets(line, sizeof line, g)) gdb_value |= strncmp(line, "Value returned is", 17) == 0;
  gdb_close(g, cmdf);
  sse_stop s, f;
  sse_engine *e = run_to(func, &s);
  SSE_OKAY(sse_finish(s.thread, &f));
  cr_assert_eq(f.has_retval, gdb_value, "finish out of %s: sse value %d, gdb %d", func, f.has_retval, gdb_value);
  sse_engine_free(e);
}

Test(cxx, finish_value_method, .timeout = 30) { finish_against_gdb("shapes::Circle::area"); }
Test(cxx, finish_void_destructor, .timeout = 30) { finish_against_gdb("shapes::Circle::~Circle"); }

/* ---- ssedemo's `info breakpoints` against gdb's, whole */

/* The table rows (header, breakpoint and location rows, their tab lines)
 * a debugger prints for script on PROG once the program has stopped; the
 * directories before "tests/targets/" and that prefix left out (gdb names
 * the file as compiled, ssedemo from the current directory). */
static char *info_tables(const char *prog, const char *debugger, const char *script) {
  char cmdf[64];
  FILE *p = script_open(debugger, script, prog, cmdf);
  char *out = NULL, line[4096];
  size_t len = 0;
  FILE *o = open_memstream(&out, &len);
  bool stopped = false;
  while (fgets(line, sizeof line, p)) {
    if (strncmp(line, "Breakpoint ", 11) == 0 && strchr(line, ',')) stopped = true;
    size_t dig = strspn(line, "0123456789");
    bool row = strncmp(line, "Num ", 4) == 0 || line[0] == '\t' ||
               (dig && (line[dig] == ' ' || line[dig] == '.'));
    if (!stopped || !row) continue;
    strip_targets_dir(line);
    fputs(line, o);
  }
  script_close(p, cmdf);
  fclose(o);
  return out;
}

/* Every name form, a condition, a temporary and a pending breakpoint, a
 * location disabled alone and a disabled <MULTIPLE> one, hit counts. */
static const char info_script[] =
    "set breakpoint pending on\nset confirm off\nset pagination off\n"
    "break shapes::Circle::area\nbreak area\nbreak scale(int)\nbreak scale\n"
    "break sum<int>\nbreak sum\nbreak shapes::Circle::Circle\nbreak Circle::~Circle\n"
    "break operator==\nbreak helper\nbreak (anonymous namespace)::f\n"
    "break std::allocator<int>::allocator\nbreak push_back\nbreak operator new\n"
    "break std::locale::operator==\nbreak nosuchfunc\nbreak main if 1 == 1\n"
    "tbreak total_area\nbreak Shape::~Shape\n"
    "run\ninfo breakpoints\ndisable 2.2\ndisable 4\ndisable 13.1-2\ncontinue\n"
    "continue\ninfo breakpoints\nenable 2.2\nenable 4\ninfo breakpoints\nkill\n";

static void info_tables_match(const char *prog) {
  const char *gdb = getenv("ORACLE_GDB");
  char g[1100], d[1100];
  snprintf(g, sizeof g, "%s -batch -nx", gdb && *gdb ? gdb : "gdb");
  snprintf(d, sizeof d, "%s --batch", tpath("../ssedemo"));
  char *want = info_tables(prog, g, info_script), *got = info_tables(prog, d, info_script);
  cr_assert(strstr(want, "<MULTIPLE>") && strstr(want, "2.2 ") && strstr(want, "y-"),
            "gdb's table:\n%s", want);
  cr_assert(strstr(want, "already hit 1 time"), "gdb's table:\n%s", want);
  cr_assert_str_eq(got, want, "%s: ssedemo:\n%s\ngdb:\n%s", prog, got, want);
  free(want);
  free(got);
}

Test(cxx, ssedemo_info_breakpoints_is_gdbs_table, .timeout = 90) { info_tables_match(PROG); }
/* -O2: locations in inlined copies, named by the function set on (an
 * inlined push_back, not the emplace_back inlined into it). */
Test(cxx, ssedemo_info_breakpoints_at_O2_is_gdbs_table, .timeout = 90) {
  info_tables_match("cxx_shapes_O2");
}

/* One location of `break area` disabled (Square::area's): the program
 * runs to its exit stopping only at Circle::area's, as gdb's `disable
 * 1.2` does; the print name of each location is gdb's. */
Test(cxx, disabled_location_is_not_hit, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, PROG, NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "area", false, &id));
  sse_break_location l[4];
  size_t n = 0;
  SSE_OKAY(sse_break_locations(p, id, l, 4, &n));
  cr_assert_eq(n, 2);
  size_t sq = 2;
  char name[256];
  for (size_t i = 0; i < n; i++) {
    cr_assert(l[i].enabled);
    SSE_OKAY(sse_function_print_name(p, l[i].addr, "area", name, sizeof name));
    if (!strcmp(name, "shapes::Square::area() const")) sq = i;
    else cr_assert_str_eq(name, "shapes::Circle::area() const");
  }
  cr_assert_lt(sq, n);
  cr_assert_eq(sse_break_enable_location(p, id, 5, false), SSE_E_NOTFOUND);
  cr_assert_eq(sse_break_enable_location(p, id + 50, 0, false), SSE_E_NOTFOUND);
  SSE_OKAY(sse_break_enable_location(p, id, sq, false));
  SSE_OKAY(sse_break_locations(p, id, l, 4, &n));
  cr_assert(!l[sq].enabled && l[1 - sq].enabled);
  int circle = 0;
  for (;;) {
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    if (s.reason == SSE_STOP_EXITED) break;
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
    cr_assert_str_eq(s.loc.function, "shapes::Circle::area");
    circle++;
  }
  cr_assert_eq(circle, 2, "c.area() in total_area, heap->area()");
  cr_assert_eq(sse_function_print_name(p, 0, NULL, name, sizeof name), SSE_E_EXITED);
  sse_engine_free(e);
}

/* `enable`/`disable N.M` arguments gdb refuses, with gdb's messages, and
 * the table after the ones it takes (before `run`: the announcements'
 * addresses differ, the program not being mapped for gdb, and are left
 * out). Each command an -ex: in batch mode gdb goes on after an error. */
static bool ex_keep(char *line) {
  if (!strncmp(line, "Breakpoint ", 11) && strstr(line, " at 0x")) return false;
  char *t = strstr(line, "0x0000");
  if (t) memcpy(t, "0xADDRESS", 9), memmove(t + 9, t + 18, strlen(t + 18) + 1);
  strip_targets_dir(line);
  return true;
}

static char *ex_output(const char *debugger, const char *const *cmds, size_t n) {
  char sh[4096];
  size_t k = (size_t)snprintf(sh, sizeof sh, "%s", debugger);
  for (size_t i = 0; i < n; i++) k += (size_t)snprintf(sh + k, sizeof sh - k, " -ex '%s'", cmds[i]);
  snprintf(sh + k, sizeof sh - k, " %s </dev/null 2>&1", tpath(PROG));
  return command_lines(sh, ex_keep);
}

Test(cxx, ssedemo_location_arguments_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break scale",    "break main",     "disable 2.1",  "info breakpoints", "enable 2.1",
      "disable 1.3",  "disable 1.0",   "disable 3.1",
      "enable 1.2-1",   "enable 1.2-x",   "enable 1.x",   "enable 1.1-",   "disable 1.1-5",
      "enable 1.2",     "disable 2",      "delete 1.2",   "delete 1.x 2",  "info breakpoints"};
  const char *gdb = getenv("ORACLE_GDB");
  char g[1100], d[1100];
  snprintf(g, sizeof g, "%s -batch -nx", gdb && *gdb ? gdb : "gdb");
  snprintf(d, sizeof d, "%s --batch", tpath("../ssedemo"));
  size_t n = sizeof cmds / sizeof cmds[0];
  char *want = ex_output(g, cmds, n), *got = ex_output(d, cmds, n);
  cr_assert(strstr(want, "Inverted breakpoint location range") && strstr(want, "1.2 "),
            "gdb:\n%s", want);
  cr_assert_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}
