/* queue.c — the inbound queue of the engine's stops and module changes.
 * The tracer thread's callbacks push; the main thread, which polls the
 * client's input and this queue's pipe together, pops. A push never waits
 * for the main thread (the pipe is non-blocking: a full pipe is already a
 * wake-up). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "dap.h"

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static dap_item *q_head, *q_tail;
static int q_pipe[2] = {-1, -1};
static pthread_once_t q_once = PTHREAD_ONCE_INIT;

static void q_init(void) {
  if (pipe2(q_pipe, O_CLOEXEC | O_NONBLOCK)) abort();
}

int dap_queue_fd(void) {
  pthread_once(&q_once, q_init);
  return q_pipe[0];
}

void dap_queue_push(dap_item *it) {
  pthread_once(&q_once, q_init);
  it->next = NULL;
  pthread_mutex_lock(&q_mu);
  if (q_tail) q_tail->next = it;
  else q_head = it;
  q_tail = it;
  pthread_mutex_unlock(&q_mu);
  char c = 1;
  ssize_t r = write(q_pipe[1], &c, 1);
  (void)r;
}

dap_item *dap_queue_pop(void) {
  pthread_once(&q_once, q_init);
  char b[64];
  while (read(q_pipe[0], b, sizeof b) > 0) {
  }
  pthread_mutex_lock(&q_mu);
  dap_item *it = q_head;
  if (it) {
    q_head = it->next;
    if (!q_head) q_tail = NULL;
  }
  pthread_mutex_unlock(&q_mu);
  return it;
}

void dap_item_free(dap_item *it) {
  if (!it) return;
  free(it->frames);
  for (int i = 0; i < 2; i++) dap_values_free(it->vals[i], it->nvals[i]);
  free(it);
}
