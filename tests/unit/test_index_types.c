/* The values layer's transcoded type table kept in the module's index
 * (docs/index-format.md, section 13; src/values/typeindex.c): a second
 * process prints and ptypes the same values as the first without
 * transcoding a type DIE (types.c counts the records it makes), and its
 * answers are the first's. Each process is a child of its own with its
 * own engine, on a cache directory of the test's. */
#include "values_oracle.h"
#include <sys/wait.h>

#include "values/values.h"

#define BREAK_LINE 93

TestSuite(index_types, .timeout = 90);

static const char *const exprs[] = {"head", "pts", "*head.next", "pt", "num", "col", "ops", NULL};
static const char *const types[] = {"struct node", "pts", "fn", "grid", NULL};

typedef struct result {
  unsigned long made; /* type records transcoded by the process */
  char text[8192];    /* what it printed, masked */
} result;

static void run_one(const char *dir, result *r) {
  setenv("SSE_CACHE_DIR", dir, 1);
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  sse_process *proc = spawn_target(eng, "values_target", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_line(proc, "values_target.c", BREAK_LINE, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(proc, &s));
  sse_thread *thr = main_thread(proc);
  unsigned long before = sse__types_shared_made();
  char buf[2048];
  size_t n = 0;
  for (size_t i = 0; exprs[i]; i++) {
    buf[0] = '\0';
    sse_evaluate(thr, 0, exprs[i], buf, sizeof buf, NULL);
    n += (size_t)snprintf(r->text + n, sizeof r->text - n, "p %s = %s\n", exprs[i], buf);
  }
  for (size_t i = 0; types[i] && n < sizeof r->text; i++) {
    buf[0] = '\0';
    sse_describe_type(thr, 0, types[i], true, buf, sizeof buf);
    n += (size_t)snprintf(r->text + n, sizeof r->text - n, "ptype %s = %s\n", types[i], buf);
  }
  r->made = sse__types_shared_made() - before;
  vo_mask(r->text);
  sse_kill(proc);
  sse_engine_free(eng);
}

/* A child is this program run again (not a fork: the test runner has
 * threads, and a thread-sanitized child of a threaded fork may start
 * none): with INDEX_TYPES_CHILD=DIR it runs run_one before main and
 * writes its result to fd 3. */
__attribute__((constructor)) static void as_child(void) {
  const char *dir = getenv("INDEX_TYPES_CHILD");
  if (dir == NULL)
    return;
  static result r;
  run_one(dir, &r);
  _exit(write(3, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
}

/* run_one in a child: its result. */
static result child(const char *dir) {
  int p[2];
  cr_assert_eq(pipe(p), 0);
  pid_t c = fork();
  cr_assert(c >= 0);
  if (c == 0) {
    close(p[0]);
    if (dup2(p[1], 3) != 3 || setenv("INDEX_TYPES_CHILD", dir, 1) != 0)
      _exit(2);
    execl("/proc/self/exe", "test_index_types", (char *)NULL);
    _exit(3);
  }
  close(p[1]);
  result r;
  size_t got = 0;
  ssize_t k;
  while (got < sizeof r && (k = read(p[0], (char *)&r + got, sizeof r - got)) > 0)
    got += (size_t)k;
  close(p[0]);
  int status;
  cr_assert_eq(waitpid(c, &status, 0), c);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == sizeof r, "the session failed");
  return r;
}

Test(index_types, second_process_transcodes_no_type) {
  char dir[] = "/tmp/sse-index-types.XXXXXX";
  cr_assert(mkdtemp(dir) != NULL);
  result off = child("off"), first = child(dir), second = child(dir);
  cr_assert_gt(first.made, 0, "the first process transcoded nothing");
  cr_expect_eq(second.made, 0, "the second process transcoded %lu type records", second.made);
  cr_expect_str_eq(first.text, off.text, "with the index building:\n%s\nwithout the index:\n%s", first.text,
                   off.text);
  cr_expect_str_eq(second.text, off.text, "from the index's type table:\n%s\nwithout the index:\n%s",
                   second.text, off.text);
  cr_assert(strstr(off.text, "struct node {") != NULL, "ptype printed no struct:\n%s", off.text);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}
