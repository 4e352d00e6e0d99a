/* Helpers of the index suites (test_index*.c): the symtab target spawned
 * untraced, a session's answers folded into a hash, a session on a cache
 * directory (in this process or a child), the target's index file. */
#ifndef SSE_TEST_INDEX_HELPERS_H
#define SSE_TEST_INDEX_HELPERS_H

/* Each suite uses some of them. */
#pragma GCC diagnostic ignored "-Wunused-function"

static pid_t kid;

static void fini(void) {
  if (kid > 0) {
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
    kid = 0;
  }
}

/* Each test names its own directory; an outer SSE_CACHE_DIR=off would
 * override them. */
static void init(void) { unsetenv("SSE_CACHE_DIR"); }

static const char *target(void) {
  const char *t = getenv("SSE_SYMTAB_TARGET");
  return t ? t : TARGETS_DIR "/symtab_target";
}

/* The symtab target, untraced, up (it writes 'R' to the fd it is given). */
static pid_t spawn(void) {
  int p[2];
  cr_assert(pipe2(p, O_CLOEXEC) == 0);
  pid_t parent = getpid();
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    char arg[16];
    snprintf(arg, sizeof arg, "%d", dup(p[1]));
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(target(), target(), arg, (char *)NULL);
    _exit(127);
  }
  kid = pid;
  close(p[1]);
  char c = 0;
  ssize_t k;
  do
    k = read(p[0], &c, 1);
  while (k < 0 && errno == EINTR);
  close(p[0]);
  cr_assert_eq(k, 1, "target did not start");
  return pid;
}

/* name set back to saved (malloc'd, freed; NULL: unset). */
static void restore_env(const char *name, char *saved) {
  if (saved)
    setenv(name, saved, 1);
  else
    unsetenv(name);
  free(saved);
}

static char *tmpdir(void) {
  char t[] = "/tmp/sse-index-test.XXXXXX";
  cr_assert(mkdtemp(t) != NULL);
  return strdup(t);
}

