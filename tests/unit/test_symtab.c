/* src/symtab against gdb as the oracle. The target (tests/targets/
 * symtab_target.c, built by the test script into build/h-symtab/) runs
 * untraced; it writes a byte to a pipe when it is up and then pauses. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "symtab/symtab.h"

#define MAXKIDS 4
static pid_t kids[MAXKIDS];
static int nkids;

static const char *target(void) {
  const char *t = getenv("SSE_SYMTAB_TARGET");
  return t ? t : "build/h-symtab/symtab_target";
}

static void kill_kids(void) {
  for (int i = 0; i < nkids; i++) {
    if (kids[i] > 0) {
      kill(kids[i], SIGKILL);
      waitpid(kids[i], NULL, 0);
      kids[i] = 0;
    }
  }
  nkids = 0;
}

static void fini(void) { kill_kids(); }

/* Start prog (default: the target) and wait for its ready byte. */
static pid_t spawn_prog(const char *prog) {
  int p[2];
  cr_assert(pipe2(p, O_CLOEXEC) == 0);
  pid_t parent = getpid();
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    /* Dies with the test process whatever way that one ends. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    int fd = dup(p[1]); /* without O_CLOEXEC */
    char arg[16];
    snprintf(arg, sizeof arg, "%d", fd);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(prog, prog, arg, (char *)NULL);
    _exit(127);
  }
  kids[nkids++] = pid;
  close(p[1]);
  char c = 0;
  ssize_t k;
  do
    k = read(p[0], &c, 1);
  while (k < 0 && errno == EINTR);
  close(p[0]);
  cr_assert_eq(k, 1, "target did not start");
  cr_assert_eq(c, 'R');
  return pid;
}

static pid_t spawn(void) { return spawn_prog(target()); }

/* Run a shell command, return its stdout (malloc'd). */
static char *run(const char *cmd) {
  FILE *f = popen(cmd, "r");
  cr_assert(f != NULL);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t k;
  while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 4096)
      buf = realloc(buf, cap *= 2);
  }
  buf[n] = '\0';
  pclose(f);
  return buf;
}

/* Load base of the target executable in pid (PIE: the ELF bias). */
static uint64_t exe_base(pid_t pid) {
  char path[64], exe[PATH_MAX + 1] = {0};
  snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
  cr_assert(readlink(path, exe, PATH_MAX) > 0);
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  FILE *f = fopen(path, "r");
  cr_assert(f != NULL);
  char line[PATH_MAX + 256];
  uint64_t base = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi, off;
    char perms[8], file[PATH_MAX + 1] = "";
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %s", &lo, &hi, perms, &off, file) >= 4 && off == 0 &&
        strcmp(file, exe) == 0) {
      base = lo;
      break;
    }
  }
  fclose(f);
  cr_assert(base != 0);
  return base;
}

static uint64_t nm_addr(const char *prog, const char *sym) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "nm %s | awk '$3==\"%s\"{print $1}'", prog, sym);
  char *out = run(cmd);
  uint64_t a = strtoull(out, NULL, 16);
  free(out);
  cr_assert(a != 0, "nm: no %s", sym);
  return a;
}

