/* Inline blocks (sse__symtab_inline_chain) and gdb 13's inline-frame rules
 * (src/engine/inline.c) against gdb:
 *  - the chain at every instruction of a few glibc functions against gdb's
 *    blocks (gdb -batch on libc.so.6, Python gdb.block_for_pc walking
 *    superblocks: names, Block.start, Block.end, call file and line);
 *  - gdb's own `step` stops through glibc (libc_calls, signal_next): each
 *    stop's function/file/line must be what sse__inline_location gives
 *    with the skip count the rules predict;
 *  - the decision helpers on synthetic chains. */
#define _GNU_SOURCE
#include <libgen.h>
#include <signal.h>
#include <sys/wait.h>

#include "oracle.h"
#include "testutil.h"

#include "symtab/inline_frames.h"
#include "symtab/symtab.h"

/* ------------------------------------------------------------ helpers */

static const char *base(const char *p) {
  if (p == NULL) return "-";
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Spawn prog stopped at start (a user breakpoint), libc mapped. */
static sse_process *start_at(sse_engine *e, const char *prog, const char *start, sse_stop *s) {
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  SSE_OKAY(sse_break_function(p, start, true, NULL));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT);
  return p;
}

static uint64_t libc_base(pid_t pid, char *path, size_t len) {
  char mp[64], line[1024];
  snprintf(mp, sizeof mp, "/proc/%d/maps", (int)pid);
  FILE *f = fopen(mp, "r");
  cr_assert(f != NULL);
  uint64_t b = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, off;
    char file[512] = "";
    if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %511s", &lo, &off, file) == 3 && off == 0 &&
        strstr(file, "/libc.so.6")) {
      b = lo;
      snprintf(path, len, "%s", file);
      break;
    }
  }
  fclose(f);
  cr_assert(b != 0, "libc not mapped");
  return b;
}

static char *slurp_cmd(const char *cmd) {
  FILE *f = popen(cmd, "r");
  cr_assert(f != NULL);
  size_t cap = 1 << 16, n = 0, k;
  char *buf = malloc(cap);
  while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 4096) buf = realloc(buf, cap *= 2);
  }
  buf[n] = '\0';
  pclose(f);
  return buf;
}

/* gdb's view: for every instruction of each function, the inline blocks
 * at it ("PC off n=N" then "  name start end callfile:line"). */
static const char *gdb_script =
    "import gdb, os\n"
    "arch = None\n"
    "for fn in os.environ['INL_FUNCS'].split(','):\n"
    "    try:\n"
    "        start = int(gdb.parse_and_eval('&' + fn))\n"
    "    except gdb.error:\n"
    "        continue\n"
    "    blk = gdb.block_for_pc(start)\n"
    "    while blk.superblock is not None and not blk.superblock.is_static:\n"
    "        blk = blk.superblock\n"
    "    arch = arch or gdb.selected_inferior().architecture()\n"
    "    for insn in arch.disassemble(start, blk.end - 1):\n"
    "        pc = insn['addr']\n"
    "        b = gdb.block_for_pc(pc)\n"
    "        ch = []\n"
    "        while b is not None and b.superblock is not None and not b.superblock.is_static:\n"
    "            if b.function is not None:\n"
    "                s = b.function\n"
    "                ch.append('%s %#x %#x %s:%d' % (s.print_name, b.start, b.end,\n"
    "                          os.path.basename(s.symtab.filename) if s.symtab else '-', s.line))\n"
    "            b = b.superblock\n"
    "        print('PC %#x n=%d' % (pc, len(ch)))\n"
    "        for c in ch: print('  ' + c)\n";

/* ------------------------------------------------------------ chain vs gdb */

