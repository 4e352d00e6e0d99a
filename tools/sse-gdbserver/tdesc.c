/* tdesc.c — the target description and gdb's amd64 register numbers, each
 * register mapped on sse's: the general ones on sse_regs, the x87, SSE and
 * AVX ones on sse_fpregs (its FXSAVE image and the ymm upper halves).
 *
 * gdb numbers registers in the order of the description's <reg> elements;
 * the 'g' packet is them in that order. Names, types and numbers are those
 * of gdb's own amd64 Linux description (features/i386/64bit-*.xml, as
 * `maint print xml-tdesc` shows natively), so `info registers` and `p $xmm0`
 * print as natively. The AVX feature (ymm0h-ymm15h, from which gdb makes
 * ymm0-15) is there when the thread has the AVX state, the AVX-512 one
 * (xmm16-31, ymm16h-31h, k0-7, zmm0h-31h: gdb makes zmm0-31 and ymm16-31)
 * when it has that too.
 *
 * The x87 registers as gdb shows them (i387-tdep.c, i387_supply_fxsave):
 * fctrl and fstat zero-extended, fop its 11 bits, ftag the full tag word
 * made from FXSAVE's abridged one and each register's value, fiseg/foseg
 * the upper words of the 64-bit instruction and operand pointers. */
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

enum { CORE, SSE, LINUX, SEGMENTS, AVX, AVX512, NFEATURES };
static const char *const feature_names[NFEATURES] = {
    "org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.linux",
    "org.gnu.gdb.i386.segments", "org.gnu.gdb.i386.avx", "org.gnu.gdb.i386.avx512"};

#define GP(name, m, type) {{#name, 8, TD_GP, F(m)}, type, NULL, CORE}
#define SEG(name, m) {{#name, 4, TD_GP, F(m)}, "int32", NULL, CORE}
#define ST(n) {{"st" #n, 10, TD_FX, 32 + 16 * (n)}, "i387_ext", NULL, CORE}
#define FPC(name, kind, off) {{#name, 4, kind, off}, "int", "float", CORE}
#define XMM(n) {{"xmm" #n, 16, TD_FX, 160 + 16 * (n)}, "vec128", NULL, SSE}
#define YMMH(n) {{"ymm" #n "h", 16, TD_YMMH, n}, "uint128", NULL, AVX}
/* AVX-512: zmm16-31 at 64 * (n - 16) in hi16_zmm, xmm and ymmh their
 * first two 16-byte parts, zmmh the upper 32 bytes */
