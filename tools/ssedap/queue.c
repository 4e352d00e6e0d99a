/* queue.c — the inbound queue. The reader thread pushes requests, the
 * tracer thread's callbacks push stops and module changes; the main thread
 * pops them one at a time, so requests are served in order and every piece
 * of session state has one owner. A push never waits for the main thread. */
#include <stdlib.h>

#include "dap.h"

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static dap_item *q_head, *q_tail;

void dap_queue_push(dap_item *it) {
  it->next = NULL;
  pthread_mutex_lock(&q_mu);
  if (q_tail) q_tail->next = it;
  else q_head = it;
  q_tail = it;
  pthread_cond_signal(&q_cv);
  pthread_mutex_unlock(&q_mu);
}

dap_item *dap_queue_pop(void) {
  pthread_mutex_lock(&q_mu);
  while (!q_head) pthread_cond_wait(&q_cv, &q_mu);
  dap_item *it = q_head;
  q_head = it->next;
  if (!q_head) q_tail = NULL;
  pthread_mutex_unlock(&q_mu);
  return it;
}

void dap_item_free(dap_item *it) {
  if (!it) return;
  json_decref(it->msg);
  free(it->text);
  free(it);
}
