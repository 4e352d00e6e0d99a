/* The public execution, state and lookup calls: each is a delegate to the
 * tracer thread (or a direct call on it), except that sse_read_memory
 * first tries to read a stopped process on the calling thread and sse_wait
 * only waits. Blocking commands start on the tracer thread and the caller
 * then waits for the command's stop. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/user.h>

#include "internal.h"
#include "symtab/symtab.h"


_Static_assert(sizeof(sse_regs) == sizeof(sse__regs),
               "sse_regs must mirror the architecture's register set");

/* ------------------------------------------------------------ commands */

typedef struct run_req {
  sse_process *p;
  sse__op_kind kind;
  sse_thread *t;
  sse_step_frame frame;
  uint64_t seq;
  sse_err err;
} run_req;

static void do_start(void *arg) {
  run_req *r = arg;
  sse_process *p = r->p;
  pthread_mutex_lock(&p->engine->lock);
  bool busy = p->running;
  pthread_mutex_unlock(&p->engine->lock);
  if (p->exited) {
    r->err = SSE_E_EXITED;
    return;
  }
  if (busy) {
    r->err = SSE_E_BUSY;
    return;
  }
  pthread_mutex_lock(&p->engine->lock);
  r->seq = ++p->ops_started;
  pthread_mutex_unlock(&p->engine->lock);
  r->err = sse__run_start(p, r->kind, r->t, r->kind == SSE__OP_STEP ? &r->frame : NULL);
  if (r->err) {
    pthread_mutex_lock(&p->engine->lock);
    p->ops_finished = p->ops_started;
    pthread_mutex_unlock(&p->engine->lock);
    sse__engine_mark_reported(p, r->seq);
  }
}

/* Wait until the command numbered seq has reported its stop; `seen`, when
 * not NULL: the engine's reports count before the command started, watched
 * for a moment before sleeping. */
static sse_err wait_seq(sse_process *p, uint64_t seq, const unsigned *seen, sse_stop *stop) {
  sse_engine *e = p->engine;
  if (sse_on_tracer_thread(e)) {
    /* Inside a callback: run the loop here until the command ends. */
    for (;;) {
      pthread_mutex_lock(&e->lock);
      bool done = p->ops_finished >= seq;
      pthread_mutex_unlock(&e->lock);
      if (done) break;
      sse__engine_iterate_nested(e);
    }
  }
  if (seen) sse__engine_watch_reports(e, *seen); /* a quick stop needs no wake-up */
  pthread_mutex_lock(&e->lock);
  e->op_waiters++;
  /* Only the command's own report ends the wait (an exit, a kill or a
   * detach during the command reports too): p->exited alone is set before
   * the exit's stop is filled in. */
  while (p->ops_reported < seq && !e->stopped)
    pthread_cond_wait(&e->op_cond, &e->lock);
  e->op_waiters--;
  bool done = p->ops_reported >= seq;
  if (stop && done) *stop = p->last_stop;
  pthread_mutex_unlock(&e->lock);
  return done ? SSE_OK : SSE_E_SHUTDOWN;
}

static sse_err start_cmd(sse_process *p, sse__op_kind kind, sse_thread *t,
                         const sse_step_frame *f, uint64_t *seq) {
  run_req r = {.p = p, .kind = kind, .t = t};
  if (f) r.frame = *f;
  sse_err err = sse__engine_call(p->engine, do_start, &r);
  if (err) return err;
  if (seq) *seq = r.seq;
  return r.err;
}

static sse_err run_cmd(sse_process *p, sse__op_kind kind, sse_thread *t,
                       const sse_step_frame *f, sse_stop *stop, bool async) {
  uint64_t seq = 0;
  if (stop) memset(stop, 0, sizeof *stop);
  unsigned seen = sse__engine_reports(p->engine);
  sse_err err = start_cmd(p, kind, t, f, &seq);
  if (err || async) return err;
  return wait_seq(p, seq, &seen, stop);
}

static sse_err step_cmd(sse_thread *t, sse_step_mode mode, uint64_t until,
                        sse_stop *stop, bool async) {
  if (!t) return SSE_E_INVAL;
  sse_step_frame f = {.mode = mode, .until = until};
  return run_cmd(t->proc, SSE__OP_STEP, t, &f, stop, async);
}

