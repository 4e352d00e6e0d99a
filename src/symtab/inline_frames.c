/* gdb 13's inline-frame rules as pure functions (see inline.h and
 * docs/inline-stepping.md). Mirrors gdb/inline-frame.c (skip_inline_frames,
 * step_into_inline_frame, inline_frame_this_id), gdb/frame.c
 * (find_frame_sal) and gdb/infrun.c (prepare_one_step, finish_command,
 * process_event_stop_test "stepped into inlined function" / "stepping
 * through inlined function", set_step_info). */
#include "symtab/inline_frames.h"

#include <string.h>

bool sse__frame_id_eq(const sse__frame_id *a, const sse__frame_id *b) {
  if (a->real != 0 && b->real != 0 && a->real != b->real)
    return false;
  return a->func == b->func && a->code == b->code && a->depth == b->depth;
}

int sse__inline_skip_count(const sse__inline *chain, int n, uint64_t pc, sse__inl_stop why) {
  (void)pc;
  if (why != SSE__INL_STOP_OTHER)
    return 0;
  int skip = 0;
  while (skip < n && chain[skip].starts_at_pc)
    skip++;
  return skip;
}

int sse__inline_skip_for_function(const sse__inline *chain, int n, const char *name) {
  int starting = 0;
  while (starting < n && chain[starting].starts_at_pc)
    starting++;
  if (name == NULL || n <= 0)
    return 0;
  for (int i = 0; i < starting; i++)
    if (chain[i].function != NULL && strcmp(chain[i].function, name) == 0)
      return i;
  if (chain[0].subprogram != NULL && strcmp(chain[0].subprogram, name) == 0)
    return starting;
  return 0;
}

int sse__inline_stop(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc, sse__inl_stop why) {
  state->pc = pc;
  state->skip = sse__inline_skip_count(chain, n, pc, why);
  state->valid = true;
  return state->skip;
}

int sse__inline_state_skip(const sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc) {
  if (state != NULL && state->valid && state->pc == pc)
    return state->skip <= n ? state->skip : n;
  return sse__inline_skip_count(chain, n, pc, SSE__INL_STOP_OTHER);
}

void sse__inline_location(const sse__inline *chain, int n, int skip, const sse__loc *line_loc, uint64_t pc,
                          sse_location *out) {
  memset(out, 0, sizeof *out);
  out->pc = pc;
  /* gdb's frame_show_address: not at the start of a statement row. */
  out->mid_statement = line_loc == NULL || !line_loc->has_line || line_loc->line_lo != pc || !line_loc->is_stmt;
  if (line_loc != NULL) {
    out->module = line_loc->module;
    out->function = line_loc->function;
    out->offset = line_loc->offset;
    if (line_loc->has_line) {
      out->file = line_loc->file;
      out->line = line_loc->line;
      out->column = line_loc->column;
    }
  }
  if (n <= 0)
    return;
  if (skip > n)
    skip = n;
  if (skip == 0) {
    if (chain[0].function != NULL)
      out->function = chain[0].function;
    return;
  }
  /* The visible frame's function: the next outer inline block, or the
   * subprogram itself (its DWARF name, as gdb prints it). */
  const char *fn = skip < n ? chain[skip].function : chain[n - 1].caller;
  if (fn != NULL)
    out->function = fn;
  /* find_frame_sal: the call site of the outermost hidden frame; gdb does
   * not pretend to know a line when the block has none. */
  const sse__inline *hid = &chain[skip - 1];
  if (hid->call_line != 0) {
    out->mid_statement = false; /* find_frame_sal: a call site, no pc */
    out->file = hid->call_file;
    out->line = hid->call_line;
    out->column = hid->call_column;
  } else {
    out->file = NULL;
    out->line = 0;
    out->column = 0;
  }
}

void sse__inline_frame_id(const sse__inline *chain, int n, int skip, uint64_t real, uint64_t func,
                          sse__frame_id *out) {
  if (skip > n)
    skip = n;
  if (skip < 0)
    skip = 0;
  out->real = real;
  out->func = func;
  out->depth = n - skip;
  out->code = skip < n ? chain[skip].entry : func;
}

/* gdb's stepped_in_from: is `step` one of the frames outer to the visible
 * one, walking through inline frames only (the real frame included). */
