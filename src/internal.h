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

#include "arch/arch.h"
#include "symtab/inline_frames.h"
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
  sse__tstate state;     /* the tracer's: written without the lock */
  bool gone;             /* state went EXITED: set under the engine lock,
                            what other threads read (thread lists) */
  bool sigstop_expected; /* we sent SIGSTOP, or PTRACE_INTERRUPT to a
                            seized thread (or a new clone child owes its
                            initial stop), and have not seen it yet */
  bool quiet_stop;       /* its last stop was the one we asked for (it
                            executed no int3 of ours: nothing to step off) */
  bool seized;           /* traced by PTRACE_SEIZE (spawned processes and
                            their clones): stopped by PTRACE_INTERRUPT, its
                            owed stop a PTRACE_EVENT_STOP */
  bool has_pending;      /* a wait status taken while stopping others, not
                            yet acted on */
  int pending_status;
  int deliver_sig;       /* signal to pass on the next resume */
  /* Registers cached for the current stop: one PTRACE_GETREGS per stop,
   * dropped on every resume. */
  bool regs_valid;
  sse__regs regs;
  /* gdb's hidden inline frames at this thread's stop (symtab/inline_frames.c) */
  sse__inl_state inl;
  bool report_sig;       /* deliver_sig has not been reported to the user */
  bool pending_bp;       /* stopped at a breakpoint while others were being
                            stopped; reported on the next resume */
  /* JIT agent (issue 6): this is the agent's helper thread, detached by the
   * tracer and traced by the symbol thread since. Its state is EXITED for
   * the engine (all-stop, detach, the thread list skip it). */
  bool handed_over;
  /* Parked (src/engine/park.c): left asleep in a private futex wait
   * through this stop, not in a ptrace-stop; its state reads STOPPED and
   * any ptrace request on it stops it first (sse__thread_unpark). */
  bool parked;
  bool park_cand;        /* in the all-stop under way: a candidate */
  bool park_ref;         /* park_ss holds the schedstat of a time it was
                            seen asleep since (it has not run since) */
  uint64_t park_ss[3];
  int park_sc_fd, park_ss_fd; /* /proc/.../syscall, schedstat: fd + 1 */
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
  SSE__BP_WATCH,
  SSE__BP_CATCH        /* C++ exception catchpoint (engine/catch.c):
                          name_or_file holds its SSE_CATCH_* kinds */
} sse__bp_kind;

/* wkind of a hardware execution breakpoint (src/engine/hwbreak.c): a
 * debug register like a watchpoint's, stopping as a breakpoint. */
#define SSE__WATCH_EXEC 0

typedef struct sse__bp {
  int id;
  sse__bp_kind kind;
  bool enabled;
  char *spec;          /* interned copy kept by the engine */
  char *name_or_file;  /* function name or file */
  int line;
  size_t naddrs;
  uint64_t *addrs;
  /* Locations disabled one by one (gdb's `disable 1.2`, engine/bplocs.c):
   * their addresses, kept when the breakpoint resolves again. */
  uint64_t *off;
  size_t noff;
  /* a catchpoint's exception type filter (gdb's `catch throw REGEX`,
   * engine/catch.c): a compiled regex_t, or NULL */
  void *catch_re;
  unsigned hits;
  unsigned ignore;     /* hits still to run through (gdb's ignore count) */
  /* gdb's condition (sse_break_condition): its text (interned, NULL: none)
   * and its compiled form (NULL until compiled: made when set on a
   * breakpoint with an address, else at its first hit); the error of the
   * last hit whose condition could not be evaluated (interned, or NULL). */
  const char *cond_text;
  struct sse__cond *cond;
  const char *cond_err;
  bool inserted;       /* its sites hold an int3 */
  /* watchpoints (and hardware breakpoints: wkind SSE__WATCH_EXEC) */
  uint64_t waddr;
  int wlen, wkind, slot;
  struct sse__bp *next;
} sse__bp;

/* The running command (src/step). A command is a continue or a step; a
 * step moves through phases, one at a time (docs/architecture.md has the
 * table; src/step/machine.c the transitions). */
