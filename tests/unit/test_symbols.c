/* Symbols as a user sees them: libraries loaded by dlopen appear (modules
 * list, MODULES_CHANGED, pending breakpoints resolved), and decoded modules
 * are shared between processes of one engine; PLT stubs carry gdb's
 * names. */
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
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

/* PROG spawned and stopped at main. */
static sse_process *spawn_at_main(sse_engine *e, const char *prog, sse_stop *s) {
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  SSE_OKAY(sse_break_function(p, "main", false, NULL));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s->reason));
  return p;
}

/* Two processes of the same program share the decoded module: looking up
 * the second decodes nothing new. */
Test(symbols, decoded_modules_are_shared, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  sse_process *a = spawn_at_main(e, "loops_calls", &s);
  sse_location la, lb;
  SSE_OKAY(sse_lookup(a, s.pc, &la));
  cr_assert_gt(la.line, 0);
  cnt c1 = {.e = e, .p = a};
  SSE_OKAY(sse_call(e, read_count, &c1));
  cr_assert_gt(c1.n, 0);
  sse_stop s2;
  sse_process *b = spawn_at_main(e, "loops_calls", &s2);
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

/* PLT stubs are named as gdb names them: every entry of libc's .plt and
 * .plt.got (JUMP_SLOT "free@plt", IRELATIVE "*ABS*+0x9f550@plt", PLT0
 * nameless), at the entry and 6 bytes in, against gdb's `info symbol` in
 * the same program at the same stop (ASLR is off in both). */
Test(symbols, plt_stubs_named_as_gdb_names_them, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  sse_process *p = spawn_at_main(e, "libc_calls", &s);
  sse_module_info m[64];
  size_t nm = 0;
  SSE_OKAY(sse_modules(p, m, 64, &nm));
  const char *libc = NULL;
  uint64_t base = 0;
  for (size_t i = 0; i < nm && i < 64; i++)
    if (strstr(m[i].path, "/libc.so.6")) {
      libc = m[i].path;
      base = m[i].lo;
    }
  cr_assert(libc);
  /* The PLT sections from the file (libc is linked at 0: lo is its base). */
  elf_version(EV_CURRENT);
  int fd = open(libc, O_RDONLY);
  cr_assert_geq(fd, 0);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  size_t shstrndx;
  cr_assert_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
  uint64_t addrs[256];
  size_t na = 0;
  for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
    uint64_t esz = n && !strcmp(n, ".plt") ? 16 : n && !strcmp(n, ".plt.got") ? 8 : 0;
    for (uint64_t o = 0; esz && o < sh.sh_size && na + 2 <= 256; o += esz) {
      addrs[na++] = base + sh.sh_addr + o;
      addrs[na++] = base + sh.sh_addr + o + 6;
    }
  }
  elf_end(elf);
  close(fd);
  cr_assert_gt(na, 20);
  /* gdb on the same program, stopped at main. */
  char script[] = "/tmp/sse-plt-XXXXXX";
  int sfd = mkstemp(script);
  cr_assert_geq(sfd, 0);
  FILE *sf = fdopen(sfd, "w");
  fprintf(sf, "set debuginfod enabled off\nbreak main\nrun\n");
  for (size_t i = 0; i < na; i++) fprintf(sf, "info symbol 0x%llx\n", (unsigned long long)addrs[i]);
  fclose(sf);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "gdb -nx -batch -x %s %s/libc_calls 2>/dev/null", script,
           getenv("SSE_TARGETS_DIR") ? getenv("SSE_TARGETS_DIR") : TARGETS_DIR);
  FILE *g = popen(cmd, "r");
  cr_assert(g);
  char line[1024];
  size_t k = 0, named = 0;
  while (fgets(line, sizeof line, g) && k < na) {
    /* "NAME in section .plt of ..." / "NAME + 6 in section ..." /
     * "No symbol matches 0x...." */
    bool nosym = !strncmp(line, "No symbol matches", 17);
    char *sec = strstr(line, " in section .plt");
    if (!nosym && !sec) continue;
    sse_location loc;
    sse_err err = sse_lookup(p, addrs[k], &loc);
    if (nosym) {
      cr_assert(err != SSE_OK || loc.function == NULL, "%#llx: gdb none, sse %s",
                (unsigned long long)addrs[k], loc.function);
    } else {
      *sec = 0;
      char want[1024];
      unsigned off = 0;
      char *plus = strstr(line, " + ");
      if (plus) {
        off = (unsigned)strtoul(plus + 3, NULL, 10);
        *plus = 0;
      }
      snprintf(want, sizeof want, "%s", line);
      SSE_OKAY(err);
      cr_assert(loc.function && !strcmp(loc.function, want), "%#llx: gdb %s, sse %s",
                (unsigned long long)addrs[k], want, loc.function ? loc.function : "(none)");
      cr_assert_eq(loc.offset, off, "%#llx: %s", (unsigned long long)addrs[k], want);
      named++;
    }
    k++;
  }
  pclose(g);
  unlink(script);
  cr_assert_eq(k, na, "gdb answered %zu of %zu", k, na);
  cr_assert_gt(named, na / 2);
  sse_engine_free(e);
}
