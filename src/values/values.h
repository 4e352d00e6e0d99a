/* src/values: variables, DWARF locations, types, C expressions and gdb's
 * formatting of C values (issue 12, first milestone).
 *
 *   arena.c    the per-request allocator and the error text
 *   types.c    DIE -> sse__vtype records (one per DIE offset a request
 *              meets), synthetic int/long/pointer types, sizeof, members
 *   typename.c C type names as gdb writes them ("int (*)(int)")
 *   loc.c      DWARF location expressions and lists -> a value
 *   scope.c    the variables at a pc: blocks innermost first, the CU's,
 *              then every module's globals
 *   fetch.c    a value's bytes, integers, bitfields, pointers
 *   format.c   gdb's print format of a value
 *   strings.c  characters and strings as gdb quotes them
 *   expr.c     the C expression parser (precedence climbing)
 *   eval.c     the expression tree evaluated to a value
 *   assign.c   C's assignment: set var, x = 5, x += 1
 *   ptype.c    gdb's whatis and ptype
 *   ptype_cxx.c  ptype of a C++ class (templates' parameters, typedefs)
 *   cxxcanon.c C++ names in gdb's canonical form ("pair<int const, int>")
 *   memptr.c   C++ pointers to members
 *   methods.c  C++ methods as values, C::m
 *   entry.c    values at a function's entry, from the caller's call site
 *   tls.c      thread-local variables
 *   statics.c  C++ static members' definitions
 *   handle.c   a value handle's path: its value found again, its children
 *   frame.c    the entry points: the frame's context, the symtab call
 *
 * Thread: the tracer thread (memory reads go through memaccess). Every
 * DIE is used inside sse__symtab_with_dwarf only. Everything read from the
 * DWARF or the target is untrusted: a bad record is an error, not a crash. */
#ifndef SSE_VALUES_H
#define SSE_VALUES_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "symtab/dies.h"

/* ---- arena.c */
typedef struct sse__arena_blk sse__arena_blk;

/* ---- types */
typedef enum sse__tkind {
  SSE__TY_VOID, SSE__TY_INT, SSE__TY_BOOL, SSE__TY_CHAR, SSE__TY_FLOAT,
  SSE__TY_PTR, SSE__TY_STRUCT, SSE__TY_UNION, SSE__TY_ARRAY, SSE__TY_ENUM,
  SSE__TY_TYPEDEF, SSE__TY_CONST, SSE__TY_VOLATILE, SSE__TY_FUNC,
  SSE__TY_MEMPTR /* C++ pointer to a member of cls: target the member's type */
} sse__tkind;

typedef struct sse__vtype sse__vtype;

typedef struct sse__member {
  const char *name;  /* NULL for an anonymous member */
  sse__vtype *type;
  uint64_t offset;   /* bytes from the start */
  unsigned bit_off;  /* bitfield: bits from offset (little-endian) */
  unsigned bit_size; /* 0 unless a bitfield */
  bool is_base;      /* a C++ base class (name NULL; printed "<base> = ") */
  bool is_static;    /* a C++ static member: no offset, at the address of
                        the symbol `linkage` */
  bool is_virtual;   /* a virtual base: its offset is in the vtable, at
                        vbase_off bytes before the address in the
                        object's vtable pointer (Itanium C++ ABI) */
  int64_t vbase_off;
  const char *linkage;
} sse__member;

typedef struct sse__enumerator {
  const char *name;
  int64_t value;
} sse__enumerator;

