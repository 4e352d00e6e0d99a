/* ssedemo's value commands (issue 12) line by line as gdb's: stop and
 * frame lines with arguments, bt, up/down/frame, display/undisplay/info
 * display at each stop, set var, ptype, whatis, print limits. Both run the
 * same commands on the same program; stack addresses are masked and
 * gdb's "tests/targets/" in file names dropped (ssedemo names a file by
 * its base name). */
#include "values_oracle.h"

/* The lines of `gdb -batch` or `ssedemo --batch` on prog with cmds, from
 * the first stop on, without the lines only one of them prints. */
static char *transcript(const char *prog, const char *const *cmds, size_t n, bool gdb) {
  static const char *const skip[] = {"Run till exit", "[Inferior", "Kill", "Starting program",
                                     "[Thread debugging", "Using host libthread_db", "[New",
                                     "Breakpoint 2 at", "Temporary breakpoint 2 at", "Continuing."};
  return vo_transcript(vo_session(prog, NULL, cmds, n, gdb), skip, sizeof skip / sizeof *skip);
}

static void compare(const char *prog, const char *const *cmds, size_t n) {
  char *want = transcript(prog, cmds, n, true);
  char *got = transcript(prog, cmds, n, false);
  cr_expect_str_eq(got, want, "ssedemo:\n%s\ngdb:\n%s", got, want);
  free(want);
  free(got);
}

Test(values_demo, display_set_and_frames_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break values_target.c:93", "run", "display i", "display/x i", "display pt",
      "display global_counter", "info display", "next", "undisplay 2", "info display",
      "display nosuch", "set var i = 3", "set variable pt.x = 7", "p i", "p pt", "up", "down",
      "frame", "bt", "frame 1", "down", "set var fl.b = -2", "p fl",
      "set var f = 2", "p f", "finish", "info display", "up", "down", "undisplay",
      "info display", "set var 1 = 2"};
  compare("values_target", cmds, sizeof cmds / sizeof *cmds);
}

/* arguments on every frame line of a deeper stack */
Test(values_demo, frame_lines_with_arguments_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break add", "run", "bt", "up", "info args", "up",
                                     "down", "down", "frame 2", "frame 0", "next", "step", "bt"};
  compare("values_target", cmds, sizeof cmds / sizeof *cmds);
}

Test(values_demo, ptype_whatis_and_limits_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break values_target.c:93", "run", "ptype fl", "whatis ul", "ptype ul",
      "ptype struct node", "whatis struct node", "ptype pp", "whatis head.next", "ptype num",
      "ptype col", "ptype nosuch", "whatis", "set print elements 4",
      "p mixed", "p global_text", "set print repeats 3", "p mixed", "set print elements 200",
      "set print max-depth 1", "p head", "set print max-depth 20", "p head", "p i = 5",
      "p i", "p i ? pt.x : pt.y", "p x += 10"};
  compare("values_target", cmds, sizeof cmds / sizeof *cmds);
}

/* --json: the arguments on stops and frames, displays as value events */
Test(values_demo, json_args_and_display_events, .timeout = 60) {
  static const char *const cmds[] = {"break add", "run", "bt", "display b", "next"};
  char *out = NULL;
  FILE *p = vo_session("values_target", "--json", cmds, 5, false);
  size_t len = 0;
  FILE *o = open_memstream(&out, &len);
  char line[16384];
  while (p && fgets(line, sizeof line, p)) fputs(line, o);
  pclose(p);
  fclose(o);
  static const char *const want[] = {
      "\"reason\":\"breakpoint\"",
      "\"args\":[{\"name\":\"a\",\"value\":\"1\",\"type\":\"int\"},"
      "{\"name\":\"b\",\"value\":\"2\",\"type\":\"int\"}]",
      "{\"name\":\"p\",\"value\":\"...\",\"type\":\"struct point\"}",
      "{\"name\":\"s\",\"value\":\"0x555555556042 \\\"arg\\\"\",\"type\":\"const char *\"}",
      "\"function\":\"main\",", "\"args\":[]}]}",
      "{\"event\":\"value\",\"display\":1,\"expression\":\"b\",\"value\":\"2\",\"type\":\"int\"}"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_expect(strstr(out, want[i]), "missing %s in:\n%s", want[i], out);
  free(out);
}

/* gdb's value history: $, $N, $$, $$N alone and inside expressions */
Test(values_demo, value_history_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break values_target.c:93", "run", "p $", "p i", "p pt", "p $1", "p $", "p $$",
      "p $$3", "p $1 + 1", "p $2.x", "p/x $1", "p $9", "set var i = 5", "p $1", "p ch",
      "p $ + 1", "p d", "p $ * 2", "p pp", "p *$", "p arr", "p $[1]", "p $40", "finish",
      "p $", "p $$ + $"};
  compare("values_target", cmds, sizeof cmds / sizeof *cmds);
}

/* -O2: parameters from the caller's call site (gdb's a=a@entry=5 on frame
 * lines, DW_OP_entry_value in location lists), caller frames' registers
 * as gdb's unwinder takes them; gcc's call-site information, clang's
 * none. */
static const char *const entry_cmds[] = {"break values_entry.c:20", "run", "bt", "info args",
                                         "p a", "p a + b", "up", "info args", "p argc",
                                         "info locals"};
Test(values_demo, entry_values_gcc_as_gdb, .timeout = 60) {
  compare("values_entry_gcc", entry_cmds, sizeof entry_cmds / sizeof *entry_cmds);
}
Test(values_demo, entry_values_clang_as_gdb, .timeout = 60) {
  compare("values_entry_clang", entry_cmds, sizeof entry_cmds / sizeof *entry_cmds);
}

