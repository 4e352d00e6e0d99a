/* sse_backtrace against gdb's `bt` (tests/oracle): function names of every
 * frame, inline frames and gdb's tail-call frames included, lines of the
 * program's own frames, signal frames, up to main (gdb stops there).
 * Targets: deep_recursion (1,000 frames), qsort_cmp (through libc's qsort)
 * and sighandler_bt (through a signal frame). */
#include "testutil.h"

#include <signal.h>

#include "oracle.h"

static sse_engine *eng;

static void setup(void) { SSE_OKAY(sse_engine_new(NULL, &eng)); }
static void teardown(void) {
  sse_engine_free(eng);
  eng = NULL;
}

TestSuite(backtrace, .init = setup, .fini = teardown, .timeout = 30);

/* For frames gdb names from ELF symbols (no DWARF: assembly, stripped
 * code), where it picks one alias of several by its own order: the same
 * function when equal after dropping the __GI_ prefix, a version and a
 * .part/.isra/.constprop suffix, and leading underscores. */
static void norm(const char *s, char *out, size_t len) {
  if (strncmp(s, "__GI_", 5) == 0) s += 5;
  while (*s == '_') s++;
  snprintf(out, len, "%s", s);
  out[strcspn(out, "@.")] = '\0';
}

static bool same_function(const char *sse, const char *gdb) {
  if (sse == NULL) return strcmp(gdb, "??") == 0;
  if (strcmp(sse, gdb) == 0) return true;
  char a[256], b[256];
  norm(sse, a, sizeof a);
  norm(gdb, b, sizeof b);
  return strcmp(a, b) == 0;
}

static bool own_file(const char *f) {
  return f != NULL && strstr(f, "/tests/targets/") != NULL;
}

/* Tail-call frames both listed in the last check_bt. */
static size_t last_tailcalls;

/* Break at func (gdb's `break FUNC`), continue, backtrace, and compare with
 * gdb. Returns the number of frames compared. */
