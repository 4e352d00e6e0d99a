/* Inline frames in backtraces and frame selection (issue 13) against gdb:
 * inline_deep built with gcc and clang at -O2 (level1 -> level2 -> level3
 * inlined into outer, which calls leaf). sse_backtrace must list gdb's
 * frames one for one, inline frames included (function, file, line, pc,
 * whether inlined); a frame index means the same frame to
 * sse_frame_variables and sse_evaluate as to gdb's `frame N` (the
 * arguments gdb's `info args` names there, gdb's `$pc` there); `finish`
 * out of an inline frame stops where gdb's does. */
#include "testutil.h"

#include "oracle.h"

#define MARK "@@sse-mark@@"
#define MAXF 64

static const char *base(const char *p) {
  if (p == NULL) return "-";
  size_t k = strlen(p);
  while (k > 0 && p[k - 1] != '/') k--;
  return p + k;
}

static sse_process *stop_at(sse_engine *e, const char *prog, const char *where, sse_stop *s) {
  sse_process *p = spawn_target(e, prog, NULL, NULL, -1);
  const char *colon = strchr(where, ':');
  if (colon) {
    char file[256];
    snprintf(file, sizeof file, "%.*s", (int)(colon - where), where);
    SSE_OKAY(sse_break_line(p, file, atoi(colon + 1), NULL));
  } else {
    SSE_OKAY(sse_break_function(p, where, false, NULL));
  }
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "stop: %s", sse_stop_reason_name(s->reason));
  return p;
}

/* gdb's frames at `where`, up to main; *n their number. */
static oracle_frame *gdb_frames(const char *prog, const char *where, size_t *n) {
  oracle_frame *of = NULL;
  cr_assert_eq(oracle_gdb_bt(tpath(prog), NULL, where, NULL, NULL, &of, n), 0, "gdb oracle failed");
  cr_assert_gt(*n, 2);
  return of;
}

/* bt compared frame for frame, inline frames included. Returns gdb's
 * frame count. */
static size_t check_bt(const char *prog, const char *where, size_t want_inlined) {
  size_t gn = 0;
  oracle_frame *g = gdb_frames(prog, where, &gn);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  sse_process *p = stop_at(e, prog, where, &s);
  sse_frame fr[MAXF];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, fr, MAXF, &n));
  cr_assert_gt(n, gn, "sse %zu frames, gdb %zu (to main)", n, gn);
  size_t inl = 0;
  for (size_t i = 0; i < gn; i++) {
    const sse_frame *f = &fr[i];
    bool g_inl = strcmp(g[i].kind, "inline") == 0;
    inl += f->inlined;
    cr_expect(f->loc.function && strcmp(f->loc.function, g[i].function) == 0 && f->loc.line == g[i].line &&
                  strcmp(base(f->loc.file), base(g[i].file)) == 0 && f->pc == g[i].pc && f->inlined == g_inl,
              "%s at %s, frame %zu: sse %s %s:%d pc %#lx%s, gdb %s %s:%d pc %#lx %s", prog, where, i,
              f->loc.function ? f->loc.function : "??", base(f->loc.file), f->loc.line, (unsigned long)f->pc,
              f->inlined ? " inlined" : "", g[i].function, base(g[i].file), g[i].line, g[i].pc, g[i].kind);
  }
  cr_expect_eq(inl, want_inlined, "%s at %s: %zu inline frames", prog, where, inl);
  cr_expect_str_eq(fr[gn - 1].loc.function, "main");
  cr_expect_eq(fr[0].pc, s.pc);
  sse_kill(p);
  sse_engine_free(e);
  oracle_free(g);
  return gn;
}

/* gdb at `where`: for each frame k < nf, `info args` then `p $pc` there,
 * each answer's lines joined; out[2k] args, out[2k+1] $pc. */
