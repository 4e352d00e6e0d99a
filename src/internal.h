/* Internal structures shared by the engine modules. Nothing here is
 * exported: internal functions are sse__<module>_<verb>() with hidden
 * visibility (the whole library is built with -fvisibility=hidden). */
#ifndef SSE_INTERNAL_H
#define SSE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "step/inline.h"
#include "sse.h"

#define SSE__NSIG 65

typedef enum sse__tstate {
  SSE__T_STOPPED = 0, /* in a ptrace-stop we know of */
  SSE__T_RUNNING,     /* resumed by us */
  SSE__T_EXITED
} sse__tstate;

struct sse_thread {
  sse_process *proc;
  pid_t tid;
  sse__tstate state;
  bool sigstop_expected; /* we sent SIGSTOP (or a new clone child owes its
                            initial SIGSTOP) and have not seen it yet */
  bool has_pending;      /* a wait status taken while stopping others, not
                            yet acted on */
  int pending_status;
  int deliver_sig;       /* signal to pass on the next resume */
  /* Registers cached for the current stop: one PTRACE_GETREGS per stop,
   * dropped on every resume. */
  bool regs_valid;
  struct user_regs_struct regs;
  /* gdb's hidden inline frames at this thread's stop (engine/inline.c) */
  sse__inl_state inl;
  bool report_sig;       /* deliver_sig has not been reported to the user */
  bool pending_bp;       /* stopped at a breakpoint while others were being
                            stopped; reported on the next resume */
  bool in_list;
  /* JIT agent (issue 6): this is the agent's helper thread, detached by the
   * tracer and traced by the symbol thread since. Its state is EXITED for
   * the engine (all-stop, detach, the thread list skip it). */
  bool handed_over;
  /* Hardware debug registers of this thread. */
  uint64_t dr7;
  uint64_t hw_addr[4];
  /* Last reported location, for FRAME_CHANGED / METHOD_CHANGED. */
  bool have_last;
  uint64_t last_pc, last_cfa;
  sse_location last_loc;
  sse_thread *next;
};

typedef struct sse__bp_site {
  uint64_t addr;
  uint8_t orig;      /* the original byte under the int3 */
  bool inserted;
  int refs;          /* how many breakpoints/temp breakpoints use it */
  struct sse__bp_site *next;
} sse__bp_site;

typedef enum sse__bp_kind {
  SSE__BP_ADDR,
  SSE__BP_FUNC,
  SSE__BP_LINE,
  SSE__BP_WATCH
} sse__bp_kind;

typedef struct sse__bp {
  int id;
  sse__bp_kind kind;
  bool enabled;
  char *spec;          /* interned copy kept by the engine */
  char *name_or_file;  /* function name or file */
  int line;
  size_t naddrs;
  uint64_t *addrs;
  unsigned hits;
  bool inserted;       /* its sites hold an int3 */
  /* watchpoints */
  uint64_t waddr;
  int wlen, wkind, slot;
  struct sse__bp *next;
} sse__bp;

/* The step-frame state machine of the running command. */
typedef enum sse__op_kind {
  SSE__OP_NONE = 0,
  SSE__OP_CONTINUE,
  SSE__OP_STEP
} sse__op_kind;

typedef enum sse__sub {
  SSE__SUB_SINGLESTEP = 0, /* single-stepping the stepping thread */
  SSE__SUB_RUNTO           /* running to a temporary breakpoint */
} sse__sub;

typedef enum sse__runto_why {
  SSE__RT_RETURN = 1,   /* run over a call: to its return address */
  SSE__RT_FINISH,       /* finish: to the caller */
  SSE__RT_UNTIL,        /* until/advance */
  SSE__RT_HANDLER,      /* run over a signal handler, back to where it hit */
  SSE__RT_SYSCALL,      /* run over a syscall instruction (may block) */
  SSE__RT_INSN,         /* nexti/stepi done by a run-to */
  SSE__RT_RANGE         /* range stepping: to the next branch */
} sse__runto_why;

/* A temporary breakpoint of the stepping thread. */
typedef struct sse__runto {
  uint64_t addr;
  uint64_t sp_min;       /* hit only when sp >= sp_min: the frame popped */
  bool check_cfa;        /* and the CFA is >= cfa_min (until) */
  uint64_t cfa_min;
  bool hw;               /* a debug register of the stepping thread */
  int slot;
  bool int3;             /* an int3 site (others kept stopped) */
} sse__runto;

