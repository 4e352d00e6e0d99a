/* The shared on-disk symbol index (issue 17; docs/index-format.md): a
 * second cache (engine) or process maps the index and decodes nothing, with
 * the same answers as decoding; truncated, corrupt, other-version and
 * other-build-ID files are rejected and rebuilt; two processes racing leave
 * one good file; a read-only cache directory degrades with one warning;
 * SSE_CACHE_DIR=off; the directory table and its size cap. Every test has
 * a cache directory of its own (mktemp -d). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "index/format.h"
#include "index/index.h"
#include "symtab/inline_frames.h"
#include "symtab/symtab.h"
#include "symtab/symtab_int.h"

#include "index_helpers.h"

TestSuite(index, .init = init, .fini = fini, .timeout = 60);

Test(index, second_cache_decodes_nothing_same_answers) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s0, s1, s2;
  answers ref = session(pid, NULL, &s0);
  answers a1 = session(pid, dir, &s1);
  cr_assert_gt(s1.decodes, 0);
  cr_assert_gt(s1.cu_decodes, 0);
  cr_assert_eq(s1.ix_loaded, 0);
  cr_assert_geq(count_files(dir, ".sseidx"), 2, "the target and libc indexed");
  answers a2 = session(pid, dir, &s2);
  cr_expect_eq(s2.decodes, 0, "second cache decoded %u tables", s2.decodes);
  cr_expect_eq(s2.cu_decodes, 0, "second cache decoded %u CUs", s2.cu_decodes);
  cr_expect_geq(s2.ix_loaded, 2);
  cr_assert_gt(ref.lines, 100);
  cr_assert_gt(ref.inlines, 100, "libc's inline blocks");
  cr_assert_eq(a1.n, ref.n);
  cr_assert_eq(a1.hash, ref.hash, "answers with the index building differ from decoding");
  cr_assert_eq(a2.n, ref.n);
  cr_assert_eq(a2.hash, ref.hash, "answers from the mapped index differ from decoding");
  rm_rf(dir);
  free(dir);
}

Test(index, second_process_decodes_nothing) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  answers a1, a2;
  cr_assert_eq(child_session(pid, dir, &a1, false), 0);
  cr_expect_eq(child_session(pid, dir, &a2, true), 0, "the second process decoded or found no index");
  cr_assert_eq(a1.hash, a2.hash);
  rm_rf(dir);
  free(dir);
}

typedef enum { TRUNCATE, FLIP, VERSION, OTHER_ID } damage;

static void do_damage(const char *path, const char *dir, damage how) {
  struct stat sb;
  cr_assert_eq(stat(path, &sb), 0);
  int fd = open(path, O_RDWR);
  cr_assert(fd >= 0);
  if (how == TRUNCATE) {
    cr_assert_eq(ftruncate(fd, sb.st_size / 2), 0);
  } else if (how == FLIP) {
    unsigned char b;
    cr_assert_eq(pread(fd, &b, 1, sb.st_size * 2 / 3), 1);
    b ^= 0x40;
    cr_assert_eq(pwrite(fd, &b, 1, sb.st_size * 2 / 3), 1);
  } else if (how == VERSION) {
    uint32_t v = SSE__IX_VERSION + 1;
    cr_assert_eq(pwrite(fd, &v, 4, offsetof(sse__ixhdr, version)), 4);
  } else {
    /* Another module's (valid) file under this one's name. */
    DIR *d = opendir(dir);
    struct dirent *de;
    char other[600] = "";
    while ((de = readdir(d)) != NULL)
      if (strstr(de->d_name, ".sseidx") && strstr(path, de->d_name) == NULL)
        snprintf(other, sizeof other, "%s/%s", dir, de->d_name);
    closedir(d);
    cr_assert(other[0] != '\0');
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", other, path);
    cr_assert_eq(system(cmd), 0);
  }
  close(fd);
}

