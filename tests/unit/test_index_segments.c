/* The shared symbol index persisted as it is learned (docs/index-format.md,
 * "Lazy, persisted: segments"): what a process decodes is appended to the
 * module's file as a segment while it runs, so a process killed afterwards
 * has lost nothing it flushed; two processes appending at once both keep
 * theirs, in the same file (appended, not renamed over); a torn segment
 * is ignored and cut off by the next append; segments that pile up are
 * compacted into one image. Decodes are counted by the module cache's
 * stats, answers compared with a session decoding without the index. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "index/format.h"
#include "index/index.h"
#include "symtab/inline_frames.h"
#include "symtab/symtab.h"
#include "symtab/symtab_int.h"

#include "index_helpers.h"

TestSuite(index_segments, .init = init, .fini = fini, .timeout = 90);

/* The segments of the file at path and whether bytes follow the last
 * valid one; 0 when it is no valid file. */
static size_t segments(const char *path, bool *torn) {
  int fd = open(path, O_RDONLY);
  cr_assert(fd >= 0, "%s", path);
  struct stat sb;
  cr_assert_eq(fstat(fd, &sb), 0);
  void *p = malloc((size_t)sb.st_size);
  cr_assert_eq(pread(fd, p, (size_t)sb.st_size, 0), sb.st_size);
  close(fd);
  sse__index *ix = sse__index_from_mem(p, (size_t)sb.st_size, NULL, 0, NULL);
  size_t n = sse__index_segments(ix);
  *torn = sse__index_torn(ix);
  sse__index_close(ix);
  free(p);
  return n;
}

static ino_t inode(const char *path) {
  struct stat sb;
  cr_assert_eq(stat(path, &sb), 0);
  return sb.st_ino;
}

Test(index_segments, killed_process_keeps_what_it_flushed) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, NULL, &s);
  /* A session killed before its end: the cache is never freed. */
  pid_t c = fork();
  cr_assert(c >= 0);
  if (c == 0) {
    sse__modcache *mc = sse__modcache_new();
    sse__modcache_set_index(mc, dir);
    sse__symtab *st = sse__symtab_new(mc, pid);
    answers a = {.hash = 1469598103934665603ull};
    ask(st, exe_base(pid), &a);
    kill(getpid(), SIGKILL);
    _exit(1);
  }
  int status;
  cr_assert_eq(waitpid(c, &status, 0), c);
  cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  answers a = session(pid, dir, &s);
  cr_expect_geq(s.ix_loaded, 2, "the killed process left no index of the target and libc");
  cr_expect_eq(s.decodes, 0, "%u tables decoded again: the killed process's were not flushed", s.decodes);
  cr_assert_eq(a.hash, ref.hash, "answers from what the killed process flushed differ");
  /* The CUs it decoded since its last batch are decoded again and kept. */
  answers b = session(pid, dir, &s);
  cr_expect_eq(s.decodes + s.cu_decodes, 0);
  cr_assert_eq(b.hash, ref.hash);
  rm_rf(dir);
  free(dir);
}

/* A child asks about the functions of list, waits for go, then frees its
 * cache (writing what it learned). */
static pid_t asker(pid_t pid, const char *dir, const char *const *list, int go) {
  pid_t c = fork();
  cr_assert(c >= 0);
  if (c == 0) {
    funcs = list;
    sse__modcache *mc = sse__modcache_new();
    sse__modcache_set_index(mc, dir);
    sse__symtab *st = sse__symtab_new(mc, pid);
    answers a = {.hash = 1469598103934665603ull};
    ask(st, exe_base(pid), &a);
    sse__symtab_free(st);
    char b;
    if (read(go, &b, 1) != 1)
      _exit(2);
    sse__modcache_free(mc);
    _exit(0);
  }
  return c;
}