typedef struct sse__op {
  sse__op_kind kind;
  sse_thread *thr;
  sse_step_frame frame;
  sse__sub sub;
  bool stepi_only;         /* stepi/nexti: one instruction */
  bool stepi_into;         /* stepi: into calls */
  bool over_calls;         /* next/nexti: run over every call */
  uint64_t lo, hi;         /* current step range */
  const char *file;        /* current line's file/line (interned) */
  int line;
  uint64_t func_lo, func_hi;
  uint64_t start_sp;
  uint64_t gdb_frame_id;   /* gdb's frame id of the stepping frame when its
                              function has no CFI (run.c), else 0 */
  bool no_line_start;      /* started in code without line info */
  bool in_trampoline;      /* walking a PLT stub / lazy resolver */
  bool tramp_by_call;      /* ... entered by a call from the step's frame */
  bool tramp_start;        /* the step began in such code */
  uint64_t prologue_target;/* stepping into a function: stop here */
  uint64_t prologue_lo;
  sse__runto_why why;
  int nrt;
  sse__runto rt[2];
  bool rt_int3;
  unsigned nstops;         /* ptrace stops this command used */
  sse__inl_step inl_step;  /* the step's frame and line, inline-aware */
  bool inl_stop_now;       /* `step` only unhides an inline frame */
  bool inl_finish;         /* finish out of an inline frame: a step */
} sse__op;

typedef struct sse__waiter sse__waiter;

/* Range-stepping decode cache (engine/run.c): from a run's start address,
 * the offset of the next instruction that is not SSE__INSN_OTHER (or where
 * the scan stopped). Direct-mapped; dropped on writes through the library
 * (sse__run_code_changed), exec and module changes. */
#define SSE__RUNCACHE_SIZE 256
typedef struct sse__runent {
  uint64_t start;          /* 0: empty */
  uint64_t lim;            /* end of the bytes scanned */
  uint32_t off;            /* offset of the branch / end of the scan */
  bool found;              /* a non-OTHER instruction at start + off */
} sse__runent;

struct sse_process {
  sse_engine *engine;
  pid_t pid;
  bool spawned;
  bool exited;
  bool running;            /* a command is in progress */
  bool others_run;         /* the current phase runs non-stepping threads */
  _Atomic bool interrupt_requested;
  unsigned watch_slots;    /* debug registers taken by watchpoints */
  sse_thread *threads;     /* in creation order */
  sse_thread *threads_tail;
  size_t nthreads_live;
  sse__bp_site *sites;
  sse__bp *bps;
  int next_bp_id;
  sse__op op;
  sse_stop last_stop;
  bool have_last_stop;
  /* Odd while a command runs: made odd before the first resume of a
   * command (sse__run_start), even once all threads are stopped again
   * (sse__run_report). mem.c also makes it odd around the writes and shadow
   * table changes it does while stopped, and for good before a detach or
   * kill. A reader on another thread may read the process itself
   * (sse__mem_read_fast) only while it sees the same even value before and
   * after its read (seqlock). Nothing may resume a thread while it is even. */
  _Atomic uint64_t stop_gen;
  struct sse__memcache *cache;
  struct sse__symtab *symtab;
  bool sig_stop[SSE__NSIG], sig_pass[SSE__NSIG];
  int exit_status, exit_signal;
  /* rendezvous breakpoint for dlopen (r_debug.r_brk) */
  uint64_t rbrk_addr;
  bool rbrk_set;
  /* JIT agent and GDB JIT interface state (engine/symbols.c, issue 6). */
  struct sse__jitproc *jit;
  /* Commands started / finished, for callers blocked on one. */
  uint64_t ops_started, ops_finished;
  pthread_cond_t cond;
  sse__runent runcache[SSE__RUNCACHE_SIZE]; /* engine/run.c */
  sse_process *next;
};

typedef struct sse__cmd {
  void (*fn)(void *);
  void *arg;
  _Atomic bool done;
  bool ran;            /* false: the engine shut down before running it */
  bool detached;       /* sse__engine_post: heap-allocated, nobody waits */
  pthread_cond_t cond; /* signalled when done: wakes only this caller */
  struct sse__cmd *next;
} sse__cmd;

