/* What a frontend shows beside a stop, through sse.h only: instructions
 * (sse_disassemble, checked against gdb's `disassemble /r`), symbols by
 * prefix and by address (sse_symbols, sse_symbol_at) and source files
 * (sse_source_path, sse_source_read). */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "testutil.h"

#ifndef SSE_SRCDIR
#define SSE_SRCDIR "."
#endif

static sse_engine *eng;

static void setup(void) { SSE_OKAY(sse_engine_new(NULL, &eng)); }
static void teardown(void) {
  sse_engine_free(eng);
  eng = NULL;
}

TestSuite(code, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(symbols, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(sources, .init = setup, .fini = teardown, .timeout = 60);

static uint64_t entry_of(sse_process *p, const char *name) {
  uint64_t entry = 0;
  SSE_OKAY(sse_lookup_function(p, name, &entry, NULL));
  return entry;
}

/* Spawn NAME and run it to a breakpoint on main (left in place). */
static sse_process *at_main(const char *name) {
  sse_process *p = spawn_target(eng, name, NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "main", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s.reason));
  return p;
}

/* ------------------------------------------------------------ code */

/* One line of gdb's `disassemble /r`. */
typedef struct gdb_insn {
  unsigned long offset;
  unsigned len;
  uint8_t bytes[16];
  char mnemonic[32];
  char target[128]; /* "<main+69>" of a direct branch, else "" */
} gdb_insn;

/* gdb -batch 'disassemble /r FUNC' on the program file. */
static size_t gdb_disassemble(const char *prog, const char *func,
                              gdb_insn *out, size_t max) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "gdb -nx -batch -ex 'disassemble /r %s' %s 2>/dev/null", func, prog);
  FILE *f = popen(cmd, "r");
  cr_assert(f, "%s", cmd);
  char line[512];
  size_t n = 0;
  while (n < max && fgets(line, sizeof line, f)) {
    /* "   0x00000000000011ed <+0>:\t55 \t push   %rbp" */
    gdb_insn g = {0};
    char *p = strstr(line, "<+");
    if (!p || sscanf(p, "<+%lu>:", &g.offset) != 1) continue;
    char *bytes = strchr(p, '\t');
    char *text = bytes ? strchr(bytes + 1, '\t') : NULL;
    cr_assert(text, "gdb line: %s", line);
    for (char *b = bytes + 1; b < text && g.len < sizeof g.bytes;) {
      unsigned v;
      int used;
      if (sscanf(b, "%2x%n", &v, &used) != 1) break;
      g.bytes[g.len++] = (uint8_t)v;
      b += used;
      while (*b == ' ') b++;
    }
    sscanf(text + 1, "%31s", g.mnemonic);
    /* A branch's target ends the line; a "# 0x... <sym>" is a comment on
     * a rip-relative operand, no target. */
    char *lt = strrchr(text, '<');
    if (lt && !strchr(text, '#'))
      snprintf(g.target, sizeof g.target, "%.*s", (int)strcspn(lt, "\n"), lt);
    out[n++] = g;
  }
  pclose(f);
  return n;
}

/* capstone's AT&T spelling marks the operand size where gdb leaves it to
 * the operands: "pushq" for gdb's "push", "callq" for "call". */
static bool same_mnemonic(const char *ours, const char *gdb) {
  size_t a = strlen(ours), b = strlen(gdb);
  return !strcmp(ours, gdb) ||
         (a == b + 1 && !strncmp(ours, gdb, b) && strchr("bwlq", ours[b]));
}

/* Every instruction of main, breakpoint and all, has gdb's offset, bytes,
 * mnemonic and symbolised branch target. */
Test(code, disassemble_main_as_gdb) {
  gdb_insn want[256];
  size_t nw = gdb_disassemble(tpath("loops_calls"), "main", want, 256);
  cr_assert_gt(nw, 20, "gdb disassembled %zu instructions", nw);
  sse_process *p = at_main("loops_calls");
  uint64_t main_at = entry_of(p, "main");
  sse_insn got[256];
  size_t n = 0;
  SSE_OKAY(sse_disassemble(p, main_at, nw, got, &n));
  cr_assert_eq(n, nw);
  unsigned calls = 0;
  for (size_t i = 0; i < n; i++) {
    const sse_insn *g = &got[i];
    cr_assert_eq(g->addr - main_at, want[i].offset, "insn %zu", i);
    cr_assert_eq(g->len, want[i].len, "insn %zu at +%lu", i, want[i].offset);
    cr_assert_arr_eq(g->bytes, want[i].bytes, g->len,
                     "bytes at +%lu (a breakpoint's int3 must not show)",
                     want[i].offset);
    cr_assert_not(g->invalid);
    cr_assert(same_mnemonic(g->mnemonic, want[i].mnemonic),
              "at +%lu: %s, gdb %s", want[i].offset, g->mnemonic,
              want[i].mnemonic);
    if (!want[i].target[0]) {
      cr_assert(!g->has_target, "at +%lu", want[i].offset);
      continue;
    }
    cr_assert(g->has_target, "at +%lu: %s", want[i].offset, want[i].target);
    cr_assert_not_null(g->target_function);
    char sym[160];
    if (g->target_offset)
      snprintf(sym, sizeof sym, "<%s+%llu>", g->target_function,
               (unsigned long long)g->target_offset);
    else
      snprintf(sym, sizeof sym, "<%s>", g->target_function);
    cr_assert_str_eq(sym, want[i].target, "at +%lu", want[i].offset);
    calls += !strcmp(want[i].mnemonic, "call");
  }
  cr_assert_geq(calls, 4, "main calls sum_squares, apply and bump");
  /* Operands are AT&T, separated from the mnemonic. */
  cr_assert_str_eq(got[0].mnemonic, "pushq");
  cr_assert_str_eq(got[0].operands, "%rbp");
  cr_assert_str_eq(got[1].operands, "%rsp, %rbp");
}