Test(inline, chain_matches_gdb_blocks, .timeout = 240) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  start_at(e, "libc_calls", "main", &s);
  char libc[512];
  uint64_t b = libc_base(s.pid, libc, sizeof libc);

  char spath[] = "/tmp/sse-inline-XXXXXX.py";
  int fd = mkstemps(spath, 3);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, gdb_script, strlen(gdb_script)), (ssize_t)strlen(gdb_script));
  close(fd);
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "INL_FUNCS=__vfprintf_internal,__pthread_kill_implementation,___pthread_mutex_lock,"
           "_IO_puts,__libc_malloc,_IO_fgets,qsort_r,__printf_fp_l "
           "gdb -batch -nx -x %s %s 2>/dev/null",
           spath, libc);
  char *out = slurp_cmd(cmd);
  unlink(spath);

  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, s.pid);
  cr_assert(st != NULL);
  size_t npc = 0, ninl = 0, nstarts = 0;
  char *save = NULL;
  sse__inline v[SSE__INLINE_MAX];
  int n = 0, k = 0;
  unsigned long pc = 0;
  for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    int gn;
    if (sscanf(line, "PC %lx n=%d", &pc, &gn) == 2) {
      cr_assert_eq(k, n, "pc %#lx: sse has %d blocks, gdb %d", pc, n, k);
      n = sse__symtab_inline_chain(st, b + pc, v, SSE__INLINE_MAX);
      cr_assert_eq(n, gn, "pc %#lx: sse %d inline blocks, gdb %d", pc, n, gn);
      k = 0;
      npc++;
      continue;
    }
    char name[256], file[256];
    unsigned long start, end;
    int cl;
    cr_assert_eq(sscanf(line, " %255s %lx %lx %255[^:]:%d", name, &start, &end, file, &cl), 5, "%s", line);
    cr_assert(k < n);
    const sse__inline *x = &v[k];
    cr_assert_str_eq(x->function ? x->function : "?", name, "pc %#lx block %d", pc, k);
    cr_assert_eq(x->entry - b, start, "pc %#lx %s: entry %#lx, gdb %#lx", pc, name,
                 (unsigned long)(x->entry - b), start);
    cr_assert_eq(x->block_hi - b, end, "pc %#lx %s: end", pc, name);
    cr_assert_str_eq(base(x->call_file), file, "pc %#lx %s: call file", pc, name);
    cr_assert_eq(x->call_line, cl, "pc %#lx %s: call line %d, gdb %d", pc, name, x->call_line, cl);
    cr_assert(b + pc >= x->lo && b + pc < x->hi);
    cr_assert(x->caller != NULL);
    ninl++;
    nstarts += x->starts_at_pc;
    k++;
  }
  cr_assert_eq(k, n);
  cr_assert_gt(npc, 1000, "gdb listed %zu pcs", npc);
  cr_assert_gt(ninl, 500);
  cr_assert_gt(nstarts, 20);
  free(out);
  sse__symtab_free(st);
  sse__modcache_free(c);
  sse_engine_free(e);
}

/* The brief's examples: pthread_kill and pthread_mutex_lock entries. */
Test(inline, pthread_kill_entry_location, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  start_at(e, "signal_next", "main", &s);
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, s.pid);
  uint64_t entry = 0;
  cr_assert_eq(sse__symtab_func_addr(st, "pthread_kill", &entry, NULL), 0);
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__symtab_inline_chain(st, entry, v, SSE__INLINE_MAX);
  cr_assert_geq(n, 1);
  cr_assert_str_eq(v[0].function, "is_internal_signal");
  cr_assert(v[0].starts_at_pc);
  int skip = sse__inline_skip_count(v, n, entry, SSE__INL_STOP_OTHER);
  cr_assert_eq(skip, n);
  sse__loc l;
  cr_assert_eq(sse__symtab_lookup(st, entry, &l), 0);
  sse_location loc;
  sse__inline_location(v, n, skip, &l, entry, &loc);
  cr_assert_str_eq(loc.function, "__GI___pthread_kill");
  cr_assert_str_eq(base(loc.file), "pthread_kill.c");
  cr_assert_eq(loc.line, 86);
  /* `step` there: unhide is_internal_signal, same pc. */
  sse__inl_state is = {0};
  sse__inline_stop(&is, v, n, entry, SSE__INL_STOP_OTHER);
  sse__inl_step step;
  cr_assert_eq(sse__inline_step_start(&is, v, n, entry, &l, 0, l.func_lo, false, &step),
               SSE__INL_START_STOP_NOW);
  sse__inline_location(v, n, is.skip, &l, entry, &loc);
  cr_assert_str_eq(loc.function, "is_internal_signal");
  cr_assert_str_eq(base(loc.file), "internal-signals.h");
  cr_assert_eq(loc.line, 53);
  /* A user breakpoint there hides nothing (gdb: "Breakpoint 2.1,
   * is_internal_signal"). */
  cr_assert_eq(sse__inline_skip_count(v, n, entry, SSE__INL_STOP_USER_BP), 0);
  sse__symtab_free(st);
  sse__modcache_free(c);
  sse_engine_free(e);
}