/* DW_OP_implicit_pointer: gdb's <synthetic pointer>, and what it points to */
Test(values_demo, implicit_pointer_gcc_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break values_entry.c:26", "run", "info args", "p p",
                                     "p *p", "p p->b", "whatis p", "ptype p"};
  compare("values_entry_gcc", cmds, sizeof cmds / sizeof *cmds);
}

/* C++: references (int &, const point &, int &&) as gdb prints them, used
 * in expressions as what they refer to; C++ type names; demangled
 * symbols after addresses. */
Test(values_demo, cxx_references_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break values_cxx.cc:13", "run", "info args", "info locals", "p r", "p p", "p rv",
      "p r + 1", "p p.x", "p pr.y * 2", "whatis r", "whatis p", "whatis rv", "p &r", "p *&r",
      "bt", "ptype p", "p use_refs", "p alias = 9", "p counter", "p sizeof(p)"};
  compare("values_cxx", cmds, sizeof cmds / sizeof *cmds);
}

/* C++ classes: base classes as <base> = {...}, static members, this, the
 * members of *this by their names inside a method. */
Test(values_demo, cxx_class_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break values_cxx_class.cc:9", "run", "info args", "p d", "p b", "p s", "p this",
      "p *this", "p this->d", "p d + b * 10", "up", "p obj", "p obj.b", "p obj.s",
      "whatis obj", "p &obj.d"};
  compare("values_cxx_class", cmds, sizeof cmds / sizeof *cmds);
}

/* Arguments of optimized frames as gdb shows them (issues 12 and 13). */

/* gdb's tail-call frames take their arguments from entry values (the
 * tail-call site's DW_AT_call_value, DW_OP_entry_value resolved a frame
 * further out): chain_a -> chain_b -> chain_leaf by two jumps; a
 * parameter IPA-CP dropped is DW_OP_GNU_parameter_ref to the caller's
 * call site; a call through a pointer; no entry values for ping, which
 * reaches itself by tail calls through pong. */
Test(values_demo, tail_call_frames_and_dropped_parameters_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break frame_args.c:13", "break chain_leaf", "break by_ptr", "run", "bt", "info args",
      "continue", "bt", "continue", "bt", "info args", "frame 1", "info args", "info locals",
      "frame 2", "info args", "p x", "p x + 1", "frame 3", "info locals", "continue", "bt",
      "up", "info locals", "break ping", "continue", "bt", "continue", "bt", "info args"};
  compare("frame_args_O2", cmds, sizeof cmds / sizeof *cmds);
}

Test(values_demo, tail_call_frame_args_gcc_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break local_leaf", "run", "bt", "frame 1", "info args",
                                     "p x", "frame 2", "info args"};
  compare("tail_calls_O2", cmds, sizeof cmds / sizeof *cmds);
}

/* Inline frames three deep: an inlined parameter's location list at the
 * frame's pc - 1 with its entry value from the real function's caller
 * (level3's c = 5), NAME@entry of an inlined parameter at the real
 * function's entry (level1's a=a@entry=0), the real function's frame
 * base. */
static const char *const inline_cmds[] = {"break leaf", "run", "bt", "frame 1", "info args",
                                          "p c", "frame 2", "info args", "frame 3",
                                          "info args", "info locals", "frame 4", "info args",
                                          "info locals", "continue", "bt"};
Test(values_demo, inline_frame_args_gcc_as_gdb, .timeout = 60) {
  compare("inline_deep_O2", inline_cmds, sizeof inline_cmds / sizeof *inline_cmds);
}
Test(values_demo, inline_frame_args_clang_as_gdb, .timeout = 60) {
  compare("inline_deep_O2_clang", inline_cmds, sizeof inline_cmds / sizeof *inline_cmds);
}

/* Entry values caller after caller: a recursive depth(n - 1) passes
 * DW_OP_entry_value(rdi) - 1, 50 frames down; deep2's through deep1's. */
Test(values_demo, entry_values_through_callers_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break opt_shapes.c:39", "run", "bt", "frame 30",
                                     "info args"};
  compare("opt_shapes_O2", cmds, sizeof cmds / sizeof *cmds);
  static const char *const lj[] = {"break deep2", "run", "bt", "up", "info args"};
  compare("longjmp_target_O2", lj, sizeof lj / sizeof *lj);
}

/* clang: call sites in the function an inlined block is in (values_opt's
 * sink called from inlined scale), calls through a pointer (pick), no
 * entry values in main (gdb's backtrace stops there). */
Test(values_demo, entry_values_clang_call_sites_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break sink", "run", "bt", "continue", "bt"};
  compare("values_opt_clang", cmds, sizeof cmds / sizeof *cmds);
  static const char *const ptr[] = {"break twice", "break thrice", "run", "bt", "continue",
                                    "bt", "info args"};
  compare("opt_shapes_O2_clang", ptr, sizeof ptr / sizeof *ptr);
}

/* gcc's empty location ranges at a function's entry (DW_OP_lit0 for acc
 * over [main, main)): gdb takes them at that pc. */
Test(values_demo, empty_location_range_at_entry_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break bump", "run", "info locals", "p acc", "p round"};
  compare("loops_calls_O2", cmds, sizeof cmds / sizeof *cmds);
}

/* clang describes via_pointer's q by one 4-byte piece at its entry: gdb
 * calls the member past the pieces <synthetic pointer> (its
 * check_pieced_synthetic_pointer finds no piece there), not 0. */
Test(values_demo, member_past_the_pieces_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break via_pointer", "run", "info locals", "p q", "p q.a"};
  compare("values_entry_clang", cmds, sizeof cmds / sizeof *cmds);
}