sse_err sse_step_instruction(sse_thread *t, sse_stop *stop) {
  return step_cmd(t, SSE_STEP_INSTRUCTION, 0, stop, false);
}
sse_err sse_step_instruction_async(sse_thread *t) {
  return step_cmd(t, SSE_STEP_INSTRUCTION, 0, NULL, true);
}
sse_err sse_step_over_instruction(sse_thread *t, sse_stop *stop) {
  return step_cmd(t, SSE_STEP_OVER_INSTRUCTION, 0, stop, false);
}
sse_err sse_step_line(sse_thread *t, sse_stop *stop) {
  return step_cmd(t, SSE_STEP_LINE, 0, stop, false);
}
sse_err sse_next_line(sse_thread *t, sse_stop *stop) {
  return step_cmd(t, SSE_NEXT_LINE, 0, stop, false);
}
sse_err sse_finish(sse_thread *t, sse_stop *stop) {
  return step_cmd(t, SSE_FINISH, 0, stop, false);
}
sse_err sse_finish_frame(sse_thread *t, size_t frame, sse_stop *stop) {
  if (!t) return SSE_E_INVAL;
  sse_step_frame f = {.mode = SSE_FINISH, .frame = frame};
  return run_cmd(t->proc, SSE__OP_STEP, t, &f, stop, false);
}
sse_err sse_step_until(sse_thread *t, uint64_t addr, sse_stop *stop) {
  return step_cmd(t, SSE_STEP_UNTIL, addr, stop, false);
}

static sse_err check_frame(const sse_step_frame *f) {
  if (!f || f->mode < SSE_STEP_INSTRUCTION || f->mode > SSE_STEP_RANGE ||
      f->end < f->start)
    return SSE_E_INVAL;
  return SSE_OK;
}

sse_err sse_step(sse_thread *t, const sse_step_frame *f, sse_stop *stop) {
  if (!t || check_frame(f)) return SSE_E_INVAL;
  return run_cmd(t->proc, SSE__OP_STEP, t, f, stop, false);
}
sse_err sse_step_async(sse_thread *t, const sse_step_frame *f) {
  if (!t || check_frame(f)) return SSE_E_INVAL;
  return run_cmd(t->proc, SSE__OP_STEP, t, f, NULL, true);
}

sse_err sse_continue(sse_process *p, sse_stop *stop) {
  if (!p) return SSE_E_INVAL;
  return run_cmd(p, SSE__OP_CONTINUE, NULL, NULL, stop, false);
}
sse_err sse_continue_async(sse_process *p) {
  if (!p) return SSE_E_INVAL;
  return run_cmd(p, SSE__OP_CONTINUE, NULL, NULL, NULL, true);
}

sse_err sse_interrupt(sse_process *p) {
  if (!p) return SSE_E_INVAL;
  sse__run_request_interrupt(p);
  return SSE_OK;
}

sse_err sse_wait(sse_process *p, sse_stop *stop) {
  if (!p) return SSE_E_INVAL;
  sse_engine *e = p->engine;
  pthread_mutex_lock(&e->lock);
  uint64_t seq = p->ops_started;
  pthread_mutex_unlock(&e->lock);
  return wait_seq(p, seq, NULL, stop);
}

/* ------------------------------------------------------------ signals */

typedef struct sig_req {
  sse_process *p;
  sse_thread *t;
  int signo;
  bool stop, pass;
  sse_err err;
} sig_req;

static void do_policy(void *arg) {
  sig_req *r = arg;
  r->p->sig_stop[r->signo] = r->stop;
  r->p->sig_pass[r->signo] = r->pass;
}

sse_err sse_signal_policy(sse_process *p, int signo, bool stop, bool pass) {
  if (!p || signo <= 0 || signo >= SSE__NSIG || signo == SIGKILL ||
      signo == SIGSTOP)
    return SSE_E_INVAL;
  sig_req r = {.p = p, .signo = signo, .stop = stop, .pass = pass};
  return sse__engine_call(p->engine, do_policy, &r);
}

static void do_pending_sig(void *arg) {
  sig_req *r = arg;
  if (r->t->state == SSE__T_EXITED)
    r->err = SSE_E_NOTHREAD;
  else if (r->p->running)
    r->err = SSE_E_RUNNING;
  else
    r->t->deliver_sig = r->signo;
}