Test(index_segments, two_appenders_keep_both) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, NULL, &s);
  /* The first process asks about main alone: the files exist. */
  static const char *const first[] = {"main", NULL}, *const a_list[] = {"malloc", "square", NULL},
                           *const b_list[] = {"printf", "count_down", NULL};
  funcs = first;
  session(pid, dir, &s);
  char *path = target_index(dir);
  ino_t ino = inode(path);
  int go[2];
  cr_assert_eq(pipe(go), 0);
  pid_t a = asker(pid, dir, a_list, go[0]), b = asker(pid, dir, b_list, go[0]);
  close(go[0]);
  /* Both learned theirs; they write at once. */
  cr_assert_eq(write(go[1], "ab", 2), 2);
  close(go[1]);
  int status;
  cr_assert_eq(waitpid(a, &status, 0), a);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  cr_assert_eq(waitpid(b, &status, 0), b);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  cr_expect_eq(inode(path), ino, "the file was rewritten, not appended to");
  bool torn;
  cr_expect_geq(segments(path, &torn), 2);
  cr_expect(!torn);
  funcs = all_funcs;
  answers all = session(pid, dir, &s);
  cr_expect_eq(s.decodes + s.cu_decodes, 0, "%u tables, %u CUs decoded: an appender's segment is missing", s.decodes,
               s.cu_decodes);
  cr_assert_eq(all.hash, ref.hash);
  free(path);
  rm_rf(dir);
  free(dir);
}

Test(index_segments, torn_segment_ignored_and_cut) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, NULL, &s);
  static const char *const first[] = {"main", NULL};
  funcs = first;
  session(pid, dir, &s);
  char *path = target_index(dir);
  /* Half a segment at the end: a writer killed in the middle of its
   * append (the file's own first bytes: a header claiming more). */
  struct stat sb;
  cr_assert_eq(stat(path, &sb), 0);
  int fd = open(path, O_RDWR);
  cr_assert(fd >= 0);
  size_t half = (size_t)sb.st_size / 2 & ~(size_t)7;
  char *buf = malloc(half);
  cr_assert_eq(pread(fd, buf, half, 0), (ssize_t)half);
  cr_assert_eq(pwrite(fd, buf, half, sb.st_size), (ssize_t)half);
  close(fd);
  free(buf);
  bool torn;
  size_t n = segments(path, &torn);
  cr_assert(torn);
  funcs = all_funcs;
  answers a = session(pid, dir, &s);
  cr_expect_geq(s.ix_loaded, 1, "the file with a torn segment was not used");
  cr_expect_geq(s.ix_rejected, 1, "the torn segment was not counted");
  cr_assert_eq(a.hash, ref.hash);
  cr_expect_gt(segments(path, &torn), n, "nothing appended");
  cr_expect(!torn, "the torn segment was not cut off");
  answers b = session(pid, dir, &s);
  cr_expect_eq(s.decodes + s.cu_decodes, 0);
  cr_assert_eq(b.hash, ref.hash);
  free(path);
  rm_rf(dir);
  free(dir);
}

Test(index_segments, segments_compacted) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, NULL, &s);
  /* One function a session: each appends what it learned. */
  static const char *const one[][2] = {{"main", NULL},        {"square", NULL}, {"sum_squares", NULL},
                                       {"count_down", NULL},  {"malloc", NULL}, {"printf", NULL}};
  char *path = NULL;
  size_t most = 0;
  bool torn;
  for (int round = 0; round < 3; round++)
    for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
      funcs = one[i];
      session(pid, dir, &s);
      if (path == NULL)
        path = target_index(dir);
      size_t n = segments(path, &torn);
      most = n > most ? n : most;
      cr_expect(!torn);
    }
  cr_expect_leq(most, 8, "%zu segments piled up", most);
  funcs = all_funcs;
  answers a = session(pid, dir, &s);
  cr_expect_eq(s.decodes + s.cu_decodes, 0, "compaction lost something");
  cr_assert_eq(a.hash, ref.hash);
  free(path);
  rm_rf(dir);
  free(dir);
}