typedef enum sse__op_kind {
  SSE__OP_NONE = 0,
  SSE__OP_CONTINUE,
  SSE__OP_STEP
} sse__op_kind;

typedef enum sse__phase {
  SSE__PH_IDLE = 0, /* no command, or between two phases of one */
  SSE__PH_CONTINUE, /* every thread runs until an event ends the command */
  SSE__PH_STEP,     /* the stepping thread single-steps one instruction */
  SSE__PH_RANGE,    /* it runs to the next branch of its step range */
  SSE__PH_RUN_TO    /* it runs to a temporary breakpoint (why says what for)
                       with the other threads running */
} sse__phase;

typedef enum sse__runto_why {
  SSE__RT_NONE = 0,
  SSE__RT_RETURN,       /* run over a call: to its return address */
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

/* An int3 or debug register of the exception watch (step/exception.c):
 * addr 0 when unused; slot the debug register, -1 for an int3. */
typedef struct sse__excsite {
  uint64_t addr;
  int slot;
} sse__excsite;

/* What a step does with calls and how far it goes: set when it starts,
 * never changed. */
typedef struct sse__step_policy {
  bool one_insn;        /* stepi/nexti: one instruction */
  bool into_calls;      /* stepi: into calls even without line info */
  bool over_calls;      /* next/nexti (and finish out of an inline frame) */
  bool no_line_start;   /* began in code without line info */
  bool tramp_start;     /* began in a PLT stub or the dynamic linker */
  bool inl_finish;      /* finish out of an inline frame: a step out */
  bool inl_finish_after;/* finish of an inline frame of a caller: run to
                           the return into its real frame first (fin_ret),
                           then step out as inl_finish */
  bool finish_void;     /* finish out of a function that returns nothing */
  bool range_only;      /* SSE_STEP_RANGE: the first pc out of the range stops */
} sse__step_policy;

/* Where a line step walks that is not its range. */
typedef enum sse__tramp {
  SSE__TRAMP_NONE = 0,
  SSE__TRAMP_CALLED,    /* in a PLT stub / the resolver, called from the
                           step's frame */
  SSE__TRAMP_WANDERED   /* in dynamic-linker code the step returned into */
} sse__tramp;

typedef struct sse__op {
  sse__op_kind kind;
  sse__phase phase;
  sse_thread *thr;
  sse_step_frame frame;
  sse__step_policy pol;
  /* The step's range and the line it is measured against. */
  uint64_t lo, hi;
  const char *file;        /* interned */
  int line;
  uint64_t func_lo, func_hi;
  /* gdb's frame id of the stepping frame when its function has no CFI
   * (src/step/decide.c). */
  bool have_nocfi_id;
  uint64_t nocfi_id;
  sse__tramp tramp;
  /* Stepping into a function: single-step its prologue [lo, target) and
   * stop at target. */
  bool in_prologue;
  uint64_t prologue_lo, prologue_target;
  /* SSE__PH_STEP: the instruction being stepped; SSE__PH_RANGE through a
   * branch: that branch, and where it goes. */
  sse__insn insn;
  bool via_branch;
  uint64_t branch_dest, branch_dest2; /* a jcc run past: taken, not taken */
  bool entry_stop;   /* branch_dest is where `step` into the call ends */
  /* SSE__PH_RUN_TO / SSE__PH_RANGE: what for, and the breakpoints. */
  sse__runto_why why;
  /* SSE_FINISH: the return address of the real frame left and its CFA
   * (the caller's stack pointer after the return). */
  uint64_t fin_ret, fin_cfa;
  int nrt;
  sse__runto rt[2];
  /* A run-to also watches the longjmp family (int3s at glibc's __longjmp
   * and ____longjmp_chk): a callee that leaves by longjmp past the frame
   * would never reach the run-to breakpoint. Caught, the stepping thread
   * single-steps out of it (in_longjmp) to where it lands. */
  int nlj;
  uint64_t lj[2];
  bool in_longjmp;
  uint64_t lj_lo, lj_hi;
  /* A run-to also watches C++ exceptions (step/exception.c): an int3 at
   * the unwinder's _Unwind_SetIP (exc_setip, 0: none) gives the landing
   * pad it installs next (exc_pad, an int3 as well); a landing with
   * sp >= exc_sp_min is in the step's frame or an outer one. Landed at
   * a handler, exc_catch watches __cxa_begin_catch, which the handler
   * calls first. Each is a debug register of the stepping thread when one
   * is free (no other thread traps there), else an int3; an int3 is taken
   * out only with every thread stopped (in sse__runto_disarm): pads passed
   * are kept in exc_old until then. */
  sse__excsite exc_setip, exc_pad, exc_catch, exc_old[4];
  int nexc_old;
  uint64_t exc_sp_min;
  /* The phase was left to the tracer loop (its thread may block in a
   * system call): the other threads run until it comes back. */
  bool async;
  unsigned sync_turns;     /* phases run without a trip through the loop */
  bool deferred;           /* yielded to the loop; it drives on next turn */
  unsigned nstops;         /* ptrace stops this command used */
  /* The command is ending (step/ending.c): its stop is decided and every
   * thread is being stopped for it. An exit met meanwhile changes nothing
   * but an exit of the process, which becomes the stop. */
  bool ending;
  sse__inl_step inl_step;  /* the step's frame and line, inline-aware */
} sse__op;

/* Range-stepping decode cache (step/range.c): from a run's start address,
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
  bool sites_lifted;       /* out of memory while a vfork child runs */
  /* glibc's __longjmp and ____longjmp_chk (0: none), looked up once per
   * set of modules (step/runto.c). */
  bool lj_known;
  uint64_t lj_addr[2];
  /* libgcc's _Unwind_SetIP, libstdc++'s __cxa_begin_catch (0: none),
   * looked up likewise
   * (step/exception.c). */
  bool exc_known;
  uint64_t exc_setip_addr, exc_catch_addr;
  sse__bp *bps;
  int next_bp_id;
  sse__op op;
  sse_stop last_stop;
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
  /* Commands started / finished, for callers blocked on one; reported:
   * finished and their SSE_EV_STOPPED delivered (what a caller on another
   * thread waits for, so its command returns after the event). */
  uint64_t ops_started, ops_finished, ops_reported;
  /* Thread resumes so far (sse__thread_resume): a value handle made at
   * one count is stale at another (src/api/api_valhandle.c). */
  uint64_t resumes;
  /* Threads parked at this stop (src/engine/park.c). */
  unsigned nparked;
  sse__runent runcache[SSE__RUNCACHE_SIZE]; /* step/range.c */
  sse_process *next;
};

