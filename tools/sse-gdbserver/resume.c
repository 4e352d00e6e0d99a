/* resume.c — running the target for vCont (and c, s, C, S), the \x03
 * interrupt while it runs, and stop replies.
 *
 * The command (sse_continue, sse_step_instruction, a range step) runs on
 * a thread of its own; the main thread polls the connection and that
 * thread's pipe, so a \x03 (or the client going away) becomes
 * sse_interrupt() while the command runs.
 *
 * Range steps (vCont;r START,END): gdb's meaning is "single-step while the
 * pc stays in [START,END), report any other stop", calls stepped into
 * (gdb handles them itself). sse's step frames with a range are line
 * modes, which decide more once the pc leaves it (a mid-line pc steps on,
 * a callee runs to its post-prologue line): not what gdb asked. So the
 * server ranges itself, the way sse's own range stepping does: it decodes
 * from the pc to the next instruction that may branch (sse_disassemble),
 * runs to it in one go (sse_step_until: a temporary breakpoint, no single
 * steps), and single-steps the branch (sse_step_instruction); the stops
 * are those of single-stepping every instruction, as gdbserver does, in
 * about two ptrace stops per branch taken. (In a function without unwind
 * information, where sse_step_until cannot tell its frame, it single-steps
 * every instruction.) It stops, as gdbserver does,
 * at an address gdb put a breakpoint on.
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

static const gs_bp *bp_by_id(const gs_session *s, int id) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (s->bps[i].id == id) return &s->bps[i];
  return NULL;
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
  char id[64], rsp[17], rip[17];
  gs_format_tid(s, st->tid, id, sizeof id);
  put_le64(rsp, st->sp);
  put_le64(rip, st->pc);
  /* expedited: rsp (7) and rip (16), which gdb needs first at every stop */
  int n = snprintf(s->reply, RSP_PACKET_SIZE, "T%02xthread:%s;07:%s;10:%s;", sig, id, rsp,
                   rip);
  const gs_bp *b = st->reason == SSE_STOP_BREAKPOINT || st->reason == SSE_STOP_WATCHPOINT
                       ? bp_by_id(s, st->breakpoint_id)
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

/* ------------------------------------------------------------ the runner */

typedef struct run {
  gs_session *s;
  char kind;          /* c, s, r */
  sse_thread *thread; /* s, r */
  uint64_t start, end;
  atomic_bool interrupted;
  sse_stop stop;
  sse_err err;
  int pipe_w;
} run;

static bool at_gdb_breakpoint(const gs_session *s, uint64_t pc) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (s->bps[i].id && s->bps[i].type <= 1 && s->bps[i].addr == pc) return true;
  return false;
}

/* Whether an instruction may leave straight-line flow: a jump, call,
 * return, loop, system call, interrupt, or one that is not one. A
 * rep-prefixed string instruction counts too (a single step runs one
 * iteration of it, and the pc stays). */
static bool may_branch(const sse_insn *in) {
  static const char *const words[] = {"j", "call", "ret", "loop", "sys", "int", "iret",
                                      "lret", "ud", "hlt", "rep", "xbegin", "xabort",
                                      "enter", "bnd", "notrack"};
  if (in->invalid || in->has_target) return true;
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (!strncmp(in->mnemonic, words[i], strlen(words[i]))) return true;
  return false;
}

/* Where straight-line flow from pc (inside [start, end)) first reaches an
 * instruction that may branch, or leaves the range; pc itself when it is
 * one (or the code cannot be decoded): single-step there. */
static uint64_t straight_line_end(run *r, uint64_t pc) {
  sse_insn ins[32];
  size_t n = 0;
  sse_disassemble(r->s->proc, pc, 32, ins, &n);
  for (size_t i = 0; i < n; i++) {
    if (ins[i].addr >= r->end) return ins[i].addr;
    if (may_branch(&ins[i])) return ins[i].addr;
    if (i > 0 && at_gdb_breakpoint(r->s, ins[i].addr)) return ins[i].addr;
  }
  return n > 0 ? ins[n - 1].addr : pc; /* on from the last one decoded */
}

/* One instruction, as the kernel's single step does it: sse steps a system
 * call as one instruction too (rt_sigreturn lands where the signal
 * interrupted; a signal the call raised is reported at the next resume,
 * after the step's stop). */