static const char *basename_of(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

TestSuite(symtab, .fini = fini, .timeout = 30);

Test(symtab, refresh_reports_changes, .timeout = 30) {
  pid_t pid = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  cr_assert(st != NULL);
  cr_expect_eq(sse__symtab_refresh(st), 1);
  cr_expect_eq(sse__symtab_refresh(st), 0);
  sse__symtab_free(st);
  /* A dead process is an error. */
  kill_kids();
  st = sse__symtab_new(c, pid);
  cr_expect_lt(sse__symtab_refresh(st), 0);
  sse__loc loc;
  cr_expect_lt(sse__symtab_lookup(st, 0x1000, &loc), 0);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

/* Every byte of prog's functions: module, function, line, range against
 * gdb's `info line *ADDR` on the file (addresses shifted by the load base). */
static void check_info_line(const char *prog, const char *const *funcs, size_t nf) {
  pid_t pid = spawn_prog(prog);
  uint64_t base = exe_base(pid);
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  char cmdfile[] = "/tmp/sse-symtab-gdbXXXXXX";
  int fd = mkstemp(cmdfile);
  cr_assert(fd >= 0);
  FILE *cf = fdopen(fd, "w");
  enum { MAXA = 4096 };
  static uint64_t addrs[MAXA];
  static sse__loc locs[MAXA];
  size_t n = 0;
  for (size_t i = 0; i < nf; i++) {
    uint64_t entry, post;
    cr_assert_eq(sse__symtab_func_addr(st, funcs[i], &entry, &post), 0, "%s", funcs[i]);
    cr_assert_eq(entry - base, nm_addr(prog, funcs[i]), "%s entry", funcs[i]);
    sse__loc l;
    cr_assert_eq(sse__symtab_lookup(st, entry, &l), 0);
    cr_assert_str_eq(l.function, funcs[i]);
    cr_assert_eq(l.func_lo, entry);
    cr_assert(l.func_hi > entry);
    for (uint64_t a = entry; a < l.func_hi && n < MAXA; a++, n++) {
      addrs[n] = a;
      cr_assert_eq(sse__symtab_lookup(st, a, &locs[n]), 0);
      cr_assert_str_eq(locs[n].function, funcs[i]);
      cr_assert_eq(locs[n].offset, a - entry);
      cr_assert_str_eq(basename_of(locs[n].module), basename_of(prog));
      fprintf(cf, "info line *0x%" PRIx64 "\n", a - base);
    }
  }
  fclose(cf);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "gdb -nx -batch -x %s %s 2>&1", cmdfile, prog);
  char *out = run(cmd);
  unlink(cmdfile);
  char *save = NULL;
  size_t i = 0;
  int bad = 0;
  for (char *ln = strtok_r(out, "\n", &save); ln && i < n; ln = strtok_r(NULL, "\n", &save)) {
    int line;
    char file[512];
    uint64_t lo, hi;
    const sse__loc *l = &locs[i];
    if (sscanf(ln, "Line %d of \"%511[^\"]\" starts at address 0x%" SCNx64 " %*[^ ] and ends at 0x%" SCNx64, &line,
               file, &lo, &hi) == 4 ||
        sscanf(ln, "Line %d of \"%511[^\"]\" starts at address 0x%" SCNx64 " %*[^ ] %*[^ ] and ends at 0x%" SCNx64,
               &line, file, &lo, &hi) == 4) {
      bool ok = l->has_line && l->line == line && l->line_lo - base == lo && l->line_hi - base == hi && l->file &&
                strstr(l->file, file) && l->file[0] == '/';
      cr_expect(ok, "%s 0x%" PRIx64 ": has %d line %d [0x%" PRIx64 ",0x%" PRIx64 ") %s, gdb: %s", prog,
                addrs[i] - base, l->has_line, l->line, l->line_lo - base, l->line_hi - base, l->file, ln);
      bad += !ok;
      i++;
    } else if (strncmp(ln, "No line number", 14) == 0) {
      cr_expect(!l->has_line, "%s 0x%" PRIx64 ": has line %d, gdb: %s", prog, addrs[i] - base, l->line, ln);
      bad += l->has_line;
      i++;
    } else if (strncmp(ln, "Line ", 5) == 0) {
      cr_expect(0, "unparsed gdb line: %s", ln);
      i++;
    }
    if (bad > 10)
      break;
  }
  cr_expect_eq(i, n, "gdb answered %zu of %zu", i, n);
  cr_expect_gt(n, 100);
  free(out);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

static const char *const target_funcs[] = {"square", "sum_squares", "count_down", "main"};

Test(symtab, lookup_matches_gdb_info_line, .timeout = 30) { check_info_line(target(), target_funcs, 4); }

/* The same program built with -fcf-protection (endbr64), by clang, and with
 * -O2 (is_stmt views, discriminators; square is inlined away). */
static char *variant(const char *suffix) {
  static char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s_%s", target(), suffix);
  cr_assert(access(buf, X_OK) == 0, "%s not built", buf);
  return buf;
}

Test(symtab, lookup_matches_gdb_info_line_cet, .timeout = 30) { check_info_line(variant("cet"), target_funcs, 4); }
Test(symtab, lookup_matches_gdb_info_line_clang, .timeout = 30) { check_info_line(variant("clang"), target_funcs, 4); }
Test(symtab, lookup_matches_gdb_info_line_O2, .timeout = 30) { check_info_line(variant("O2"), target_funcs + 1, 3); }

/* `break FUNC` on the file against sse's post_prologue. */
static void check_break_funcs(const char *prog, const char *const *funcs, size_t nf) {
  pid_t pid = spawn_prog(prog);
  uint64_t base = exe_base(pid);
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  char cmd[2048];
  int k = snprintf(cmd, sizeof cmd, "gdb -nx -batch %s", prog);
  for (size_t i = 0; i < nf; i++)
    k += snprintf(cmd + k, sizeof cmd - (size_t)k, " -ex 'break %s'", funcs[i]);
  snprintf(cmd + k, sizeof cmd - (size_t)k, " 2>&1");
  char *out = run(cmd);
  for (size_t i = 0; i < nf; i++) {
    uint64_t entry = 0, post = 0;
    cr_assert_eq(sse__symtab_func_addr(st, funcs[i], &entry, &post), 0, "%s", funcs[i]);
    char pat[48];
    snprintf(pat, sizeof pat, "Breakpoint %zu at 0x", i + 1);
    char *p = strstr(out, pat);
    cr_assert(p != NULL, "gdb: %s", out);
    uint64_t want = strtoull(p + strlen(pat), NULL, 16);
    cr_expect_eq(post - base, want, "%s %s: post_prologue 0x%" PRIx64 " entry 0x%" PRIx64 ", gdb 0x%" PRIx64, prog,
                 funcs[i], post - base, entry - base, want);
  }
  free(out);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

Test(symtab, func_addr_cet, .timeout = 30) { check_break_funcs(variant("cet"), target_funcs, 4); }
Test(symtab, func_addr_clang, .timeout = 30) { check_break_funcs(variant("clang"), target_funcs, 4); }
Test(symtab, func_addr_O2, .timeout = 30) { check_break_funcs(variant("O2"), target_funcs + 1, 3); }

/* `break FUNC` for the target's functions and for libc's printf, on the
 * live process so that libc's address and separate debuginfo are real. */
Test(symtab, func_addr_matches_gdb_break, .timeout = 30) {
  pid_t pid = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  const char *funcs[] = {"square", "sum_squares", "count_down", "main", "printf", "puts", "malloc", "pause"};
  size_t nf = sizeof funcs / sizeof *funcs;
  char cmd[2048];
  int k = snprintf(cmd, sizeof cmd, "gdb -nx -batch -p %d", (int)pid);
  for (size_t i = 0; i < nf; i++)
    k += snprintf(cmd + k, sizeof cmd - (size_t)k, " -ex 'break %s'", funcs[i]);
  snprintf(cmd + k, sizeof cmd - (size_t)k, " 2>&1");
  char *out = run(cmd);
  for (size_t i = 0; i < nf; i++) {
    uint64_t entry = 0, post = 0;
    cr_assert_eq(sse__symtab_func_addr(st, funcs[i], &entry, &post), 0, "%s", funcs[i]);
    char pat[48];
    snprintf(pat, sizeof pat, "Breakpoint %zu at 0x", i + 1);
    char *p = strstr(out, pat);
    cr_assert(p != NULL, "gdb: %s", out);
    uint64_t want = strtoull(p + strlen(pat), NULL, 16);
    cr_expect_eq(post, want, "%s: post_prologue 0x%" PRIx64 " entry 0x%" PRIx64 ", gdb 0x%" PRIx64, funcs[i], post,
                 entry, want);
    cr_expect(entry <= post);
  }
  uint64_t e, pp;
  cr_expect_eq(sse__symtab_func_addr(st, "no_such_function_xyz", &e, &pp), -1);
  free(out);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

/* libc6-dbg's separate debuginfo is found: an address inside printf has a
 * glibc source file and the same line and range as gdb. */
Test(symtab, printf_has_glibc_line, .timeout = 30) {
  pid_t pid = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  uint64_t entry, post;
  cr_assert_eq(sse__symtab_func_addr(st, "printf", &entry, &post), 0);
  sse__loc l;
  uint64_t pcs[3] = {entry, post, 0};
  cr_assert_eq(sse__symtab_lookup(st, entry, &l), 0);
  cr_assert(l.func_hi > entry);
  pcs[2] = entry + (l.func_hi - entry) / 2;
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "gdb -nx -batch -p %d -ex 'info line *0x%" PRIx64 "' -ex 'info line *0x%" PRIx64
           "' -ex 'info line *0x%" PRIx64 "' 2>&1 | grep '^Line '",
           (int)pid, pcs[0], pcs[1], pcs[2]);
  char *out = run(cmd);
  char *save = NULL, *ln = strtok_r(out, "\n", &save);
  for (int i = 0; i < 3; i++, ln = strtok_r(NULL, "\n", &save)) {
    cr_assert(ln != NULL, "gdb gave no line for 0x%" PRIx64, pcs[i]);
    cr_assert_eq(sse__symtab_lookup(st, pcs[i], &l), 0);
    cr_assert(l.has_line, "no line at printf+%" PRIu64, pcs[i] - entry);
    cr_expect(strstr(l.module, "libc.so") != NULL, "%s", l.module);
    cr_expect(strstr(l.function, "printf") != NULL, "%s", l.function);
    int line;
    char file[512];
    uint64_t lo, hi;
    int got = sscanf(ln, "Line %d of \"%511[^\"]\" starts at address 0x%" SCNx64 " %*[^ ] and ends at 0x%" SCNx64,
                     &line, file, &lo, &hi);
    if (got != 4)
      got = sscanf(ln, "Line %d of \"%511[^\"]\" starts at address 0x%" SCNx64 " %*[^ ] %*[^ ] and ends at 0x%" SCNx64,
                   &line, file, &lo, &hi);
    cr_assert_eq(got, 4, "gdb: %s", ln);
    cr_expect_eq(l.line, line, "printf+%" PRIu64 ": %d vs gdb %s", pcs[i] - entry, l.line, ln);
    cr_expect_eq(l.line_lo, lo, "gdb: %s", ln);
    cr_expect_eq(l.line_hi, hi, "gdb: %s", ln);
    cr_expect(strstr(l.file, basename_of(file)) != NULL, "%s vs gdb %s", l.file, file);
    cr_expect_str_eq(l.file, file);
  }
  free(out);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

/* `break symtab_target.c:N` for every line of the file. */
static void check_line_addrs(const char *prog) {
  pid_t pid = spawn_prog(prog);
  uint64_t base = exe_base(pid);
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  enum { NL = 56 };
  char cmd[NL * 80 + 256];
  int k = snprintf(cmd, sizeof cmd, "gdb -nx -batch %s", prog);
  for (int l = 1; l <= NL; l++)
    k += snprintf(cmd + k, sizeof cmd - (size_t)k, " -ex 'echo @%d\\n' -ex 'break symtab_target.c:%d'", l, l);
  snprintf(cmd + k, sizeof cmd - (size_t)k, " 2>&1");
  char *out = run(cmd);
  int compared = 0;
  for (int l = 1; l <= NL; l++) {
    char tag[16];
    snprintf(tag, sizeof tag, "@%d\n", l);
    char *p = strstr(out, tag);
    cr_assert(p != NULL);
    p += strlen(tag);
    uint64_t want = 0;
    bool none = strncmp(p, "No line", 7) == 0;
    if (!none) {
      char *b = strstr(p, " at 0x");
      cr_assert(b != NULL, "gdb: %.200s", p);
      cr_assert(strstr(p, "locations") == NULL || strstr(p, "locations") > strchr(p, '\n'), "multi-location");
      want = strtoull(b + 6, NULL, 16);
    }
    uint64_t got[8];
    int n = sse__symtab_line_addrs(st, "symtab_target.c", l, got, 8);
    if (none) {
      cr_expect_eq(n, 0, "line %d: gdb has none, we have %d (0x%" PRIx64 ")", l, n, n > 0 ? got[0] - base : 0);
    } else {
      cr_expect_eq(n, 1, "line %d: %d addresses, gdb 0x%" PRIx64, l, n, want);
      if (n >= 1)
        cr_expect_eq(got[0] - base, want, "line %d: 0x%" PRIx64 " vs gdb 0x%" PRIx64, l, got[0] - base, want);
      compared++;
    }
  }
  cr_expect_gt(compared, 15);
  free(out);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

Test(symtab, line_addrs_match_gdb_break, .timeout = 30) {
  check_line_addrs(target());
  pid_t pid = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  /* Full path and a wrong suffix. */
  char full[PATH_MAX];
  cr_assert(realpath("tests/targets/symtab_target.c", full) != NULL);
  uint64_t a1[4], a2[4];
  cr_expect_eq(sse__symtab_line_addrs(st, full, 11, a1, 4), 1);
  cr_expect_eq(sse__symtab_line_addrs(st, "targets/symtab_target.c", 11, a2, 4), 1);
  cr_expect_eq(a1[0], a2[0]);
  cr_expect_eq(sse__symtab_line_addrs(st, "tab_target.c", 11, a2, 4), 0);
  sse__symtab_free(st);
  sse__modcache_free(c);
}

Test(symtab, line_addrs_cet, .timeout = 30) { check_line_addrs(variant("cet")); }
Test(symtab, line_addrs_clang, .timeout = 30) { check_line_addrs(variant("clang")); }

/* Two processes of one program share the decoded modules. */
Test(symtab, second_process_decodes_nothing, .timeout = 30) {
  pid_t p1 = spawn(), p2 = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *s1 = sse__symtab_new(c, p1), *s2 = sse__symtab_new(c, p2);
  uint64_t m1, m2, pf1, pf2, post;
  sse__loc l1, l2;
  cr_assert_eq(sse__symtab_func_addr(s1, "main", &m1, &post), 0);
  cr_assert_eq(sse__symtab_func_addr(s1, "printf", &pf1, &post), 0);
  cr_assert_eq(sse__symtab_lookup(s1, m1 + 8, &l1), 0);
  cr_assert_eq(sse__symtab_lookup(s1, pf1 + 8, &l1), 0);
  unsigned d1 = sse__modcache_decode_count(c);
  cr_assert_gt(d1, 0);
  cr_assert_eq(sse__symtab_func_addr(s2, "main", &m2, &post), 0);
  cr_assert_eq(sse__symtab_func_addr(s2, "printf", &pf2, &post), 0);
  cr_assert_eq(sse__symtab_lookup(s2, m2 + 8, &l2), 0);
  cr_assert_eq(sse__symtab_lookup(s2, pf2 + 8, &l2), 0);
  cr_expect_eq(sse__modcache_decode_count(c), d1, "second process decoded %u more",
               sse__modcache_decode_count(c) - d1);
  cr_expect_eq(l1.line, l2.line);
  cr_expect_eq(l1.file, l2.file); /* interned: same pointer */
  cr_expect_eq(l1.line_lo - pf1, l2.line_lo - pf2);
  sse__symtab_free(s1);
  sse__symtab_free(s2);
  sse__modcache_free(c);
}

static void count_mod(const char *path, uint64_t lo, uint64_t hi, bool has_dwarf, void *arg) {
  int *seen = arg;
  cr_expect(lo < hi);
  if (path && strcmp(basename_of(path), "symtab_target") == 0 && has_dwarf)
    seen[0]++;
  if (path && strstr(path, "libc.so") && has_dwarf)
    seen[1]++;
  seen[2]++;
}

Test(symtab, modules_and_has_line, .timeout = 30) {
  pid_t pid = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  int seen[3] = {0};
  sse__symtab_modules(st, count_mod, seen);
  cr_expect_eq(seen[0], 1);
  cr_expect_eq(seen[1], 1);
  cr_expect_geq(seen[2], 3);
  uint64_t e, post;
  cr_assert_eq(sse__symtab_func_addr(st, "main", &e, &post), 0);
  cr_expect(sse__symtab_has_line(st, post));
  cr_expect(!sse__symtab_has_line(st, 8));
  sse__loc l;
  cr_expect_lt(sse__symtab_lookup(st, 8, &l), 0);
  /* Versioned names resolve by their base name. */
  cr_expect_eq(sse__symtab_func_addr(st, "memcpy", &e, NULL), 0);
  cr_expect_eq(sse__symtab_func_addr(st, "memcpy@@GLIBC_2.14", &e, NULL), -1);
  /* _start has a symbol but no line. */
  cr_assert_eq(sse__symtab_func_addr(st, "_start", &e, &post), 0);
  cr_expect(!sse__symtab_has_line(st, e));
  cr_assert_eq(sse__symtab_lookup(st, e, &l), 0);
  cr_expect(!l.has_line);
  cr_expect_str_eq(l.function, "_start");
  sse__symtab_free(st);
  sse__modcache_free(c);
}

/* A fully stripped copy whose debuginfo sits in DIR/.build-id/xx/yyyy.debug
 * is found through SSE_DEBUG_FILE_DIRECTORY. */
Test(symtab, debug_file_directory, .timeout = 30) {
  char dir[] = "/tmp/sse-symtab-dbgXXXXXX";
  cr_assert(mkdtemp(dir) != NULL);
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "set -e; cd %s; cp '%s%s%s' prog.full; "
           "id=$(readelf -n prog.full | awk '/Build ID/{print $3}'); "
           "mkdir -p .build-id/${id%%${id#??}}; "
           "objcopy --only-keep-debug prog.full .build-id/${id%%${id#??}}/${id#??}.debug; "
           "strip --strip-all -o prog prog.full; rm prog.full; echo ok",
           dir, target()[0] == '/' ? "" : getcwd((char[PATH_MAX]){0}, PATH_MAX),
           target()[0] == '/' ? "" : "/", target());
  char *out = run(cmd);
  cr_assert(strstr(out, "ok") != NULL, "%s", out);
  free(out);
  char prog[PATH_MAX];
  snprintf(prog, sizeof prog, "%s/prog", dir);
  pid_t pid = spawn_prog(prog);

  sse__modcache *c = sse__modcache_new();
  unsetenv("SSE_DEBUG_FILE_DIRECTORY");
  sse__symtab *st = sse__symtab_new(c, pid);
  uint64_t e, post;
  /* Without the directory: no symbol for main at all. */
  cr_expect_eq(sse__symtab_func_addr(st, "main", &e, &post), -1);
  sse__symtab_free(st);
  sse__modcache_free(c);

  c = sse__modcache_new();
  setenv("SSE_DEBUG_FILE_DIRECTORY", dir, 1);
  st = sse__symtab_new(c, pid);
  unsetenv("SSE_DEBUG_FILE_DIRECTORY");
  cr_assert_eq(sse__symtab_func_addr(st, "main", &e, &post), 0);
  sse__loc l;
  cr_assert_eq(sse__symtab_lookup(st, post, &l), 0);
  cr_expect(l.has_line);
  cr_expect(l.file && strstr(l.file, "symtab_target.c"));
  cr_expect_str_eq(l.function, "main");
  cr_expect_str_eq(l.module, prog);
  sse__symtab_free(st);
  sse__modcache_free(c);
  kill_kids();
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  free(run(cmd));
}

/* Lookups from several threads on two symtabs sharing one cache (for TSan). */
typedef struct thr_arg {
  sse__symtab *st;
  uint64_t pcs[4];
  int lines[4];
} thr_arg;

static void *thr(void *p) {
  thr_arg *a = p;
  for (int r = 0; r < 200; r++)
    for (int i = 0; i < 4; i++) {
      sse__loc l;
      if (sse__symtab_lookup(a->st, a->pcs[i], &l) != 0 || l.line != a->lines[i])
        return (void *)1;
    }
  return NULL;
}

Test(symtab, threads, .timeout = 30) {
  pid_t p1 = spawn(), p2 = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *s[2] = {sse__symtab_new(c, p1), sse__symtab_new(c, p2)};
  /* Reference answers from a third symtab, then a fresh cache for the run
   * so the threads race on the first decode too. */
  thr_arg args[2];
  const char *names[4] = {"main", "square", "printf", "count_down"};
  for (int k = 0; k < 2; k++) {
    sse__symtab *ref = sse__symtab_new(c, k ? p2 : p1);
    args[k].st = s[k];
    for (int i = 0; i < 4; i++) {
      uint64_t e, post;
      cr_assert_eq(sse__symtab_func_addr(ref, names[i], &e, &post), 0);
      sse__loc l;
      cr_assert_eq(sse__symtab_lookup(ref, post, &l), 0);
      args[k].pcs[i] = post;
      args[k].lines[i] = l.line;
    }
    sse__symtab_free(ref);
  }
  sse__symtab_free(s[0]);
  sse__symtab_free(s[1]);
  sse__modcache_free(c);
  c = sse__modcache_new();
  args[0].st = sse__symtab_new(c, p1);
  args[1].st = sse__symtab_new(c, p2);
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, thr, &args[i % 2]);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    cr_expect(r == NULL, "thread %d got a wrong answer", i);
  }
  sse__symtab_free(args[0].st);
  sse__symtab_free(args[1].st);
  sse__modcache_free(c);
}
Test(symtab, line_addrs_O2, .timeout = 30) { check_line_addrs(variant("O2")); }

/* gdb `info symbol ADDR` on the live process: the section name of the
 * answer ("printf@plt in section .plt of /path"), or "" if none. */
static void gdb_sections(pid_t pid, const uint64_t *addrs, size_t n, char (*sect)[32]) {
  char *cmd = malloc(256 + n * 48);
  int k = sprintf(cmd, "gdb -nx -batch -p %d", (int)pid);
  for (size_t i = 0; i < n; i++)
    k += sprintf(cmd + k, " -ex 'info symbol 0x%" PRIx64 "'", addrs[i]);
  sprintf(cmd + k, " 2>&1 | grep -E 'in section|No symbol matches'");
  char *out = run(cmd);
  free(cmd);
  char *save = NULL, *ln = strtok_r(out, "\n", &save);
  for (size_t i = 0; i < n; i++, ln = ln ? strtok_r(NULL, "\n", &save) : NULL) {
    cr_assert(ln != NULL, "gdb answered %zu of %zu", i, n);
    const char *p = strstr(ln, " in section ");
    sect[i][0] = '\0';
    if (p != NULL)
      sscanf(p + 12, "%31s", sect[i]);
  }
  free(out);
}

static bool plt_section(const char *s) {
  return strcmp(s, ".plt") == 0 || strcmp(s, ".plt.sec") == 0 || strcmp(s, ".plt.got") == 0 ||
         strcmp(s, ".iplt") == 0;
}

/* Every PLT entry of the target (objdump's name@plt), the edges of the
 * neighbouring sections, main, and libc's own .plt and printf: trampoline
 * exactly where gdb places the address in a PLT section. */
Test(symtab, in_trampoline_plt, .timeout = 30) {
  pid_t pid = spawn();
  uint64_t base = exe_base(pid);
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  enum { MAXA = 64 };
  uint64_t addrs[MAXA];
  size_t n = 0;
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "objdump -d %s | awk '/@plt>:$/{print $1}'", target());
  char *out = run(cmd);
  char *save = NULL;
  for (char *ln = strtok_r(out, "\n", &save); ln && n < MAXA - 16; ln = strtok_r(NULL, "\n", &save))
    addrs[n++] = base + strtoull(ln, NULL, 16);
  free(out);
  cr_assert_geq(n, 3, "no name@plt in objdump -d");
  size_t nplt = n;
  for (size_t i = 0; i < nplt; i++) /* the last byte of each 16-byte entry */
    addrs[n++] = addrs[i] + 15;
  uint64_t main_entry;
  cr_assert_eq(sse__symtab_func_addr(st, "main", &main_entry, NULL), 0);
  addrs[n++] = main_entry;
  snprintf(cmd, sizeof cmd, "readelf -SW %s | awk '$2==\".init\"||$2==\".text\"{print $2, $4, $6}'", target());
  out = run(cmd);
  save = NULL;
  for (char *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
    char nm[32];
    unsigned long a, sz;
    if (sscanf(ln, "%31s %lx %lx", nm, &a, &sz) == 3)
      addrs[n++] = base + (strcmp(nm, ".init") == 0 ? a + sz - 1 : a);
  }
  free(out);
  /* libc: its .plt (readelf on the mapped file, bias from printf) and printf. */
  uint64_t printf_entry;
  cr_assert_eq(sse__symtab_func_addr(st, "printf", &printf_entry, NULL), 0);
  sse__loc l;
  cr_assert_eq(sse__symtab_lookup(st, printf_entry, &l), 0);
  addrs[n++] = printf_entry;
  snprintf(cmd, sizeof cmd,
           "readelf -sW --dyn-syms %s | awk '$8==\"printf\"||$8~/^printf@@/{print $2; exit}';"
           " readelf -SW %s | awk '$2==\".plt\"{print $4, $6}'",
           l.module, l.module);
  out = run(cmd);
  unsigned long pv = 0, pa = 0, psz = 0;
  cr_assert_eq(sscanf(out, "%lx %lx %lx", &pv, &pa, &psz), 3, "readelf: %s", out);
  free(out);
  uint64_t libc_bias = printf_entry - pv;
  addrs[n++] = libc_bias + pa + 16; /* the first entry: gdb has no symbol for the header */
  addrs[n++] = libc_bias + pa + psz - 1;
  addrs[n++] = libc_bias + pa + psz; /* first byte after .plt */

  static char sect[MAXA][32];
  gdb_sections(pid, addrs, n, sect);
  size_t ntramp = 0;
  for (size_t i = 0; i < n; i++) {
    bool want = plt_section(sect[i]);
    ntramp += want;
    cr_expect_eq(sse__symtab_in_trampoline(st, addrs[i]), want, "0x%" PRIx64 ": gdb section '%s'", addrs[i],
                 sect[i]);
  }
  cr_expect_geq(ntramp, 2 * nplt + 2);
  cr_expect(!sse__symtab_in_trampoline(st, 0x10));
  sse__symtab_free(st);
  sse__modcache_free(c);
}

/* _dl_debug_state against gdb's `info address` on the live process; it is
 * in the dynamic linker's text, hence a trampoline. */
Test(symtab, dl_debug_state_matches_gdb, .timeout = 30) {
  pid_t pid = spawn();
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st = sse__symtab_new(c, pid);
  uint64_t a = 0;
  cr_assert_eq(sse__symtab_dl_debug_state(st, &a), 0);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "gdb -nx -batch -p %d -ex 'info address _dl_debug_state' 2>&1 | grep '^Symbol'",
           (int)pid);
  char *out = run(cmd);
  const char *p = strstr(out, " 0x");
  cr_assert(p != NULL, "gdb: %s", out);
  uint64_t want = strtoull(p + 1, NULL, 16);
  cr_expect_eq(a, want, "sse 0x%" PRIx64 ", gdb: %s", a, out);
  free(out);
  sse__loc l;
  cr_assert_eq(sse__symtab_lookup(st, a, &l), 0);
  cr_expect(strncmp(basename_of(l.module), "ld-linux", 8) == 0, "%s", l.module);
  /* gdb names it by its DWARF linkage name, __GI__dl_debug_state. */
  cr_expect(l.function && strstr(l.function, "_dl_debug_state"), "%s", l.function);
  cr_expect(sse__symtab_in_trampoline(st, a));
  /* The rest of the dynamic linker's text too, not libc's. */
  uint64_t e;
  cr_assert_eq(sse__symtab_func_addr(st, "_dl_catch_exception", &e, NULL), 0);
  cr_assert_eq(sse__symtab_lookup(st, e, &l), 0);
  cr_expect_eq(sse__symtab_in_trampoline(st, e), strncmp(basename_of(l.module), "ld-linux", 8) == 0, "%s",
               l.module);
  cr_assert_eq(sse__symtab_func_addr(st, "malloc", &e, NULL), 0);
  cr_expect(!sse__symtab_in_trampoline(st, e));
  sse__symtab_free(st);
  /* No process: no dynamic linker. */
  kill_kids();
  st = sse__symtab_new(c, pid);
  cr_expect_eq(sse__symtab_dl_debug_state(st, &a), -1);
  cr_expect(!sse__symtab_in_trampoline(st, want));
  sse__symtab_free(st);
  sse__modcache_free(c);
}