typedef struct sse__cmd {
  void (*fn)(void *);
  void *arg;
  _Atomic bool done;
  _Atomic bool released; /* the tracer touches the command no more: a
                            caller that sees it returns without the lock */
  bool ran;            /* false: the engine shut down before running it */
  bool detached;       /* sse__engine_post: heap-allocated, nobody waits */
  pthread_cond_t cond; /* signalled when done: wakes only this caller */
  struct sse__cmd *next;
} sse__cmd;

/* A subscription (events/events.c). The list is in subscription order. */
typedef struct sse__sub_entry {
  int id;
  unsigned kinds;
  sse_event_fn fn;
  void *user;
  int calls;           /* engine lock: calls in progress (they pin it) */
  bool dead;           /* engine lock: unsubscribed, no call starts */
  struct sse__sub_entry *next;
} sse__sub_entry;

struct sse_engine {
  pthread_t tracer;
  pthread_mutex_t lock;     /* command queue, `done` flags, process list,
                               subscriptions */
  pthread_cond_t op_cond;   /* a command on some process reported a stop */
  int op_waiters;           /* callers blocked on op_cond */
  sse__cmd *q_head, *q_tail;
  _Atomic unsigned q_posted; /* bumped by every enqueue (lock held) */
  _Atomic unsigned reports;  /* bumped after every command's report (its
                                waiters woken), watched by a caller
                                before it sleeps
                                (sse__engine_watch_reports) */
  bool polling;             /* lock: the tracer is watching q_posted, no
                               kick needed */
  bool shutting_down;
  bool stopped;             /* tracer thread has exited its loop */
  sse_process *procs;
  sse__sub_entry *subs;
  int next_sub_id;
  pthread_cond_t sub_cond;  /* a dead subscription's last call returned */
  struct sse__modcache *modcache;
  struct sse__strtab *strings;
  bool hw_broken;           /* debug registers refused: use int3 */
  struct sse__symthread *symthread; /* "sse-symbols", started lazily */
#define SSE__MAX_EARLY 64
  /* Statuses of known threads of other processes, reaped while a wait was
   * for one process's leader (engine/wait.c): the loop hands them on. */
  int nlater, later_cap;
  pid_t *later_tid;
  int *later_st;
  int nearly;               /* statuses of tasks not known yet */
  pid_t early_tid[SSE__MAX_EARLY];
  int early_st[SSE__MAX_EARLY];
};