static void rm_rf(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

/* What a user's session asks: functions, every address of them (function,
 * line, range), `break FILE:LINE` for each line, a libc function. The
 * answers are folded into a hash to compare runs; *nanswers counts them. */
typedef struct answers {
  uint64_t hash;
  size_t n, lines, inlines;
} answers;

static void fold(answers *a, uint64_t v) {
  a->hash = (a->hash ^ v) * 0x100000001b3ull;
  a->n++;
}

static void fold_str(answers *a, const char *s) {
  for (; s && *s; s++)
    fold(a, (unsigned char)*s);
  fold(a, 0);
}

/* The inline blocks at pc (libc's functions have some), addresses
 * relative to pc. */
static void fold_chain(sse__symtab *st, uint64_t pc, answers *a) {
  sse__inline v[SSE__INLINE_MAX];
  int n = sse__symtab_inline_chain(st, pc, v, SSE__INLINE_MAX);
  fold(a, (uint64_t)n);
  for (int i = 0; i < n && i < SSE__INLINE_MAX; i++) {
    fold_str(a, v[i].function);
    fold_str(a, v[i].caller);
    fold_str(a, v[i].subprogram);
    fold_str(a, v[i].call_file);
    fold(a, v[i].sub_entry - pc);
    fold(a, v[i].entry - pc);
    fold(a, v[i].block_lo - pc);
    fold(a, v[i].block_hi - pc);
    fold(a, v[i].lo - pc);
    fold(a, v[i].hi - pc);
    fold(a, (uint64_t)v[i].call_line << 32 | (uint32_t)v[i].call_column);
    fold(a, (uint64_t)v[i].starts_at_pc << 32 | (uint32_t)v[i].nranges);
    a->inlines++;
  }
}

/* The functions a session asks about (a test may ask fewer: NULL ends). */
static const char *const all_funcs[] = {"square", "sum_squares", "count_down", "main", "malloc", "printf", NULL};
static const char *const *funcs = all_funcs;

static void ask(sse__symtab *st, uint64_t base, answers *a) {
  for (size_t i = 0; funcs[i] != NULL; i++) {
    uint64_t entry, post;
    cr_assert_eq(sse__symtab_func_addr(st, funcs[i], &entry, &post), 0, "%s", funcs[i]);
    fold(a, entry - base);
    fold(a, post - base);
    sse__loc l;
    cr_assert_eq(sse__symtab_lookup(st, entry, &l), 0);
    for (uint64_t pc = entry; pc < l.func_hi && pc < entry + 4096; pc++) {
      sse__loc m;
      cr_assert_eq(sse__symtab_lookup(st, pc, &m), 0);
      fold_str(a, m.function);
      fold_str(a, m.file);
      fold(a, (uint64_t)m.line << 32 | (uint32_t)m.column);
      fold(a, m.line_lo - pc);
      fold(a, m.line_hi - pc);
      a->lines += m.has_line;
      fold_chain(st, pc, a);
    }
  }
  for (int line = 1; line <= 50; line++) {
    uint64_t got[8];
    int n = sse__symtab_line_addrs(st, "symtab_target.c", line, got, 8);
    fold(a, (uint64_t)n);
    for (int j = 0; j < n; j++)
      fold(a, got[j] - base);
  }
}

static uint64_t exe_base(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  FILE *f = fopen(path, "r");
  cr_assert(f != NULL);
  unsigned long lo = 0;
  cr_assert_eq(fscanf(f, "%lx-", &lo), 1);
  fclose(f);
  return lo;
}

/* One session on a fresh cache using the index in dir (NULL: none). */
static answers session(pid_t pid, const char *dir, sse__modcache_stats *stats) {
  sse__modcache *c = sse__modcache_new();
  cr_assert(c != NULL);
  if (dir != NULL)
    sse__modcache_set_index(c, dir);
  sse__symtab *st = sse__symtab_new(c, pid);
  cr_assert(st != NULL);
  answers a = {.hash = 1469598103934665603ull};
  ask(st, exe_base(pid), &a);
  sse__symtab_free(st);
  sse__modcache_get_stats(c, stats); /* before the write-back */
  sse__modcache_stats after;
  sse__modcache_free(c);
  (void)after;
  return a;
}

static size_t count_files(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  size_t n = 0;
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL) {
    size_t l = strlen(de->d_name), s = strlen(suffix);
    n += l >= s && strcmp(de->d_name + l - s, suffix) == 0;
  }
  if (d)
    closedir(d);
  return n;
}

/* A child process runs a session: exit 0 when it loaded the index and
 * decoded nothing, 1 when it decoded, 2 when it found no index. */
static int child_session(pid_t pid, const char *dir, answers *out, bool want_warm) {
  int p[2];
  cr_assert(pipe(p) == 0);
  pid_t c = fork();
  cr_assert(c >= 0);
  if (c == 0) {
    close(p[0]);
    sse__modcache_stats s;
    answers a = session(pid, dir, &s);
    if (write(p[1], &a, sizeof a) != (ssize_t)sizeof a)
      _exit(3);
    _exit(!want_warm ? 0 : s.ix_loaded == 0 ? 2 : (s.decodes || s.cu_decodes) ? 1 : 0);
  }
  close(p[1]);
  cr_assert_eq(read(p[0], out, sizeof *out), (ssize_t)sizeof *out);
  close(p[0]);
  int status;
  cr_assert_eq(waitpid(c, &status, 0), c);
  cr_assert(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* The index file of the target's module (its build ID). */
static char *target_index(const char *dir) {
  int fd = open(target(), O_RDONLY);
  cr_assert(fd >= 0);
  close(fd);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "readelf -n '%s' | awk '/Build ID/{print $3}'", target());
  FILE *f = popen(cmd, "r");
  char id[128] = "";
  cr_assert(fgets(id, sizeof id, f) != NULL);
  pclose(f);
  id[strcspn(id, "\n")] = '\0';
  cr_assert_eq(strlen(id), 40);
  char *path = NULL;
  cr_assert(asprintf(&path, "%s/%s.sseidx", dir, id) > 0);
  return path;
}

#endif
