/* transport.c — the Debug Adapter Protocol's base protocol: each message
 * is "Content-Length: N\r\n\r\n" and N bytes of JSON. Reading frames on
 * the reader thread; writing through one writer thread, so that a slow
 * client never blocks the tracer thread's callbacks or the main thread. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dap.h"

#define DAP_MAX_BODY (64u << 20)

/* ------------------------------------------------------------ reading */

static bool fill(dap_conn *c) {
  if (c->cap - c->len < 4096) {
    size_t cap = c->cap ? c->cap * 2 : 65536;
    char *nb = realloc(c->buf, cap);
    if (!nb) return false;
    c->buf = nb;
    c->cap = cap;
  }
  for (;;) {
    ssize_t r = read(c->in_fd, c->buf + c->len, c->cap - c->len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    c->len += (size_t)r;
    return true;
  }
}

static void consume(dap_conn *c, size_t n) {
  memmove(c->buf, c->buf + n, c->len - n);
  c->len -= n;
}

/* The header block's end ("\r\n\r\n"), or -1 while incomplete. */
static long header_end(const dap_conn *c) {
  for (size_t i = 0; i + 3 < c->len; i++)
    if (!memcmp(c->buf + i, "\r\n\r\n", 4)) return (long)i;
  return -1;
}

/* The Content-Length of the header block [0, end): -1 when missing or not a
 * number. Other header fields (Content-Type) are allowed and ignored, and
 * so are bytes before the field: what is left of a body whose length was
 * given too short. */
static long long content_length(const char *h, size_t end) {
  const char *key = "Content-Length:";
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl <= end; i++) {
    if (!strncasecmp(h + i, key, kl)) {
      const char *p = h + i + kl;
      while (*p == ' ') p++;
      char *q;
      errno = 0;
      long long v = strtoll(p, &q, 10);
      if (q == p || errno || v < 0 || (*q != '\r' && *q != '\n')) return -1;
      return v;
    }
  }
  return -1;
}

int dap_conn_fill(dap_conn *c) { return fill(c) ? 1 : 0; }

int dap_take_frame(dap_conn *c, char **body, size_t *n, char *err, size_t errsz) {
  long end = header_end(c);
  if (end < 0) {
    if (c->len <= 8192) return 0;
    snprintf(err, errsz, "malformed message: no Content-Length header");
    c->len = 0; /* no header in sight: drop what came */
    return -1;
  }
  long long len = content_length(c->buf, (size_t)end);
  if (len < 0 || len > DAP_MAX_BODY) {
    consume(c, (size_t)end + 4);
    snprintf(err, errsz, "malformed message: %s Content-Length",
             len < 0 ? "a missing or invalid" : "a too large");
    return -1;
  }
  if (c->len < (size_t)end + 4 + (size_t)len) return 0;
  consume(c, (size_t)end + 4);
  *body = malloc((size_t)len + 1);
  if (!*body) return 0;
  memcpy(*body, c->buf, (size_t)len);
  (*body)[len] = 0;
  *n = (size_t)len;
  consume(c, (size_t)len);
  return 1;
}

int dap_listen_accept(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1) ||
      getsockname(s, (struct sockaddr *)&a, &al)) {
    perror("ssedap: listen");
    close(s);
    return -1;
  }
  fprintf(stderr, "Listening on port %d\n", ntohs(a.sin_port));
  fflush(stderr);
  int c;
  do c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
  while (c < 0 && errno == EINTR);
  close(s);
  return c;
}

/* ------------------------------------------------------------ writing */

typedef struct out_msg {
  char *text;
  struct out_msg *next;
} out_msg;

static pthread_mutex_t w_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t w_cv = PTHREAD_COND_INITIALIZER;
static out_msg *w_head, *w_tail;
static bool w_stop, w_started, w_busy;
static pthread_t w_main;      /* the thread that may write directly */
static bool w_main_set;
static long long w_seq;
static int w_fd = -1;
static pthread_t w_thread;

static void write_all(const char *s, size_t n) {
  while (n) {
    ssize_t r = write(w_fd, s, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return; /* the client went away: drop */
    s += r;
    n -= (size_t)r;
  }
}

static void *writer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&w_mu);
  for (;;) {
    while (!w_head && !w_stop) pthread_cond_wait(&w_cv, &w_mu);
    if (!w_head) break;
    if (w_busy) { /* the main thread writes: wait for it */
      pthread_cond_wait(&w_cv, &w_mu);
      continue;
    }
    out_msg *m = w_head;
    w_head = m->next;
    w_busy = true;
    if (!w_head) w_tail = NULL;
    pthread_mutex_unlock(&w_mu);
    char hdr[64];
    size_t n = strlen(m->text);
    int hl = snprintf(hdr, sizeof hdr, "Content-Length: %zu\r\n\r\n", n);
    write_all(hdr, (size_t)hl);
    write_all(m->text, n);
    free(m->text);
    free(m);
    pthread_mutex_lock(&w_mu);
    w_busy = false;
    pthread_cond_broadcast(&w_cv);
  }
  pthread_mutex_unlock(&w_mu);
  return NULL;
}

void dap_writer_start(int fd) {
  w_fd = fd;
  w_main = pthread_self();
  w_main_set = true;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  w_started = pthread_create(&w_thread, NULL, writer, NULL) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void dap_send(json_t *msg) {
  if (!msg) return;
  out_msg *m = calloc(1, sizeof *m);
  pthread_mutex_lock(&w_mu);
  json_object_set_new(msg, "seq", json_integer(++w_seq));
  if (m) m->text = json_dumps(msg, JSON_COMPACT);
  /* The main thread writes its own messages when nothing is queued before
   * them (one hand-over less per response); others' go to the writer
   * thread, so that no callback ever waits for the client. */
  bool direct = m && m->text && !w_stop && !w_head && w_main_set &&
                pthread_equal(pthread_self(), w_main);
  while (direct && w_busy) pthread_cond_wait(&w_cv, &w_mu);
  direct = direct && !w_head;
  if (direct) {
    w_busy = true;
    pthread_mutex_unlock(&w_mu);
    char hdr[64];
    size_t n = strlen(m->text);
    int hl = snprintf(hdr, sizeof hdr, "Content-Length: %zu\r\n\r\n", n);
    write_all(hdr, (size_t)hl);
    write_all(m->text, n);
    pthread_mutex_lock(&w_mu);
    w_busy = false;
    pthread_cond_broadcast(&w_cv);
  } else if (m && m->text && !w_stop) {
    if (w_tail) w_tail->next = m;
    else w_head = m;
    w_tail = m;
    m = NULL;
    pthread_cond_signal(&w_cv);
  }
  pthread_mutex_unlock(&w_mu);
  if (m) free(m->text);
  free(m);
  json_decref(msg);
}

void dap_writer_stop(void) {
  pthread_mutex_lock(&w_mu);
  w_stop = true;
  pthread_cond_signal(&w_cv);
  pthread_mutex_unlock(&w_mu);
  if (w_started) pthread_join(w_thread, NULL);
  w_started = false;
}