static void check_rebuilt(damage how) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, dir, &s);
  char *path = target_index(dir);
  do_damage(path, dir, how);
  answers a = session(pid, dir, &s);
  cr_expect_eq(s.ix_rejected, 1, "the damaged file was not rejected");
  cr_expect_gt(s.decodes, 0, "the damaged module was not decoded again");
  cr_assert_eq(a.hash, ref.hash);
  answers b = session(pid, dir, &s);
  cr_expect_eq(s.ix_rejected, 0);
  cr_expect_eq(s.decodes + s.cu_decodes, 0, "not rebuilt: %u decodes", s.decodes + s.cu_decodes);
  cr_assert_eq(b.hash, ref.hash);
  free(path);
  rm_rf(dir);
  free(dir);
}

Test(index, truncated_file_rebuilt) { check_rebuilt(TRUNCATE); }
Test(index, corrupt_file_rebuilt) { check_rebuilt(FLIP); }
Test(index, other_version_rebuilt) { check_rebuilt(VERSION); }
Test(index, other_build_id_rebuilt) { check_rebuilt(OTHER_ID); }

Test(index, two_processes_racing_leave_one_good_file) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  /* Both build at once: neither finds an index. */
  pid_t c[2];
  for (int i = 0; i < 2; i++) {
    c[i] = fork();
    cr_assert(c[i] >= 0);
    if (c[i] == 0) {
      sse__modcache_stats s;
      session(pid, dir, &s);
      _exit(0);
    }
  }
  for (int i = 0; i < 2; i++) {
    int status;
    cr_assert_eq(waitpid(c[i], &status, 0), c[i]);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  answers a;
  cr_expect_eq(child_session(pid, dir, &a, true), 0, "after the race the index is not whole");
  cr_expect_eq(count_files(dir, ".tmp"), 0, "temporary files left");
  char *path = target_index(dir);
  cr_expect_eq(access(path, R_OK), 0);
  free(path);
  rm_rf(dir);
  free(dir);
}

/* In a child: the cache directory read-only (a read-only bind mount in a
 * mount namespace of its own when root, whom modes do not stop; else mode
 * 0555). Exit 0: one failure counted, the answers as without the index. */
Test(index, read_only_dir_degrades_with_one_warning) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, NULL, &s);
  pid_t c = fork();
  cr_assert(c >= 0);
  if (c == 0) {
    if (geteuid() == 0) {
      if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
          mount(dir, dir, NULL, MS_BIND, NULL) != 0 ||
          mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
        _exit(77);
    } else if (chmod(dir, 0555) != 0) {
      _exit(77);
    }
    /* Two dirty modules (the target, libc), one warning: stats count it. */
    sse__modcache *mc = sse__modcache_new();
    sse__modcache_set_index(mc, dir);
    sse__symtab *st = sse__symtab_new(mc, pid);
    answers a = {.hash = 1469598103934665603ull};
    ask(st, exe_base(pid), &a);
    sse__symtab_free(st);
    sse__modcache_free(mc);
    (void)a;
    _exit(a.hash == ref.hash ? 0 : 1);
  }
  int status;
  cr_assert_eq(waitpid(c, &status, 0), c);
  cr_assert(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77)
    cr_skip_test("cannot make a read-only directory here");
  cr_assert_eq(WEXITSTATUS(status), 0, "answers differ in a read-only cache dir");
  cr_expect_eq(count_files(dir, ".sseidx"), 0);
  rm_rf(dir);
  free(dir);
}