/* ---- engine/engine.c */
sse_err sse__engine_call(sse_engine *e, void (*fn)(void *), void *arg);
/* Queue fn(arg) for the tracer thread and return at once (nobody waits).
 * If the engine stops before running it, arg is freed with free(). Not for
 * the tracer thread itself. */
sse_err sse__engine_post(sse_engine *e, void (*fn)(void *), void *arg);
const char *sse__intern(sse_engine *e, const char *s);
void sse__engine_wake_waiters(sse_engine *e);
/* The reports count now, and a watch for it to move from `seen` for a
 * moment (a caller about to sleep until a stop: a short command's stop
 * then needs no wake-up of a sleeping thread). True when it moved. */
unsigned sse__engine_reports(sse_engine *e);
/* Commands up to seq of p have ended and their events are delivered. */
void sse__engine_mark_reported(sse_process *p, uint64_t seq);
bool sse__engine_watch_reports(sse_engine *e, unsigned seen);
void sse__engine_iterate_nested(sse_engine *e);
void sse__sig_register_waiter(pid_t tid);
void sse__sig_idle(bool on);
void sse__sig_unregister_waiter(pid_t tid);

/* ---- engine/process.c */
sse_process *sse__proc_new(sse_engine *e, pid_t pid, bool spawned);
sse_thread *sse__thread_add(sse_process *p, pid_t tid);
sse_thread *sse__thread_find(sse_engine *e, pid_t tid);
void sse__proc_mark_exited(sse_process *p, int status);
sse_err sse__proc_stopped(const sse_process *p);
void sse__proc_destroy(sse_process *p);
void sse__proc_release_all(sse_process *p); /* detach or kill on free */

/* ---- engine/threads.c, engine/wait.c: threads and waiting */
int sse__thread_getregs(sse_thread *t, sse__regs *r);
int sse__thread_setregs(sse_thread *t, const sse__regs *r);
/* As getregs, but *r is zeroed when the thread is gone. */
int sse__thread_regs(sse_thread *t, sse__regs *r);
uint64_t sse__thread_pc(sse_thread *t);
void sse__thread_set_pc(sse_thread *t, uint64_t pc);
int sse__thread_resume(sse_thread *t, bool step);
bool sse__site_inserted_at(sse_process *p, uint64_t pc);
void sse__thread_early_status(sse_engine *e, pid_t tid, int st);
void sse__thread_on_clone(sse_thread *t, int ptrace_event);
/* t exited (st its status): bookkeeping and events, then the running
 * command's consequences (sse__runctl gone). */
void sse__thread_gone(sse_thread *t, int st);
/* The bookkeeping and events of a non-leader thread's exit, without the
 * running command's consequences (all-stop in progress: the leader's exit
 * that follows ends the command). */
void sse__thread_gone_quiet(sse_thread *t, int st);
/* Keep a status for the tracer loop's next turn. */
void sse__thread_later_status(sse_engine *e, pid_t tid, int st);
void sse__thread_on_exec(sse_thread *t);