sse_err sse_thread_set_pending_signal(sse_thread *t, int signo) {
  if (!t || signo < 0 || signo >= SSE__NSIG) return SSE_E_INVAL;
  sig_req r = {.p = t->proc, .t = t, .signo = signo};
  sse_err err = sse__engine_call(t->proc->engine, do_pending_sig, &r);
  return err ? err : r.err;
}

/* ------------------------------------------------------------ registers */

typedef struct regs_req {
  sse_thread *t;
  sse_regs *regs;
  bool set;
  sse_err err;
} regs_req;

static sse_err thread_stopped(sse_thread *t) {
  if (t->proc->exited) return SSE_E_EXITED;
  if (t->state == SSE__T_EXITED) return SSE_E_NOTHREAD;
  if (t->state != SSE__T_STOPPED) return SSE_E_RUNNING;
  return sse__proc_stopped(t->proc);
}

static void do_regs(void *arg) {
  regs_req *r = arg;
  if ((r->err = thread_stopped(r->t))) return;
  sse__regs u;
  int rc;
  if (r->set) {
    memcpy(&u, r->regs, sizeof u);
    rc = sse__thread_setregs(r->t, &u);
    sse__mem_invalidate(r->t->proc);
  } else {
    rc = sse__thread_getregs(r->t, &u);
    if (rc == 0) memcpy(r->regs, &u, sizeof u);
  }
  if (rc) r->err = rc == -ESRCH ? SSE_E_NOTHREAD : SSE_E_SYS;
}

static sse_err regs_call(sse_thread *t, sse_regs *regs, bool set) {
  if (!t || !regs) return SSE_E_INVAL;
  regs_req r = {.t = t, .regs = regs, .set = set};
  sse_err err = sse__engine_call(t->proc->engine, do_regs, &r);
  return err ? err : r.err;
}

sse_err sse_get_regs(sse_thread *t, sse_regs *regs) {
  return regs_call(t, regs, false);
}

/* do_regs only reads *regs when set. */
sse_err sse_set_regs(sse_thread *t, const sse_regs *regs) {
  return regs_call(t, (sse_regs *)regs, true);
}

/* ------------------------------------------------------------ memory */

typedef struct mem_req {
  sse_process *p;
  uint64_t addr;
  void *buf;
  const void *cbuf;
  size_t len, done;
  sse_err err;
} mem_req;

static void do_read(void *arg) {
  mem_req *r = arg;
  if ((r->err = sse__proc_stopped(r->p))) return;
  /* A write since the stop made the fast path's shadow table stale:
   * rebuild it here so the next reads on other threads need no hand-off. */
  sse__mem_shadow_refresh(r->p);
  r->err = sse__mem_read(r->p, r->addr, r->buf, r->len, &r->done);
}

static void do_write(void *arg) {
  mem_req *r = arg;
  if ((r->err = sse__proc_stopped(r->p))) return;
  r->err = sse__mem_write(r->p, r->addr, r->cbuf, r->len, &r->done);
}

/* Reads and writes wait for a running command to stop: they never race
 * with the target running. */
static sse_err mem_op(sse_process *p, mem_req *r, void (*fn)(void *)) {
  sse_engine *e = p->engine;
  for (;;) {
    sse_err err = sse__engine_call(e, fn, r);
    if (err) return err;
    if (r->err != SSE_E_RUNNING || sse_on_tracer_thread(e)) return r->err;
    pthread_mutex_lock(&e->lock);
    uint64_t seq = p->ops_started;
    pthread_mutex_unlock(&e->lock);
    wait_seq(p, seq, NULL, NULL);
  }
}

sse_err sse_read_memory(sse_process *p, uint64_t addr, void *buf, size_t len,
                        size_t *done) {
  if (done) *done = 0;
  if (!p || (!buf && len)) return SSE_E_INVAL;
  if (!len) return SSE_OK;
  /* Not on the tracer thread: read the stopped process from this thread,
   * validated by the stop generation (sse__mem_read_fast); the delegate
   * when that cannot answer (running, a fault, exited, a stale table). */
  if (!sse_on_tracer_thread(p->engine) &&
      sse__mem_read_fast(p, addr, buf, len) == SSE_OK) {
    if (done) *done = len;
    return SSE_OK;
  }
  mem_req r = {.p = p, .addr = addr, .buf = buf, .len = len};
  sse_err err = mem_op(p, &r, do_read);
  if (done) *done = r.done;
  return err;
}

