/* The run control's own declarations (src/step): how a command ends, the
 * step machine, its temporary breakpoints, range stepping and gdb's stepping
 * decisions. Tracer thread only. */
#ifndef SSE_STEP_STEP_H
#define SSE_STEP_STEP_H

#include "internal.h"
#include "symtab/symtab.h"

/* ---- ending.c: how a command ends */
void sse__end_op(sse_process *p, sse_stop_reason why, sse_thread *t,
                 int signo);
/* A hit of b that its ignore count runs through (counted, not stopped). */
void sse__end_bp(sse_process *p, sse_thread *t, sse__bp *b);
void sse__end_watch(sse_process *p, sse_thread *t, int slot);
/* The watchpoint slot that fired in t's last debug trap, or -1 (DR6 is
 * cleared). */
int sse__watch_fired(sse_process *p, sse_thread *t);
/* Take the events the threads of p keep pending; true when one ended the
 * command. */
bool sse__take_pending(sse_process *p);
/* Resume every stopped thread of p but `except`, stepping each off a
 * breakpoint it sits on first. False when a pending event ended the
 * command. */
bool sse__resume_others(sse_process *p, sse_thread *except);

/* ---- dispatch.c: events during a command */
/* A stop or exit of t while a command runs, not the stepping thread's own
 * awaited stop. */
void sse__op_event(sse_thread *t, int status);
/* A signal stopped t: true when t should just be resumed (the signal
 * queued in deliver_sig); otherwise the command ended or went to a run-to
 * phase. in_step: the stepping thread, stopped by its own step. */
bool sse__handle_signal(sse_thread *t, int sig, bool in_step);

/* t execed while a command runs: a step becomes a continue in the new
 * image (gdb), a continue goes on. */
void sse__op_exec(sse_process *p, sse_thread *t);

/* ---- machine.c: the step phases */
/* Drive the step from its stopped thread until it ends, or a phase goes on
 * from the tracer loop. */
void sse__step_drive(sse_process *p);
/* The awaited stop of the stepping thread in an async phase, from the
 * loop. */
void sse__step_async_status(sse_process *p, int status);
/* Every ptrace stop of the stepping thread in SSE__PH_STEP/RANGE. */
bool sse__step_awaiting(sse_process *p, sse_thread *t);

/* ---- runto.c: temporary breakpoints of the stepping thread */
sse_err sse__runto_add(sse_process *p, uint64_t addr, uint64_t sp_min,
                       bool check_cfa, uint64_t cfa_min);
void sse__runto_disarm(sse_process *p);
bool sse__runto_int3(const sse__op *op);
/* Enter SSE__PH_RUN_TO for `why` with the armed breakpoints. */
void sse__runto_start(sse_process *p, sse__runto_why why);
/* The stepping thread trapped at one of its run-to addresses. */
void sse__runto_hit(sse_process *p, sse_thread *t);
bool sse__runto_at(const sse__op *op, uint64_t pc);
/* A debug register of the stepping thread t that is free, or -1. */
int sse__runto_free_slot(sse_process *p, sse_thread *t);
/* Step t off an int3 of ours at its pc (if any) and resume it. */
void sse__runto_pass(sse_process *p, sse_thread *t);
/* The run-to's int3 at the longjmp family is at pc. */
bool sse__runto_longjmp_at(const sse__op *op, uint64_t pc);
/* The stepping thread entered the longjmp family during a run-to: follow
 * it to where it lands. */
void sse__runto_longjmp(sse_process *p, sse_thread *t);

/* ---- exception.c: C++ exceptions that unwind past a run-to's frame */
/* Watch the unwinder during the run-to just started (RETURN, FINISH,
 * UNTIL, its breakpoints armed). */
void sse__exc_arm(sse_process *p);
void sse__exc_disarm(sse_process *p);
/* The stepping thread trapped at pc in a run-to (an int3, or a run-to
 * breakpoint it reached in its frame): true when that was the exception
 * watch's, handled (the thread let go on, or the command ended or went on
 * from there). */
bool sse__exc_trap(sse_process *p, sse_thread *t, uint64_t pc);

/* ---- range.c: range stepping */
/* How far a range step from pc can run (pc when nothing to run over). */
uint64_t sse__range_target(sse_process *p, uint64_t pc, uint64_t hi);

/* ---- decide.c: gdb's stepping decisions */
bool sse__step_lookup(sse_process *p, uint64_t pc, sse__loc *l);
bool sse__step_in_range(const sse__op *op, uint64_t pc);
/* At pc outside the range: stop, or take a new range. True when the
 * command ended or went to a run-to phase. */
bool sse__step_decide_location(sse_process *p, uint64_t pc);
/* A return from pc to dest, decided before it runs: when dest is in the
 * middle of a line row with no inline frames about (where the decision is
 * "take that row as the new range and go on"), the range is taken now and
 * true returned, so the run can go past dest. */
bool sse__step_return_takes_range(sse_process *p, uint64_t pc, uint64_t dest);
/* Arrived in a function by a call (or out of a trampoline). */
bool sse__step_enter_function(sse_process *p, uint64_t pc, uint64_t sp,
                              bool from_tramp);
bool sse__step_in_lazy_resolver(sse_process *p, uint64_t pc);
/* Where a `step` entering callee by a call stops (past its prologue, as
 * sse__step_enter_function decides), or 0 when that is not known before
 * the call runs (a trampoline, no line info, an entry that is no
 * function's start). */
uint64_t sse__step_entry_stop(sse_process *p, uint64_t callee);
uint64_t sse__step_nocfi_frame_id(sse_process *p, uint64_t func, uint64_t pc,
                                  uint64_t sp, uint64_t fp);
/* After a call was single-stepped in a frame without CFI: whether gdb
 * would not see a subroutine call and stop here. */
bool sse__step_nocfi_call_stops(sse_process *p, const sse__regs *r);

/* ---- start.c: a step's policy and first range, by mode */
/* SSE_OK, or the error the command fails with. *stop_now: it ends at once
 * (a `step` that only unhides an inline frame). */
sse_err sse__step_setup(sse_process *p, sse_thread *thr,
                        const sse_step_frame *frame, bool *stop_now);
/* Start the first phase of a set-up step. */
void sse__step_begin(sse_process *p);

#endif