static size_t check_bt(const char *prog, const char *arg, const char *func,
                       int quiet_sig, size_t max) {
  oracle_frame *of = NULL;
  size_t on = 0;
  char *args[2] = {(char *)arg, NULL};
  char handle[64];
  snprintf(handle, sizeof handle, "SIG%s nostop noprint pass",
           quiet_sig ? sigabbrev_np(quiet_sig) : "");
  cr_assert_eq(oracle_gdb_bt(tpath(prog), arg ? args : NULL, func,
                             quiet_sig ? handle : NULL, NULL, &of, &on),
               0, "gdb oracle failed");
  /* gdb's frames, innermost first, inline frames and tail-call frames
   * included (sse_backtrace lists them as gdb does). */
  oracle_frame *phys = calloc(on, sizeof *phys);
  size_t np = 0;
  for (size_t i = 0; i < on; i++) phys[np++] = of[i];
  cr_assert_gt(np, 1);

  sse_process *p = spawn_target(eng, prog, arg, NULL, -1);
  if (quiet_sig) SSE_OKAY(sse_signal_policy(p, quiet_sig, false, true));
  int id;
  SSE_OKAY(sse_break_function(p, func, false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "stop: %s",
               sse_stop_reason_name(s.reason));
  sse_thread *t = s.thread ? s.thread : main_thread(p);
  sse_frame *fr = calloc(max, sizeof *fr);
  size_t n = 0;
  SSE_OKAY(sse_backtrace(t, fr, max, &n));
  cr_assert_geq(n, np, "sse %zu frames, gdb %zu", n, np);

  int bad = 0;
  last_tailcalls = 0;
  for (size_t i = 0; i < np && bad < 5; i++) {
    last_tailcalls += fr[i].tailcall && strcmp(phys[i].kind, "tailcall") == 0;
    const oracle_frame *g = &phys[i];
    const sse_frame *f = &fr[i];
    bool sig = strcmp(g->kind, "sigtramp") == 0;
    /* gdb's own name wherever DWARF names the function; the loose match
     * only where gdb picks among ELF aliases (no source, or assembly). */
    size_t gfl = strlen(g->file);
    bool by_elf = gfl == 0 || strcmp(g->file, "??") == 0 ||
                  (gfl > 2 && strcmp(g->file + gfl - 2, ".S") == 0);
    bool ok = f->signal_frame == sig && f->inlined == (strcmp(g->kind, "inline") == 0) &&
              f->tailcall == (strcmp(g->kind, "tailcall") == 0) && (!f->tailcall || f->pc == g->pc) &&
              (sig || (by_elf ? same_function(f->loc.function, g->function)
                              : f->loc.function && strcmp(f->loc.function, g->function) == 0));
    if (ok && !sig && own_file(g->file))
      ok = f->loc.line == g->line && f->loc.file &&
           strcmp(f->loc.file, g->file) == 0;
    cr_expect(ok,
              "frame %zu: sse %s%s %s:%d pc %#lx cfa %#lx fp %d, gdb #%d %s "
              "%s:%d pc %#lx %s",
              i, f->signal_frame ? "<signal> " : "",
              f->loc.function ? f->loc.function : "??",
              f->loc.file ? f->loc.file : "-", f->loc.line,
              (unsigned long)f->pc, (unsigned long)f->cfa, f->fp_fallback,
              g->level, g->function, g->file, g->line, g->pc, g->kind);
    bad += !ok;
    /* Frames above 0 have a real unwind, and the CFA grows. */
    cr_expect(!f->fp_fallback, "frame %zu found by frame-pointer walk", i);
    if (i > 0 && (fr[i - 1].inlined || f->tailcall))
      cr_expect_eq(f->cfa, fr[i - 1].cfa, "frame %zu: not its inline (inward) frame's CFA", i);
    else if (i > 0 && !fr[i - 1].signal_frame)
      cr_expect_gt(f->cfa, fr[i - 1].cfa, "frame %zu: CFA does not grow", i);
    cr_expect_eq(f->loc.pc, f->pc);
  }
  /* Frame 0 is the breakpoint, and frames past main reach libc's start. */
  cr_expect_eq(fr[0].pc, s.pc);
  cr_expect_str_eq(fr[np - 1].loc.function ? fr[np - 1].loc.function : "??",
                   "main");
  cr_expect(n > np, "nothing past main");
  free(fr);
  free(phys);
  oracle_free(of);
  return np;
}

Test(backtrace, deep_recursion_1000, .timeout = 30) {
  size_t np = check_bt("deep_recursion", NULL, "bottom", 0, 1100);
  cr_expect_eq(np, 1003, "bottom + 1001 descend + main");
}

Test(backtrace, qsort_comparator_through_libc, .timeout = 30) {
  check_bt("qsort_cmp", NULL, "cmp_ints", 0, 64);
}

Test(backtrace, signal_handler_frame, .timeout = 30) {
  check_bt("sighandler_bt", NULL, "in_handler", SIGUSR1, 64);
  /* raise's call of pthread_kill reached __pthread_kill_implementation
   * by a tail jump from __pthread_kill (its inlined
   * __pthread_kill_internal's line): gdb's tail-call frame */
  cr_expect_eq(last_tailcalls, 1);
}

/* gdb's tail-call frames from DW_TAG_call_site: local_leaf entered by
 * tail_local's jump (gcc -O2, lazy and -z now); clang's tail-call sites
 * carry DW_AT_call_pc only, which gdb 13 does not read: no frame there. */
Test(backtrace, tail_call_frames, .timeout = 60) {
  check_bt("tail_calls_O2", NULL, "local_leaf", 0, 64);
  cr_expect_eq(last_tailcalls, 1);
  check_bt("tail_calls_O2_now", NULL, "local_leaf", 0, 64);
  cr_expect_eq(last_tailcalls, 1);
  cr_expect_eq(check_bt("tail_calls_O2_clang", NULL, "local_leaf", 0, 64), 2);
  cr_expect_eq(last_tailcalls, 0);
}

/* A tail call through the PLT into another module: grow's `jmp
 * realloc@plt` reached glibc's realloc (a call site whose target is a
 * declaration, found by its symbol in libc): gdb's frame for grow. */
Test(backtrace, tail_call_frame_through_the_plt, .timeout = 60) {
  check_bt("tail_calls_O2", NULL, "realloc", 0, 64);
  cr_expect_eq(last_tailcalls, 1);
  check_bt("tail_calls_O2_now", NULL, "realloc", 0, 64);
  cr_expect_eq(last_tailcalls, 1);
}

/* max limits the frames; every CFA is the caller's SP (frame i+1's CFA is
 * above frame i's), and frame 0's loc is the stop's. */
Test(backtrace, max_and_locations, .timeout = 30) {
  sse_process *p = spawn_target(eng, "deep_recursion", "5", NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "bottom", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  sse_frame fr[3];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, fr, 3, &n));
  cr_assert_eq(n, 3);
  cr_expect_str_eq(fr[0].loc.function, "bottom");
  cr_expect_eq(fr[0].loc.line, s.loc.line);
  cr_expect_str_eq(fr[1].loc.function, "descend");
  cr_expect_str_eq(fr[2].loc.function, "descend");
  cr_expect_gt(fr[0].cfa, s.sp);
  cr_expect_gt(fr[1].cfa, fr[0].cfa);
  cr_expect_gt(fr[2].cfa, fr[1].cfa);
  /* The return address of frame 0 sits just below its CFA. */
  uint64_t ra = 0;
  size_t got = 0;
  SSE_OKAY(sse_read_memory(p, fr[0].cfa - 8, &ra, 8, &got));
  cr_expect_eq(ra, fr[1].pc);
  /* offset counts from the function start to the real pc. */
  uint64_t entry, post;
  SSE_OKAY(sse_lookup_function(p, "descend", &entry, &post));
  cr_expect_eq(fr[1].loc.offset, fr[1].pc - entry);
}