Test(index, read_only_dir_warns_once) {
  /* The warning itself, on stderr, once for two dirty modules. */
  pid_t pid = spawn();
  char *dir = tmpdir();
  char *file = NULL;
  cr_assert(asprintf(&file, "%s/not-a-dir", dir) > 0);
  int fd = open(file, O_CREAT | O_WRONLY, 0600);
  cr_assert(fd >= 0);
  close(fd);
  char *sub = NULL;
  cr_assert(asprintf(&sub, "%s/cache", file) > 0); /* below a regular file: unusable */
  char errpath[600];
  snprintf(errpath, sizeof errpath, "%s/stderr", dir);
  int p = fork();
  cr_assert(p >= 0);
  if (p == 0) {
    int e = open(errpath, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    dup2(e, 2);
    sse__modcache *mc = sse__modcache_new();
    sse__modcache_set_index(mc, sub);
    sse__symtab *st = sse__symtab_new(mc, pid);
    answers a = {0};
    ask(st, exe_base(pid), &a);
    sse__symtab_free(st);
    sse__modcache_stats s;
    sse__modcache_free(mc);
    (void)s;
    _exit(0);
  }
  int status;
  cr_assert_eq(waitpid(p, &status, 0), p);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  FILE *f = fopen(errpath, "r");
  cr_assert(f != NULL);
  char line[1024];
  int warnings = 0;
  while (fgets(line, sizeof line, f))
    warnings += strstr(line, "symbol index") != NULL;
  fclose(f);
  cr_expect_eq(warnings, 1, "%d warnings", warnings);
  free(sub);
  free(file);
  rm_rf(dir);
  free(dir);
}

Test(index, cache_dir_rules_and_off) {
  char *saved = getenv("SSE_CACHE_DIR") ? strdup(getenv("SSE_CACHE_DIR")) : NULL;
  setenv("SSE_CACHE_DIR", "/x/sse", 1);
  char *d = sse__index_cache_dir(NULL);
  cr_expect_str_eq(d, "/x/sse");
  free(d);
  d = sse__index_cache_dir("/opt/dir");
  cr_expect_str_eq(d, "/opt/dir");
  free(d);
  cr_expect_null(sse__index_cache_dir("off"));
  setenv("SSE_CACHE_DIR", "off", 1);
  cr_expect_null(sse__index_cache_dir(NULL));
  cr_expect_null(sse__index_cache_dir("/opt/dir"), "SSE_CACHE_DIR=off wins");
  unsetenv("SSE_CACHE_DIR");
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  d = sse__index_cache_dir(NULL);
  cr_expect_str_eq(d, "/xdg/sse");
  free(d);
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/home/u", 1);
  d = sse__index_cache_dir(NULL);
  cr_expect_str_eq(d, "/home/u/.cache/sse");
  free(d);
  /* Off: a session given a directory writes nothing there. */
  setenv("SSE_CACHE_DIR", "off", 1);
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  sse__modcache *c = sse__modcache_new();
  sse__modcache_set_index(c, NULL);
  cr_expect_null(sse__modcache_index_dir(c));
  sse__modcache_free(c);
  session(pid, dir, &s);
  cr_expect_eq(s.ix_loaded + s.ix_written, 0);
  cr_expect_eq(count_files(dir, ".sseidx"), 0);
  restore_env("SSE_CACHE_DIR", saved);
  rm_rf(dir);
  free(dir);
}

/* The directory table: many IDs found by binary search, the oldest evicted
 * beyond the cap, a missing table rebuilt from the files. */
Test(index, directory_table_and_eviction) {
  char *dir = tmpdir();
  enum { N = 40 };
  unsigned char ids[N][SSE__IX_IDLEN];
  for (int i = 0; i < N; i++) {
    unsigned char key[32];
    key[0] = 'P';
    snprintf((char *)key + 1, sizeof key - 1, "/lib/mod%03d|1|2|3", i);
    size_t kl = 1 + strlen((char *)key + 1);
    sse__ixw *w = sse__ixw_new();
    char blob[4000];
    memset(blob, i, sizeof blob);
    cr_assert(sse__ixw_section(w, 99, 1, blob, sizeof blob));
    cr_assert_eq(sse__ixw_commit(w, dir, key, kl), 0);
    sse__ixw_free(w);
    sse__index_digest(key, kl, ids[i]);
    const char *why = NULL;
    sse__index *ix = sse__index_open(dir, key, kl, &why);
    cr_assert_not_null(ix, "mod %d: %s", i, why ? why : "absent");
    size_t n;
    const unsigned char *b = sse__index_section(ix, 99, 1, &n);
    cr_assert_eq(n, sizeof blob);
    cr_assert_eq(b[0], i);
    sse__index_close(ix);
  }
  for (int i = 0; i < N; i++) {
    char *name = sse__ixdir_lookup(dir, ids[i]);
    cr_expect_not_null(name, "id %d not in the table", i);
    free(name);
  }
  /* Ages 1 s apart (file times may be coarser than the loop), then one
   * more file under a cap of 10 files: the newest 10 stay. */
  struct stat sb;
  char *p0 = sse__ixdir_lookup(dir, ids[N - 1]), *path = NULL;
  cr_assert(asprintf(&path, "%s/%s", dir, p0) > 0);
  cr_assert_eq(stat(path, &sb), 0);
  for (int i = 0; i < N; i++) {
    char *nm = sse__ixdir_lookup(dir, ids[i]), *fp = NULL;
    cr_assert(asprintf(&fp, "%s/%s", dir, nm) > 0);
    struct timespec ts[2] = {{.tv_sec = 1000000 + i}, {.tv_sec = 1000000 + i}};
    cr_assert_eq(utimensat(AT_FDCWD, fp, ts, 0), 0);
    free(fp);
    free(nm);
  }
  char cap[32];
  snprintf(cap, sizeof cap, "%lld", (long long)sb.st_size * 10);
  setenv("SSE_CACHE_MAX", cap, 1);
  sse__ixw *w = sse__ixw_new();
  unsigned char key[] = "Pnewest";
  char blob[4000] = {0};
  cr_assert(sse__ixw_section(w, 99, 1, blob, sizeof blob));
  cr_assert_eq(sse__ixw_commit(w, dir, key, sizeof key - 1), 0);
  sse__ixw_free(w);
  unsetenv("SSE_CACHE_MAX");
  cr_expect_eq(count_files(dir, ".sseidx"), 10);
  for (int i = 0; i < N; i++) {
    char *nm = sse__ixdir_lookup(dir, ids[i]);
    if (i < N - 9)
      cr_expect_null(nm, "file %d (old) survived the cap", i);
    else
      cr_expect_not_null(nm, "file %d (new) evicted", i);
    free(nm);
  }
  unsigned char nid[SSE__IX_IDLEN];
  sse__index_digest(key, sizeof key - 1, nid);
  /* A lost table is rebuilt from the files' headers. */
  char *tab = NULL;
  cr_assert(asprintf(&tab, "%s/%s", dir, SSE__IXDIR_NAME) > 0);
  char *nname = sse__ixdir_lookup(dir, nid);
  cr_assert_not_null(nname);
  unlink(tab);
  cr_assert_eq(sse__ixdir_add(dir, nid, nname, UINT64_MAX), 0);
  free(nname);
  char *again = sse__ixdir_lookup(dir, ids[N - 2]);
  cr_expect_not_null(again);
  free(again);
  free(tab);
  free(p0);
  free(path);
  rm_rf(dir);
  free(dir);
}

/* ---- debuginfod: the symbols of a stripped program from a server ---- */

static pid_t server;

static void stop_server(void) {
  if (server > 0) {
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    server = 0;
  }
  fini();
}

static int free_port(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t n = sizeof a;
  cr_assert(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &n) == 0);
  close(s);
  return ntohs(a.sin_port);
}

