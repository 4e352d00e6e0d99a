/* Parked threads: an all-stop leaves a thread asleep in a private futex
 * wait with no timeout where it is, neither interrupted nor waited for
 * nor resumed. Once every other thread of the process is in a
 * ptrace-stop, nothing can wake it (a private futex is woken only by the
 * process's own threads; a signal goes through a signal-delivery-stop the
 * wait sees), so it cannot return to user mode: as good as stopped.
 *
 * What is read: /proc/PID/task/TID/syscall, printed by the kernel's
 * task_current_syscall only when the task stays off the CPU in one sleep
 * across the read ("running" otherwise: also a task woken and not yet
 * run), and .../schedstat, whose figures (time run, time waited, times
 * run) change whenever the task is scheduled in. A thread is parked when
 *   schedstat read (c1), then syscall read: in the wait    (the probe)
 *   ... every other thread stopped (time T) ...
 *   syscall read: in the wait, then schedstat read == c1   (the confirm)
 * Asleep at its first syscall read and never scheduled in until after
 * the second, it slept through T, when nothing could wake it. A thread
 * parked at the last stop has such a c1 already (it has not run since):
 * only the confirm is read. Tracer thread only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "ptrace/park.h"

bool sse__park_enabled(void) {
  static _Atomic int on = -1; /* read by every engine's tracer thread */
  int v = atomic_load_explicit(&on, memory_order_relaxed);
  if (v < 0) {
    const char *e = getenv("SSE_PARK_THREADS");
    v = !(e && strcmp(e, "0") == 0);
    atomic_store_explicit(&on, v, memory_order_relaxed);
  }
  return v;
}

/* pread of /proc/PID/task/TID/<name>, the file opened the first time and
 * kept (*fdp holds fd + 1). Returns the length, or -1. */
static ssize_t read_task_file(sse_thread *t, int *fdp, const char *name, char *buf,
                              size_t size) {
  if (!*fdp) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/%s", (int)t->proc->pid, (int)t->tid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    *fdp = fd + 1;
  }
  ssize_t n = pread(*fdp - 1, buf, size - 1, 0);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

static bool read_schedstat(sse_thread *t, uint64_t v[3]) {
  char buf[96];
  if (read_task_file(t, &t->park_ss_fd, "schedstat", buf, sizeof buf) <= 0) return false;
  return sscanf(buf, "%" SCNu64 " %" SCNu64 " %" SCNu64, &v[0], &v[1], &v[2]) == 3;
}

/* Asleep in futex(FUTEX_WAIT or FUTEX_WAIT_BITSET, private, no timeout). */
static bool in_futex_wait(sse_thread *t) {
  char buf[256];
  if (read_task_file(t, &t->park_sc_fd, "syscall", buf, sizeof buf) <= 0) return false;
  long nr;
  unsigned long a[6];
  if (sscanf(buf, "%ld %lx %lx %lx %lx %lx %lx", &nr, &a[0], &a[1], &a[2], &a[3], &a[4],
             &a[5]) != 7)
    return false; /* "running", or not in a system call */
  int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
  return nr == SYS_futex && (op & FUTEX_PRIVATE_FLAG) &&
         (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && a[3] == 0;
}

bool sse__park_probe(sse_thread *t) {
  if (t->sigstop_expected) return false;
  if (t->park_ref) return true;
  return read_schedstat(t, t->park_ss) && (t->park_ref = in_futex_wait(t));
}

static void unpark_cb(void *owner) { sse__thread_unpark(owner); }

bool sse__park_confirm(sse_thread *t) {
  uint64_t now[3];
  bool ok = in_futex_wait(t) && read_schedstat(t, now) &&
            memcmp(now, t->park_ss, sizeof now) == 0 &&
            sse__pt_park(t->tid, t, unpark_cb) == 0;
  t->park_ref = ok;
  if (!ok) return false;
  t->parked = true;
  t->proc->nparked++;
  t->state = SSE__T_STOPPED;
  t->quiet_stop = true; /* no int3 of ours to step off */
  t->regs_valid = false;
  t->inl.valid = false;
  return true;
}

void sse__park_forget(sse_thread *t) {
  if (!t->parked) return;
  t->parked = false;
  t->proc->nparked--;
  sse__pt_park_forget(t->tid);
}

void sse__park_release(sse_thread *t) {
  sse__park_forget(t);
  t->park_ref = false;
  if (t->park_sc_fd) close(t->park_sc_fd - 1);
  if (t->park_ss_fd) close(t->park_ss_fd - 1);
  t->park_sc_fd = t->park_ss_fd = 0;
}