typedef enum sse__wait_kind {
  SSE__W_NONE = 0,      /* neither a stop nor an exit */
  SSE__W_GONE,          /* exited or killed */
  SSE__W_OWED_SIGSTOP,  /* the stop we were owed (SIGSTOP, or a seized
                           thread's PTRACE_EVENT_STOP): settled */
  SSE__W_CLONE,         /* a clone/fork/vfork(-done) event: followed; or a
                           seized thread's group-stop: resumes as it was */
  SSE__W_EVENT          /* anything else: for the caller */
} sse__wait_kind;
/* The one place a wait status of t is first looked at: marks t stopped,
 * settles an owed SIGSTOP, follows a clone. */
sse__wait_kind sse__wait_take(sse_thread *t, int status);
/* Whether status is the stop t owes when asked to stop (or as a new clone):
 * SIGSTOP, or PTRACE_EVENT_STOP for a seized thread. */
bool sse__wait_is_owed_stop(const sse_thread *t, int status);
/* Block until t, resumed by us (step: single-stepping), reports a stop that
 * is not an owed SIGSTOP or a clone (those are settled and t resumed the
 * same way again). Only for stops that come at once. Returns the status;
 * an exit status when t is gone. */
int sse__wait_thread(sse_thread *t, bool step);
/* Single-step t with the others stopped, lifting our int3 under its pc for
 * the step (stepping off a breakpoint). Returns the wait status. */
int sse__thread_step_sync(sse_thread *t);
/* Step t off the int3 of ours under its pc before a resume: the displaced
 * instruction emulated when it can be (a trap status returned without a
 * ptrace stop), else sse__thread_step_sync. */
int sse__thread_step_off(sse_thread *t);
void sse__run_stop_all(sse_process *p, sse_thread *except);
/* Block for t's next status, also when t is the leader of a process whose
 * other threads' statuses must be collected first (an exiting process): a
 * thread that left its ptrace-stop under a SIGKILL, or one we sent
 * SIGSTOP. */
int sse__wait_dying(sse_thread *t);
/* t is stopped but still owes us a SIGSTOP (it reported something else
 * first): take that SIGSTOP now, before t is let go, or it would stop the
 * whole process once untraced. A signal that comes first stays due. */
void sse__thread_settle_sigstop(sse_thread *t);
/* Parked threads (src/engine/park.c). A thread asleep in a private futex
 * wait with no timeout once every other thread is stopped cannot leave
 * it: the all-stop leaves it there. Off with SSE_PARK_THREADS=0. */
bool sse__park_enabled(void);
/* Before the others are stopped: true when running t is a candidate (its
 * schedstat taken, then seen in such a wait; or parked at the last stop
 * and not run since). */
bool sse__park_probe(sse_thread *t);
/* Every other thread stopped or a candidate: t seen in that wait again
 * and not run since the probe: parked (true), else the caller stops it. */
bool sse__park_confirm(sse_thread *t);
/* t leaves the parked mark (a status taken of it, a resume). */
void sse__park_forget(sse_thread *t);
/* t is gone or freed: its files closed. */
void sse__park_release(sse_thread *t);
/* Stop parked t for real (interrupt and wait): the ptrace layer's callback
 * before any request on it (ptrace/park.h), and a resume that steps or
 * delivers a signal. */
void sse__thread_unpark(sse_thread *t);
/* Every parked thread of p stopped for real: before p's threads run but
 * not all of them (a parked thread stays asleep only while every other
 * thread is stopped), and before a detach. */
void sse__run_unpark_all(sse_process *p);

/* Run control (src/step) as the engine sees it: installed by the step
 * layer when the library loads, so the engine's loop calls up into it
 * without depending on it. Every member is set; tracer thread. */