/* A byte that is no instruction is one "(bad)" of length 1 and decoding
 * goes on; unreadable memory is a fault, with what was decoded before it. */
Test(code, bad_bytes_and_faults) {
  sse_process *p = at_main("loops_calls");
  uint64_t at = entry_of(p, "square");
  uint8_t orig[2], bad[2] = {0x06, 0x06}; /* push %es: invalid in 64-bit */
  SSE_OKAY(sse_read_memory(p, at, orig, 2, NULL));
  SSE_OKAY(sse_write_memory(p, at, bad, 2, NULL));
  sse_insn v[3];
  size_t n = 0;
  SSE_OKAY(sse_disassemble(p, at, 3, v, &n));
  cr_assert_eq(n, 3);
  for (int i = 0; i < 2; i++) {
    cr_assert(v[i].invalid);
    cr_assert_eq(v[i].len, 1);
    cr_assert_eq(v[i].addr, at + i);
    cr_assert_str_eq(v[i].mnemonic, "(bad)");
    cr_assert_str_eq(v[i].operands, "");
  }
  cr_assert_not(v[2].invalid);
  SSE_OKAY(sse_write_memory(p, at, orig, 2, NULL));
  SSE_OKAY(sse_disassemble(p, at, 1, v, &n));
  cr_assert_str_eq(v[0].mnemonic, "pushq");

  cr_assert_eq(sse_disassemble(p, 0, 4, v, &n), SSE_E_FAULT);
  cr_assert_eq(n, 0);
  cr_assert_eq(sse_disassemble(p, at, 0, NULL, &n), SSE_OK);
  cr_assert_eq(n, 0);
  cr_assert_eq(sse_disassemble(p, at, 1, NULL, &n), SSE_E_INVAL);
  SSE_OKAY(sse_kill(p));
  cr_assert_eq(sse_disassemble(p, at, 1, v, &n), SSE_E_EXITED);
}

/* ------------------------------------------------------------ symbols */

static const char *base_of(const char *path) {
  const char *s = path ? strrchr(path, '/') : NULL;
  return s ? s + 1 : path ? path : "(null)";
}

/* The names a completion of "ma" offers include main, sorted, every one
 * starting with "ma"; max 0 counts them. */
Test(symbols, prefix_lists_functions_sorted) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  size_t total = 0;
  SSE_OKAY(sse_symbols(p, "ma", SSE_SYMBOLS_FUNCTIONS, NULL, 0, &total));
  cr_assert_geq(total, 1);
  sse_symbol *v = calloc(total, sizeof *v);
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "ma", SSE_SYMBOLS_FUNCTIONS, v, total, &n));
  cr_assert_eq(n, total);
  bool main_seen = false;
  for (size_t i = 0; i < n; i++) {
    cr_assert(!strncmp(v[i].name, "ma", 2), "%s", v[i].name);
    cr_assert_null(strchr(v[i].name, '@'), "%s", v[i].name);
    cr_assert_eq(v[i].kind, SSE_SYMBOL_FUNCTION);
    if (i) cr_assert_leq(strcmp(v[i - 1].name, v[i].name), 0);
    if (!strcmp(v[i].name, "main")) {
      main_seen = true;
      cr_assert_str_eq(base_of(v[i].module), "loops_calls");
      cr_assert_eq(v[i].addr, entry_of(p, "main"));
      cr_assert_gt(v[i].size, 0);
    }
  }
  cr_assert(main_seen);
  free(v);
  /* Static functions too (the .symtab's locals), and nothing else. */
  sse_symbol s[4];
  SSE_OKAY(sse_symbols(p, "sum_squares", SSE_SYMBOLS_EXACT, s, 4, &n));
  cr_assert_eq(n, 1);
  cr_assert_eq(s[0].addr, entry_of(p, "sum_squares"));
  SSE_OKAY(sse_symbols(p, "sum_sq", SSE_SYMBOLS_EXACT, s, 4, &n));
  cr_assert_eq(n, 0);
  cr_assert_eq(sse_symbols(NULL, "", 0, s, 4, &n), SSE_E_INVAL);
  cr_assert_eq(sse_symbols(p, "", 0, NULL, 4, &n), SSE_E_INVAL);
}