#define XMM16(n) {{"xmm" #n, 16, TD_HI16, 64 * ((n) - 16)}, "vec128", NULL, AVX512}
#define YMM16H(n) {{"ymm" #n "h", 16, TD_HI16, 64 * ((n) - 16) + 16}, "uint128", NULL, AVX512}
#define KREG(n) {{"k" #n, 8, TD_K, n}, "uint64", NULL, AVX512}
#define ZMMH(n) {{"zmm" #n "h", 32, TD_ZMMH, n}, "v2ui128", NULL, AVX512}
#define ZMM16H(n) {{"zmm" #n "h", 32, TD_HI16, 64 * ((n) - 16) + 32}, "v2ui128", NULL, AVX512}


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
    {{"eflags", 4, TD_GP, F(eflags)}, "i386_eflags", NULL, CORE},
    SEG(cs, cs), SEG(ss, ss), SEG(ds, ds), SEG(es, es), SEG(fs, fs),
    SEG(gs, gs),
    ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7),
    FPC(fctrl, TD_FX16, 0), FPC(fstat, TD_FX16, 2), FPC(ftag, TD_FTAG, 4),
    FPC(fiseg, TD_FX, 12), FPC(fioff, TD_FX, 8), FPC(foseg, TD_FX, 20),
    FPC(fooff, TD_FX, 16), FPC(fop, TD_FOP, 6),
    XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
    XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
    {{"mxcsr", 4, TD_FX, 24}, "i386_mxcsr", "vector", SSE},
    {{"orig_rax", 8, TD_GP, F(orig_rax)}, "int", NULL, LINUX},
    {{"fs_base", 8, TD_GP, F(fs_base)}, "int", NULL, SEGMENTS},
    {{"gs_base", 8, TD_GP, F(gs_base)}, "int", NULL, SEGMENTS},
    YMMH(0), YMMH(1), YMMH(2), YMMH(3), YMMH(4), YMMH(5), YMMH(6), YMMH(7),
    YMMH(8), YMMH(9), YMMH(10), YMMH(11), YMMH(12), YMMH(13), YMMH(14), YMMH(15),
    XMM16(16), XMM16(17), XMM16(18), XMM16(19), XMM16(20), XMM16(21), XMM16(22),
    XMM16(23), XMM16(24), XMM16(25), XMM16(26), XMM16(27), XMM16(28), XMM16(29),
    XMM16(30), XMM16(31),
    YMM16H(16), YMM16H(17), YMM16H(18), YMM16H(19), YMM16H(20), YMM16H(21), YMM16H(22),
    YMM16H(23), YMM16H(24), YMM16H(25), YMM16H(26), YMM16H(27), YMM16H(28), YMM16H(29),
    YMM16H(30), YMM16H(31),
    KREG(0), KREG(1), KREG(2), KREG(3), KREG(4), KREG(5), KREG(6), KREG(7),
    ZMMH(0), ZMMH(1), ZMMH(2), ZMMH(3), ZMMH(4), ZMMH(5), ZMMH(6), ZMMH(7), ZMMH(8),
    ZMMH(9), ZMMH(10), ZMMH(11), ZMMH(12), ZMMH(13), ZMMH(14), ZMMH(15),
    ZMM16H(16), ZMM16H(17), ZMM16H(18), ZMM16H(19), ZMM16H(20), ZMM16H(21), ZMM16H(22),
    ZMM16H(23), ZMM16H(24), ZMM16H(25), ZMM16H(26), ZMM16H(27), ZMM16H(28), ZMM16H(29),
    ZMM16H(30), ZMM16H(31),
};
#define NREGS ((int)(sizeof regs / sizeof regs[0]))
#define NREGS_AVX (NREGS - 16 * 4 - 8)
#define NREGS_SSE (NREGS_AVX - 16)

int tdesc_nregs(int level) {
  return level == TDESC_AVX512 ? NREGS : level == TDESC_AVX ? NREGS_AVX : NREGS_SSE;
}

const tdesc_reg *tdesc_reg_at(int regno) {
  return regno >= 0 && regno < NREGS ? &regs[regno].r : NULL;
}

/* ------------------------------------------------------------ x87 */

/* gdb's tag of an 80-bit register (i387_tag): 0 valid, 1 zero, 2 special. */
static int x87_tag(const uint8_t *raw) {
  bool integer = raw[7] & 0x80;
  unsigned exponent = (unsigned)(raw[9] & 0x7f) << 8 | raw[8];
  bool fraction = (raw[7] & 0x7f) || raw[6] || raw[5] || raw[4] || raw[3] || raw[2] ||
                  raw[1] || raw[0];
  if (exponent == 0x7fff) return 2;
  if (exponent == 0) return !fraction && !integer ? 1 : 2;
  return integer ? 0 : 2;
}

/* The full tag word from FXSAVE's abridged one (a bit per physical
 * register: not empty), the values giving the rest. */
static unsigned full_ftag(const uint8_t *fx) {
  unsigned top = (fx[3] >> 3) & 7, tag = 0;
  for (unsigned phys = 0; phys < 8; phys++) {
    int t = 3; /* empty */
    if (fx[4] & (1u << phys)) t = x87_tag(fx + 32 + 16 * ((phys - top) & 7));
    tag |= (unsigned)t << (2 * phys);
  }
  return tag;
}

bool tdesc_is_fp(const tdesc_reg *d) { return d->kind != TD_GP; }

static void put_le(uint8_t *out, uint64_t v, int n) {
  for (int i = 0; i < n; i++) out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n && i < 8; i++) v |= (uint64_t)in[i] << (8 * i);
  return v;
}