/* The HTTP status of GET path on 127.0.0.1:port, 0 when nobody answers. */
static int http_status(int port, const char *path) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int status = 0;
  if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
    char req[512], resp[64] = "";
    int k = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(s, req, (size_t)k) == k && read(s, resp, sizeof resp - 1) > 12)
      sscanf(resp, "HTTP/%*s %d", &status);
  }
  if (s >= 0)
    close(s);
  return status;
}

static char *sh_out(const char *cmd) {
  FILE *f = popen(cmd, "r");
  cr_assert(f != NULL);
  size_t cap = 1 << 16, n = 0, k;
  char *buf = malloc(cap);
  while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0)
    if ((n += k) + 1 >= cap)
      buf = realloc(buf, cap *= 2);
  buf[n] = '\0';
  pclose(f);
  return buf;
}

/* The "at FILE:LINE" of frame #i of a bt in out, the file's basename
 * (gdb prints the name the CU gives, ssedemo the basename); "" if none. */
static void frame_at(const char *out, int i, char *buf, size_t n) {
  char tag[16];
  snprintf(tag, sizeof tag, "\n#%d ", i);
  const char *p = strstr(out, tag), *at = p ? strstr(p + 1, " at ") : NULL, *nl = p ? strchr(p + 1, '\n') : NULL;
  buf[0] = '\0';
  if (at != NULL && (nl == NULL || at < nl)) {
    snprintf(buf, n, "%.*s", (int)((nl ? nl : at + strlen(at)) - at - 4), at + 4);
    char *slash = strrchr(buf, '/');
    if (slash != NULL)
      memmove(buf, slash + 1, strlen(slash));
  }
}