static void gdb_per_frame(const char *prog, const char *where, size_t nf, char **out) {
  char *sh = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&sh, &len);
  fprintf(f, "gdb -batch -nx -ex 'set pagination off' -ex 'break %s' -ex run", where);
  for (size_t k = 0; k < nf; k++)
    fprintf(f, " -ex 'select-frame %zu' -ex 'echo %s\\n' -ex 'info args' -ex 'echo %s\\n' -ex 'p $pc'", k, MARK,
            MARK);
  fprintf(f, " -ex 'echo %s\\n' -ex kill %s </dev/null 2>&1", MARK, tpath(prog));
  fclose(f);
  FILE *p = popen(sh, "r");
  cr_assert(p);
  char line[4096];
  int k = -1;
  for (size_t i = 0; i < 2 * nf; i++) out[i] = calloc(1, 1);
  while (fgets(line, sizeof line, p)) {
    line[strcspn(line, "\n")] = 0;
    if (strcmp(line, MARK) == 0) {
      k++;
      continue;
    }
    if (k < 0 || (size_t)k >= 2 * nf) continue;
    char *eq = strstr(line, " = ");
    if (k % 2 == 0 && eq) *eq = 0; /* the argument's name */
    const char *v = k % 2 ? (eq ? eq + 3 : line) : line;
    char *j = NULL;
    cr_assert(asprintf(&j, "%s%s%s", out[k], *out[k] ? "," : "", v) > 0);
    free(out[k]);
    out[k] = j;
  }
  pclose(p);
  free(sh);
}

/* Frame indexes as gdb's: arguments and $pc of every frame to main. */
static void check_frame_indexes(const char *prog, const char *where, size_t nf) {
  char **want = calloc(2 * nf, sizeof *want);
  gdb_per_frame(prog, where, nf, want);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  sse_process *p = stop_at(e, prog, where, &s);
  for (size_t k = 0; k < nf; k++) {
    sse_variable *v = NULL;
    size_t n = 0;
    char names[1024] = "";
    char err[256];
    if (sse_frame_variables(s.thread, k, SSE_VARS_ARGS, &v, &n, err, sizeof err) == SSE_OK)
      for (size_t i = 0; i < n; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "", v[i].name);
    sse_variables_free(v, n);
    if (n == 0) snprintf(names, sizeof names, "No arguments.");
    cr_expect_str_eq(names, want[2 * k], "%s frame %zu args: sse \"%s\", gdb \"%s\"", prog, k, names, want[2 * k]);
    char pc[256];
    SSE_OKAY(sse_evaluate(s.thread, k, "$pc", pc, sizeof pc, NULL));
    cr_expect_str_eq(pc, want[2 * k + 1], "%s frame %zu $pc: sse \"%s\", gdb \"%s\"", prog, k, pc, want[2 * k + 1]);
  }
  char buf[64];
  cr_expect_eq(sse_evaluate(s.thread, 200, "1", buf, sizeof buf, NULL), SSE_E_NOTFOUND);
  for (size_t i = 0; i < 2 * nf; i++) free(want[i]);
  free(want);
  sse_kill(p);
  sse_engine_free(e);
}

/* `finish` (and then `next`) from where, stop for stop with gdb. */
static void check_finish(const char *prog, const char *where) {
  oracle_stop *g = NULL;
  size_t gn = 0;
  cr_assert_eq(oracle_gdb_steps(tpath(prog), NULL, where, "finish,next", 2, NULL, NULL, &g, &gn), 0);
  cr_assert_geq(gn, 3);
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_stop s;
  sse_process *p = stop_at(e, prog, where, &s);
  for (size_t i = 1; i < gn && !g[i].exited; i++) {
    if ((i - 1) % 2 == 0)
      SSE_OKAY(sse_finish(s.thread, &s));
    else
      SSE_OKAY(sse_next_line(s.thread, &s));
    cr_expect(s.loc.function && strcmp(s.loc.function, g[i].function) == 0 && s.loc.line == g[i].line &&
                  s.pc == g[i].pc,
              "%s from %s, stop %zu: sse %s:%d pc %#lx, gdb %s:%d pc %#lx", prog, where, i,
              s.loc.function ? s.loc.function : "??", s.loc.line, (unsigned long)s.pc, g[i].function, g[i].line,
              g[i].pc);
  }
  sse_kill(p);
  sse_engine_free(e);
  oracle_free(g);
}

static const char *const PROGS[] = {"inline_deep_O2", "inline_deep_O2_clang"};

Test(inline_bt, leaf_below_three_inline_frames, .timeout = 60) {
  for (int i = 0; i < 2; i++) cr_expect_eq(check_bt(PROGS[i], "leaf", 3), 6, "leaf level3 level2 level1 outer main");
}

