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
                                     "Breakpoint 2 at", "Temporary breakpoint 2 at"};
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