/* dir/prog: loops_calls without its DWARF, split off into dir/prog.debug,
 * then the shell commands then run in dir; dir/ix made. Its build ID. */
static char *stripped_copy(const char *dir, const char *then) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "set -e; cd '%s'; mkdir ix; cp '%s/loops_calls' prog; objcopy --only-keep-debug prog prog.debug;"
           " strip --strip-debug prog; %s",
           dir, TARGETS_DIR, then);
  cr_assert_eq(system(cmd), 0);
  char *id = sh_out("cd /tmp && readelf -n " TARGETS_DIR "/loops_calls | awk '/Build ID/{printf \"%s\", $3}'");
  cr_assert_eq(strlen(id), 40);
  return id;
}

/* bt's two innermost frames in out are at gdb's lines. */
static void frames_as_gdb(const char *out, const char *gdb) {
  for (int i = 0; i < 2; i++) {
    char a[256], b[256];
    frame_at(out, i, a, sizeof a);
    frame_at(gdb, i, b, sizeof b);
    cr_expect(b[0] != '\0', "gdb has no line in frame %d:\n%s", i, gdb);
    cr_expect_str_eq(a, b, "frame %d: sse at '%s', gdb at '%s'\nsse:\n%s\ngdb:\n%s", i, a, b, out, gdb);
  }
}

Test(index, debuginfod_symbols_of_a_stripped_program, .fini = stop_server, .timeout = 120) {
  cr_assert_eq(system("command -v debuginfod >/dev/null"), 0, "debuginfod not installed (scripts/deps.sh)");
  char *dir = tmpdir(), cmd[4096];
  char *id = stripped_copy(dir, "mkdir srv cache gdbcache; mv prog.debug srv/");
  int port = free_port();
  server = fork();
  cr_assert(server >= 0);
  if (server == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    char p[16], srv[600], db[600];
    snprintf(p, sizeof p, "%d", port);
    snprintf(srv, sizeof srv, "%s/srv", dir);
    snprintf(db, sizeof db, "%s/db.sqlite", dir);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execlp("debuginfod", "debuginfod", "-F", srv, "-p", p, "-d", db, (char *)NULL);
    _exit(127);
  }
  /* Ready when it serves the debug file (its scan of srv/ has run). */
  char path[128];
  snprintf(path, sizeof path, "/buildid/%s/debuginfo", id);
  int st = 0;
  for (int i = 0; i < 3000 && st != 200; i++) {
    st = http_status(port, path);
    if (st != 200) {
      struct timespec ts = {0, 10 * 1000000};
      nanosleep(&ts, NULL); /* a poll interval, not a wait for a result */
      cr_assert_eq(waitpid(server, NULL, WNOHANG), 0, "debuginfod exited");
    }
  }
  cr_assert_eq(st, 200, "debuginfod does not serve %s", path);
  const char *bp = "loops_calls.c:23";
  snprintf(cmd, sizeof cmd,
           "cd '%s' && env SSE_CACHE_DIR=ix DEBUGINFOD_URLS=http://127.0.0.1:%d DEBUGINFOD_CACHE_PATH=$PWD/cache "
           "'%s/../ssedemo' --batch -ex 'break %s' -ex run -ex bt ./prog 2>&1",
           dir, port, TARGETS_DIR, bp);
  char *out = sh_out(cmd);
  snprintf(cmd, sizeof cmd,
           "cd '%s' && env DEBUGINFOD_URLS=http://127.0.0.1:%d DEBUGINFOD_CACHE_PATH=$PWD/gdbcache "
           "gdb -nx -batch -iex 'set debuginfod enabled on' -ex 'break %s' -ex run -ex bt prog 2>&1",
           dir, port, bp);
  char *gdb = sh_out(cmd);
  char want[64];
  snprintf(want, sizeof want, "symbols from http://127.0.0.1:%d/buildid/%s", port, id);
  cr_expect(strstr(out, want) != NULL, "no word of the download:\n%s", out);
  cr_expect(strstr(out, "Breakpoint 1, ") != NULL, "no stop:\n%s", out);
  frames_as_gdb(out, gdb);
  /* The index keeps what was downloaded like any file. */
  snprintf(cmd, sizeof cmd, "%s/ix/%s.sseidx", dir, id);
  cr_expect_eq(access(cmd, R_OK), 0, "the downloaded symbols are not in the index");
  free(out);
  free(gdb);
  free(id);
  stop_server();
  rm_rf(dir);
  free(dir);
}

