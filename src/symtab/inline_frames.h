/* gdb 13's inline frames as pure decisions for the step engine (src/step).
 * Nothing here touches the process: the caller passes the inline chain of
 * a pc (sse__symtab_inline_chain, innermost first) and keeps the small
 * per-thread state below. The rules are in docs/inline-stepping.md; each
 * function names the gdb code it mirrors. */
#ifndef SSE_SYMTAB_INLINE_FRAMES_H
#define SSE_SYMTAB_INLINE_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "sse.h"
#include "symtab/symtab.h"

/* Deepest inline nesting the engine keeps (glibc needs about 6). */
#define SSE__INLINE_MAX 16

/* gdb's inline_state of a stopped thread: at pc, `skip` innermost inline
 * frames are hidden. Valid until the thread resumes (gdb's
 * clear_inline_frame_state); a state for another pc is stale. */
typedef struct sse__inl_state {
  uint64_t pc;
  int skip;
  bool valid;
} sse__inl_state;

/* gdb's frame_id, as far as stepping compares it. `real` identifies the
 * real (non-inline) frame activation: its CFA when known, 0 when unknown
 * (then only func/code/depth are compared). func is the real function's
 * start, code the entry pc of the visible function block (== func for the
 * real frame), depth the number of visible inline frames (gdb's
 * artificial_depth). */
typedef struct sse__frame_id {
  uint64_t real;
  uint64_t func;
  uint64_t code;
  int depth;
} sse__frame_id;

bool sse__frame_id_eq(const sse__frame_id *a, const sse__frame_id *b);

/* How a stop came about, for skip_inline_frames. */
typedef enum sse__inl_stop {
  SSE__INL_STOP_OTHER = 0, /* step/next/finish/until end, signal, interrupt,
                              a run-to return: hide every inline block
                              starting at pc */
  SSE__INL_STOP_STEPI,     /* stepi/nexti: gdb skips skip_inline_frames
                              (step_range_end == 1): nothing hidden */
  SSE__INL_STOP_USER_BP,   /* a user breakpoint: gdb keeps the frame of the
                              breakpoint location's function, which gdb 13
                              sets to the innermost function at the address:
                              nothing hidden */
} sse__inl_stop;

/* gdb's skip_inline_frames: how many innermost inline frames are hidden at
 * a stop at pc (leading chain entries with starts_at_pc). */
int sse__inline_skip_count(const sse__inline *chain, int n, uint64_t pc, sse__inl_stop why);

/* gdb's skip_inline_frames with stopped_by_user_bp_inline_frame, for a
 * stop at a breakpoint set on function `name`: the inline frames starting
 * at pc are hidden up to the first block of that function (all of them
 * when the real function is `name`); none when no function of the chain
 * has that name (gdb then has no symbol for the location: an ELF alias
 * such as pthread_kill, like a breakpoint by address). */
int sse__inline_skip_for_function(const sse__inline *chain, int n, const char *name);

/* Compute and store the state of a thread stopped at pc (call at every
 * stop that is reported, and at every single-step stop the step logic
 * looks at, like gdb does in handle_signal_stop). Returns state->skip. */
int sse__inline_stop(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc, sse__inl_stop why);

/* The skip count of state at pc: state->skip if it was computed for pc,
 * else sse__inline_skip_count(..., SSE__INL_STOP_OTHER). */
int sse__inline_state_skip(const sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc);

/* gdb's find_frame_sal + frame function for the selected (innermost
 * visible) frame with `skip` hidden frames. line_loc is the line-table
 * lookup of the pc (sse__symtab_lookup), used when skip == 0. Fills
 * function/file/line/column of out (pc, module, offset copied from
 * line_loc):
 *  - n == 0: line_loc unchanged (ELF symbol name, line table);
 *  - skip == 0: function = chain[0].function, file/line = line table;
 *  - skip > 0: file/line/column = call site of chain[skip-1] (file NULL and
 *    line 0 if the block has no DW_AT_call_line), function = chain[skip]
 *    (or the subprogram's DWARF name when skip == n). */
void sse__inline_location(const sse__inline *chain, int n, int skip, const sse__loc *line_loc, uint64_t pc,
                          sse_location *out);

/* The id of the visible frame (skip hidden) and of the frames outer to it,
 * given the real frame's key and start. */