struct sse__vtype {
  sse__tkind kind;
  const char *name;  /* base, typedef, struct/union/enum tag, or NULL */
  uint64_t size;
  bool is_signed;    /* INT, CHAR, ENUM */
  bool complete;     /* STRUCT/UNION/ENUM: not a declaration */
  bool prototyped;   /* FUNC */
  bool varargs;      /* FUNC: "..." after the parameters */
  unsigned char ref; /* PTR: 1 a C++ reference (&), 2 an rvalue one (&&) */
  bool cxx;          /* STRUCT/UNION/ENUM of C++: named without the keyword */
  bool enum_class;   /* ENUM: a C++ enum class (scoped) */
  bool bad;          /* its DWARF could not be transcoded */
  sse__vtype *target; /* PTR, TYPEDEF, CONST, VOLATILE, ARRAY element,
                         FUNC return (NULL: void), ENUM underlying */
  int64_t count;     /* ARRAY: elements, -1 unknown */
  sse__vtype *cls;   /* MEMPTR: the class */
  size_t n;          /* members, enumerators or parameters */
  sse__member *members;
  sse__enumerator *enums;
  sse__vtype **params;
  Dwarf_Off off;     /* the DIE it came from (0: synthetic) */
  const void *dw;    /* ... in this Dwarf */
  const void *dwarf; /* the Dwarf of off, always (ptype of a C++ class) */
};

/* ---- values */
typedef enum sse__vkind {
  SSE__V_MEM,     /* lvalue in the target's memory at addr */
  SSE__V_BYTES,   /* bytes held here (registers, implicit values, results) */
  SSE__V_OPTOUT,  /* <optimized out> */
  SSE__V_IMPLPTR  /* a pointer to a value in no memory (DW_OP_implicit_pointer):
                     addr is the DIE offset of what it points to, impl_off
                     the byte offset in it (gdb's <synthetic pointer>) */
} sse__vkind;

#define SSE__PAST_PIECES 2

typedef struct sse__value {
  sse__vtype *type;
  sse__vkind kind;
  uint64_t addr;
  unsigned char *bytes; /* V_BYTES: type->size bytes (arena) */
  unsigned char *unavail; /* V_BYTES: nonzero for a byte no piece gave
                             (optimized out; SSE__PAST_PIECES past the
                             last piece), or NULL when all are there */
  unsigned bit_off, bit_size; /* a bitfield member of a V_MEM/V_BYTES struct */
  bool is_func;         /* a function: addr is its entry */
  int reg;              /* V_BYTES read from a register: its DWARF number + 1 */
  int64_t impl_off;     /* V_IMPLPTR */
  sse__vtype *method_of; /* a C++ method (is_func): its class */
} sse__value;

/* Type records and their memo (DIE offset -> record, open hashing),
 * allocated together: one per request, and one per module kept with the
 * module cache's entry (types.c), so a module's types are transcoded once
 * for every process mapping it. */
typedef struct sse__tstore {
  sse__arena_blk *blocks;
  sse__vtype **memo;
  size_t memo_cap, memo_n;
  sse__vtype *t_void;
  bool shared;  /* a module's: records keyed by offset alone */
  size_t saved; /* memo_n when last loaded from or saved to the index */
} sse__tstore;