static bool stepped_in_from(const sse__inline *chain, int n, int skip, uint64_t real, uint64_t func,
                            const sse__frame_id *step) {
  for (int i = skip + 1; i <= n; i++) {
    sse__frame_id id;
    sse__inline_frame_id(chain, n, i, real, func, &id);
    if (sse__frame_id_eq(&id, step))
      return true;
    /* i == n is the real frame: the walk ends there either way. */
  }
  return false;
}

static void step_info(sse__inl_step *out, const sse__inline *chain, int n, int skip, uint64_t real, uint64_t func,
                      const char *file, int line) {
  sse__inline_frame_id(chain, n, skip, real, func, &out->frame);
  out->file = file;
  out->line = line;
}

sse__inl_start sse__inline_step_start(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc,
                                      const sse__loc *line_loc, uint64_t real, uint64_t func, bool next,
                                      sse__inl_step *out) {
  int skip = sse__inline_state_skip(state, chain, n, pc);
  state->pc = pc;
  state->skip = skip;
  state->valid = true;
  memset(out, 0, sizeof *out);
  out->next = next;
  if (!next && skip > 0) {
    /* prepare_one_step: "Step at an inlined function behaves like down". */
    state->skip = skip - 1;
    step_info(out, chain, n, state->skip, real, func, NULL, 0);
    return SSE__INL_START_STOP_NOW;
  }
  /* set_step_frame: the visible frame and its find_frame_sal. */
  sse_location l;
  sse__inline_location(chain, n, skip, line_loc, pc, &l);
  step_info(out, chain, n, skip, real, func, l.file, l.line);
  return SSE__INL_START_RUN;
}

bool sse__inline_finish_start(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc, uint64_t real,
                              uint64_t func, sse__inl_step *out) {
  int skip = sse__inline_state_skip(state, chain, n, pc);
  return sse__inline_finish_frame(state, chain, n, pc, skip, real, func, out);
}

bool sse__inline_finish_frame(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc, int sel,
                              uint64_t real, uint64_t func, sse__inl_step *out) {
  int skip = sse__inline_state_skip(state, chain, n, pc);
  state->pc = pc;
  state->skip = skip;
  state->valid = true;
  memset(out, 0, sizeof *out);
  if (sel < skip)
    sel = skip;
  if (sel >= n)
    return false; /* the selected frame is the real one */
  /* finish_command: "Claim we are stepping in the calling frame":
   * set_step_info(caller, {}) with an empty range, STEP_OVER_ALL. */
  out->next = true;
  step_info(out, chain, n, sel + 1, real, func, NULL, 0);
  return true;
}

sse__inl_verdict sse__inline_step_event(sse__inl_state *state, const sse__inline *chain, int n, uint64_t pc,
                                        uint64_t real, uint64_t func, const sse__inl_step *step,
                                        bool *same_frame) {
  int skip = sse__inline_stop(state, chain, n, pc, SSE__INL_STOP_OTHER);
  sse__frame_id cur;
  sse__inline_frame_id(chain, n, skip, real, func, &cur);
  bool same = sse__frame_id_eq(&cur, &step->frame);
  if (same_frame != NULL)
    *same_frame = same;

  /* Part one: "stepped into inlined function". */
  if (same && skip > 0) {
    const sse__inline *hid = &chain[skip - 1];
    /* find_frame_sal gives no symtab when the block has no call line. */
    const char *call_file = hid->call_line != 0 ? hid->call_file : NULL;
    bool same_line = hid->call_line == step->line && call_file == step->file;
    if (!step->next) {
      if (same_line)
        state->skip = skip - 1; /* step_into_inline_frame */
      return SSE__INL_STOP;
    }
    return same_line ? SSE__INL_KEEP_GOING : SSE__INL_STOP;
  }

  /* Part two: "stepping through inlined function". */
  if (skip < n && !same && stepped_in_from(chain, n, skip, real, func, &step->frame))
    return step->next ? SSE__INL_KEEP_GOING : SSE__INL_STOP;

  return SSE__INL_LINE;
}

void sse__inline_refresh(sse__inl_step *step, const sse__inl_state *state, const sse__inline *chain, int n,
                         uint64_t pc, const sse__loc *line_loc, uint64_t real, uint64_t func, bool line_zero) {
  int skip = sse__inline_state_skip(state, chain, n, pc);
  const char *file = NULL;
  int line = 0;
  if (!line_zero && line_loc != NULL && line_loc->has_line) {
    file = line_loc->file;
    line = line_loc->line;
  }
  step_info(step, chain, n, skip, real, func, file, line);
}