/* A rewrite keeps what the old file had: a process that needs little
 * (one lookup in a function no earlier session looked at) rewrites the
 * file, and a full session after it still decodes nothing. */
Test(index, rewrite_keeps_what_the_file_had) {
  pid_t pid = spawn();
  char *dir = tmpdir();
  sse__modcache_stats s;
  answers ref = session(pid, dir, &s);
  sse__modcache *c = sse__modcache_new();
  sse__modcache_set_index(c, dir);
  sse__symtab *st = sse__symtab_new(c, pid);
  uint64_t entry;
  cr_assert_eq(sse__symtab_func_addr(st, "puts", &entry, NULL), 0);
  sse__loc l;
  cr_assert_eq(sse__symtab_lookup(st, entry, &l), 0);
  sse__symtab_free(st);
  sse__modcache_get_stats(c, &s);
  sse__modcache_free(c);
  cr_assert_gt(s.cu_decodes, 0, "puts's CU was in the index already");
  answers a = session(pid, dir, &s);
  cr_expect_eq(s.decodes + s.cu_decodes, 0, "the rewrite lost %u tables", s.decodes + s.cu_decodes);
  cr_assert_eq(a.hash, ref.hash);
  rm_rf(dir);
  free(dir);
}

/* A module indexed while it had no DWARF (only its ELF symbols) and whose
 * debug file appears later: the next process finds the debug file and
 * rebuilds the module's index, so FILE:LINE breakpoints and bt's lines
 * work at once, as gdb shows them with the same files. */
static char *demo_run(const char *dir, const char *ex) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && env -u DEBUGINFOD_URLS SSE_CACHE_DIR=ix '%s/../ssedemo' --batch %s ./prog 2>&1", dir,
           TARGETS_DIR, ex);
  return sh_out(cmd);
}