void sse__inline_frame_id(const sse__inline *chain, int n, int skip, uint64_t real, uint64_t func,
                          sse__frame_id *out);

/* ---- step / next / finish ---- */

/* gdb's step_frame_id + current_line/current_symtab (set_step_info). */
typedef struct sse__inl_step {
  sse__frame_id frame;
  const char *file; /* interned; NULL with line 0 for finish */
  int line;
  bool next;        /* step_over_calls == STEP_OVER_ALL (next, finish) */
} sse__inl_step;

typedef enum sse__inl_start {
  SSE__INL_START_RUN = 0,  /* run the command: step range = the line-table
                              row of pc ([line_lo, line_hi)) as today */
  SSE__INL_START_STOP_NOW, /* `step` at hidden inline frames: one frame was
                              unhidden (state->skip decremented); report a
                              SSE_STOP_STEP at once without resuming */
} sse__inl_start;

/* Start of step (next = false) or next (next = true) at pc (gdb's
 * prepare_one_step): with hidden frames, `step` unhides the outermost
 * hidden one and stops. Otherwise fills *out: frame = visible frame,
 * file/line = its find_frame_sal (the call site when frames are hidden,
 * else the line table's line). state is the thread's state at pc (computed
 * from chain when stale). */
sse__inl_start sse__inline_step_start(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc,
                                      const sse__loc *line_loc, uint64_t real, uint64_t func, bool next,
                                      sse__inl_step *out);

/* gdb's finish_command when the selected frame is an inline frame (skip <
 * n at pc): returns true and fills *out: step with an empty range [pc, pc)
 * as `next` (over calls) in the caller frame, line 0 ("stop once we are
 * not in a function called by that frame"). The engine then runs its step
 * loop (not a run to the return address) and reports the stop as a step
 * end. Returns false for a real frame (finish as usual). */
bool sse__inline_finish_start(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc, uint64_t real,
                              uint64_t func, sse__inl_step *out);

/* The same with the frame of chain index `sel` selected (gdb's `up` to
 * it: skip <= sel, sel == n the real frame): the step frame is the one
 * outward of it. pc is where the chain was looked up (a caller frame's
 * pc - 1). */
bool sse__inline_finish_frame(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc, int sel,
                              uint64_t real, uint64_t func, sse__inl_step *out);

typedef enum sse__inl_verdict {
  SSE__INL_LINE = 0,   /* no inline rule applies: continue with the line
                          rules (step_decide_location), using *same_frame */
  SSE__INL_STOP,       /* end the step here (state already updated: report
                          with sse__inline_location and state->skip) */
  SSE__INL_KEEP_GOING, /* keep stepping; do not change the step range or
                          the step info */
} sse__inl_verdict;

/* One step event at pc outside the step range, after the engine's own call
 * / return / trampoline / no-line-info handling (gdb's process_event_stop_test
 * from "Look for calls to inlined functions, part one" on). Computes the
 * state at pc (SSE__INL_STOP_OTHER), then:
 *  - part one: visible frame == step frame and frames are hidden: the pc is
 *    the entry of an inline call made from the stepping frame.
 *      step: call site on the step's line -> unhide one frame; stop.
 *      next: call site on the step's line -> keep going, else stop;
 *  - part two: the visible frame is an inline frame, not the step frame,
 *    and the step frame is one of its outer frames (through inline frames
 *    only): step -> stop, next -> keep going.
 * *same_frame: whether the visible frame is the step frame (for the line
 * rules: a non-statement line start keeps the step info in the same frame;
 * in another frame the step info is refreshed with line 0). */
sse__inl_verdict sse__inline_step_event(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc,
                                        uint64_t real, uint64_t func, const sse__inl_step *step,
                                        bool *same_frame);

/* gdb's set_step_info at the end of process_event_stop_test ("keep
 * stepping" with a new range): frame = the visible frame at pc, file/line
 * = the line table's (line_loc), or line 0 when line_zero (a non-statement
 * line start reached in another frame). */
void sse__inline_refresh(sse__inl_step *step, const sse__inl_state *state, const sse__inline *chain, int n,
                         uint64_t pc, const sse__loc *line_loc, uint64_t real, uint64_t func, bool line_zero);

#endif