typedef struct sse__runctl {
  /* A wait status the tracer loop reaped. */
  void (*status)(sse_engine *e, pid_t tid, int status);
  /* After each drain of the queue: interrupts, steps that yielded. True
   * when it did something (the loop then looks again before sleeping). */
  bool (*poll)(sse_engine *e);
  /* A thread of a process with a command running ended. */
  void (*gone)(sse_thread *t);
  /* Code in [addr, addr + len) may have changed. */
  void (*code_changed)(sse_process *p, uint64_t addr, uint64_t len);
} sse__runctl;
extern const sse__runctl *sse__runctl_ops;
void sse__runctl_install(const sse__runctl *ops);

/* ---- engine/report.c: a stop as the user sees it */
/* gdb's location of pc: module, function, file, line (modules, then JIT). */
void sse__run_fill_location(sse_process *p, uint64_t pc, sse_location *loc);
/* The .eh_frame_hdr of the module at pc, for the unwinder: 0 or -1. */
int sse__run_eh_frame_hdr(sse_process *p, uint64_t pc, uint64_t *hdr, uint64_t *lo, uint64_t *hi);
/* The inline blocks at pc, innermost first (at most SSE__INLINE_MAX). */
int sse__proc_inline_chain(sse_process *p, uint64_t pc, sse__inline *v);
/* Where t is at pc as a stop reports it: gdb's location, with the inline
 * frames that start at pc hidden as gdb hides them (t's inline state at
 * this stop, made for `why` if it has none). */
void sse__thread_location(sse_thread *t, uint64_t pc, sse__inl_stop why,
                          sse_location *loc);
/* ---- engine/frames.c: frames as gdb counts them, inline frames included */
/* Where logical frame j comes from: physical frame `phys` of the unwind,
 * `depth` innermost inline blocks at its pc left out (depth == the chain's
 * length: the real function's frame). */
typedef struct sse__frame_ref {
  size_t phys;
  int depth;
} sse__frame_ref;
/* sse_backtrace's frames: up to max, *n set; refs (may be NULL) gets
 * each frame's origin. */
sse_err sse__frames(sse_thread *t, sse_frame *out, size_t max, size_t *n,
                    sse__frame_ref *refs);
/* The origin of frame index `frame`; SSE_E_NOTFOUND past the last. */
sse_err sse__frame_ref_of(sse_thread *t, size_t frame, sse__frame_ref *ref);
/* Report the stop that ends the running command (or the first stop):
 * location, waiters, events. */
void sse__run_report(sse_process *p, sse_stop *stop);

/* ---- step/: commands (src/step/dispatch.c, src/step/ending.c) */
sse_err sse__run_start(sse_process *p, sse__op_kind kind, sse_thread *thr,
                       const sse_step_frame *frame);
/* Ask the running command of p to end with SSE_STOP_INTERRUPTED: any
 * thread, never blocks (the tracer loop or the step acts on it). */
void sse__run_request_interrupt(sse_process *p);
/* Code in [addr, addr + len) may have changed (a write through the library,
 * exec, modules): drop range-stepping runs decoded over it. */
void sse__run_code_changed(sse_process *p, uint64_t addr, uint64_t len);

/* ---- engine/breakpoint.c */
/* engine/catch.c: where a catchpoint of these SSE_CATCH_* kinds (as
 * decimal text) resolves now, as bp_where's answer (a count with a
 * malloc'd *out, 0, -1). */
ssize_t sse__catch_where(sse_process *p, const char *kinds, uint64_t **out);
/* engine/catch.c: whether the exception at t's catchpoint stop has a
 * type b's regex matches (or one not known: gdb stops then); b's regex
 * freed. */
bool sse__catch_matches(sse_thread *t, sse__bp *b);
void sse__catch_free_regex(sse__bp *b);
/* engine/breakpoint.c: a new catchpoint (pending until it resolves);
 * tracer thread. */
sse_err sse__bp_add_catch(sse_process *p, const char *kinds, const char *spec,
                          int *id);
/* engine/bplocs.c: whether b's location at addr was disabled alone. */
bool sse__bp_loc_off(const sse__bp *b, uint64_t addr);
sse_err sse__site_add(sse_process *p, uint64_t addr);
void sse__site_del(sse_process *p, uint64_t addr);
sse__bp_site *sse__site_find(sse_process *p, uint64_t addr);
/* Whether the int3 of inserted site s is still in memory. The program may
 * have stored over it (self-modifying code, a JIT rewriting its code): its
 * store wins, the byte it wrote becomes s->orig, and nothing of ours is at
 * s->addr until the int3 is written again. False as well when the byte
 * cannot be read. */