/* ------------------------------------------------------------ gdb's stops */

/* Replays gdb's `step` stops: every stop's reported location must be
 * sse__inline_location of the chain at its pc with the skip count the
 * rules give: after a stop at the same pc, one frame less hidden (step
 * into the inline frame); elsewhere the full count, or one less when the
 * step entered an inline call made on the line it was stepping (part
 * one). */
static void replay(const char *prog, const char *cmds, int count, const char *handle, size_t want_same_pc) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  cr_assert_eq(oracle_gdb_steps(tpath(prog), NULL, "main", cmds, count, handle, NULL, &g, &gn), 0);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  start_at(e, prog, "main", &s);
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, s.pid);
  int prev_skip = 0;
  unsigned long prev_pc = 0;
  size_t checked = 0, same_pc = 0, inl = 0;
  for (size_t i = 0; i < gn; i++) {
    if (g[i].exited || g[i].error[0]) break;
    sse__inline v[SSE__INLINE_MAX];
    int n = sse__symtab_inline_chain(st, g[i].pc, v, SSE__INLINE_MAX);
    if (n < 0) n = 0; /* not mapped yet in our stopped copy (dlopen) */
    if (n > SSE__INLINE_MAX) n = SSE__INLINE_MAX;
    sse__loc l;
    if (sse__symtab_lookup(st, g[i].pc, &l) != 0) {
      prev_pc = g[i].pc;
      prev_skip = 0;
      continue;
    }
    int full = sse__inline_skip_count(v, n, g[i].pc, i == 0 ? SSE__INL_STOP_USER_BP : SSE__INL_STOP_OTHER);
    int cand[2], nc = 0;
    if (i > 0 && g[i].pc == prev_pc && prev_skip > 0) {
      cand[nc++] = prev_skip - 1;
      same_pc++;
    } else {
      cand[nc++] = full;
      if (full > 0) cand[nc++] = full - 1;
    }
    bool ok = false;
    int got = -1;
    sse_location loc;
    for (int j = 0; j < nc && !ok; j++) {
      sse__inline_location(v, n, cand[j], &l, g[i].pc, &loc);
      ok = loc.line == g[i].line && strcmp(base(loc.file), base(g[i].file)) == 0 &&
           (n == 0 || (loc.function && strcmp(loc.function, g[i].function) == 0));
      if (ok) got = cand[j];
    }
    sse__inline_location(v, n, cand[0], &l, g[i].pc, &loc);
    cr_assert(ok, "%s stop %zu pc %#lx: gdb %s %s:%d, sse (skip %d of %d) %s %s:%d", prog, i, g[i].pc,
              g[i].function, base(g[i].file), g[i].line, cand[0], n, loc.function ? loc.function : "??",
              base(loc.file), loc.line);
    inl += n > 0;
    if (getenv("INLINE_DUMP") && n > 0)
      fprintf(stderr, "  %zu %#lx skip %d/%d %s %s:%d\n", i, g[i].pc, got, n, g[i].function, base(g[i].file), g[i].line);
    prev_skip = got;
    prev_pc = g[i].pc;
    checked++;
  }
  if (getenv("INLINE_DUMP"))
    fprintf(stderr, "%s: %zu stops checked, %zu in inline code, %zu steps into an inline frame at the same pc\n",
            prog, checked, inl, same_pc);
  cr_assert_gt(checked, 50, "%zu stops checked", checked);
  cr_assert_geq(same_pc, want_same_pc, "%zu steps into an inline frame at the same pc", same_pc);
  cr_assert_gt(inl, 0);
  oracle_free(g);
  sse__symtab_free(st);
  sse__modcache_free(c);
  sse_engine_free(e);
}

Test(inline, gdb_step_stops_libc_calls, .timeout = 240) { replay("libc_calls", "step", 300, NULL, 3); }

Test(inline, gdb_step_stops_signal_next, .timeout = 240) {
  replay("signal_next", "step", 150, "SIGUSR1 nostop noprint pass", 1);
}

/* ------------------------------------------------------------ decisions */

/* A synthetic nest at pc 0x1000: inner() inlined into mid() (call site
 * f.c:20) inlined into outer (call site f.c:10); inner starts at 0x1000,
 * mid at 0x0ff0. */