Test(index, debug_file_appearing_later_rebuilds) {
  char *dir = tmpdir(), cmd[4096];
  char *id = stripped_copy(dir, "objcopy --add-gnu-debuglink=prog.debug prog; mkdir away; mv prog.debug away/");
  /* Without the debug file: a stop by symbol, no lines; the index written. */
  char *before = demo_run(dir, "-ex 'break sum_squares' -ex run -ex bt");
  cr_assert(strstr(before, "Breakpoint 1, ") != NULL, "no stop by symbol:\n%s", before);
  char a[256], b[256];
  frame_at(before, 0, a, sizeof a);
  cr_assert_eq(a[0], '\0', "a line without DWARF: '%s'\n%s", a, before);
  char ixpath[4200];
  snprintf(ixpath, sizeof ixpath, "%s/ix/%s.sseidx", dir, id);
  struct stat st0;
  cr_assert_eq(stat(ixpath, &st0), 0, "no index written for the module without DWARF:\n%s", before);
  /* The debug file appears (installed beside the program, as its
   * .gnu_debuglink names it). */
  snprintf(cmd, sizeof cmd, "cd '%s' && mv away/prog.debug .", dir);
  cr_assert_eq(system(cmd), 0);
  const char *bp = "loops_calls.c:23";
  char ex[256];
  snprintf(ex, sizeof ex, "-ex 'break %s' -ex run -ex bt", bp);
  char *after = demo_run(dir, ex);
  snprintf(cmd, sizeof cmd, "cd '%s' && gdb -nx -batch -ex 'break %s' -ex run -ex bt prog 2>&1", dir, bp);
  char *gdb = sh_out(cmd);
  cr_expect(strstr(after, "Breakpoint 1, ") != NULL, "no stop at %s once the debug file is there:\n%s", bp, after);
  frames_as_gdb(after, gdb);
  /* The file was rebuilt with the DWARF's tables: a third process finds
   * them there too. */
  struct stat st1;
  cr_assert_eq(stat(ixpath, &st1), 0);
  cr_expect(st1.st_ino != st0.st_ino || st1.st_size != st0.st_size, "the index was not rebuilt");
  char *third = demo_run(dir, ex);
  frame_at(third, 0, a, sizeof a);
  frame_at(gdb, 0, b, sizeof b);
  cr_expect_str_eq(a, b, "third process: sse at '%s', gdb at '%s'\n%s", a, b, third);
  free(before);
  free(after);
  free(third);
  free(gdb);
  free(id);
  rm_rf(dir);
  free(dir);
}

/* The index answers everything a session asks (symbols, lines, function
 * names, inline chains, breakpoint addresses) without the DWARF: the
 * program's debug file is taken away after the first process indexed it,
 * and the next one answers the same; without the index it could not. */
Test(index, warm_session_needs_no_dwarf) {
  char *dir = tmpdir(), cmd[4096], prog[4200];
  /* At -O2, for inline blocks (square is inlined whole: not asked). */
  snprintf(cmd, sizeof cmd,
           "set -e; cd '%s'; mkdir ix away; gcc -g -O2 -o prog '%s/tests/targets/symtab_target.c';"
           " objcopy --only-keep-debug prog prog.debug; strip --strip-debug prog;"
           " objcopy --add-gnu-debuglink=prog.debug prog",
           dir, SSE_SRCDIR);
  cr_assert_eq(system(cmd), 0);
  static const char *const o2_funcs[] = {"sum_squares", "count_down", "main", NULL};
  funcs = o2_funcs;
  snprintf(prog, sizeof prog, "%s/prog", dir);
  char *old = getenv("SSE_SYMTAB_TARGET") ? strdup(getenv("SSE_SYMTAB_TARGET")) : NULL;
  setenv("SSE_SYMTAB_TARGET", prog, 1);
  pid_t pid = spawn();
  char ix[4200];
  snprintf(ix, sizeof ix, "%s/ix", dir);
  sse__modcache_stats s;
  answers ref = session(pid, ix, &s);
  cr_assert_gt(ref.lines, 20, "the debug file beside the program was not used");
  cr_assert_gt(ref.inlines, 0, "no inline block asked about");
  snprintf(cmd, sizeof cmd, "cd '%s' && mv prog.debug away/", dir);
  cr_assert_eq(system(cmd), 0);
  answers warm = session(pid, ix, &s);
  cr_expect_eq(s.decodes + s.cu_decodes, 0, "decoded %u tables", s.decodes + s.cu_decodes);
  cr_expect_eq(warm.n, ref.n);
  cr_expect_eq(warm.hash, ref.hash, "answers from the index without the DWARF differ");
  answers none = session(pid, NULL, &s);
  cr_expect_lt(none.lines, ref.lines, "lines found without the DWARF nor the index");
  restore_env("SSE_SYMTAB_TARGET", old);
  rm_rf(dir);
  free(dir);
}
