/* gdb as the oracle of the value suites: the same program run to the
 * same line, each command's output taken apart from the others. */
#ifndef SSE_VALUES_ORACLE_H
#define SSE_VALUES_ORACLE_H

#include "testutil.h"

#include <ctype.h>

#define VO_MARK "@@sse-mark@@"

/* Stack addresses (0x7ff...) masked as 0xSTACK. */
static inline void vo_mask(char *s) {
  char *p;
  while ((p = strstr(s, "0x7ff"))) {
    char *e = p + 2;
    while (isxdigit((unsigned char)*e)) e++;
    memcpy(p, "0xSTACK", 7);
    memmove(p + 7, e, strlen(e) + 1);
  }
}

/* s in single quotes for sh. */
static inline void vo_shq(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    if (*s == '\'') fputs("'\\''", f);
    else fputc(*s, f);
  }
  fputc('\'', f);
}

/* gdb's answer to each of exprs (gdb command `cmd` then the expression)
 * in prog stopped at file:line, "$N = " taken off; errors as gdb prints
 * them. pre (or NULL): commands run first. out[i] malloc'd. Each command
 * is an -ex of its own: in batch mode gdb goes on after an error. */
static inline void vo_gdb_answers(const char *prog, const char *file, int line, const char *pre,
                                  const char *cmd, const char *const *exprs, size_t n,
                                  char **out) {
  char *sh = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&sh, &len);
  fprintf(f, "gdb -batch -nx -ex 'set confirm off' -ex 'set pagination off' "
             "-ex 'break %s:%d' -ex run", file, line);
  for (const char *p = pre; p && *p; p += strlen(p) + 1) {
    fputs(" -ex ", f);
    vo_shq(f, p);
  }
  for (size_t i = 0; i < n; i++) {
    char c[4096];
    snprintf(c, sizeof c, *cmd ? "%s %s" : "%s%s", cmd, exprs[i]);
    fprintf(f, " -ex 'echo %s\\n' -ex ", VO_MARK);
    vo_shq(f, c);
  }
  fprintf(f, " -ex 'echo %s\\n' -ex kill %s </dev/null 2>&1", VO_MARK, tpath(prog));
  fclose(f);
  FILE *p = popen(sh, "r");
  cr_assert(p);
  char ln[8192];
  int k = -1;
  for (size_t i = 0; i < n; i++) out[i] = NULL;
  while (fgets(ln, sizeof ln, p)) {
    ln[strcspn(ln, "\n")] = 0;
    if (strcmp(ln, VO_MARK) == 0) { k++; continue; }
    if (k < 0 || (size_t)k >= n) continue;
    const char *v = ln;
    if (ln[0] == '$') {
      const char *eq = strstr(ln, " = ");
      if (eq) v = eq + 3;
    }
    if (!out[k]) out[k] = strdup(v);
    else {
      char *j = NULL;
      cr_assert(asprintf(&j, "%s\n%s", out[k], v) > 0);
      free(out[k]);
      out[k] = j;
    }
  }
  pclose(p);
  free(sh);
  for (size_t i = 0; i < n; i++) if (!out[i]) out[i] = strdup("");
}

/* `gdb -batch` (gdb) or `ssedemo --batch` running prog with pre (NULL
 * or -ex words already quoted) and cmds, stderr merged: its output. */
static inline FILE *vo_session(const char *prog, const char *pre, const char *const *cmds,
                               size_t n, bool gdb) {
  char *sh = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&sh, &len);
  const char *dir = getenv("SSE_TARGETS_DIR") ? getenv("SSE_TARGETS_DIR") : TARGETS_DIR;
  if (gdb) fprintf(f, "gdb -batch -nx %s", pre ? pre : "");
  else fprintf(f, "%s/../ssedemo --batch %s", dir, pre ? pre : "");
  for (size_t i = 0; i < n; i++) {
    fputs(" -ex ", f);
    vo_shq(f, cmds[i]);
  }
  fprintf(f, " %s </dev/null 2>&1", tpath(prog));
  fclose(f);
  FILE *p = popen(sh, "r");
  free(sh);
  cr_assert(p);
  return p;
}

/* The value suites' target: prog run to file:line in a new engine. */
typedef struct vo_stop {
  sse_engine *eng;
  sse_process *proc;
  sse_thread *thr;
} vo_stop;

static inline void vo_start(vo_stop *v, const char *prog, const char *file, int line) {
  SSE_OKAY(sse_engine_new(NULL, &v->eng));
  v->proc = spawn_target(v->eng, prog, NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_line(v->proc, file, line, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(v->proc, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  v->thr = s.thread ? s.thread : main_thread(v->proc); /* the thread that stopped */
}

static inline void vo_stop_free(vo_stop *v) {
  if (v->proc) sse_kill(v->proc);
  sse_engine_free(v->eng);
  memset(v, 0, sizeof *v);
}

/* A suite's V, setup() and teardown() on prog stopped at file:line. */
#define VO_SUITE(prog, file, line)                                   \
  static vo_stop V;                                                  \
  static void setup(void) { vo_start(&V, prog, file, line); }        \
  static void teardown(void) { vo_stop_free(&V); }

/* The lines p (a vo_session) prints from the first stop ("Breakpoint 1,")
 * on, blank ones and those starting with one of skip[0..n) left out, gdb's
 * "tests/targets/" dropped from file names and stack addresses masked;
 * p is closed. The caller frees the text. */
static inline char *vo_transcript(FILE *p, const char *const *skip, size_t n) {
  char *out = NULL;
  size_t olen = 0;
  FILE *o = open_memstream(&out, &olen);
  char line[16384];
  bool on = false;
  while (fgets(line, sizeof line, p)) {
    if (!strncmp(line, "Breakpoint 1,", 13)) on = true;
    bool drop = !on || !strcmp(line, "\n");
    for (size_t i = 0; i < n; i++)
      drop = drop || !strncmp(line, skip[i], strlen(skip[i]));
    if (drop) continue;
    char *t;
    while ((t = strstr(line, "tests/targets/"))) memmove(t, t + 14, strlen(t + 14) + 1);
    vo_mask(line);
    fputs(line, o);
  }
  pclose(p);
  fclose(o);
  return out;
}

/* C++ targets: ssedemo's transcript of cmds on prog line for line as
 * gdb's, gdb without its pretty-printers (auto-load off: libstdc++'s are
 * not loaded), the lines only one of them prints left out. */
static inline char *vo_cxx_transcript(const char *prog, const char *const *cmds, size_t n,
                                      bool gdb) {
  static const char *const skip[] = {"[Inferior", "Kill", "Starting program",
                                     "[Thread debugging", "Using host libthread_db", "[New"};
  FILE *p = vo_session(prog, gdb ? "-iex 'set auto-load off'" : NULL, cmds, n, gdb);
  return vo_transcript(p, skip, sizeof skip / sizeof *skip);
}

static inline void vo_cxx_compare(const char *prog, const char *const *cmds, size_t n) {
  char *want = vo_cxx_transcript(prog, cmds, n, true);
  char *got = vo_cxx_transcript(prog, cmds, n, false);
  cr_expect(strstr(want, "Breakpoint 1,"), "gdb did not stop:\n%s", want);
  cr_expect_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}

#endif
