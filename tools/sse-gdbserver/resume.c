/* resume.c — running the target for vCont (and c, s, C, S), the \x03
 * interrupt while it runs, and stop replies.
 *
 * The command (sse_continue, sse_step_instruction, a range step) runs
 * where the packets are served. On sse's tracer thread (main.c) it is a
 * blocking call there and watch.c's thread turns a \x03 (or the client
 * going away) into sse_interrupt(). Elsewhere (stdio) it is started
 * asynchronously and this thread polls the connection and a pipe its stop
 * event writes to, interrupting it likewise.
 *
 * Range steps (vCont;r START,END): gdb's meaning is "single-step while the
 * pc stays in [START,END), report any other stop", calls stepped into
 * (gdb handles them itself). That is sse's SSE_STEP_RANGE, one command on
 * the tracer thread: it runs from branch to branch (a temporary
 * breakpoint, or a debug register, at the next instruction that may
 * branch, then the branch), so the stops are those of single-stepping
 * every instruction, as gdbserver does, in about two ptrace stops per
 * branch taken instead of one per instruction; it stops, as gdbserver
 * does, at an address gdb put a breakpoint on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"

/* ------------------------------------------------------------ signals */

/* gdb's signal numbers (gdb/signals.def) for Linux's 1..31. */
static const int to_gdb[32] = {
    0,  1,  2,  3,  4,  5,  6,  10, /* 7 SIGBUS */
    8,  9,  30, 11, 31, 13, 14, 15, /* 10 USR1, 12 USR2 */
    0,  20, 19, 17, 18, 21, 22, 16, /* 16 STKFLT, 17 CHLD, 18 CONT, 19 STOP, 20 TSTP, 23 URG */
    24, 25, 26, 27, 28, 23, 32, 12, /* 29 IO, 30 PWR, 31 SYS */
};

int gs_sig_to_gdb(int sig) {
  if (sig > 0 && sig < 32) return to_gdb[sig] ? to_gdb[sig] : 143; /* unknown */
  if (sig == 32) return 77;                  /* GDB_SIGNAL_REALTIME_32 */
  if (sig >= 33 && sig <= 63) return 45 + (sig - 33); /* REALTIME_33.. */
  if (sig == 64) return 78;                  /* REALTIME_64 */
  return 143;
}

int gs_sig_from_gdb(int g) {
  for (int s = 1; s < 65; s++)
    if (gs_sig_to_gdb(s) == g && g != 143) return s;
  return 0;
}

void gs_set_signal_policy(gs_session *s, const bool pass[65]) {
  /* gdb sends its list again around every step (empty while stepping):
   * only the signals that changed are told to sse */
  for (int sig = 1; sig < 65; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (s->policy_set && s->pass[sig] == pass[sig]) continue;
    /* pass: gdb would let it through unseen; else stop and let gdb say */
    sse_signal_policy(s->proc, sig, !pass[sig], true);
    s->pass[sig] = pass[sig];
  }
  s->policy_set = true;
}

/* ------------------------------------------------------------ stop replies */

static size_t put_le64(char *dst, uint64_t v) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; i++) {
    uint8_t b = (uint8_t)(v >> (8 * i));
    dst[2 * i] = hex[b >> 4];
    dst[2 * i + 1] = hex[b & 15];
  }
  dst[16] = 0;
  return 16;
}