typedef struct sse__sub_entry {
  int id;
  unsigned kinds;
  sse_event_fn fn;
  void *user;
  struct sse__sub_entry *next;
} sse__sub_entry;

struct sse_engine {
  pthread_t tracer;
  _Atomic pid_t tracer_tid;
  pthread_mutex_t lock;     /* command queue, `done` flags, process list */
  pthread_cond_t cond;      /* the tracer thread stopped */
  pthread_cond_t op_cond;   /* a command on some process reported a stop */
  int op_waiters;           /* callers blocked on op_cond */
  sse__cmd *q_head, *q_tail;
  _Atomic unsigned q_posted; /* bumped by every enqueue (lock held) */
  bool polling;             /* lock: the tracer is watching q_posted, no
                               kick needed */
  bool shutting_down;
  bool stopped;             /* tracer thread has exited its loop */
  sse_process *procs;
  sse__sub_entry *subs;
  int next_sub_id;
  struct sse__modcache *modcache;
  struct sse__strtab *strings;
  bool hw_broken;           /* debug registers refused: use int3 */
  struct sse__symthread *symthread; /* "sse-symbols", started lazily */
#define SSE__MAX_EARLY 64
  int nearly;               /* statuses of tasks not known yet */
  pid_t early_tid[SSE__MAX_EARLY];
  int early_st[SSE__MAX_EARLY];
  sse_engine *next_engine;
};

/* ---- engine/engine.c */
sse_err sse__engine_call(sse_engine *e, void (*fn)(void *), void *arg);
/* Queue fn(arg) for the tracer thread and return at once (nobody waits).
 * If the engine stops before running it, arg is freed with free(). Not for
 * the tracer thread itself. */
sse_err sse__engine_post(sse_engine *e, void (*fn)(void *), void *arg);
const char *sse__intern(sse_engine *e, const char *s);
void sse__engine_wake_waiters(sse_engine *e);

/* ---- engine/process.c */
sse_process *sse__proc_new(sse_engine *e, pid_t pid, bool spawned);
sse_thread *sse__thread_add(sse_process *p, pid_t tid);
sse_thread *sse__thread_find(sse_engine *e, pid_t tid);
void sse__proc_mark_exited(sse_process *p, int status);
void sse__proc_destroy(sse_process *p);
void sse__proc_release_all(sse_process *p); /* detach or kill on free */

void sse__engine_kick(sse_engine *e);
void sse__engine_iterate_nested(sse_engine *e);
void sse__sig_register_waiter(pid_t tid);
void sse__sig_idle(bool on);
void sse__sig_unregister_waiter(pid_t tid);

/* ---- engine/run.c */
int sse__thread_getregs(sse_thread *t, struct user_regs_struct *r);
int sse__thread_setregs(sse_thread *t, const struct user_regs_struct *r);
void sse__run_handle_status(sse_engine *e, pid_t tid, int status);
sse_err sse__run_start(sse_process *p, sse__op_kind kind, sse_thread *thr,
                       const sse_step_frame *frame);
void sse__run_interrupt(sse_process *p);
void sse__run_stop_all(sse_process *p, sse_thread *except);
void sse__run_fill_location(sse_process *p, uint64_t pc, sse_location *loc);
void sse__run_report(sse_process *p, sse_stop *stop);
/* Code in [addr, addr + len) may have changed (a write through the library,
 * exec, modules): drop range-stepping runs decoded over it. */
void sse__run_code_changed(sse_process *p, uint64_t addr, uint64_t len);

/* ---- engine/breakpoint.c */
sse_err sse__site_add(sse_process *p, uint64_t addr);
void sse__site_del(sse_process *p, uint64_t addr);
sse__bp_site *sse__site_find(sse_process *p, uint64_t addr);
sse_err sse__site_remove_all(sse_process *p);
sse__bp *sse__bp_at(sse_process *p, uint64_t addr);
void sse__bp_resolve_pending(sse_process *p);
void sse__bp_exec_reset(sse_process *p);
void sse__watch_apply_thread(sse_thread *t);
sse__bp *sse__watch_by_slot(sse_process *p, int slot);

/* ---- memaccess/mem.c: memaccess/mem.h */
#include "memaccess/mem.h"