/* Code without unwind tables: deep_recursion built with
 * -fno-asynchronous-unwind-tables into a temporary directory. Its frames are
 * found by the frame-pointer walk (marked), at a function's entry (return
 * address at [rsp]) and after its prologue (rbp chain), and libunwind takes
 * over again in libc past main. */
static void check_fp(bool at_entry) {
  char dir[] = "/tmp/sse-bt-XXXXXX";
  cr_assert(mkdtemp(dir) != NULL);
  char prog[128], cmd[512];
  snprintf(prog, sizeof prog, "%s/deep_nocfi", dir);
  snprintf(cmd, sizeof cmd,
           "cc -g -O0 -fno-omit-frame-pointer -fno-asynchronous-unwind-tables "
           "-fno-unwind-tables -o %s %s/tests/targets/deep_recursion.c",
           prog, SSE_SRCDIR);
  cr_assert_eq(system(cmd), 0, "%s", cmd);
  const char *argv[] = {prog, "3", NULL};
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  sse_process *p = NULL;
  int err_no = 0;
  SSE_OKAY(sse_spawn(eng, argv, &o, &p, &err_no));
  uint64_t entry, post;
  SSE_OKAY(sse_lookup_function(p, "bottom", &entry, &post));
  int id;
  SSE_OKAY(sse_break_address(p, at_entry ? entry : post, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  sse_frame fr[16];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, fr, 16, &n));
  const char *want[] = {"bottom", "descend", "descend", "descend", "descend", "main"};
  cr_assert_gt(n, 6);
  for (size_t i = 0; i < 6; i++) {
    cr_expect_str_eq(fr[i].loc.function ? fr[i].loc.function : "??", want[i], "frame %zu", i);
    cr_expect_eq(fr[i].fp_fallback, i > 0, "frame %zu", i);
    if (i > 0) {
      cr_expect_gt(fr[i].cfa, fr[i - 1].cfa, "frame %zu", i);
      cr_expect_eq(fr[i].loc.line, i == 1 ? 16 : i < 5 ? 19 : 26, "frame %zu line", i);
    }
  }
  /* The frame past main was found by the walk too; above it, libunwind. */
  cr_expect(fr[6].fp_fallback);
  cr_expect(fr[6].loc.function && strstr(fr[6].loc.function, "libc_start"), "%s", fr[6].loc.function);
  cr_expect(n > 7 && !fr[7].fp_fallback);
  sse_kill(p);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_expect_eq(system(cmd), 0);
}

Test(backtrace, frame_pointer_fallback_body, .timeout = 30) { check_fp(false); }
Test(backtrace, frame_pointer_fallback_entry, .timeout = 30) { check_fp(true); }
