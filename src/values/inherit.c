/* gdb's inherit_abstract_dies (dwarf2/read.c): a concrete instance of a
 * function (an inlined block, an out-of-line copy) also holds each child
 * of its abstract origin that none of its own direct children refers to.
 * gdb lists such variables in info locals and info args (no location:
 * <optimized out>), also when a child of one of the instance's lexical
 * blocks stands for them, as gcc's DWARF for inlined code has it (level3's
 * `t = 35` in its block, then `t = <optimized out>`). Tracer thread. */
#include <dwarf.h>

#include "values/values.h"

/* Whether a direct child of scope has DW_AT_abstract_origin origin. */
static bool referenced(Dwarf_Die *scope, Dwarf_Die *origin) {
  Dwarf_Die ch, o;
  Dwarf_Attribute a;
  Dwarf_Off off = dwarf_dieoffset(origin);
  if (dwarf_child(scope, &ch) != 0) return false;
  do {
    if (dwarf_attr(&ch, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &o) &&
        dwarf_dieoffset(&o) == off)
      return true;
  } while (dwarf_siblingof(&ch, &ch) == 0);
  return false;
}

static bool is_decl(Dwarf_Die *d) {
  Dwarf_Attribute a;
  bool flag = false;
  if (dwarf_attr(d, DW_AT_declaration, &a)) dwarf_formflag(&a, &flag);
  return flag;
}

/* fn for each variable (sel) among the children of abstract DIE d; an
 * abstract lexical block (no pc range) adds its variables to the block
 * holding it, as gdb's read_lexical_block_scope does. scope (NULL inside
 * such a block): the instance whose direct children are looked at. */
static int each_unreferenced(Dwarf_Die *scope, Dwarf_Die *d, unsigned sel,
                             int (*fn)(void *arg, Dwarf_Die *var), void *arg, int depth) {
  Dwarf_Die och;
  if (depth > 16 || dwarf_child(d, &och) != 0) return 0;
  do {
    int t = dwarf_tag(&och), rc = 0;
    if (scope && referenced(scope, &och)) continue;
    if (t == DW_TAG_lexical_block) rc = each_unreferenced(NULL, &och, sel, fn, arg, depth + 1);
    bool want = (t == DW_TAG_formal_parameter && (sel & SSE__VS_ARGS)) ||
                (t == DW_TAG_variable && (sel & SSE__VS_LOCALS));
    if (want && dwarf_diename(&och) && !is_decl(&och)) rc = fn(arg, &och);
    if (rc) return rc;
  } while (dwarf_siblingof(&och, &och) == 0);
  return 0;
}

int sse__scope_inherited(sse__vctx *c, Dwarf_Die *scope, unsigned sel,
                         int (*fn)(void *arg, Dwarf_Die *var), void *arg) {
  (void)c;
  Dwarf_Attribute a;
  Dwarf_Die origin;
  if (!dwarf_attr(scope, DW_AT_abstract_origin, &a) || !dwarf_formref_die(&a, &origin)) return 0;
  return each_unreferenced(scope, &origin, sel, fn, arg, 0);
}
