/* tdesc.c — the target description and gdb's amd64 register numbers.
 *
 * gdb numbers registers in the order of the description's <reg> elements;
 * the 'g' packet is them in that order. gdb's amd64 Linux ABI accepts a
 * description only with the whole org.gnu.gdb.i386.core feature (the x87
 * registers included) and orig_rax in org.gnu.gdb.i386.linux; sse reads
 * the general registers only, so the x87 and SSE registers are listed and
 * served as unavailable ('x' in a 'g' reply). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gdbserver.h"

#define F(m) ((int)(offsetof(sse_regs, m) / sizeof(uint64_t)))

typedef struct reg_def {
  tdesc_reg r;
  const char *type;
  const char *group; /* NULL: none */
  int feature;
} reg_def;

enum { CORE, SSE, LINUX, SEGMENTS, NFEATURES };
static const char *const feature_names[NFEATURES] = {
    "org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.linux",
    "org.gnu.gdb.i386.segments"};

#define GP(name, m, type) {{#name, 8, F(m)}, type, NULL, CORE}
#define SEG(name, m) {{#name, 4, F(m)}, "int32", NULL, CORE}
#define ST(n) {{"st" #n, 10, -1}, "i387_ext", NULL, CORE}
#define FPC(name) {{#name, 4, -1}, "int", "float", CORE}
#define XMM(n) {{"xmm" #n, 16, -1}, "uint128", NULL, SSE}

static const reg_def regs[] = {
    GP(rax, rax, "int64"),   GP(rbx, rbx, "int64"),
    GP(rcx, rcx, "int64"),   GP(rdx, rdx, "int64"),
    GP(rsi, rsi, "int64"),   GP(rdi, rdi, "int64"),
    GP(rbp, rbp, "data_ptr"), GP(rsp, rsp, "data_ptr"),
    GP(r8, r8, "int64"),     GP(r9, r9, "int64"),
    GP(r10, r10, "int64"),   GP(r11, r11, "int64"),
    GP(r12, r12, "int64"),   GP(r13, r13, "int64"),
    GP(r14, r14, "int64"),   GP(r15, r15, "int64"),
    GP(rip, rip, "code_ptr"),
    {{"eflags", 4, F(eflags)}, "i386_eflags", NULL, CORE},
    SEG(cs, cs), SEG(ss, ss), SEG(ds, ds), SEG(es, es), SEG(fs, fs),
    SEG(gs, gs),
    ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7),
    FPC(fctrl), FPC(fstat), FPC(ftag), FPC(fiseg), FPC(fioff), FPC(foseg),
    FPC(fooff), FPC(fop),
    XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
    XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
    {{"mxcsr", 4, -1}, "int", "vector", SSE},
    {{"orig_rax", 8, F(orig_rax)}, "int", NULL, LINUX},
    {{"fs_base", 8, F(fs_base)}, "int", NULL, SEGMENTS},
    {{"gs_base", 8, F(gs_base)}, "int", NULL, SEGMENTS},
};
#define NREGS ((int)(sizeof regs / sizeof regs[0]))

int tdesc_nregs(void) { return NREGS; }

const tdesc_reg *tdesc_reg_at(int regno) {
  return regno >= 0 && regno < NREGS ? &regs[regno].r : NULL;
}

/* gdb's own flags type for eflags (features/i386/64bit-core.xml). */
static const char eflags_type[] =
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>";

const char *tdesc_xml(void) {
  static char xml[12288];
  if (xml[0]) return xml;
  size_t n = 0;
#define PUT(...) n += (size_t)snprintf(xml + n, sizeof xml - n, __VA_ARGS__)
  PUT("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
      "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n"
      "<osabi>GNU/Linux</osabi>\n");
  for (int f = 0; f < NFEATURES; f++) {
    PUT("<feature name=\"%s\">\n", feature_names[f]);
    if (f == CORE) PUT("%s\n", eflags_type);
    for (int i = 0; i < NREGS; i++) {
      if (regs[i].feature != f) continue;
      PUT("<reg name=\"%s\" bitsize=\"%d\" type=\"%s\" regnum=\"%d\"", regs[i].r.name,
          regs[i].r.size * 8, regs[i].type, i);
      if (regs[i].group) PUT(" group=\"%s\"", regs[i].group);
      PUT("/>\n");
    }
    PUT("</feature>\n");
  }
  PUT("</target>\n");
#undef PUT
  return xml;
}