/* A global variable by name and by any address inside it: what `watch
 * global_acc` and `x/4xb &global_acc` need. */
Test(symbols, data_objects_by_name_and_address) {
  sse_process *p = at_main("loops_calls");
  sse_symbol s;
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "global_acc", SSE_SYMBOLS_DATA | SSE_SYMBOLS_EXACT,
                       &s, 1, &n));
  cr_assert_eq(n, 1);
  cr_assert_eq(s.kind, SSE_SYMBOL_DATA);
  cr_assert_eq(s.size, sizeof(int));
  cr_assert_str_eq(base_of(s.module), "loops_calls");
  uint64_t at = s.addr;
  sse_symbol h;
  SSE_OKAY(sse_symbol_at(p, at + 3, 0, &h));
  cr_assert_str_eq(h.name, "global_acc");
  cr_assert_eq(h.addr, at);
  cr_assert_eq(sse_symbol_at(p, at + 3, SSE_SYMBOLS_FUNCTIONS, &h),
               SSE_E_NOSYM);
  /* Functions: the one that holds the address. */
  uint64_t main_at = entry_of(p, "main");
  SSE_OKAY(sse_symbol_at(p, main_at + 4, SSE_SYMBOLS_FUNCTIONS, &h));
  cr_assert_str_eq(h.name, "main");
  cr_assert_eq(h.addr, main_at);
  cr_assert_eq(sse_symbol_at(p, 8, 0, &h), SSE_E_NOSYM);
}

/* Once libc is mapped its symbols are listed too, under the module's path
 * as sse_lookup names it; EXECUTABLE keeps to the program's own. */
Test(symbols, libraries_and_executable_only) {
  sse_process *p = at_main("loops_calls");
  sse_symbol s[8];
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "malloc", SSE_SYMBOLS_EXACT, s, 8, &n));
  cr_assert_geq(n, 1);
  cr_assert(strstr(s[0].module, "libc"), "%s", s[0].module);
  sse_location loc;
  SSE_OKAY(sse_lookup(p, s[0].addr, &loc));
  cr_assert_eq(loc.module, s[0].module, "the same engine-owned string");
  uint64_t entry;
  SSE_OKAY(sse_lookup_function(p, "malloc", &entry, NULL));
  cr_assert_eq(s[0].addr, entry);
  SSE_OKAY(sse_symbols(p, "malloc", SSE_SYMBOLS_EXACT | SSE_SYMBOLS_EXECUTABLE,
                       s, 8, &n));
  cr_assert_eq(n, 0);
  size_t all = 0, own = 0;
  SSE_OKAY(sse_symbols(p, "", SSE_SYMBOLS_FUNCTIONS, NULL, 0, &all));
  SSE_OKAY(sse_symbols(p, "", SSE_SYMBOLS_FUNCTIONS | SSE_SYMBOLS_EXECUTABLE,
                       NULL, 0, &own));
  cr_assert_gt(own, 6, "main, square, add, sum_squares, twice, apply, bump");
  cr_assert_gt(all, own + 1000, "libc's functions: %zu of %zu", all - own, all);
}

/* A stripped program: the names come from its debuginfo, found by build
 * ID in SSE_DEBUG_FILE_DIRECTORY like every other lookup. */
Test(symbols, stripped_program_uses_its_debuginfo) {
  char dir[] = "/tmp/sse-symbols-XXXXXX";
  cr_assert(mkdtemp(dir));
  char cmd[1024], dbg[PATH_MAX];
  snprintf(cmd, sizeof cmd, "sh %s/tests/targets/make_stripped.sh %s %s >/dev/null",
           SSE_SRCDIR, dir, tpath("loops_calls_buildid"));
  cr_assert_eq(system(cmd), 0, "%s", cmd);
  snprintf(dbg, sizeof dbg, "%s/debug", dir);
  setenv("SSE_DEBUG_FILE_DIRECTORY", dbg, 1);
  char prog[PATH_MAX];
  snprintf(prog, sizeof prog, "%s/loops_calls_stripped", dir);
  const char *argv[] = {prog, NULL};
  sse_process *p = NULL;
  SSE_OKAY(sse_spawn(eng, argv, NULL, &p, NULL));
  sse_symbol s;
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "sum_squares", SSE_SYMBOLS_EXACT, &s, 1, &n));
  unsetenv("SSE_DEBUG_FILE_DIRECTORY");
  SSE_OKAY(sse_kill(p));
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
  cr_assert_eq(n, 1, "sum_squares from the debuginfo's .symtab");
  cr_assert_eq(s.kind, SSE_SYMBOL_FUNCTION);
}