/* The context of one request: a frame of a stopped thread. */
typedef struct sse__vctx {
  sse_process *proc;
  size_t frame;
  int inline_depth;   /* inline blocks at the pc below the frame (frame.c) */
  uint64_t pc;        /* the frame's pc (return address above frame 0) */
  uint64_t lookup_pc; /* pc, or pc - 1 for caller frames */
  uint64_t cfa;       /* 0 if unknown */
  /* the frame's registers by DWARF number: frame 0's all, a caller's
   * those its CFI recovers (bit n of regmask: reg[n] is known) */
  uint64_t reg[SSE__REGNUM_MAX + 1];
  uint32_t regmask;
  const sse__dwarf_at *at; /* inside the symtab call */
  Dwarf_Die *scopes;  /* dwarf_getscopes at lookup_pc (malloc'd) */
  int nscopes;
  /* arena */
  sse__arena_blk *blocks;
  /* types: the request's own store, and the store records are made in
   * now (a module's shared one, or the request's) */
  sse__tstore req;
  sse__tstore *store;
  Dwfl_Module *var_mod;    /* the module of the DIE being looked at */
  Dwfl_Module *store_mod;  /* the module whose store is mod_store */
  sse__tstore *mod_store;
  const void *mod_dw;      /* mod_store's Dwarf */
  size_t ntypes;
  int depth;          /* transcoding recursion */
  Dwarf_Addr var_bias; /* bias of the module of the variable being located */
  Dwarf_Die cur_enum;  /* the enumeration type of an enumerator found */
  sse__vtype *t_int, *t_long, *t_ulong, *t_uint, *t_char, *t_double, *t_void;
  sse__vtype *t_truth; /* of comparisons and ! && ||: int in C, bool in C++ */
  /* the virtual bases printed in the object being printed (gdb prints
   * each once) */
  const sse__vtype *vb_seen[16];
  unsigned vb_n;
  bool fmt_base;      /* the struct formatted next is a base subobject */
  char fmt;           /* print's /FMT letter (x z o t d u c a f s), or 0 */
  /* print limits (0: gdb's default; UINT_MAX: unlimited / never) */
  unsigned lim_elems, lim_repeats, lim_depth;
  sse_thread *thread; /* the thread of the frame (NULL: no frame, finish) */
  bool dry;           /* evaluate without side effects (assignments) */
  bool used_frame;    /* a local, an argument or a register was read */
  int entry_depth;    /* entry values being found (entry.c) */
  /* gdb's tail-call frames (frame.c, entry.c): the pcs of those between
   * this frame and its real caller, innermost first; tail_self: this frame
   * is one (no registers of its own: reg[] are its real caller's) */
  uint64_t tail_pc[8];
  int ntail;
  bool tail_self;
  Dwarf_Attribute *loc_attr; /* the location attribute being evaluated */
  /* the gdb error text of the failure, "" when none */
  char err[256];
} sse__vctx;

/* The print limits in force: gdb's `print elements` (200), `print
 * repeats` (10) and `print max-depth` (20) unless c says otherwise. */
static inline unsigned sse__lim_elems(const sse__vctx *c) { return c->lim_elems ? c->lim_elems : 200; }
static inline unsigned sse__lim_repeats(const sse__vctx *c) { return c->lim_repeats ? c->lim_repeats : 10; }
static inline unsigned sse__lim_depth(const sse__vctx *c) { return c->lim_depth ? c->lim_depth : 20; }