bool sse__site_int3_intact(sse_process *p, sse__bp_site *s);
sse_err sse__site_remove_all(sse_process *p);
/* A forked child's copy of our int3s: the original bytes back in its
 * memory (it is let go with none of ours). */
void sse__site_restore_child(sse_process *p, pid_t child);
/* Take every int3 of ours out of memory (lift) or put them back: while a
 * vfork child runs in the shared address space, untraced. */
void sse__site_lift_all(sse_process *p, bool lift);
sse__bp *sse__bp_at(sse_process *p, uint64_t addr);
void sse__bp_resolve_pending(sse_process *p);
void sse__bp_exec_reset(sse_process *p);
void sse__bp_free_all(sse_process *p);
void sse__watch_apply_thread(sse_thread *t);
sse__bp *sse__watch_by_slot(sse_process *p, int slot);
/* A hit of t at the int3 at pc: the breakpoint whose stop it is (its
 * condition true, or not evaluable, and no ignore count left), or NULL
 * when every breakpoint there runs on (gdb: a false condition does not
 * count as a hit, an ignored one does). */
sse__bp *sse__bp_hit(sse_thread *t, uint64_t pc);
/* The same for a watchpoint b (may be NULL) that fired in t: true when
 * it stops. */
bool sse__bp_watch_stops(sse_thread *t, sse__bp *b);
/* The stop of b (sse__end_bp): its condition's error, if the hit could
 * not evaluate it, into buf (else ""). */
void sse__bp_note_stop(sse__bp *b, char *buf, size_t bufsz);
/* Attach a condition (text interned by the caller; cond compiled, or NULL
 * to compile at the first hit; both NULL: none) to breakpoint id of a
 * stopped process; the old one is freed. SSE_E_NOTFOUND. */
sse_err sse__bp_set_condition(sse_process *p, int id, const char *text,
                              struct sse__cond *cond);
/* The first address of breakpoint id (0 when it has none: pending, or a
 * watchpoint). SSE_E_NOTFOUND. */
sse_err sse__bp_first_addr(sse_process *p, int id, uint64_t *addr);
/* Step stopped t off the int3 of ours under its pc without a single-step:
 * the displaced instruction emulated (sse__arch_emulate) on its
 * registers, which are set (t is not resumed). Nothing is lifted, so the
 * other threads may run meanwhile. False, t untouched, when the
 * instruction is not one the emulator runs. */
bool sse__site_step_emulated(sse_thread *t);
/* A hardware watchpoint as sse_watch() makes one, its spec given. */
sse_err sse__watch_add(sse_process *p, uint64_t addr, int len, int kind,
                       const char *spec, int *id);

/* Breakpoint conditions as the engine sees them (src/values/cond.c
 * installs them when the library loads: the engine does not call up into
 * src/values). Tracer thread. */
struct sse__cond;
typedef struct sse__cond_ops {
  /* Compile text in the scope of pc (0: no scope, syntax only): 0 and
   * *out, or -1 with gdb's message in err. */
  int (*compile)(sse_process *p, uint64_t pc, const char *text,
                 struct sse__cond **out, char *err, size_t errsz);
  /* In frame 0 of stopped t: 1 true, 0 false, -1 with the message. */
  int (*eval)(sse_thread *t, const struct sse__cond *c, char *err,
              size_t errsz);
  void (*free)(struct sse__cond *c);
} sse__cond_ops;
extern const sse__cond_ops *sse__cond_hook;
void sse__cond_install(const sse__cond_ops *ops);
/* sse_watch() (a delegate) without its kind check: SSE__WATCH_EXEC (len 1) too. */
sse_err sse__watch_call(sse_process *p, uint64_t addr, int len, int kind, int *id);

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
void sse__ev_free_all(sse_engine *e);

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