void gs_stop_reply(gs_session *s, const sse_stop *st) {
  switch (st->reason) {
    case SSE_STOP_EXITED:
      if (s->multiprocess)
        gs_reply(s, "W%02x;process:%x", st->exit_status & 0xff, (unsigned)s->pid);
      else
        gs_reply(s, "W%02x", st->exit_status & 0xff);
      return;
    case SSE_STOP_KILLED:
    case SSE_STOP_DETACHED:
      if (s->multiprocess)
        gs_reply(s, "X%02x;process:%x", gs_sig_to_gdb(st->signo ? st->signo : SIGKILL),
                 (unsigned)s->pid);
      else
        gs_reply(s, "X%02x", gs_sig_to_gdb(st->signo ? st->signo : SIGKILL));
      return;
    default:
      break;
  }
  int sig = 5; /* SIGTRAP: steps, breakpoints, watchpoints, the first stop */
  if (st->reason == SSE_STOP_INTERRUPTED) sig = 2; /* gdbserver: SIGINT */
  if (st->reason == SSE_STOP_SIGNAL) sig = gs_sig_to_gdb(st->signo);
  char id[64], rbp[24] = "", rsp[17], rip[17];
  gs_format_tid(s, st->tid, id, sizeof id);
  put_le64(rsp, st->sp);
  put_le64(rip, st->pc);
  if (s->regs_tid == st->tid && st->tid > 0) {
    memcpy(rbp, "06:", 3);
    put_le64(rbp + 3, s->regs.rbp);
    rbp[19] = ';';
  }
  /* expedited, as gdbserver's: rbp (6), rsp (7) and rip (16), which gdb
   * needs first at every stop (with them it asks for no 'g') */
  int n = snprintf(s->reply, RSP_PACKET_SIZE, "T%02xthread:%s;%s07:%s;10:%s;", sig, id, rbp,
                   rsp, rip);
  const gs_bp *b = st->reason == SSE_STOP_BREAKPOINT || st->reason == SSE_STOP_WATCHPOINT
                       ? gs_bp_by_id(s, st->breakpoint_id)
                       : NULL;
  if (st->reason == SSE_STOP_BREAKPOINT && (!b || b->type == 0))
    n += snprintf(s->reply + n, RSP_PACKET_SIZE - n, "swbreak:;");
  else if (st->reason == SSE_STOP_BREAKPOINT)
    n += snprintf(s->reply + n, RSP_PACKET_SIZE - n, "hwbreak:;");
  else if (st->reason == SSE_STOP_WATCHPOINT)
    n += snprintf(s->reply + n, RSP_PACKET_SIZE - n, "%s:%llx;",
                  b && b->type == 4 ? "awatch" : "watch",
                  (unsigned long long)(b ? b->addr : st->watch_addr));
  s->reply_len = (size_t)n;
}

/* ------------------------------------------------------------ vCont */

typedef struct action {
  char kind;          /* c, s, r */
  int sig;            /* Linux signal to deliver, 0 none */
  uint64_t start, end;/* r */
  pid_t tid;          /* -1 (or 0): every thread not named before */
} action;

#define MAX_ACTIONS 16

static bool parse_actions(const char *p, action *acts, int *n) {
  *n = 0;
  while (*p) {
    if (*n == MAX_ACTIONS) return false;
    action *a = &acts[(*n)++];
    memset(a, 0, sizeof *a);
    a->tid = -1;
    char k = *p++;
    char *e;
    switch (k) {
      case 'c':
      case 's':
        a->kind = k;
        break;
      case 'C':
      case 'S': {
        unsigned long g = strtoul(p, &e, 16);
        if (e == p || g > 0xff) return false;
        p = e;
        a->kind = (char)(k - 'A' + 'a');
        a->sig = gs_sig_from_gdb((int)g);
        break;
      }
      case 'r': {
        a->kind = 'r';
        a->start = strtoull(p, &e, 16);
        if (e == p || *e != ',') return false;
        p = e + 1;
        a->end = strtoull(p, &e, 16);
        if (e == p) return false;
        p = e;
        break;
      }
      default:
        return false;
    }
    if (*p == ':') {
      const char *e2;
      if (!gs_parse_tid(p + 1, &a->tid, &e2)) return false;
      p = e2;
    }
    if (*p == ';')
      p++;
    else if (*p)
      return false;
  }
  return *n > 0;
}

/* ------------------------------------------------------------ the run */

/* The stop of a command started here, seen on the tracer thread (its
 * SSE_EV_STOPPED), which also reads the stopping thread's registers there
 * (for the stop reply's rbp and for 'g'), then, for a command started
 * asynchronously, wakes the main thread through a pipe: no thread of our
 * own runs the command, and nothing is handed to the tracer thread but the
 * command itself. */
struct gs_waiter {
  pthread_mutex_t lock;
  int pipe[2];          /* non-blocking; a byte per stop */
  atomic_bool armed;    /* a command of ours runs */
  atomic_bool notify;   /* its caller waits on the pipe (run_async) */
  sse_process *proc;
  sse_regs regs;        /* the stopping thread's, when regs_tid */
  pid_t regs_tid;
  int sub;
};