/* arena.c */
void *sse__arena_alloc(sse__arena_blk **blocks, size_t n); /* zeroed, or NULL */
void sse__arena_free(sse__arena_blk **blocks);
void *sse__va_alloc(sse__vctx *c, size_t n);   /* zeroed; NULL: c->err set */
char *sse__va_strdup(sse__vctx *c, const char *s);
void sse__va_free(sse__vctx *c);
/* Set c->err (printf format) unless already set; returns -1. */
int sse__verr(sse__vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* types.c */
sse__vtype *sse__type_of_die(sse__vctx *c, Dwarf_Die *die); /* die's DW_AT_type */
sse__vtype *sse__type_from(sse__vctx *c, Dwarf_Die *tdie);
sse__vtype *sse__type_ptr_to(sse__vctx *c, sse__vtype *t);
sse__vtype *sse__type_base(sse__vctx *c, const char *name, uint64_t size, sse__tkind k, bool sgn);
sse__vtype *sse__type_strip(sse__vtype *t);    /* typedefs and cv off */
uint64_t sse__type_size(sse__vtype *t);
const sse__member *sse__type_member(sse__vtype *t, const char *name, uint64_t *off);
bool sse__type_is_charlike(sse__vtype *t);
/* Whether DIE d is in a C++ compilation unit. */
bool sse__die_is_cxx(Dwarf_Die *d);
void sse__types_init(sse__vctx *c);
void sse__types_done(sse__vctx *c);
/* How many records were transcoded into modules' shared stores (tests). */
unsigned long sse__types_shared_made(void);
/* The index's hooks (typeindex.c): a shared store serialized into one
 * blob (malloc'd, *n bytes; NULL when nothing was transcoded since it was
 * loaded or saved), and a store filled from a blob (false: not valid, or
 * out of memory; the store is then used as it is). dw: the module's
 * Dwarf (each loaded record's dwarf). */
void *sse__typeindex_save(void *store, size_t *n);
bool sse__typeindex_load(sse__tstore *st, const void *blob, size_t n, const void *dw);
/* Add t to st's memo (types.c). */
bool sse__tstore_put(sse__tstore *st, sse__vtype *t);

/* Type names inside a C++ class that ptype spells out, as gdb's local
 * typedef table writes them: the class's own typedefs ("cls::X") by
 * their bare names, a template argument's type (from[i], canonical) by
 * its parameter's name (to[i]), also inside template arguments. */
#define SSE__TSUBST_MAX 16
typedef struct sse__tdtab sse__tdtab;
typedef struct sse__tsubst {
  const sse__tdtab *tab; /* gdb's typedef table: looked up first (or NULL) */
  const char *cls; /* or NULL */
  size_t n;
  const char *from[SSE__TSUBST_MAX], *to[SSE__TSUBST_MAX];
} sse__tsubst;
/* tdtab.c: gdb's local typedef table of a class ptype spells out (in
 * c's arena): add name for type unless an entry gdb takes for the same
 * type comes first; a copy; the name written for a type, or for a type
 * named name inside template arguments (NULL: none). */
sse__tdtab *sse__tdtab_new(sse__vctx *c);
int sse__tdtab_add(sse__tdtab *t, const char *name, sse__vtype *type);
sse__tdtab *sse__tdtab_copy(const sse__tdtab *t);
const char *sse__tdtab_find(const sse__tdtab *t, sse__vtype *type);
const char *sse__tdtab_find_named(const sse__tdtab *t, const char *name);
/* ... for a named type as gdb looks its name up: a typedef by the
 * first one of its name in scope (gdb's symbol of that name). */
const char *sse__tdtab_find_symbol(const sse__tdtab *t, sse__vtype *type);
/* typename.c: names written with s from now on (NULL: none) on this
 * thread; the previous s. */
const sse__tsubst *sse__type_name_subst(const sse__tsubst *s);

/* typename.c: the C name of t into buf (cut to bufsz). */
void sse__type_name(sse__vtype *t, char *buf, size_t bufsz);
/* The C declaration of name as t ("int (*op)(int, int)"); base (or NULL)
 * written in place of the innermost type's name, typedefs on the way to
 * it then looked through. */
void sse__type_decl(sse__vtype *t, const char *name, const char *base, char *buf, size_t bufsz);
/* The innermost type of t's declarator: what pointers, arrays, function
 * returns and qualifiers are of. */
sse__vtype *sse__type_innermost(sse__vtype *t);


/* cxxcanon.c: C++ name in in gdb's canonical form ("pair<int const,
 * int>" for "pair<const int, int>") into out; false (out "") when in
 * has no template arguments or out is too small. */
bool sse__cxx_canon(const char *in, char *out, size_t n);
/* A type's name as the demangler writes it ("char const*" for "const
 * char *"). */
bool sse__cxx_canon_type(const char *in, char *out, size_t n);
/* ... with the template arguments s names written as their parameters
 * (s may be NULL). */
bool sse__cxx_canon_subst(const char *in, char *out, size_t n, const sse__tsubst *s);

/* loc.c: the value of variable DIE var in c's frame. */
int sse__loc_variable(sse__vctx *c, Dwarf_Die *var, sse__value *out);
/* loc.c: the subprogram holding c's frame (for an inline frame, the real
 * function the inlined blocks are in), into out; false when none. */
bool sse__loc_real_function(const sse__vctx *c, Dwarf_Die *out);
/* loc.c: gdb's dwarf2_find_location_expression: the location expression
 * of attribute a at pc (a DWARF address): the first entry whose range
 * holds it, or an empty range at pc when pc is the entry of c's real
 * function (gcc's entry-point records, view numbers aside). 1 found, 0
 * none (optimized out), -1 bad DWARF. */
int sse__loc_at(const sse__vctx *c, Dwarf_Attribute *a, Dwarf_Addr pc, Dwarf_Op **ops, size_t *n);
/* A CFI expression (is_loc false: a DWARF expression, the top of the
 * stack) or location description (is_loc: the value of what it locates,
 * memory read) in c's frame. 0, 1 (not available), -1 (c->err). */
int sse__loc_eval_word(sse__vctx *c, const Dwarf_Op *ops, size_t n, bool is_loc, uint64_t *out);

/* entry.c: the value register reg had at the entry of c's function (0),
 * or 1: unknown. The value of parameter par at the entry (gdb's
 * NAME@entry): 0, 1 (unknown), -1 (c->err). */
/* entry.c: DW_OP_GNU_parameter_ref: the value the caller's call site
 * gives the parameter at CU offset cu_off (one IPA dropped), 0; 1 when
 * unavailable. */
int sse__entry_param_ref(sse__vctx *c, Dwarf_Off cu_off, uint64_t *out);
int sse__entry_reg(sse__vctx *c, int reg, uint64_t *out);
int sse__entry_param(sse__vctx *c, Dwarf_Die *par, sse__value *out);

/* statics.c: the address of the ELF symbol name in any module (a C++
 * static member's definition). 0, or 1 (none). */
int sse__symbol_addr(sse__vctx *c, const char *name, uint64_t *addr);
/* ... of the function symbol name (a C++ method's code). */
int sse__func_symbol_addr(sse__vctx *c, const char *name, uint64_t *addr);

/* tls.c: the address of offset in the TLS block of c->var_mod in c's
 * thread. 0, or -1 (c->err). */
int sse__tls_address(sse__vctx *c, uint64_t offset, uint64_t *out);

/* cfi.c: c's registers, pc and CFA moved to the caller's frame by the
 * call-frame information at c->lookup_pc. 0, or 1 when it cannot. */
int sse__cfi_unwind(sse__vctx *c, Dwfl *dwfl);
/* c->cfa set from the CFI at c's lookup pc and its registers (0: unknown). */
void sse__cfi_cfa(sse__vctx *c, Dwfl *dwfl);

/* scope.c */
typedef enum sse__vsel { SSE__VS_ARGS = 1, SSE__VS_LOCALS = 2 } sse__vsel;
/* Find the variable name visible at the frame: 1 found (*die), 0 not. */
int sse__scope_find(sse__vctx *c, const char *name, Dwarf_Die *die);
/* fn for each argument or local (sel) at the frame, innermost block first
 * as gdb's info locals. Stops when fn returns nonzero and returns that. */
int sse__scope_each(sse__vctx *c, unsigned sel, int (*fn)(void *arg, Dwarf_Die *var), void *arg);
int sse__scope_open(sse__vctx *c);
/* inherit.c: fn for each argument or local (sel) of concrete function
 * instance scope that only its abstract origin holds (gdb's
 * inherit_abstract_dies). Stops when fn returns nonzero, returns that. */
int sse__scope_inherited(sse__vctx *c, Dwarf_Die *scope, unsigned sel,
                         int (*fn)(void *arg, Dwarf_Die *var), void *arg);
/* A type DIE named name: tag DW_TAG_structure_type, union_type,
 * enumeration_type, or DW_TAG_typedef (a typedef or a base type). The
 * frame's CU first, then the module's, then every module's. 1 or 0. */
int sse__scope_find_type(sse__vctx *c, int tag, const char *name, Dwarf_Die *out);
/* The address of function fn's code (fn a definition, or a declaration:
 * by its linkage name's symbol, or its definition elsewhere in the CU):
 * 0, or 1 none. */
int sse__scope_code(sse__vctx *c, Dwarf_Die *fn, uint64_t *addr);
/* gdb's error (c->err) for name, which sse__scope_find did not find
 * ("No symbol \"x\" in namespace \"ns\"."); -1. */
int sse__scope_not_found(sse__vctx *c, const char *name);

/* msym.c: the function of ELF symbol name in one of the process's
 * modules, typed by its DWARF at its address (the module's separate
 * debug info too): 0, 1 none (or no DWARF there), -1 c->err. */
int sse__msym_function(sse__vctx *c, const char *name, sse__value *out);
/* The DWARF name of the function of m starting at start (an address of
 * the process), gdb's name for it over the ELF symbol's: false if none. */
bool sse__msym_dwarf_name(Dwfl_Module *m, uint64_t start, char *buf, size_t n);

/* typeparse.c: a type name at *pp (advanced past it), or NULL: not a
 * type name (c->err empty) or an unknown tag (c->err set). */
sse__vtype *sse__typename_parse(sse__vctx *c, const char **pp);
/* The length of one component of a C++ name at p: an identifier with
 * its template arguments ("vector<int>"), or "(anonymous namespace)";
 * 0: none. */
size_t sse__name_comp_len(const char *p);

/* fetch.c */
int sse__val_bytes(sse__vctx *c, const sse__value *v, unsigned char *buf, size_t n);
int sse__val_int(sse__vctx *c, const sse__value *v, int64_t *out);   /* ints, enums, chars, bools, pointers */
int sse__val_double(sse__vctx *c, const sse__value *v, double *out);
bool sse__val_member(sse__vctx *c, const sse__value *v, const sse__member *m, sse__value *out);
sse__value sse__val_at(sse__vtype *t, uint64_t addr);
int sse__val_from_int(sse__vctx *c, sse__vtype *t, int64_t x, sse__value *out);
int sse__val_from_double(sse__vctx *c, sse__vtype *t, double d, sse__value *out);
int sse__mem(sse__vctx *c, uint64_t addr, void *buf, size_t n); /* gdb's error text */
/* Member name of struct or union v, through anonymous members and base
 * classes (a virtual one where the object's vtable says): 1 (*out), 0
 * none. The subobject of v of base class b (stripped): 1 (*out), 0 none.
 * depth: 0. */
int sse__val_find_member(sse__vctx *c, const sse__value *v, const char *name, sse__value *out,
                         int depth);
int sse__val_base(sse__vctx *c, const sse__value *v, const sse__vtype *b, sse__value *out,
                  int depth);
/* Whether any of the bytes of v (its size) is optimized out. */
bool sse__val_partly_out(const sse__value *v);

/* format.c: print v as gdb's `print` (top: the whole value of a print). */
typedef struct sse__out {
  char *buf;
  size_t cap, len;
  bool truncated;
} sse__out;
void sse__out_puts(sse__out *o, const char *s);
void sse__out_printf(sse__out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sse__format_value(sse__vctx *c, const sse__value *v, bool top, sse__out *o);
/* " <sym+off>" of a code or data address, or nothing. */
void sse__format_symbol(sse__vctx *c, uint64_t addr, sse__out *o);

/* methods.c: the method name of class cls as a value (obj: the object
 * it is called on, or NULL; addr_of: for &C::f, a virtual method's value
 * then its vtable slot): 1 (*out), 0 (cls has none), -1 (c->err).
 * A method value v made a pointer to the method (&C::f). */
int sse__method_value(sse__vctx *c, const sse__value *obj, sse__vtype *cls, const char *name,
                      bool addr_of, sse__value *out);
int sse__method_pointer(sse__vctx *c, sse__value *v);
/* C::m of a qualified name that is no variable: method m of class C
 * (addr_of, for &C::m: a virtual one's vtable slot, or a pointer to the
 * data member m, a V_BYTES value). 0 (*out), 1 none, -1 (c->err). */
int sse__qualified_member(sse__vctx *c, const char *name, bool addr_of, sse__value *out);

/* memptr.c: a C++ pointer to a member v (of stripped type t). */
int sse__format_memptr(sse__vctx *c, const sse__value *v, sse__vtype *t, sse__out *o);
/* obj.*pm: the member of class value obj pointer to member pm points to
 * (a method: the function, a virtual one through obj's vtable). */
int sse__memptr_apply(sse__vctx *c, const sse__value *obj, const sse__value *pm, sse__value *out);

/* fmtletter.c: a scalar v (of stripped type t) with /FMT c->fmt. */
int sse__format_letter(sse__vctx *c, const sse__value *v, sse__vtype *t, sse__out *o);
void sse__format_double(sse__out *o, double d, int digits);

/* strings.c */
void sse__format_char(sse__out *o, int ch, int quote);
int sse__format_cstring(sse__vctx *c, uint64_t addr, sse__out *o);
void sse__format_chars(sse__vctx *c, sse__out *o, const unsigned char *s, size_t len,
                       bool force_ellipses);

/* expr.c */
typedef struct sse__expr sse__expr;
sse__expr *sse__expr_parse(sse__vctx *c, const char *text);
/* eval.c */
/* eval.c: *v for v a V_IMPLPTR pointer: the value of what it points to. */
int sse__implptr_deref(sse__vctx *c, sse__value *v);
int sse__expr_eval(sse__vctx *c, const sse__expr *e, sse__value *out);

/* the AST (expr.c builds it, eval.c reads it) */
typedef enum sse__eop {
  SSE__E_NUM, SSE__E_FNUM, SSE__E_IDENT, SSE__E_NEG, SSE__E_DEREF, SSE__E_ADDR,
  SSE__E_NOT, SSE__E_BNOT, SSE__E_INDEX, SSE__E_MEMBER, SSE__E_ARROW, SSE__E_BIN,
  SSE__E_CAST, SSE__E_SIZEOF, SSE__E_SIZEOF_TYPE, SSE__E_DOLLAR,
  SSE__E_ASSIGN, /* a = b; bin: the operator of a compound a op= b, or 0 */
  SSE__E_COND    /* a ? b : alt */
} sse__eop;
struct sse__expr {
  sse__eop op;
  int bin;          /* SSE__E_BIN: the operator character ('+', '-', '*', '/', '%') */
  uint64_t num;     /* NUM */
  bool num_long, num_unsigned;
  double fnum;
  const char *name; /* IDENT, MEMBER, ARROW, DOLLAR (without the '$') */
  sse__vtype *type; /* CAST, SIZEOF_TYPE */
  sse__expr *a, *b, *alt;
  size_t lo, hi;    /* ASSIGN: where its left operand is in the text */
};
/* Whether e assigns anything (evaluating it again would again). */
bool sse__expr_assigns(const sse__expr *e);

/* assign.c: C's `lhs = rhs`: rhs converted to lhs's type and written to
 * lhs's memory or (frame 0) register; *lhs then holds the new value. */
int sse__val_assign(sse__vctx *c, sse__value *lhs, const sse__value *rhs);
/* eval.c: (t) v with C's conversions, as a cast in an expression. */
int sse__val_cast(sse__vctx *c, sse__vtype *t, sse__value *v);
/* A C++ reference v as the value it refers to (else v unchanged). */
int sse__val_unref(sse__vctx *c, sse__value *v);

/* ptype.c: gdb's whatis (ptype false) or ptype of what (a type name or
 * an expression, evaluated without side effects), after "type = ". */
int sse__describe_type(sse__vctx *c, const char *what, bool ptype, sse__out *o);

/* ptype.c: one member's declaration at indentation level; n blanks. */
int sse__ptype_member(sse__vctx *c, const sse__member *m, int level, sse__out *o);
void sse__ptype_spaces(sse__out *o, int n);
/* ptype_cxx.c: the body of C++ class t as gdb's ptype: 0, -1 (c->err),
 * 1: t is no C++ class with its DWARF at hand. */
int sse__ptype_class(sse__vctx *c, sse__vtype *t, int level, sse__out *o);

/* handle.c: a value found again from its path. */
typedef enum sse__vstep_kind { SSE__VSTEP_MEMBER, SSE__VSTEP_ELEM, SSE__VSTEP_DEREF } sse__vstep_kind;
typedef struct sse__vstep {
  sse__vstep_kind kind;
  uint64_t index; /* the child's number (members, elements; 0: the pointee) */
} sse__vstep;
typedef struct sse__vpath {
  const char *expr;  /* the root: an expression in the frame, or NULL: */
  uint64_t die;      /* the variable of this DIE offset in the frame's module */
  const sse__vstep *steps;
  size_t n;
} sse__vpath;
int sse__vpath_value(sse__vctx *c, const sse__vpath *p, sse__value *out);
/* Children of v, from its type alone: members, elements, 1 pointee. */
uint64_t sse__value_nchildren(const sse__value *v);
/* Child i < sse__value_nchildren(v) (*member: a member's name, NULL for
 * an anonymous one or another kind). */
int sse__value_child(sse__vctx *c, const sse__value *v, uint64_t i, sse__value *out,
                     const char **member);
/* The C expression of a value, to build its children's on. */
typedef struct sse__vexpr {
  const char *text;
  int prec;               /* sse__vexpr_prec(text) */
  const char *arrow_base; /* a pointee's pointer, when a postfix chain:
                             its members are arrow_base->m */
} sse__vexpr;
int sse__vexpr_prec(const char *s);
/* The expression of parent's child by step s (member: its name); child
 * gets its prec and arrow_base (pointing into parent's strings).
 * malloc'd, or NULL. */
char *sse__vexpr_child(const sse__vexpr *parent, const sse__vstep *s, const char *member,
                       sse__vexpr *child);

/* retval.c */
int sse__retval_value(sse__vctx *c, sse__vtype *t, const uint64_t rax_rdx[2], uint64_t xmm0,
                      sse__value *v);
int sse__retval_type(sse__vctx *c, sse__vtype **t);

/* frame.c: the entry points (tracer thread, t stopped). */
typedef struct sse__var_text {
  char *name, *type, *value; /* malloc'd */
  char *entry;               /* an argument's entry value, or NULL */
  bool is_arg;
} sse__var_text;
int sse__values_frame_vars(sse_thread *t, size_t frame, unsigned sel,
                           sse__var_text **out, size_t *n, char *err, size_t errsz);
int sse__values_evaluate(sse_thread *t, size_t frame, const char *expr, char fmt,
                         char **text, char **type, uint64_t *addr, bool *has_addr,
                         bool *uses_frame /* may be NULL */, char *err, size_t errsz);
/* fn(c, arg) with c on frame `frame` of t, inside the symtab call (the
 * frame's CU and scopes open when it has DWARF), print settings from lim
 * (NULL: gdb's defaults). 0, or -1 with c->err in err. */
typedef struct sse__vlimits {
  char fmt;
  unsigned elems, repeats, depth; /* as sse__vctx's lim_* */
} sse__vlimits;
typedef int (*sse__vreq_fn)(sse__vctx *c, void *arg);
int sse__values_in_frame(sse_thread *t, size_t frame, const sse__vlimits *lim, sse__vreq_fn fn,
                         void *arg, char *err, size_t errsz);
/* The value the function holding func_pc returned, from the registers
 * of the return: 0 (text, type malloc'd), 1 (it returns void), -1 (err). */
int sse__values_return(sse_process *p, uint64_t func_pc, const uint64_t rax_rdx[2], uint64_t xmm0,
                       char **text, char **type, char *err, size_t errsz);

#endif