static sse_err step_one(run *r) { return sse_step_instruction(r->thread, &r->stop); }

static bool in_range(const run *r, uint64_t pc) { return pc >= r->start && pc < r->end; }

/* vCont;r: step until the pc leaves [start, end), stopping at any other
 * event and at gdb's breakpoints. */
static void range_step(run *r) {
  sse_regs regs;
  r->err = sse_get_regs(r->thread, &regs);
  if (r->err != SSE_OK) return;
  uint64_t pc = regs.rip;
  /* sse_step_until knows its frame by the CFA: without unwind info for
   * this function (frame 1 found by the frame-pointer walk) the CFA is a
   * guess that a push can change, and the run would go on to the return.
   * There, single steps only. */
  sse_frame fr[2];
  size_t nf = 0;
  bool runs = sse_backtrace(r->thread, fr, 2, &nf) == SSE_OK && nf == 2 && !fr[1].fp_fallback;
  for (;;) {
    uint64_t to = runs && in_range(r, pc) ? straight_line_end(r, pc) : pc;
    if (to != pc)
      r->err = sse_step_until(r->thread, to, &r->stop);
    else
      r->err = step_one(r);
    if (r->err != SSE_OK || r->stop.reason != SSE_STOP_STEP) return;
    pc = r->stop.pc;
    if (!in_range(r, pc) || at_gdb_breakpoint(r->s, pc)) return;
    if (atomic_load(&r->interrupted)) {
      r->stop.reason = SSE_STOP_INTERRUPTED;
      return;
    }
  }
}

static void *runner(void *arg) {
  run *r = arg;
  memset(&r->stop, 0, sizeof r->stop);
  if (r->kind == 'c')
    r->err = sse_continue(r->s->proc, &r->stop);
  else if (r->kind == 'r')
    range_step(r);
  else
    r->err = step_one(r);
  char c = 'd';
  ssize_t w = write(r->pipe_w, &c, 1);
  (void)w;
  return NULL;
}

/* Wait for the runner; \x03 or the connection's end interrupt it. */
static void watch_connection(gs_session *s, run *r, int pipe_r) {
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
    if (pf[0].revents & POLLIN) break;
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
    if (want_stop) {
      atomic_store(&r->interrupted, true);
      sse_interrupt(s->proc);
    }
  }
}

void gs_resume(gs_session *s, const char *text) {
  action acts[MAX_ACTIONS];
  int n;
  if (!parse_actions(text, acts, &n)) {
    gs_reply_error(s, 0x16);
    return;
  }
  /* The thread that steps: the first s or r action's (all-stop: one thread
   * steps, the rest stay stopped while it does; gdb asks nothing else). */
  const action *step = NULL;
  for (int i = 0; i < n && !step; i++)
    if (acts[i].kind != 'c') step = &acts[i];
  run r = {.s = s, .kind = step ? step->kind : 'c'};
  atomic_init(&r.interrupted, false);
  if (step) {
    r.thread = gs_thread(s, step->tid > 0 ? step->tid : s->c_tid);
    r.start = step->start;
    r.end = step->end;
    if (!r.thread) {
      gs_reply_error(s, 0x02);
      return;
    }
  }
  /* Signals: the thread that stopped for one gets what gdb says (C/S SIG:
   * deliver, c/s: drop); another thread named with a signal gets it. */
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
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    gs_reply_error(s, 0x0c);
    return;
  }
  r.pipe_w = fds[1];
  pthread_t th;
  if (pthread_create(&th, NULL, runner, &r) != 0) {
    close(fds[0]);
    close(fds[1]);
    gs_reply_error(s, 0x0c);
    return;
  }
  watch_connection(s, &r, fds[0]);
  pthread_join(th, NULL);
  close(fds[0]);
  close(fds[1]);
  if (r.err != SSE_OK) {
    gs_reply_error(s, r.err == SSE_E_EXITED ? 0x03 : 0x01);
    return;
  }
  s->last = r.stop;
  s->last_valid = true;
  if (r.stop.reason == SSE_STOP_SIGNAL) s->signal_tid = r.stop.tid;
  if (r.stop.tid > 0) s->g_tid = 0; /* registers of the stopping thread now */
  gs_stop_reply(s, &r.stop);
}