sse_err sse_write_memory(sse_process *p, uint64_t addr, const void *buf,
                         size_t len, size_t *done) {
  if (done) *done = 0;
  if (!p || (!buf && len)) return SSE_E_INVAL;
  if (!len) return SSE_OK;
  mem_req r = {.p = p, .addr = addr, .cbuf = buf, .len = len};
  sse_err err = mem_op(p, &r, do_write);
  if (done) *done = r.done;
  return err;
}

/* ------------------------------------------------------------ lookups */

typedef struct look_req {
  sse_process *p;
  uint64_t pc;
  sse_location *loc;
  const char *name;
  uint64_t entry, post;
  sse_err err;
} look_req;

static void do_lookup(void *arg) {
  look_req *r = arg;
  sse__loc l;
  if (sse__proc_lookup(r->p, r->pc, &l) != 0) { /* modules, then JIT (issue 6) */
    memset(r->loc, 0, sizeof *r->loc);
    r->loc->pc = r->pc;
    r->err = SSE_E_NOSYM;
    return;
  }
  sse__run_fill_location(r->p, r->pc, r->loc);
}

sse_err sse_lookup(sse_process *p, uint64_t pc, sse_location *loc) {
  if (!p || !loc) return SSE_E_INVAL;
  look_req r = {.p = p, .pc = pc, .loc = loc};
  sse_err err = sse__engine_call(p->engine, do_lookup, &r);
  return err ? err : r.err;
}

static void do_lookup_fn(void *arg) {
  look_req *r = arg;
  struct sse__symtab *st = sse__proc_symtab(r->p);
  if ((!st || sse__symtab_func_addr(st, r->name, &r->entry, &r->post) != 0) &&
      sse__proc_jit_func_addr(r->p, r->name, &r->entry, &r->post) != 0) /* JIT (issue 6) */
    r->err = SSE_E_NOSYM;
}

sse_err sse_lookup_function(sse_process *p, const char *name, uint64_t *entry,
                            uint64_t *post_prologue) {
  if (!p || !name || !*name) return SSE_E_INVAL;
  look_req r = {.p = p, .name = name};
  sse_err err = sse__engine_call(p->engine, do_lookup_fn, &r);
  if (err) return err;
  if (r.err) return r.err;
  if (entry) *entry = r.entry;
  if (post_prologue) *post_prologue = r.post;
  return SSE_OK;
}

/* ------------------------------------------------------------ backtrace */

typedef struct bt_req {
  sse_thread *t;
  sse_frame *frames;
  size_t max, n;
  sse_err err;
} bt_req;

static void do_bt(void *arg) {
  bt_req *r = arg;
  if ((r->err = thread_stopped(r->t))) return;
  r->err = sse__frames(r->t, r->frames, r->max, &r->n, NULL);
}

sse_err sse_backtrace(sse_thread *t, sse_frame *frames, size_t max,
                      size_t *n) {
  if (n) *n = 0;
  if (!t || !frames || !max) return SSE_E_INVAL;
  bt_req r = {.t = t, .frames = frames, .max = max};
  sse_err err = sse__engine_call(t->proc->engine, do_bt, &r);
  if (n) *n = r.n;
  return err ? err : r.err;
}

const char *sse_stop_reason_name(sse_stop_reason reason) {
  switch (reason) {
    case SSE_STOP_NONE: return "none";
    case SSE_STOP_SPAWNED: return "spawned";
    case SSE_STOP_STEP: return "step";
    case SSE_STOP_FINISH: return "finish";
    case SSE_STOP_BREAKPOINT: return "breakpoint";
    case SSE_STOP_WATCHPOINT: return "watchpoint";
    case SSE_STOP_SIGNAL: return "signal";
    case SSE_STOP_INTERRUPTED: return "interrupted";
    case SSE_STOP_EXITED: return "exited";
    case SSE_STOP_KILLED: return "killed";
    case SSE_STOP_EXEC: return "exec";
    case SSE_STOP_DETACHED: return "detached";
    case SSE_STOP_NO_LINE: return "no-line";
  }
  return "unknown";
}
