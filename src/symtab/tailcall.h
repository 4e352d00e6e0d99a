/* gdb's tail-call frames (gdb/dwarf2/frame-tailcall.c, call_site_find_chain
 * in gdb/dwarf2/loc.c): the functions a call went through by tail jumps
 * before it reached the function that now runs, guessed from the
 * DW_TAG_call_site entries of optimized code. */
#ifndef SSE_SYMTAB_TAILCALL_H
#define SSE_SYMTAB_TAILCALL_H

#include <stdint.h>

#include "symtab/symtab.h"

/* Deepest chain of tail calls looked for between two real frames. */
#define SSE__TAILCALL_MAX 8

/* The tail calls between the call that returns to ret_pc (a caller
 * frame's pc) and the function starting at callee (the callee frame's
 * function): the caller's call site at ret_pc calls T1, which tail-calls
 * T2, ..., which tail-calls callee. pcs[k] gets the return pc of the tail
 * call site in T(k+1) (the pc gdb gives that tailcall frame), outermost
 * first; returns how many (at most max). 0 when the call site calls callee
 * itself, when there is no call-site information, and when the chains
 * that reach callee have nothing in common (gdb: "no unambiguously
 * determinable intermediate callers"); where several chains reach it,
 * only their common callers and callees, as gdb. Only call sites with a
 * return pc count (DW_AT_call_return_pc or the GNU DW_AT_low_pc: clang's
 * tail calls carry DW_AT_call_pc, which gdb 13 does not read); a call to
 * a declaration reaches the function of that symbol name in any module (a
 * tail call through the PLT). Takes st's mutex. */
int sse__symtab_tailcalls(sse__symtab *st, uint64_t ret_pc, uint64_t callee, uint64_t *pcs, int max);

#endif