static void on_stopped(const sse_event *ev, void *user) {
  gs_waiter *w = user;
  if (ev->process != w->proc || !atomic_exchange(&w->armed, false)) return;
  pthread_mutex_lock(&w->lock);
  w->regs_tid = 0;
  if (ev->thread && sse_get_regs(ev->thread, &w->regs) == SSE_OK) w->regs_tid = ev->tid;
  pthread_mutex_unlock(&w->lock);
  if (!atomic_exchange(&w->notify, false)) return; /* a blocking call's: it returns */
  char c = 'd';
  ssize_t n = write(w->pipe[1], &c, 1);
  (void)n;
}

/* After sse_engine_free (which ends the subscription). */
void gs_waiter_free(gs_waiter *w) {
  if (!w) return;
  close(w->pipe[0]);
  close(w->pipe[1]);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

gs_waiter *gs_waiter_new(sse_engine *eng, sse_process *proc) {
  gs_waiter *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    free(w);
    return NULL;
  }
  pthread_mutex_init(&w->lock, NULL);
  atomic_init(&w->armed, false);
  atomic_init(&w->notify, false);
  w->proc = proc;
  if (sse_subscribe(eng, SSE_EV_STOPPED, on_stopped, w, &w->sub) != SSE_OK) {
    gs_waiter_free(w);
    return NULL;
  }
  return w;
}

/* Wait for the command's stop; \x03 or the connection's end interrupt it. */
static void watch_connection(gs_session *s, int pipe_r) {
  bool want_stop = false;
  for (;;) {
    struct pollfd pf[2] = {{.fd = pipe_r, .events = POLLIN},
                           {.fd = s->conn.in_fd, .events = POLLIN}};
    int nf = (want_stop || s->conn.closed) ? 1 : 2;
    int timeout = want_stop ? 100 : -1; /* an interrupt that came before the
                                           command started is sent again */
    if (!want_stop && rsp_buffered(&s->conn)) timeout = 0;
    int pr = poll(pf, (nfds_t)nf, timeout);
    if (pr < 0 && errno != EINTR) break;
    char c;
    if ((pf[0].revents & POLLIN) && read(pipe_r, &c, 1) == 1) break;
    if (want_stop) {
      sse_interrupt(s->proc);
      continue;
    }
    int ch;
    while ((ch = rsp_poll_byte(&s->conn)) >= 0) {
      if (ch == 0x03) want_stop = true;
      /* anything else while running (a stray ack) is dropped */
    }
    if (ch == -2) want_stop = true; /* the client is gone: stop, then end */
    if (want_stop) sse_interrupt(s->proc);
  }
}

/* Start the command: c (every thread), s (one instruction of t; sse steps
 * a system call as one instruction too: rt_sigreturn lands where the
 * signal interrupted, a signal the call raised is reported at the next
 * resume) or r (a range step of t). */
static sse_err start(gs_session *s, char kind, sse_thread *t, uint64_t lo, uint64_t hi) {
  if (kind == 'c') return sse_continue_async(s->proc);
  if (kind == 's') return sse_step_instruction_async(t);
  sse_step_frame f = {.mode = SSE_STEP_RANGE, .start = lo, .end = hi};
  return sse_step_async(t, &f);
}

/* Whether one instruction of t may take long: a system call (syscall,
 * int 0x80, sysenter) may block, every other instruction ends at once. */
static bool insn_may_block(gs_session *s, sse_thread *t) {
  sse_regs r;
  uint8_t b[2];
  if (sse_get_regs(t, &r) != SSE_OK || sse_read_memory(s->proc, r.rip, b, 2, NULL) != SSE_OK)
    return true;
  return (b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x34)) || (b[0] == 0xcd && b[1] == 0x80);
}

/* On the tracer thread: the command runs here to its stop, watch.c's
 * thread interrupts it. A step of one instruction that cannot block is not
 * watched: it is over before the watcher would wake (that wake-up would
 * compete with the program for a CPU), and a \x03 sent meanwhile is read
 * after its stop, as one that comes just after a stop is. */
