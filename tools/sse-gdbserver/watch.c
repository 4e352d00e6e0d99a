/* watch.c — the \x03 interrupt while a resume runs on the tracer thread.
 *
 * When the packets are served on the engine's tracer thread (main.c), a
 * resume is a blocking sse call there, so another thread must see gdb's
 * \x03 (or the connection's end) and call sse_interrupt(), which does not
 * wait for the tracer thread. That thread only peeks at the socket
 * (MSG_PEEK): the bytes stay for rsp_recv, which reads the \x03 as
 * RSP_INTERRUPT once the stop is reported, so the connection has one
 * reader. Arming and disarming are a flag under a lock and a write to an
 * eventfd: neither waits for this thread, which wakes while the command
 * runs. An interrupt is made under the lock, for the command armed only,
 * and sent again every 100 ms until that command stops: one that came
 * before the command started finds no command to stop. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbserver.h"

struct gs_watch {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_t thread;
  int fd;          /* the connection's socket (peeked, never read) */
  int efd;         /* eventfd: armed or disarmed, or quit */
  sse_process *proc;
  uint64_t gen;    /* the armed command's number */
  bool armed, quit;
  bool early;      /* a \x03 was read before the command started */
};

/* Interrupt the command numbered gen if it still runs. */
static void interrupt_armed(gs_watch *w, uint64_t gen) {
  pthread_mutex_lock(&w->lock);
  if (w->armed && w->gen == gen) sse_interrupt(w->proc);
  pthread_mutex_unlock(&w->lock);
}

static bool still_armed(gs_watch *w, uint64_t gen) {
  pthread_mutex_lock(&w->lock);
  bool on = w->armed && w->gen == gen && !w->quit;
  pthread_mutex_unlock(&w->lock);
  return on;
}

/* What the unread bytes say: 1 interrupt (\x03, or the client is gone),
 * 0 other bytes (gdb sends none while the program runs), -1 none yet. */
static int peek(int fd) {
  char buf[256];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return 1;
  if (n < 0) return errno == EAGAIN || errno == EINTR ? -1 : 1;
  return memchr(buf, 0x03, (size_t)n) ? 1 : 0;
}

/* Watch one armed command until it is disarmed. */
static void watch_command(gs_watch *w, uint64_t gen, bool stop) {
  bool other = false; /* bytes but no \x03: look again now and then */
  while (still_armed(w, gen)) {
    struct pollfd pf[2] = {{.fd = w->efd, .events = POLLIN},
                           {.fd = w->fd, .events = POLLIN}};
    int nf = stop || other ? 1 : 2;
    int pr = poll(pf, (nfds_t)nf, stop ? 100 : other ? 10 : -1);
    if (pr < 0 && errno != EINTR) return;
    uint64_t v;
    if ((pf[0].revents & POLLIN) && read(w->efd, &v, sizeof v) < 0 && errno != EAGAIN)
      return;
    if (!stop && (pr == 0 || (nf == 2 && pf[1].revents))) {
      int k = peek(w->fd);
      stop = k == 1;
      other = k == 0;
    }
    if (stop) interrupt_armed(w, gen);
  }
}

static void *watch_main(void *arg) {
  gs_watch *w = arg;
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (!w->armed && !w->quit) pthread_cond_wait(&w->cond, &w->lock);
    if (w->quit) break;
    uint64_t gen = w->gen;
    bool early = w->early;
    pthread_mutex_unlock(&w->lock);
    watch_command(w, gen, early);
    pthread_mutex_lock(&w->lock);
    while (w->armed && w->gen == gen && !w->quit) /* poll failed: wait it out */
      pthread_cond_wait(&w->cond, &w->lock);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

gs_watch *gs_watch_new(int sock_fd) {
  gs_watch *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->fd = sock_fd;
  w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  if (w->efd < 0 || pthread_create(&w->thread, NULL, watch_main, w) != 0) {
    if (w->efd >= 0) close(w->efd);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  return w;
}

static void kick(gs_watch *w) {
  uint64_t one = 1;
  ssize_t n = write(w->efd, &one, sizeof one);
  (void)n; /* a full counter wakes the thread as well */
  pthread_cond_signal(&w->cond);
}

void gs_watch_arm(gs_watch *w, sse_process *proc, bool early) {
  pthread_mutex_lock(&w->lock);
  w->proc = proc;
  w->gen++;
  w->armed = true;
  w->early = early;
  kick(w);
  pthread_mutex_unlock(&w->lock);
}

void gs_watch_disarm(gs_watch *w) {
  pthread_mutex_lock(&w->lock);
  w->armed = false;
  kick(w);
  pthread_mutex_unlock(&w->lock);
}

void gs_watch_free(gs_watch *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->quit = true;
  kick(w);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  close(w->efd);
  pthread_cond_destroy(&w->cond);
  pthread_mutex_destroy(&w->lock);
  free(w);
}