/* ---- events/events.c */
void sse__ev_emit(sse_engine *e, const sse_event *ev);
void sse__ev_stop(sse_process *p, const sse_stop *stop);
void sse__ev_send(sse_engine *e, sse_event_kind kind, sse_process *p,
                  sse_thread *t, pid_t tid, int signo, const sse_stop *stop);
void sse__stop_init(sse_stop *s, sse_stop_reason reason, sse_thread *t,
                    int signo);
void sse__stop_exit(sse_stop *s, sse_process *p);
bool sse__ev_wanted(sse_engine *e, unsigned kinds);

/* ---- symtab glue (engine/symbols.c) */
struct sse__symtab *sse__proc_symtab(sse_process *p);
void sse__proc_symbols_changed(sse_process *p);
void sse__proc_symbols_init(sse_process *p);
bool sse__proc_is_rbrk(sse_process *p, uint64_t pc);

/* ---- JIT code (src/jit: jitproc.c, agent_reader.c, gdbjit.c, symthread.c;
 * issue 6) */
struct sse__loc;
/* pc in a module (symtab) or, failing that, in JIT code. 0 or -1.
 * (engine/symbols.c) */
int sse__proc_lookup(sse_process *p, uint64_t pc, struct sse__loc *out);
/* Tracer thread: p's modules were looked at (modules_changed: they changed
 * since the last time): look for the JIT agent and the GDB JIT interface
 * if not found yet. */
void sse__proc_jit_discover(sse_process *p, bool modules_changed);
/* GDB JIT interface (issue 6): whether pc is our int3 at
 * __jit_debug_register_code. When it is, the registration or unregistration
 * it announces has been handled (modules, pending breakpoints, unwinder,
 * SSE_EV_JIT_SYMBOLS_CHANGED) before this returns true; the caller then
 * treats the stop like the rendezvous breakpoint's. Idempotent per event. */
bool sse__proc_is_jitbrk(sse_process *p, uint64_t pc);
/* A function named `name` in JIT code (agent or GDB JIT interface). */
int sse__proc_jit_func_addr(sse_process *p, const char *name, uint64_t *entry,
                            uint64_t *post_prologue);
int sse__proc_jit_lookup(sse_process *p, uint64_t pc, struct sse__loc *out);
/* Tracer thread, from op_event: t stopped at an int3 of ours at pc (rewound).
 * True when the JIT code took the event (t must not be touched further). */
bool sse__proc_jit_trap(sse_thread *t, uint64_t pc);
/* Tracer thread: exec (new address space), detach, destroy. */
void sse__proc_jit_exec(sse_process *p);
void sse__proc_jit_release(sse_process *p);
void sse__proc_jit_free(sse_process *p);
/* The symbol thread. adopt: tracer thread, after PTRACE_DETACH of tid;
 * never blocks. release: blocks until the helper of p is detached (with
 * debugger_pid = 0 written). stop: releases every helper and joins the
 * thread (not on the tracer thread); free after the tracer thread exited. */
struct sse__jit;
sse_err sse__symthread_start(sse_engine *e);
sse_err sse__symthread_adopt(sse_engine *e, sse_process *p, struct sse__jit *jit,
                             pid_t tid, uint64_t desc_addr, uint64_t checkpoint);
void sse__symthread_release(sse_engine *e, sse_process *p);
void sse__symthread_stop(sse_engine *e);
void sse__symthread_free(sse_engine *e);
/* Tracer thread, run for the symbol thread when a generation landed. */
void sse__proc_jit_landed(sse_process *p);
/* The agent copy's generation, and its symbols (tests, diagnostics). */
uint64_t sse__proc_jit_generation(sse_process *p);
long sse__proc_jit_foreach(sse_process *p,
                           void (*fn)(const char *name, uint64_t start,
                                      uint64_t size, void *arg),
                           void *arg);

/* ---- unwinding (unwind/unwind.c; the host it calls back: unwind/unwind.h) */
sse_err sse__unwind_caller(sse_thread *t, uint64_t *ret_pc, uint64_t *cfa);
sse_err sse__unwind_cfa(sse_thread *t, uint64_t *cfa);
sse_err sse__xmm0(sse_thread *t, uint64_t *out);
sse_err sse__backtrace(sse_thread *t, sse_frame *frames, size_t max,
                       size_t *n);

#endif