static sse_err run_here(gs_session *s, char kind, sse_thread *t, uint64_t lo, uint64_t hi) {
  bool watch = kind != 's' || insn_may_block(s, t);
  if (watch) gs_watch_arm(s->watch, s->proc, rsp_buffered_interrupt(&s->conn));
  sse_err err;
  if (kind == 'c') {
    err = sse_continue(s->proc, &s->last);
  } else if (kind == 's') {
    err = sse_step_instruction(t, &s->last);
  } else {
    sse_step_frame f = {.mode = SSE_STEP_RANGE, .start = lo, .end = hi};
    err = sse_step(t, &f, &s->last);
  }
  if (watch) gs_watch_disarm(s->watch);
  return err;
}

/* Elsewhere: started here, its stop waited for while the connection is
 * watched. */
static sse_err run_async(gs_session *s, char kind, sse_thread *t, uint64_t lo, uint64_t hi) {
  gs_waiter *w = s->waiter;
  atomic_store(&w->notify, true);
  sse_err err = start(s, kind, t, lo, hi);
  if (err != SSE_OK) {
    atomic_store(&w->notify, false);
    return err;
  }
  watch_connection(s, w->pipe[0]);
  sse_wait(s->proc, &s->last);
  return SSE_OK;
}

/* Run it to its stop, which becomes the last one. */
static sse_err run(gs_session *s, char kind, sse_thread *t, uint64_t lo, uint64_t hi) {
  gs_waiter *w = s->waiter;
  char c;
  while (read(w->pipe[0], &c, 1) == 1) /* a wake-up of no command of ours */
    ;
  atomic_store(&w->armed, true);
  sse_err err = s->watch && sse_on_tracer_thread(s->eng) ? run_here(s, kind, t, lo, hi)
                                                          : run_async(s, kind, t, lo, hi);
  if (err != SSE_OK) {
    atomic_store(&w->armed, false);
    return err;
  }
  s->last_valid = true;
  pthread_mutex_lock(&w->lock);
  s->regs = w->regs;
  s->regs_tid = w->regs_tid == s->last.tid ? w->regs_tid : 0;
  pthread_mutex_unlock(&w->lock);
  return SSE_OK;
}

/* Signals: the thread that stopped for one gets what gdb says (C/S SIG:
 * deliver, c/s: drop); another thread named with a signal gets it. */
static void set_signals(gs_session *s, const action *acts, int n) {
  for (int i = 0; i < n; i++) {
    if (!acts[i].sig) continue;
    sse_thread *t = gs_thread(s, acts[i].tid > 0 ? acts[i].tid : s->signal_tid);
    if (t) {
      sse_thread_set_pending_signal(t, acts[i].sig);
      if (sse_thread_tid(t) == s->signal_tid) s->signal_tid = 0;
    }
  }
  if (s->signal_tid) {
    sse_thread *t = gs_thread(s, s->signal_tid);
    if (t) sse_thread_set_pending_signal(t, 0);
    s->signal_tid = 0;
  }
}

void gs_resume(gs_session *s, const char *text) {
  action acts[MAX_ACTIONS];
  int n;
  if (!parse_actions(text, acts, &n) || !s->waiter) {
    gs_reply_error(s, 0x16);
    return;
  }
  /* The thread that steps: the first s or r action's (all-stop: one thread
   * steps, the rest stay stopped while it does; gdb asks nothing else). */
  const action *step = NULL;
  for (int i = 0; i < n && !step; i++)
    if (acts[i].kind != 'c') step = &acts[i];
  sse_thread *t = NULL;
  if (step && !(t = gs_thread(s, step->tid > 0 ? step->tid : s->c_tid))) {
    gs_reply_error(s, 0x02);
    return;
  }
  rsp_flush_ack(&s->conn); /* gdb waits for it, not for the stop */
  set_signals(s, acts, n);
  gs_breaks_sync(s); /* what gdb removed goes before the program runs */
  s->regs_tid = 0;
  sse_err err = run(s, step ? step->kind : 'c', t, step ? step->start : 0, step ? step->end : 0);
  if (err != SSE_OK) {
    gs_reply_error(s, err == SSE_E_EXITED ? 0x03 : 0x01);
    return;
  }
  if (s->last.reason == SSE_STOP_SIGNAL) s->signal_tid = s->last.tid;
  if (s->last.tid > 0) s->g_tid = 0; /* registers of the stopping thread now */
  gs_stop_reply(s, &s->last);
}