void tdesc_get(const tdesc_reg *d, const gs_regcache *c, uint8_t *out) {
  const uint8_t *fx = c->fp.fxsave;
  switch (d->kind) {
    case TD_GP: put_le(out, ((const uint64_t *)&c->gp)[d->at], d->size); break;
    case TD_FX: memcpy(out, fx + d->at, (size_t)d->size); break;
    case TD_FX16: put_le(out, get_le(fx + d->at, 2), d->size); break;
    case TD_FTAG: put_le(out, full_ftag(fx), d->size); break;
    case TD_FOP: put_le(out, get_le(fx + d->at, 2) & 0x7ff, d->size); break;
    case TD_YMMH: memcpy(out, c->fp.ymmh[d->at], 16); break;
    case TD_K: memcpy(out, c->fp.k[d->at], 8); break;
    case TD_ZMMH: memcpy(out, c->fp.zmmh[d->at], 32); break;
    case TD_HI16: memcpy(out, &c->fp.hi16_zmm[0][0] + d->at, (size_t)d->size); break;
  }
}

void tdesc_set(const tdesc_reg *d, gs_regcache *c, const uint8_t *in) {
  uint8_t *fx = c->fp.fxsave;
  unsigned tag = 0;
  switch (d->kind) {
    case TD_GP: ((uint64_t *)&c->gp)[d->at] = get_le(in, d->size); break;
    case TD_FX: memcpy(fx + d->at, in, (size_t)d->size); break;
    case TD_FX16: put_le(fx + d->at, get_le(in, 2), 2); break;
    case TD_FTAG: /* abridged: a register is in use unless its tag is 3 */
      for (unsigned phys = 0, t = (unsigned)get_le(in, 2); phys < 8; phys++)
        if (((t >> (2 * phys)) & 3) != 3) tag |= 1u << phys;
      fx[4] = (uint8_t)tag;
      break;
    case TD_FOP: put_le(fx + d->at, get_le(in, 2) & 0x7ff, 2); break;
    case TD_YMMH: memcpy(c->fp.ymmh[d->at], in, 16); break;
    case TD_K: memcpy(c->fp.k[d->at], in, 8); break;
    case TD_ZMMH: memcpy(c->fp.zmmh[d->at], in, 32); break;
    case TD_HI16: memcpy(&c->fp.hi16_zmm[0][0] + d->at, in, (size_t)d->size); break;
  }
}

/* ------------------------------------------------------------ XML */

/* gdb's own types (features/i386/64bit-core.xml, 64bit-sse.xml). */
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

static const char sse_types[] =
    "<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>"
    "<vector id=\"v8h\" type=\"ieee_half\" count=\"8\"/>"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
    "<union id=\"vec128\"><field name=\"v8_bfloat16\" type=\"v8bf16\"/>"
    "<field name=\"v8_half\" type=\"v8h\"/><field name=\"v4_float\" type=\"v4f\"/>"
    "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
    "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
    "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
    "</union>"
    "<flags id=\"i386_mxcsr\" size=\"4\">"
    "<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
    "<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
    "<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
    "<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
    "<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
    "<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
    "<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>"
    "</flags>";

static void build_xml(char *xml, size_t cap, int level) {
  int nf = level == TDESC_AVX512 ? NFEATURES : level == TDESC_AVX ? AVX512 : AVX;
  size_t n = 0;
#define PUT(...) n += (size_t)snprintf(xml + n, n < cap ? cap - n : 0, __VA_ARGS__)
  PUT("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
      "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n"
      "<osabi>GNU/Linux</osabi>\n");
  for (int f = 0; f < nf; f++) {
    PUT("<feature name=\"%s\">\n", feature_names[f]);
    if (f == CORE) PUT("%s\n", eflags_type);
    if (f == SSE) PUT("%s\n", sse_types);
    if (f == AVX512) PUT("%s\n<vector id=\"v2ui128\" type=\"uint128\" count=\"2\"/>\n", sse_types);
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
}

const char *tdesc_xml(int level) {
  static char xml[3][32768];
  char *x = xml[level < 0 || level > TDESC_AVX512 ? 0 : level];
  if (!x[0]) build_xml(x, sizeof xml[0], level);
  return x;
}
