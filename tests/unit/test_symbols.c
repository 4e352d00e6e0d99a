/* Symbols as a user sees them: libraries loaded by dlopen appear (modules
 * list, MODULES_CHANGED, pending breakpoints resolved), and decoded modules
 * are shared between processes of one engine. */
#include <inttypes.h>
#include <stdatomic.h>

#include "internal.h"
#include "symtab/symtab.h"
#include "testutil.h"

static atomic_int modules_changed;
static void on_modules(const sse_event *ev, void *u) {
  (void)u;
  if (ev->kind == SSE_EV_MODULES_CHANGED) atomic_fetch_add(&modules_changed, 1);
}

static bool has_module(sse_process *p, const char *base, bool *dwarf) {
  sse_module_info m[64];
  size_t n = 0;
  SSE_OKAY(sse_modules(p, m, 64, &n));
  for (size_t i = 0; i < n && i < 64; i++) {
    const char *s = strrchr(m[i].path, '/');
    if (s && !strcmp(s + 1, base)) {
      if (dwarf) *dwarf = m[i].has_debuginfo;
      cr_assert_lt(m[i].lo, m[i].hi);
      return true;
    }
  }
  return false;
}

Test(symbols, dlopen_library_appears_and_pending_break_resolves,
     .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  atomic_store(&modules_changed, 0);
  SSE_OKAY(sse_subscribe(e, SSE_EV_MODULES_CHANGED, on_modules, NULL, NULL));
  sse_process *p = spawn_target(e, "dlopen_main", NULL, NULL, -1);
  cr_assert(!has_module(p, "libdl_target.so", NULL));
  /* Not loaded yet: pending is refused without the flag, kept with it. */
  cr_assert_eq(sse_break_function(p, "dl_work", false, NULL), SSE_E_NOSYM);
  int id;
  SSE_OKAY(sse_break_function(p, "dl_work", true, &id));
  sse_breakpoint_info bi;
  size_t n;
  SSE_OKAY(sse_break_list(p, &bi, 1, &n));
  cr_assert(bi.pending);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, id);
  cr_assert_str_eq(s.loc.function, "dl_work");
  cr_assert(s.loc.file && strstr(s.loc.file, "dlopen_lib.c"));
  cr_assert_gt(s.loc.line, 0);
  bool dwarf = false;
  cr_assert(has_module(p, "libdl_target.so", &dwarf));
  cr_assert(dwarf);
  cr_assert_geq(atomic_load(&modules_changed), 1);
  SSE_OKAY(sse_break_list(p, &bi, 1, &n));
  cr_assert(!bi.pending);
  cr_assert_eq(bi.hits, 1);
  /* dlclose() takes the library away: the breakpoint is pending again (as
   * in gdb), with no address, and the program runs to its end. */
  int eid;
  SSE_OKAY(sse_break_function(p, "exit", false, &eid));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, eid);
  cr_assert(!has_module(p, "libdl_target.so", NULL));
  SSE_OKAY(sse_break_list(p, &bi, 1, &n));
  cr_assert_eq(bi.id, id);
  cr_assert(bi.pending, "dl_work still at %#" PRIx64, bi.addrs[0]);
  cr_assert_eq(bi.naddrs, 0);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
  sse_engine_free(e);
}

typedef struct cnt {
  sse_engine *e;
  sse_process *p;
  unsigned n;
} cnt;
/* The count once the process's background load (every module's DWARF and
 * symbols, started when its modules appeared) is over. */
static void read_count(void *arg) {
  cnt *c = arg;
  sse__symtab_prefetch_wait(sse__proc_symtab(c->p));
  c->n = sse__modcache_decode_count(c->e->modcache);
}

/* Two processes of the same program share the decoded module: looking up
 * the second decodes nothing new. */
Test(symbols, decoded_modules_are_shared, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *a = spawn_target(e, "loops_calls", NULL, NULL, -1);
  SSE_OKAY(sse_break_function(a, "main", false, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(a, &s));
  sse_location la, lb;
  SSE_OKAY(sse_lookup(a, s.pc, &la));
  cr_assert_gt(la.line, 0);
  cnt c1 = {.e = e, .p = a};
  SSE_OKAY(sse_call(e, read_count, &c1));
  cr_assert_gt(c1.n, 0);
  sse_process *b = spawn_target(e, "loops_calls", NULL, NULL, -1);
  SSE_OKAY(sse_break_function(b, "main", false, NULL));
  sse_stop s2;
  SSE_OKAY(sse_continue(b, &s2));
  SSE_OKAY(sse_lookup(b, s2.pc, &lb));
  cnt c2 = {.e = e, .p = b};
  SSE_OKAY(sse_call(e, read_count, &c2));
  cr_assert_eq(c2.n, c1.n, "second process decoded %u more modules",
               c2.n - c1.n);
  cr_assert_eq(la.line, lb.line);
  cr_assert_str_eq(la.file, lb.file);
  sse_engine_free(e);
}

Test(symbols, lookup_errors, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "loops_calls", NULL, NULL, -1);
  sse_location l;
  cr_assert_eq(sse_lookup(p, 8, &l), SSE_E_NOSYM);
  cr_assert_eq(sse_lookup_function(p, "no_such_function", NULL, NULL),
               SSE_E_NOSYM);
  uint64_t entry = 0, post = 0;
  SSE_OKAY(sse_lookup_function(p, "main", &entry, &post));
  cr_assert(entry && post > entry);
  SSE_OKAY(sse_lookup(p, post, &l));
  cr_assert_str_eq(l.function, "main");
  cr_assert_eq(l.offset, post - entry);
  sse_engine_free(e);
}
