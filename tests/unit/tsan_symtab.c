/* TSan driver for src/symtab without Criterion (Criterion cannot start under
 * ThreadSanitizer: Snaipe/Criterion#274). Two processes of the target, one
 * cache, four threads racing on first decodes, lookups and `break` queries.
 * Exit status 0 on success; TSan reports make it non-zero (halt_on_error). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "symtab/symtab.h"

static pid_t kids[2];

static pid_t spawn(const char *prog) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    exit(2);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char arg[16];
    snprintf(arg, sizeof arg, "%d", dup(p[1]));
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(prog, prog, arg, (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char c;
  if (read(p[0], &c, 1) != 1)
    pid = -1;
  close(p[0]);
  return pid;
}

static void killall_kids(void) {
  for (int i = 0; i < 2; i++)
    if (kids[i] > 0) {
      kill(kids[i], SIGKILL);
      waitpid(kids[i], NULL, 0);
    }
}

static void *work(void *arg) {
  sse__symtab *st = arg;
  const char *names[] = {"main", "square", "printf", "count_down", "malloc"};
  for (int r = 0; r < 50; r++) {
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
      uint64_t e, post;
      sse__loc l;
      if (sse__symtab_func_addr(st, names[i], &e, &post) != 0 || sse__symtab_lookup(st, post, &l) != 0 || !l.has_line)
        return (void *)1;
    }
    uint64_t a[4];
    if (sse__symtab_line_addrs(st, "symtab_target.c", 18, a, 4) != 1)
      return (void *)1;
    if (r % 10 == 0 && sse__symtab_refresh(st) < 0)
      return (void *)1;
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *prog = argc > 1 ? argv[1] : "build/h-symtab/symtab_target";
  kids[0] = spawn(prog);
  kids[1] = spawn(prog);
  atexit(killall_kids);
  if (kids[0] <= 0 || kids[1] <= 0)
    return 2;
  sse__modcache *c = sse__modcache_new();
  sse__symtab *st[2] = {sse__symtab_new(c, kids[0]), sse__symtab_new(c, kids[1])};
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, work, st[i % 2]);
  int bad = 0;
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    bad += r != NULL;
  }
  unsigned decodes = sse__modcache_decode_count(c);
  sse__symtab_free(st[0]);
  sse__symtab_free(st[1]);
  sse__modcache_free(c);
  printf("tsan_symtab: %s (%u decodes)\n", bad ? "FAIL" : "ok", decodes);
  return bad ? 1 : 0;
}