static const char *F = "/src/f.c";
static void nest(sse__inline v[2], bool inner_starts, bool mid_starts) {
  memset(v, 0, 2 * sizeof *v);
  v[0] = (sse__inline){.function = "inner", .caller = "mid", .subprogram = "outer", .entry = 0x1000,
                       .call_file = F, .call_line = 20, .starts_at_pc = inner_starts};
  v[1] = (sse__inline){.function = "mid", .caller = "outer", .subprogram = "outer", .entry = 0x0ff0,
                       .call_file = F, .call_line = 10, .starts_at_pc = mid_starts};
}

static sse__loc line_at(int line) {
  sse__loc l;
  memset(&l, 0, sizeof l);
  l.function = "outer_elf";
  l.file = "/src/inner.h";
  l.line = line;
  l.has_line = true;
  l.func_lo = 0x0f00;
  return l;
}

Test(inline, skip_count_and_location, .timeout = 10) {
  sse__inline v[2];
  nest(v, true, true);
  cr_assert_eq(sse__inline_skip_count(v, 2, 0x1000, SSE__INL_STOP_OTHER), 2);
  cr_assert_eq(sse__inline_skip_count(v, 2, 0x1000, SSE__INL_STOP_STEPI), 0);
  cr_assert_eq(sse__inline_skip_count(v, 2, 0x1000, SSE__INL_STOP_USER_BP), 0);
  sse__loc l = line_at(5);
  sse_location o;
  sse__inline_location(v, 2, 2, &l, 0x1000, &o);
  cr_assert_str_eq(o.function, "outer");
  cr_assert_eq(o.line, 10);
  cr_assert_eq(o.file, F);
  sse__inline_location(v, 2, 1, &l, 0x1000, &o);
  cr_assert_str_eq(o.function, "mid");
  cr_assert_eq(o.line, 20);
  sse__inline_location(v, 2, 0, &l, 0x1000, &o);
  cr_assert_str_eq(o.function, "inner");
  cr_assert_eq(o.line, 5);
  cr_assert_str_eq(o.file, "/src/inner.h");
  /* The walk stops at the first block not starting at pc. */
  nest(v, false, true);
  cr_assert_eq(sse__inline_skip_count(v, 2, 0x1000, SSE__INL_STOP_OTHER), 0);
  nest(v, true, false);
  cr_assert_eq(sse__inline_skip_count(v, 2, 0x1000, SSE__INL_STOP_OTHER), 1);
  /* No call line: no location (gdb does not pretend). */
  nest(v, true, true);
  v[0].call_line = 0;
  sse__inline_location(v, 2, 1, &l, 0x1000, &o);
  cr_assert_eq(o.line, 0);
  cr_assert_null(o.file);
  /* No inline block: the line table and ELF name unchanged. */
  sse__inline_location(v, 0, 0, &l, 0x1000, &o);
  cr_assert_str_eq(o.function, "outer_elf");
  cr_assert_eq(o.line, 5);
}

Test(inline, step_start_unhides_one_frame_per_step, .timeout = 10) {
  sse__inline v[2];
  nest(v, true, true);
  sse__loc l = line_at(5);
  sse__inl_state st = {0};
  sse__inline_stop(&st, v, 2, 0x1000, SSE__INL_STOP_OTHER);
  sse__inl_step step;
  cr_assert_eq(sse__inline_step_start(&st, v, 2, 0x1000, &l, 0x7000, 0x0f00, false, &step),
               SSE__INL_START_STOP_NOW);
  cr_assert_eq(st.skip, 1);
  cr_assert_eq(sse__inline_step_start(&st, v, 2, 0x1000, &l, 0x7000, 0x0f00, false, &step),
               SSE__INL_START_STOP_NOW);
  cr_assert_eq(st.skip, 0);
  cr_assert_eq(sse__inline_step_start(&st, v, 2, 0x1000, &l, 0x7000, 0x0f00, false, &step), SSE__INL_START_RUN);
  cr_assert_eq(step.line, 5); /* the line table's line in inner */
  cr_assert_eq(step.frame.depth, 2);
  cr_assert_eq(step.frame.code, 0x1000);
  /* next with hidden frames runs, stepping from the call site's line in
   * the visible frame. */
  sse__inline_stop(&st, v, 2, 0x1000, SSE__INL_STOP_OTHER);
  cr_assert_eq(sse__inline_step_start(&st, v, 2, 0x1000, &l, 0x7000, 0x0f00, true, &step), SSE__INL_START_RUN);
  cr_assert_eq(st.skip, 2);
  cr_assert_eq(step.line, 10);
  cr_assert_eq(step.file, F);
  cr_assert_eq(step.frame.depth, 0);
  cr_assert_eq(step.frame.code, 0x0f00);
  /* A stale state (other pc) is recomputed. */
  st.pc = 0x2000;
  cr_assert_eq(sse__inline_state_skip(&st, v, 2, 0x1000), 2);
}

