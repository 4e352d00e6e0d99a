/* test_gdbserver.h — what the sse-gdbserver suites share: starting the
 * server on 127.0.0.1:0 (it prints the port it got, "Listening on port
 * N", as gdbserver does), gdb in batch mode against it, and a raw socket
 * for the protocol itself. The server and a program a test started itself
 * are killed on every exit path (cleanup, the suites' .fini). */
#ifndef SSE_TEST_GDBSERVER_H
#define SSE_TEST_GDBSERVER_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define RSP_BIG 0x5000 /* longer than the server's PacketSize */

#define tgt(name) ((char *)tpath(name))

static inline char *server_bin(void) {
  char *s = tgt("../sse-gdbserver");
  cr_assert(access(s, X_OK) == 0, "sse-gdbserver not built: %s", s);
  return s;
}

/* ------------------------------------------------------------ the server */

static pid_t g_server = -1;
static pid_t g_victim = -1; /* a program the test started itself (attach) */
static int g_port;
static char g_out[256];     /* the server's stdout (its target's output) */

static inline void cleanup(void) {
  if (g_server > 0) {
    kill(g_server, SIGKILL);
    waitpid(g_server, NULL, 0);
    g_server = -1;
  }
  if (g_victim > 0) {
    kill(g_victim, SIGKILL);
    waitpid(g_victim, NULL, 0);
    g_victim = -1;
  }
  if (g_out[0]) unlink(g_out);
  g_out[0] = 0;
}

/* Start `sse-gdbserver 127.0.0.1:0 ARGS...`; read the port it listens on. */
static inline void server_start(const char *const *args) {
  int pfd[2];
  cr_assert(pipe(pfd) == 0);
  const char *tmp = getenv("TMPDIR");
  snprintf(g_out, sizeof g_out, "%s/gdbserver-test-%d.out", tmp && *tmp ? tmp : "/tmp",
           (int)getpid());
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    const char *argv[16];
    int n = 0;
    argv[n++] = server_bin();
    for (; args[n - 1] && n < 15; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    dup2(pfd[1], 2);
    int o = open(g_out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    close(pfd[0]);
    execv(argv[0], (char **)argv);
    _exit(127);
  }
  g_server = pid;
  close(pfd[1]);
  FILE *f = fdopen(pfd[0], "r");
  char line[512];
  g_port = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Listening on port %d", &g_port) == 1) break;
  /* the rest of its stderr is not read: keep the pipe from filling */
  int fd = dup(fileno(f));
  fclose(f);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  (void)fd; /* left open (and small output) for the server's life */
  cr_assert(g_port > 0, "sse-gdbserver printed no port");
}

static inline void server_start_prog(const char *prog) {
  const char *args[] = {"127.0.0.1:0", prog, NULL};
  server_start(args);
}

/* Wait (bounded, 10 s) for the server to exit; its exit status or -1. */
static inline int server_wait(void) {
  for (int i = 0; i < 1000; i++) {
    int st;
    pid_t r = waitpid(g_server, &st, WNOHANG);
    if (r == g_server) {
      g_server = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return -1;
}

/* Wait (bounded, 10 s) until pid runs prog: exec'd, ready to attach to. */
static inline void wait_exec(pid_t pid, const char *prog) {
  char link[64], exe[4096] = "";
  snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
  for (int i = 0; i < 1000; i++) {
    ssize_t n = readlink(link, exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    if (!strcmp(exe, prog)) return;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  cr_assert_fail("process %d never ran %s (%s)", (int)pid, prog, exe);
}

static inline char *remote_arg(void) {
  static char s[64];
  snprintf(s, sizeof s, "target remote 127.0.0.1:%d", g_port);
  return s;
}

/* The whole output of a shell command (its stdout; 2>&1 in cmd for both). */
static inline char *run_shell(const char *cmd) {
  FILE *f = popen(cmd, "r");
  cr_assert(f);
  size_t cap = 65536, len = 0, r;
  char *buf = malloc(cap);
  while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += r;
    if (cap - len < 4096) buf = realloc(buf, cap *= 2);
  }
  buf[len] = 0;
  pclose(f);
  return buf;
}

/* Run gdb -batch: `target` (a connect command: target remote ..., target
 * extended-remote ...; NULL: none, native gdb), then the -ex commands, on
 * prog ("": none); its stdout and stderr. */
static inline char *run_gdb_target(const char *target, const char *prog,
                                   const char *const *cmds) {
  char *cmd = NULL;
  size_t cl = 0;
  FILE *m = open_memstream(&cmd, &cl);
  fprintf(m, "timeout -s KILL 60 gdb -batch -nx -ex 'set confirm off'");
  if (target) fprintf(m, " -ex '%s'", target);
  for (int i = 0; cmds[i]; i++) fprintf(m, " -ex '%s'", cmds[i]);
  fprintf(m, " %s 2>&1", prog);
  fclose(m);
  char *out = run_shell(cmd);
  free(cmd);
  return out;
}

static inline char *run_gdb(const char *prog, const char *const *cmds) {
  return run_gdb_target(remote_arg(), prog, cmds);
}

/* ------------------------------------------------------------ raw protocol */

static inline int raw_connect(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
  return fd;
}

static inline void raw_send(int fd, const char *s) {
  size_t n = strlen(s);
  cr_assert_eq(write(fd, s, n), (ssize_t)n);
}

static inline void raw_packet(int fd, const char *body) {
  unsigned sum = 0;
  for (const char *p = body; *p; p++) sum += (unsigned char)*p;
  char buf[1024];
  snprintf(buf, sizeof buf, "$%s#%02x", body, sum & 0xff);
  raw_send(fd, buf);
}

/* Read until `want` appears (bounded: 10 s); what was read. */
static inline char *raw_expect(int fd, const char *want) {
  static char buf[8192];
  size_t len = 0;
  buf[0] = 0;
  for (int i = 0; i < 100 && !strstr(buf, want); i++) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r <= 0) break;
    len += (size_t)r;
    buf[len] = 0;
  }
  cr_assert(strstr(buf, want), "wanted \"%s\", got \"%s\"", want, buf);
  return buf;
}

/* qC's answer: the program's one thread, whose tid is its pid. */
static inline long raw_current_thread(int fd) {
  raw_packet(fd, "qC");
  char *r = raw_expect(fd, "#");
  char *qc = strstr(r, "QC");
  cr_assert(qc, "%s", r);
  return strtol(qc + 2, NULL, 16);
}

#endif