Test(inline_bt, stop_inside_the_innermost_inline_frame, .timeout = 60) {
  for (int i = 0; i < 2; i++) check_bt(PROGS[i], "inline_deep.c:18", 3);
}

Test(inline_bt, frame_index_counts_inline_frames, .timeout = 90) {
  for (int i = 0; i < 2; i++) {
    check_frame_indexes(PROGS[i], "leaf", 6);
    check_frame_indexes(PROGS[i], "inline_deep.c:18", 5);
  }
}

Test(inline_bt, finish_out_of_inline_frames, .timeout = 60) {
  for (int i = 0; i < 2; i++) check_finish(PROGS[i], "inline_deep.c:18");
}

/* A frame in gcc's out-of-line part check.cold is check's, at its line;
 * clang keeps the part inline. */
Test(inline_bt, frame_in_a_cold_part, .timeout = 60) {
  cr_expect_eq(check_bt("opt_shapes_O2", "report_bad", 0), 3, "report_bad check main");
  cr_expect_eq(check_bt("opt_shapes_O2_clang", "report_bad", 0), 3, "report_bad check main");
}

/* Lines of cmd's output that start with "#", normalised as far as ssedemo
 * prints less than gdb: arguments dropped, file names without their
 * directory; frames past main's level left out (gdb's bt ends there). */
static size_t bt_lines(const char *cmd, char out[][512], size_t max) {
  FILE *f = popen(cmd, "r");
  cr_assert(f);
  char line[512];
  size_t n = 0;
  int main_level = 1 << 20;
  while (fgets(line, sizeof line, f)) {
    int level = atoi(line + 1);
    if (line[0] != '#' || level > main_level || n == max) continue;
    line[strcspn(line, "\n")] = 0;
    char *open = strstr(line, " (");
    char *close = open ? strstr(open, ") at ") : NULL;
    if (open && close) memmove(open + 2, close, strlen(close) + 1);
    char *at = strstr(line, ") at ");
    if (at) memmove(at + 5, base(at + 5), strlen(base(at + 5)) + 1);
    if (strstr(line, " main (")) main_level = level;
    memcpy(out[n++], line, sizeof line);
  }
  pclose(f);
  return n;
}

/* ssedemo's bt, frame N, up and down as gdb's: the same frame lines
 * (inline frames without a pc, as gdb shows them). */
Test(inline_bt, ssedemo_frames_as_gdb, .timeout = 90) {
  char demo[1024];
  snprintf(demo, sizeof demo, "%s/../ssedemo", tpath(""));
  for (int i = 0; i < 2; i++) {
    const char *ex = "-ex 'break leaf' -ex run -ex bt -ex 'frame 2' -ex up -ex down -ex down";
    char cmd[4096], g[16][512], s[16][512];
    snprintf(cmd, sizeof cmd, "gdb -batch -nx %s %s 2>/dev/null </dev/null", ex, tpath(PROGS[i]));
    size_t gn = bt_lines(cmd, g, 16);
    snprintf(cmd, sizeof cmd, "%s --batch %s %s 2>/dev/null </dev/null", demo, ex, tpath(PROGS[i]));
    size_t sn = bt_lines(cmd, s, 16);
    cr_assert_geq(gn, 10, "%s: gdb printed %zu frame lines", PROGS[i], gn);
    cr_expect_eq(sn, gn, "%s: ssedemo %zu frame lines, gdb %zu", PROGS[i], sn, gn);
    for (size_t k = 0; k < gn && k < sn; k++)
      cr_expect_str_eq(s[k], g[k], "%s line %zu: ssedemo \"%s\", gdb \"%s\"", PROGS[i], k, s[k], g[k]);
  }
}

/* A program linked by lld (clang -flto -fuse-ld=lld: its text segment at a
 * page offset) unwinds through its own .eh_frame_hdr: 51 frames of depth
 * under main, as gdb's. */
Test(inline_bt, backtrace_of_an_lld_linked_program, .timeout = 60) {
  cr_expect_eq(check_bt("opt_shapes_O2_lto_clang", "opt_shapes.c:39", 0), 52);
  cr_expect_eq(check_bt("opt_shapes_O2_lto", "opt_shapes.c:39", 0), 52);
}