/* Functions the JIT agent registered are listed, with no module. */
Test(symbols, jit_agent_functions) {
  sse_process *p = spawn_target(eng, "jit_agent_target", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "jit_caller", true, &id));
  sse_stop st;
  SSE_OKAY(sse_continue(p, &st));
  cr_assert_eq(st.reason, SSE_STOP_BREAKPOINT);
  sse_symbol s[8];
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "jit_", SSE_SYMBOLS_FUNCTIONS, s, 8, &n));
  bool caller = false, answer = false;
  for (size_t i = 0; i < n && i < 8; i++) {
    if (s[i].module) continue;
    caller |= !strcmp(s[i].name, "jit_caller") && s[i].addr == st.pc;
    answer |= !strcmp(s[i].name, "jit_answer");
  }
  cr_assert(caller && answer, "%zu symbols", n);
  sse_symbol h;
  SSE_OKAY(sse_symbol_at(p, st.pc + 1, SSE_SYMBOLS_FUNCTIONS, &h));
  cr_assert_str_eq(h.name, "jit_caller");
  cr_assert_null(h.module);
}

/* ------------------------------------------------------------ sources */

static const char *src_file(void) {
  static char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s/tests/targets/loops_calls.c", SSE_SRCDIR);
  return buf;
}

/* A name as a user types it means the line tables' file; a location's file
 * is already the path. */
Test(sources, path_from_the_line_tables) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  char want[PATH_MAX];
  cr_assert(realpath(src_file(), want));
  const char *path = NULL;
  SSE_OKAY(sse_source_path(p, "loops_calls.c", &path));
  char real[PATH_MAX];
  cr_assert(realpath(path, real), "%s", path);
  cr_assert_str_eq(real, want);
  SSE_OKAY(sse_source_path(p, "targets/loops_calls.c", &path));
  cr_assert(realpath(path, real));
  cr_assert_str_eq(real, want);
  /* whole components only */
  cr_assert_eq(sse_source_path(p, "oops_calls.c", &path), SSE_E_NOTFOUND);
  cr_assert_null(path);
  cr_assert_eq(sse_source_path(p, "no_such_file.c", &path), SSE_E_NOTFOUND);
  uint64_t post;
  SSE_OKAY(sse_lookup_function(p, "main", NULL, &post));
  sse_location loc;
  SSE_OKAY(sse_lookup(p, post, &loc));
  SSE_OKAY(sse_source_path(p, loc.file, &path));
  cr_assert_str_eq(path, loc.file);
  cr_assert_eq(sse_source_path(p, "", &path), SSE_E_INVAL);
}

/* The lines are the file's, numbered from 1, as `list` shows them. */
Test(sources, lines_match_the_file) {
  sse_source *src = NULL;
  int eno = -1;
  SSE_OKAY(sse_source_read(src_file(), &src, &eno));
  cr_assert_eq(eno, 0);
  cr_assert_str_eq(src->path, src_file());
  FILE *f = fopen(src_file(), "r");
  cr_assert(f);
  char line[1024];
  size_t k = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    cr_assert_lt(k, src->nlines);
    cr_assert_str_eq(src->lines[k], line, "line %zu", k + 1);
    k++;
  }
  fclose(f);
  cr_assert_eq(src->nlines, k);
  cr_assert_str_eq(src->lines[47], "int main(void)");
  sse_source_free(src);

  /* A last line without its '\n' counts; an empty file has none. */
  char tmp[] = "/tmp/sse-source-XXXXXX";
  int fd = mkstemp(tmp);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, "one\n\nthree", 10), 10);
  close(fd);
  SSE_OKAY(sse_source_read(tmp, &src, NULL));
  cr_assert_eq(src->nlines, 3);
  cr_assert_str_eq(src->lines[1], "");
  cr_assert_str_eq(src->lines[2], "three");
  sse_source_free(src);
  cr_assert_eq(truncate(tmp, 0), 0);
  SSE_OKAY(sse_source_read(tmp, &src, NULL));
  cr_assert_eq(src->nlines, 0);
  sse_source_free(src);
  unlink(tmp);

  cr_assert_eq(sse_source_read("/nonexistent/x.c", &src, &eno), SSE_E_NOTFOUND);
  cr_assert_eq(eno, ENOENT);
  cr_assert_null(src);
  cr_assert_eq(sse_source_read("/", &src, &eno), SSE_E_SYS);
  cr_assert_eq(eno, EISDIR);
  sse_source_free(NULL);
}