Test(inline, step_event_part_one_and_two, .timeout = 10) {
  sse__inline v[2];
  sse__inl_state st = {0};
  sse__inl_step step = {.frame = {.real = 0x7000, .func = 0x0f00, .code = 0x0f00, .depth = 0},
                        .file = F, .line = 10, .next = false};
  bool same;
  /* Part one, step, call site on the stepped line: into mid, stop. */
  nest(v, true, true);
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1000, 0x7000, 0x0f00, &step, &same), SSE__INL_STOP);
  cr_assert(same);
  cr_assert_eq(st.skip, 1);
  /* ... call site on another line: stop at the call site. */
  step.line = 9;
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1000, 0x7000, 0x0f00, &step, &same), SSE__INL_STOP);
  cr_assert_eq(st.skip, 2);
  /* next: same line keeps going, another line stops. */
  step.next = true;
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1000, 0x7000, 0x0f00, &step, &same), SSE__INL_STOP);
  step.line = 10;
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1000, 0x7000, 0x0f00, &step, &same), SSE__INL_KEEP_GOING);
  /* Part two: inside inner (no entry here), stepping from outer. */
  nest(v, false, false);
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1004, 0x7000, 0x0f00, &step, &same), SSE__INL_KEEP_GOING);
  cr_assert(!same);
  step.next = false;
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1004, 0x7000, 0x0f00, &step, &same), SSE__INL_STOP);
  cr_assert_eq(st.skip, 0);
  /* Another real frame (a callee's inline code): not part two. */
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1004, 0x6000, 0x0f00, &step, &same), SSE__INL_LINE);
  /* Stepping in inner itself: the line rules decide. */
  sse__inline_frame_id(v, 2, 0, 0x7000, 0x0f00, &step.frame);
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1004, 0x7000, 0x0f00, &step, &same), SSE__INL_LINE);
  cr_assert(same);
  /* Back in outer after inner and mid: the line rules, another frame. */
  cr_assert_eq(sse__inline_step_event(&st, v, 0, 0x1100, 0x7000, 0x0f00, &step, &same), SSE__INL_LINE);
  cr_assert(!same);
  /* Refresh there: the new frame and the line table's line. */
  sse__loc l = line_at(11);
  sse__inline_refresh(&step, &st, v, 0, 0x1100, &l, 0x7000, 0x0f00, false);
  cr_assert_eq(step.frame.depth, 0);
  cr_assert_eq(step.line, 11);
  sse__inline_refresh(&step, &st, v, 0, 0x1100, &l, 0x7000, 0x0f00, true);
  cr_assert_eq(step.line, 0);
}

Test(inline, finish_from_inline_frame_steps_out, .timeout = 10) {
  sse__inline v[2];
  nest(v, false, false);
  sse__inl_state st = {0};
  sse__inl_step step;
  /* Selected frame inner (skip 0): step as `next` in mid's frame. */
  cr_assert(sse__inline_finish_start(&st, v, 2, 0x1004, 0x7000, 0x0f00, &step));
  cr_assert(step.next);
  cr_assert_eq(step.line, 0);
  cr_assert_eq(step.frame.depth, 1);
  cr_assert_eq(step.frame.code, 0x0ff0);
  bool same;
  /* Still in inner: keep going. */
  cr_assert_eq(sse__inline_step_event(&st, v, 2, 0x1008, 0x7000, 0x0f00, &step, &same), SSE__INL_KEEP_GOING);
  /* Back in mid (chain of 1 at that pc): the line rules, same frame. */
  cr_assert_eq(sse__inline_step_event(&st, &v[1], 1, 0x1010, 0x7000, 0x0f00, &step, &same), SSE__INL_LINE);
  cr_assert(same);
  /* A real frame: finish as usual. */
  cr_assert(!sse__inline_finish_start(&st, v, 0, 0x1004, 0x7000, 0x0f00, &step));
}
