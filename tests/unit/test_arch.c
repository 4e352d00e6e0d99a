/* arch.h on x86_64: decode/classify, range scan, prologue skip, disasm,
 * DR6/DR7 encoding, per-thread capstone handles, decode throughput. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr, prctl, kill under -std=c11 */
#endif
#include <criterion/criterion.h>

#include <capstone/capstone.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/user.h>
#include <time.h>

#include "arch/arch.h"

#define A 0x401000u /* where the test bytes pretend to be */

static sse__insn dec(const uint8_t *b, size_t n) {
  sse__insn in;
  memset(&in, 0xa5, sizeof in); /* every field must be written */
  int rc = sse__arch_decode(b, n, A, &in);
  cr_assert_eq(rc, in.kind == SSE__INSN_INVALID ? -1 : 0);
  cr_assert_eq(in.addr, A);
  return in;
}

#define DEC(...) dec((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static void expect(sse__insn in, unsigned len, sse__insn_kind kind) {
  cr_expect_eq(in.len, len, "len %u, want %u", in.len, len);
  cr_expect_eq(in.kind, kind, "kind %d, want %d", in.kind, kind);
}

static void expect_target(sse__insn in, uint64_t target) {
  cr_expect(in.has_target);
  cr_expect_eq(in.target, target, "target %#llx, want %#llx",
               (unsigned long long)in.target, (unsigned long long)target);
}

Test(arch_decode, call_rel32_with_target, .timeout = 10) {
  sse__insn in = DEC(0xe8, 0xfb, 0x00, 0x00, 0x00); /* call A+0x100 */
  expect(in, 5, SSE__INSN_CALL);
  expect_target(in, A + 0x100);
  in = DEC(0xe8, 0xf6, 0xff, 0xff, 0xff); /* call A-5 (backwards) */
  expect_target(in, A - 5);
}

Test(arch_decode, call_indirect, .timeout = 10) {
  sse__insn in = DEC(0xff, 0xd0); /* call *%rax */
  expect(in, 2, SSE__INSN_CALL);
  cr_expect(!in.has_target);
  in = DEC(0xff, 0x15, 0x10, 0x00, 0x00, 0x00); /* call *0x10(%rip) */
  expect(in, 6, SSE__INSN_CALL);
  cr_expect(!in.has_target);
}

Test(arch_decode, returns, .timeout = 10) {
  expect(DEC(0xc3), 1, SSE__INSN_RET);                   /* ret */
  expect(DEC(0xc2, 0x08, 0x00), 3, SSE__INSN_RET);       /* ret $8 */
  expect(DEC(0xf3, 0xc3), 2, SSE__INSN_RET);             /* rep ret: RET, not REP */
  expect(DEC(0xcb), 1, SSE__INSN_RET);                   /* lret */
  expect(DEC(0x48, 0xcf), 2, SSE__INSN_RET);             /* iretq */
  cr_expect(!DEC(0xc3).has_target);
}

Test(arch_decode, jumps, .timeout = 10) {
  sse__insn in = DEC(0xeb, 0x0e); /* jmp rel8 */
  expect(in, 2, SSE__INSN_JMP);
  expect_target(in, A + 0x10);
  in = DEC(0xe9, 0xfb, 0x0f, 0x00, 0x00); /* jmp rel32 */
  expect(in, 5, SSE__INSN_JMP);
  expect_target(in, A + 0x1000);
  in = DEC(0xff, 0xe0); /* jmp *%rax */
  expect(in, 2, SSE__INSN_JMP);
  cr_expect(!in.has_target);
  in = DEC(0x3e, 0xff, 0xe0); /* notrack jmp *%rax */
  expect(in, 3, SSE__INSN_JMP);
}

Test(arch_decode, conditional, .timeout = 10) {
  sse__insn in = DEC(0x75, 0x1e); /* jne rel8 */
  expect(in, 2, SSE__INSN_JCC);
  expect_target(in, A + 0x20);
  in = DEC(0x0f, 0x84, 0xfa, 0x1f, 0x00, 0x00); /* je rel32 */
  expect(in, 6, SSE__INSN_JCC);
  expect_target(in, A + 0x2000);
  in = DEC(0xe3, 0x0e); /* jrcxz */
  expect(in, 2, SSE__INSN_JCC);
  expect_target(in, A + 0x10);
  in = DEC(0xe2, 0xee); /* loop .-0x10 */
  expect(in, 2, SSE__INSN_JCC);
  expect_target(in, A - 0x10);
  expect(DEC(0xe1, 0x00), 2, SSE__INSN_JCC); /* loope */
  expect(DEC(0xe0, 0x00), 2, SSE__INSN_JCC); /* loopne */
}

Test(arch_decode, kernel_entry_and_traps, .timeout = 10) {
  expect(DEC(0x0f, 0x05), 2, SSE__INSN_SYSCALL); /* syscall */
  expect(DEC(0x0f, 0x34), 2, SSE__INSN_SYSCALL); /* sysenter */
  expect(DEC(0xcc), 1, SSE__INSN_SYSCALL);       /* int3 */
  expect(DEC(0xcd, 0x80), 2, SSE__INSN_SYSCALL); /* int $0x80 */
  expect(DEC(0xf1), 1, SSE__INSN_SYSCALL);       /* int1 */
  expect(DEC(0x0f, 0x0b), 2, SSE__INSN_SYSCALL); /* ud2 */
  expect(DEC(0xf4), 1, SSE__INSN_SYSCALL);       /* hlt */
  expect(dec(sse__arch_break_insn, SSE__ARCH_BREAK_LEN), 1, SSE__INSN_SYSCALL);
  cr_expect_eq(sse__arch_break_insn[0], 0xcc);
  cr_expect_eq(SSE__ARCH_BREAK_PC_ADJUST, 1);
}

Test(arch_decode, rep_string, .timeout = 10) {
  expect(DEC(0xf3, 0xa4), 2, SSE__INSN_REP);       /* rep movsb */
  expect(DEC(0xf3, 0x48, 0xab), 3, SSE__INSN_REP); /* rep stos %rax */
  expect(DEC(0xf3, 0xaa), 2, SSE__INSN_REP);       /* rep stosb */
  expect(DEC(0xf3, 0xa6), 2, SSE__INSN_REP);       /* repz cmpsb */
  expect(DEC(0xf2, 0xae), 2, SSE__INSN_REP);       /* repnz scasb */
  expect(DEC(0xf3, 0x48, 0xa5), 3, SSE__INSN_REP); /* rep movsq */
  /* not rep string ops */
  expect(DEC(0xa4), 1, SSE__INSN_OTHER);                   /* movsb, no rep */
  expect(DEC(0xf2, 0x0f, 0x10, 0xc1), 4, SSE__INSN_OTHER); /* movsd %xmm1,%xmm0 */
  expect(DEC(0xf3, 0x0f, 0x1e, 0xfa), 4, SSE__INSN_OTHER); /* endbr64 */
  expect(DEC(0xf3, 0x90), 2, SSE__INSN_OTHER);             /* pause */
  expect(DEC(0xf3, 0x48, 0x0f, 0xb8, 0xc0), 5, SSE__INSN_OTHER); /* popcnt */
}

Test(arch_decode, ordinary, .timeout = 10) {
  expect(DEC(0x55), 1, SSE__INSN_OTHER);
  expect(DEC(0x48, 0x89, 0xe5), 3, SSE__INSN_OTHER);
  expect(DEC(0x48, 0x8d, 0x4c, 0x98, 0x08), 5, SSE__INSN_OTHER);
  expect(DEC(0x90), 1, SSE__INSN_OTHER);
  cr_expect(!DEC(0x90).has_target);
}

Test(arch_decode, invalid, .timeout = 10) {
  /* 0x06 (push %es) does not exist in 64-bit mode */
  uint8_t b[16];
  memset(b, 0x90, sizeof b);
  b[0] = 0x06;
  sse__insn in = dec(b, sizeof b);
  expect(in, 0, SSE__INSN_INVALID);
  cr_expect(!in.has_target);
  cr_expect(!in.truncated);
  in = DEC(0x06);
  expect(in, 0, SSE__INSN_INVALID);
  cr_expect(!in.truncated);
  in = DEC(0x0f, 0xff, 0xff); /* ud0 needs a ModRM: (bad) or ud0, never OTHER */
  cr_expect_neq(in.kind, SSE__INSN_OTHER);
}

Test(arch_decode, cut_by_buffer_end, .timeout = 10) {
  sse__insn in = DEC(0xe8, 0xfb, 0x00); /* call rel32, 3 of 5 bytes */
  expect(in, 0, SSE__INSN_INVALID);
  cr_expect(in.truncated);
  in = DEC(0x48); /* a lone REX prefix */
  expect(in, 0, SSE__INSN_INVALID);
  cr_expect(in.truncated);
  in = dec((const uint8_t *)"", 0);
  expect(in, 0, SSE__INSN_INVALID);
  cr_expect(in.truncated);
}

/* mov $1,%eax; add %rdi,%rax; lea 8(%rax,%rbx,4),%rcx; nop; push %rbx;
 * mov %rax,-0x18(%rbp); cmp $5,%eax; jne .+0x40; ret */
static const uint8_t run[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x48, 0x01, 0xf8, 0x48,
                              0x8d, 0x4c, 0x98, 0x08, 0x90, 0x53, 0x48, 0x89, 0x45,
                              0xe8, 0x83, 0xf8, 0x05, 0x75, 0x3e, 0xc3};
#define RUN_JNE 22

Test(arch_scan, ordinary_run_ends_in_jne, .timeout = 10) {
  sse__insn br;
  size_t off = sse__arch_scan_to_branch(run, sizeof run, A, &br);
  cr_assert_eq(off, RUN_JNE);
  cr_expect_eq(br.addr, A + RUN_JNE);
  expect(br, 2, SSE__INSN_JCC);
  expect_target(br, A + RUN_JNE + 0x40);
  /* from inside the run, at an instruction boundary */
  off = sse__arch_scan_to_branch(run + 8, sizeof run - 8, A + 8, &br);
  cr_expect_eq(off, RUN_JNE - 8);
  /* starting on the branch itself */
  off = sse__arch_scan_to_branch(run + RUN_JNE, sizeof run - RUN_JNE, A + RUN_JNE, &br);
  cr_expect_eq(off, 0);
  expect(br, 2, SSE__INSN_JCC);
}

Test(arch_scan, none_in_buffer, .timeout = 10) {
  sse__insn br;
  size_t off = sse__arch_scan_to_branch(run, RUN_JNE, A, &br); /* ends right before jne */
  cr_expect_eq(off, RUN_JNE);
  expect(br, 0, SSE__INSN_INVALID);
  cr_expect(br.truncated);
  cr_expect_eq(br.addr, A + RUN_JNE);
  off = sse__arch_scan_to_branch(run, 0, A, &br);
  cr_expect_eq(off, 0);
  expect(br, 0, SSE__INSN_INVALID);
}

Test(arch_scan, buffer_ends_mid_instruction, .timeout = 10) {
  sse__insn br;
  /* cut inside `mov %rax,-0x18(%rbp)` (starts at 15, 4 bytes) */
  for (size_t n = 16; n < 19; n++) {
    size_t off = sse__arch_scan_to_branch(run, n, A, &br);
    cr_expect_eq(off, 15, "n=%zu: off %zu", n, off);
    expect(br, 0, SSE__INSN_INVALID);
    cr_expect(br.truncated);
    cr_expect_eq(br.addr, A + 15);
  }
  /* cut inside the jne itself: not found either */
  size_t off = sse__arch_scan_to_branch(run, RUN_JNE + 1, A, &br);
  cr_expect_eq(off, RUN_JNE);
  cr_expect(br.truncated);
}

Test(arch_scan, stops_at_invalid_and_rep, .timeout = 10) {
  uint8_t b[32];
  memset(b, 0x90, sizeof b);
  b[3] = 0x06; /* invalid */
  sse__insn br;
  cr_expect_eq(sse__arch_scan_to_branch(b, sizeof b, A, &br), 3);
  expect(br, 0, SSE__INSN_INVALID);
  cr_expect(!br.truncated);
  b[3] = 0xf3;
  b[4] = 0xa4; /* rep movsb */
  cr_expect_eq(sse__arch_scan_to_branch(b, sizeof b, A, &br), 3);
  expect(br, 2, SSE__INSN_REP);
  b[3] = 0x0f;
  b[4] = 0x05; /* syscall */
  cr_expect_eq(sse__arch_scan_to_branch(b, sizeof b, A, &br), 3);
  expect(br, 2, SSE__INSN_SYSCALL);
}

#define SKIP(...)                                                              \
  sse__arch_skip_prologue((const uint8_t[]){__VA_ARGS__},                      \
                          sizeof((const uint8_t[]){__VA_ARGS__}), A)

Test(arch_prologue, gdb_rules, .timeout = 10) {
  /* endbr64; push %rbp; mov %rsp,%rbp; sub $0x10,%rsp */
  cr_expect_eq(SKIP(0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10),
               A + 8);
  /* the other encoding of the mov */
  cr_expect_eq(SKIP(0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x8b, 0xec, 0x90), A + 8);
  /* no endbr64 */
  cr_expect_eq(SKIP(0x55, 0x48, 0x89, 0xe5, 0x90), A + 4);
  /* push %rbp alone: gdb calls it frameless and returns the entry */
  cr_expect_eq(SKIP(0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x53, 0x48, 0x89, 0xe5), A);
  cr_expect_eq(SKIP(0x55, 0x90, 0x90, 0x90), A);
  /* endbr64 alone, and nothing at all: entry */
  cr_expect_eq(SKIP(0xf3, 0x0f, 0x1e, 0xfa, 0x48, 0x83, 0xec, 0x08), A);
  cr_expect_eq(SKIP(0x48, 0x83, 0xec, 0x08, 0x55, 0x48, 0x89, 0xe5), A);
  /* push %r13 (41 55) is not push %rbp */
  cr_expect_eq(SKIP(0x41, 0x55, 0x48, 0x89, 0xe5), A);
  /* stack realignment first: lea 0x8(%rsp),%r10; and $-16,%rsp;
   * pushq -0x8(%r10); push %rbp; mov %rsp,%rbp */
  cr_expect_eq(SKIP(0x4c, 0x8d, 0x54, 0x24, 0x08, 0x48, 0x83, 0xe4, 0xf0, 0x41, 0xff,
                    0x72, 0xf8, 0x55, 0x48, 0x89, 0xe5, 0x90),
               A + 17);
  /* buffer ends inside the mov: not recognised */
  cr_expect_eq(SKIP(0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89), A);
  cr_expect_eq(sse__arch_skip_prologue(NULL, 0, A), A);
}

/* sse__arch_nocfi_frame_id gives what run.c's gdb_nocfi_frame_id gave:
 * code is the first 16 bytes at the function (A), sp 0x7000, fp 0x9000. */
#define SP 0x7000u
#define FP 0x9000u
#define NOCFI(pc, ...)                                                         \
  sse__arch_nocfi_frame_id((const uint8_t[16]){__VA_ARGS__}, 16, A, (pc), SP, FP)

Test(arch_prologue, nocfi_frame_id, .timeout = 10) {
  /* endbr64; push %rbp; mov %rsp,%rbp; sub $0x10,%rsp */
#define ENDBR_PUSH_MOV 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10
  cr_expect_eq(NOCFI(A, ENDBR_PUSH_MOV), SP + 8);     /* at the endbr64 */
  cr_expect_eq(NOCFI(A + 4, ENDBR_PUSH_MOV), SP + 8); /* at the push */
  cr_expect_eq(NOCFI(A + 5, ENDBR_PUSH_MOV), SP + 16); /* at the mov: the push ran */
  cr_expect_eq(NOCFI(A + 8, ENDBR_PUSH_MOV), FP + 16); /* after the mov */
  cr_expect_eq(NOCFI(A + 12, ENDBR_PUSH_MOV), FP + 16);
  /* the other encoding of the mov, no endbr64 */
  cr_expect_eq(NOCFI(A + 4, 0x55, 0x48, 0x8b, 0xec), FP + 16);
  /* push %rbp without the mov: rsp-based, 0 once the push ran */
#define PUSH_PUSH 0x55, 0x53, 0x48, 0x89, 0xe5
  cr_expect_eq(NOCFI(A, PUSH_PUSH), SP + 8);
  cr_expect_eq(NOCFI(A + 1, PUSH_PUSH), SP + 16);
  cr_expect_eq(NOCFI(A + 9, PUSH_PUSH), SP + 16);
  /* no frame setup at all */
  cr_expect_eq(NOCFI(A, 0x48, 0x83, 0xec, 0x08, 0x55, 0x48, 0x89, 0xe5), SP + 8);
  cr_expect_eq(NOCFI(A + 8, 0x48, 0x83, 0xec, 0x08, 0x55, 0x48, 0x89, 0xe5), SP + 8);
  /* fewer than 16 bytes, or no function: cannot tell */
  cr_expect_eq(sse__arch_nocfi_frame_id((const uint8_t[]){ENDBR_PUSH_MOV}, 12, A, A + 8, SP, FP), 0);
  cr_expect_eq(sse__arch_nocfi_frame_id((const uint8_t[16]){ENDBR_PUSH_MOV}, 16, 0, 8, SP, FP), 0);
  cr_expect_eq(sse__arch_nocfi_frame_id(NULL, 0, A, A, SP, FP), 0);
}

/* The one analyser answers as the three it replaced did. Their code as it
 * was (symtab.c's analyze_prologue over the 8 bytes it read, unwind.c's
 * prologue_state and fp_step, run.c's gdb_nocfi_frame_id), run on prologue
 * pieces in every combination and on random bytes. */
static const uint8_t ref_endbr[4] = {0xf3, 0x0f, 0x1e, 0xfa};

static uint64_t ref_symtab(const uint8_t *b, size_t n, uint64_t start) {
  size_t p = 0;
  if (n >= 4 && memcmp(b, ref_endbr, 4) == 0)
    p = 4;
  if (p >= n || b[p] != 0x55)
    return start;
  if (p + 4 <= n && ((b[p + 1] == 0x48 && b[p + 2] == 0x89 && b[p + 3] == 0xe5) ||
                     (b[p + 1] == 0x48 && b[p + 2] == 0x8b && b[p + 3] == 0xec)))
    return start + p + 4;
  if (p + 3 <= n && ((b[p + 1] == 0x89 && b[p + 2] == 0xe5) || (b[p + 1] == 0x8b && b[p + 2] == 0xec)))
    return start + p + 3;
  return start;
}

/* 0: through rbp, 1: return address at [sp], 2: at [sp+8] */
static int ref_unwind_state(const uint8_t *b, size_t done, uint64_t off) {
  if (done < 4)
    return 0;
  size_t at = memcmp(b, ref_endbr, 4) == 0 ? 4 : 0;
  if (at >= done || b[at] != 0x55 || off <= at)
    return 1;
  size_t movlen = 0;
  if (at + 4 <= done && b[at + 1] == 0x48 && (b[at + 2] == 0x89 || b[at + 2] == 0x8b) &&
      (b[at + 3] == 0xe5 || b[at + 3] == 0xec))
    movlen = 3;
  return off < at + 1 + movlen ? 2 : 0;
}

static uint64_t ref_nocfi(const uint8_t *b, uint64_t func, uint64_t pc, uint64_t rsp, uint64_t rbp) {
  size_t o = 0;
  if (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa) o = 4;
  int64_t sp_offset = -8;
  if (b[o] == 0x55) {
    if (pc > func + o) sp_offset += 8;
    bool mov = (b[o + 1] == 0x48 && b[o + 2] == 0x89 && b[o + 3] == 0xe5) ||
               (b[o + 1] == 0x48 && b[o + 2] == 0x8b && b[o + 3] == 0xec);
    if (mov && pc > func + o + 1) return rbp + 16;
  }
  return rsp + (uint64_t)sp_offset + 16;
}

static void check_against_refs(const uint8_t b[16]) {
  for (size_t n = 0; n <= 8; n++)
    cr_assert_eq(sse__arch_prologue_end(b, n, A, SSE__ARCH_PRO_FRAME32), ref_symtab(b, n, A));
  for (size_t done = 0; done <= 8; done++)
    for (uint64_t off = 0; off < 12; off++) {
      sse__arch_fp_frame r;
      cr_assert(sse__arch_fp_rule(b, done, off, SP, FP, &r));
      int st = ref_unwind_state(b, done, off);
      cr_assert_eq(r.ra_at, st == 1 ? SP : st == 2 ? SP + 8 : FP + 8);
      cr_assert_eq(r.cfa, st == 1 ? SP + 8 : st == 2 ? SP + 16 : FP + 16);
      cr_assert_eq(r.fp_saved, st != 1);
      if (st != 1)
        cr_assert_eq(r.fp_at, st == 2 ? SP : FP);
    }
  for (uint64_t pc = A; pc < A + 12; pc++)
    cr_assert_eq(sse__arch_nocfi_frame_id(b, 16, A, pc, SP, FP), ref_nocfi(b, A, pc, SP, FP));
}

Test(arch_prologue, one_analyser_answers_as_before, .timeout = 30) {
  static const uint8_t heads[][4] = {{0}, {0xf3, 0x0f, 0x1e, 0xfa}, {0xf3, 0x0f, 0x1e, 0xfb}};
  static const uint8_t pushes[][2] = {{0}, {0x55}, {0x41, 0x55}, {0x53}};
  static const uint8_t movs[][3] = {{0x48, 0x89, 0xe5}, {0x48, 0x8b, 0xec}, {0x89, 0xe5, 0x90},
                                    {0x8b, 0xec, 0x90}, {0x48, 0x89, 0xec}, {0x48, 0x8b, 0xe5},
                                    {0x48, 0x83, 0xec}, {0x90, 0x90, 0x90}, {0x48, 0x89, 0x90}};
  static const size_t hlen[] = {0, 4, 4}, plen[] = {0, 1, 2, 1};
  for (size_t h = 0; h < 3; h++)
    for (size_t p = 0; p < 4; p++)
      for (size_t m = 0; m < sizeof movs / sizeof movs[0]; m++) {
        uint8_t b[16];
        memset(b, 0xcc, sizeof b);
        size_t k = 0;
        memcpy(b + k, heads[h], hlen[h]);
        k += hlen[h];
        memcpy(b + k, pushes[p], plen[p]);
        k += plen[p];
        memcpy(b + k, movs[m], 3);
        check_against_refs(b);
      }
  /* random bytes, drawn mostly from the ones the analysers test */
  static const uint8_t alphabet[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0x8b, 0xe5, 0xec, 0x90};
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; i++) {
    uint8_t b[16];
    for (size_t j = 0; j < sizeof b; j++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b[j] = x % 4 ? alphabet[(x >> 8) % sizeof alphabet] : (uint8_t)(x >> 16);
    }
    check_against_refs(b);
  }
}

Test(arch_prologue, options, .timeout = 10) {
  /* push %rbp; movl %esp,%ebp: only with SSE__ARCH_PRO_FRAME32 */
  const uint8_t movl[] = {0x55, 0x89, 0xe5, 0x90};
  cr_expect_eq(sse__arch_prologue_end(movl, sizeof movl, A, SSE__ARCH_PRO_FRAME32), A + 3);
  cr_expect_eq(sse__arch_prologue_end(movl, sizeof movl, A, 0), A);
  cr_expect_eq(sse__arch_skip_prologue(movl, sizeof movl, A), A);
  /* the realignment sequence only with SSE__ARCH_PRO_STACK_ALIGN */
  const uint8_t align[] = {0x4c, 0x8d, 0x54, 0x24, 0x08, 0x48, 0x83, 0xe4, 0xf0, 0x41,
                           0xff, 0x72, 0xf8, 0x55, 0x48, 0x89, 0xe5, 0x90};
  cr_expect_eq(sse__arch_prologue_end(align, sizeof align, A, SSE__ARCH_PRO_STACK_ALIGN), A + 17);
  cr_expect_eq(sse__arch_prologue_end(align, sizeof align, A, 0), A);
}

Test(arch_prologue, fp_rule_chain_checks, .timeout = 10) {
  sse__arch_fp_frame r;
  cr_expect(sse__arch_fp_rule(NULL, 0, 0, SP, SP, &r)); /* fp == sp is fine */
  cr_expect_eq(r.cfa, SP + 16);
  cr_expect(!sse__arch_fp_rule(NULL, 0, 0, SP, SP - 8, &r));          /* below sp */
  cr_expect(!sse__arch_fp_rule(NULL, 0, 0, SP, SP + 4, &r));          /* misaligned */
  cr_expect(!sse__arch_fp_rule(NULL, 0, 0, SP, SP + (64u << 20) + 8, &r)); /* too far */
}

Test(arch_sigtramp, rt_sigreturn, .timeout = 10) {
  /* mov $0xf,%rax; syscall, seen from pc - 7 with pc at the mov or on the
   * syscall */
  const uint8_t at_mov[16] = {0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x48,
                              0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
  const uint8_t at_sys[16] = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
  cr_expect(sse__arch_is_sigtramp(at_mov, 16));
  cr_expect(!sse__arch_is_sigtramp(at_mov, 15));
  cr_expect(sse__arch_is_sigtramp(at_sys, 9));
  cr_expect(!sse__arch_is_sigtramp(at_sys, 8));
  cr_expect(!sse__arch_is_sigtramp((const uint8_t[16]){0x90}, 16));
}

Test(arch_plt, entries_and_relocations, .timeout = 10) {
  /* .plt: PLT0 then `jmp *0x2fe2(%rip); push $0; jmp PLT0` at 0x1010 */
  uint8_t plt[32] = {0};
  const uint8_t e1[] = {0xff, 0x25, 0xe2, 0x2f, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00, 0xe9};
  memcpy(plt + 16, e1, sizeof e1);
  uint64_t lo = 0, hi = 0, got = 0;
  cr_expect(!sse__arch_plt_entry(".plt", 0x1000, plt, sizeof plt, 16, 0x1004, &lo, &hi, &got));
  cr_expect(sse__arch_plt_entry(".plt", 0x1000, plt, sizeof plt, 16, 0x1016, &lo, &hi, &got));
  cr_expect_eq(lo, 0x1010);
  cr_expect_eq(hi, 0x1020);
  cr_expect_eq(got, 0x1016 + 0x2fe2);
  /* .plt.got: 8-byte entries, `jmp *disp(%rip); xchg %ax,%ax` */
  const uint8_t pg[16] = {0xff, 0x25, 0x10, 0x00, 0x00, 0x00, 0x66, 0x90,
                          0xff, 0x25, 0x20, 0x00, 0x00, 0x00, 0x66, 0x90};
  cr_expect(sse__arch_plt_entry(".plt.got", 0x2000, pg, sizeof pg, 0, 0x2009, &lo, &hi, &got));
  cr_expect_eq(lo, 0x2008);
  cr_expect_eq(hi, 0x2010);
  cr_expect_eq(got, 0x2008 + 6 + 0x20);
  /* cut short: no entry */
  cr_expect(!sse__arch_plt_entry(".plt.sec", 0x3000, pg, 8, 0, 0x3000, &lo, &hi, &got));
  cr_expect(sse__arch_is_plt_section(".plt.sec") && sse__arch_is_plt_section(".iplt"));
  cr_expect(!sse__arch_is_plt_section(".text"));
  cr_expect_eq(sse__arch_reloc_kind(7), SSE__RELOC_JUMP_SLOT); /* R_X86_64_JUMP_SLOT */
  cr_expect_eq(sse__arch_reloc_kind(6), SSE__RELOC_GLOB_DAT);
  cr_expect_eq(sse__arch_reloc_kind(37), SSE__RELOC_IRELATIVE);
  cr_expect_eq(sse__arch_reloc_kind(1), SSE__RELOC_OTHER);
}

Test(arch_regs, dwarf_numbers, .timeout = 10) {
  sse__regs r;
  memset(&r, 0, sizeof r);
  r.rip = 0x401000;
  r.rsp = 0x7ff0;
  r.rbp = 0x8000;
  r.rdx = 2;
  uint64_t v;
  cr_expect(sse__regs_get(&r, SSE__REGNUM_PC, &v) && v == 0x401000);
  cr_expect(sse__regs_get(&r, SSE__REGNUM_SP, &v) && v == 0x7ff0);
  cr_expect(sse__regs_get(&r, SSE__REGNUM_FP, &v) && v == 0x8000);
  cr_expect(sse__regs_get(&r, 1, &v) && v == 2); /* DWARF 1 is rdx */
  cr_expect(!sse__regs_get(&r, SSE__REGNUM_MAX + 1, &v));
  cr_expect(!sse__regs_get(&r, -1, &v));
}

Test(arch_disasm, att_text, .timeout = 10) {
  char t[64];
  cr_expect_eq(sse__arch_disasm((const uint8_t[]){0x48, 0x89, 0xe5}, 3, A, t, sizeof t), 3);
  cr_expect_str_eq(t, "movq %rsp, %rbp");
  cr_expect_eq(sse__arch_disasm((const uint8_t[]){0xc3}, 1, A, t, sizeof t), 1);
  cr_expect_str_eq(t, "retq");
  cr_expect_eq(sse__arch_disasm((const uint8_t[]){0xe8, 0xfb, 0x00, 0x00, 0x00}, 5, A, t,
                                sizeof t),
               5);
  cr_expect_str_eq(t, "callq 0x401100");
  cr_expect_eq(sse__arch_disasm((const uint8_t[]){0x06}, 1, A, t, sizeof t), 0);
  cr_expect_str_eq(t, "(bad)");
  /* truncated to the caller's buffer, still NUL-terminated */
  cr_expect_eq(sse__arch_disasm((const uint8_t[]){0x48, 0x89, 0xe5}, 3, A, t, 5), 3);
  cr_expect_str_eq(t, "movq");
}

Test(arch_dr, dr7_encoding, .timeout = 10) {
  cr_expect_eq(sse__arch_dr7_set(0, 0, SSE__HW_EXEC, 1), 0x101);
  /* slot 1, write, 4 bytes: L1, R/W1=01, LEN1=11 */
  cr_expect_eq(sse__arch_dr7_set(0, 1, SSE__HW_WRITE, 4), 0xd00104);
  /* slot 3, read/write, 8 bytes: L3, R/W3=11, LEN3=10 */
  cr_expect_eq(sse__arch_dr7_set(0, 3, SSE__HW_RW, 8), 0xb0000140);
  cr_expect_eq(sse__arch_dr7_set(0, 2, SSE__HW_WRITE, 2), 0x05000110); /* L2, R/W2=01, LEN2=01 */
  uint64_t d = sse__arch_dr7_set(0, 1, SSE__HW_WRITE, 4);
  d = sse__arch_dr7_set(d, 3, SSE__HW_RW, 8);
  cr_expect(sse__arch_dr7_enabled(d, 1) && sse__arch_dr7_enabled(d, 3));
  cr_expect(!sse__arch_dr7_enabled(d, 0) && !sse__arch_dr7_enabled(d, 2));
  /* re-set a slot with another type: old fields replaced */
  cr_expect_eq(sse__arch_dr7_set(d, 1, SSE__HW_EXEC, 1), 0xb0000144);
  d = sse__arch_dr7_clear(d, 1);
  cr_expect_eq(d, 0xb0000140);
  d = sse__arch_dr7_clear(d, 3);
  cr_expect_eq(d, 0); /* LE goes with the last slot */
  /* invalid: unchanged */
  cr_expect_eq(sse__arch_dr7_set(0x101, 1, SSE__HW_EXEC, 4), 0x101);
  cr_expect_eq(sse__arch_dr7_set(0x101, 4, SSE__HW_WRITE, 4), 0x101);
  cr_expect_eq(sse__arch_dr7_set(0x101, 1, SSE__HW_WRITE, 3), 0x101);
  cr_expect_eq(sse__arch_dr7_set(0x101, -1, SSE__HW_WRITE, 4), 0x101);
  cr_expect_eq(sse__arch_dr7_clear(0x101, 7), 0x101);
}

Test(arch_dr, dr6_decoding, .timeout = 10) {
  cr_expect_eq(sse__arch_dr6_slot(0xffff0ff1), 0); /* reserved bits read as 1 */
  cr_expect_eq(sse__arch_dr6_slot(0xffff0ff4), 2);
  cr_expect_eq(sse__arch_dr6_slot(0xffff0ff8), 3);
  cr_expect_eq(sse__arch_dr6_slot(0xffff0ff0), -1);
  cr_expect_eq(sse__arch_dr6_slot(0xffff4ff0), -1);
  cr_expect(sse__arch_dr6_single_step(0xffff4ff0));
  cr_expect(!sse__arch_dr6_single_step(0xffff0ff1));
  cr_expect(sse__arch_dr6_single_step(0x4002));
  cr_expect_eq(sse__arch_dr6_slot(0x4002), 1);
}

Test(arch_dr, debugreg_offset, .timeout = 10) {
  for (int i = 0; i < 8; i++)
    cr_expect_eq(sse__arch_debugreg_offset(i),
                 (long)(offsetof(struct user, u_debugreg) + 8 * (size_t)i));
  cr_expect_eq(sse__arch_debugreg_offset(0), 848);
  cr_expect_eq(sse__arch_debugreg_offset(8), -1);
  cr_expect_eq(sse__arch_debugreg_offset(-1), -1);
}

/* ------------------------------------------------------------------ */
/* Several threads at once: each gets its own handle, all get the same
 * answers (TSan checks there is no sharing). */

static void *decode_thread(void *arg) {
  (void)arg;
  long bad = 0;
  for (int i = 0; i < 20000; i++) {
    sse__insn br;
    size_t off = sse__arch_scan_to_branch(run, sizeof run, A, &br);
    if (off != RUN_JNE || br.kind != SSE__INSN_JCC || br.target != A + RUN_JNE + 0x40)
      bad++;
    char t[64];
    if (sse__arch_disasm(run, sizeof run, A, t, sizeof t) != 5 ||
        strcmp(t, "movl $1, %eax") != 0)
      bad++;
  }
  return (void *)bad;
}

Test(arch_threads, concurrent_decoders, .timeout = 10) {
  pthread_t th[4];
  for (int i = 0; i < 4; i++)
    cr_assert_eq(pthread_create(&th[i], NULL, decode_thread, NULL), 0);
  for (int i = 0; i < 4; i++) {
    void *bad;
    pthread_join(th[i], &bad);
    cr_expect_eq((long)bad, 0);
  }
}

/* ------------------------------------------------------------------ */
/* Throughput (printed, not asserted): linear decode of libcapstone's own
 * code, through scan_to_branch as the range stepper uses it; and the cost
 * of a cs_open per call, the alternative to per-thread handles. */

struct text_seg {
  const uint8_t *p;
  size_t n;
};

static int find_text(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct text_seg *t = data;
  if (strstr(info->dlpi_name, "libcapstone") == NULL)
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && ph->p_memsz > t->n) {
      t->p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
      t->n = ph->p_filesz < ph->p_memsz ? ph->p_filesz : ph->p_memsz;
    }
  }
  return 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(arch_perf, decode_throughput, .timeout = 10) {
  struct text_seg t = {0};
  dl_iterate_phdr(find_text, &t);
  cr_assert(t.n > 4096, "libcapstone text not found");
  size_t limit = t.n < (4u << 20) ? t.n : (4u << 20);
  unsigned long insns = 0, branches = 0;
  double t0 = now();
  size_t off = 0;
  while (off < limit) {
    sse__insn in;
    if (sse__arch_decode(t.p + off, limit - off, (uint64_t)(uintptr_t)(t.p + off), &in) != 0) {
      off++;
      continue;
    }
    insns++;
    off += in.len;
  }
  double t1 = now();
  off = 0;
  while (off < limit) {
    sse__insn br;
    off += sse__arch_scan_to_branch(t.p + off, limit - off, (uint64_t)(uintptr_t)(t.p + off), &br);
    branches++;
    off += br.len ? br.len : 1;
  }
  double t2 = now();
  /* open/close per call */
  int opens = 2000;
  double t3 = now();
  for (int i = 0; i < opens; i++) {
    csh h;
    cs_insn *ci;
    cs_open(CS_ARCH_X86, CS_MODE_64, &h);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    size_t c = cs_disasm(h, run, sizeof run, A, 1, &ci);
    if (c)
      cs_free(ci, c);
    cs_close(&h);
  }
  double t4 = now();
  double per_dec = (t1 - t0) / (double)insns;
  double per_open = (t4 - t3) / opens;
  fprintf(stderr,
          "arch_perf: decode %.2f M insn/s (%lu insns, %zu bytes); scan_to_branch %.2f M "
          "insn-bytes/s, %lu branch stops; cs_open+decode+close per call %.1f us = %.0f "
          "decodes\n",
          insns / (t1 - t0) / 1e6, insns, limit, limit / (t2 - t1) / 1e6, branches,
          per_open * 1e6, per_open / per_dec);
}

/* Where a branch goes from the registers, as the CPU would take it. */
Test(arch_branch, dest_from_registers, .timeout = 10) {
  sse__regs r;
  memset(&r, 0, sizeof r);
  uint64_t pc = 0x401000, d = 0;
  const uint8_t jmp8[] = {0xeb, 0x05};           /* jmp .+7 */
  cr_assert_eq(sse__arch_branch_dest(jmp8, 2, pc, &r, &d), 1);
  cr_assert_eq(d, pc + 7);
  const uint8_t je[] = {0x74, 0x10};             /* je .+18 */
  r.eflags = 0x40;                                /* ZF */
  cr_assert_eq(sse__arch_branch_dest(je, 2, pc, &r, &d), 1);
  cr_assert_eq(d, pc + 18);
  r.eflags = 0;
  cr_assert_eq(sse__arch_branch_dest(je, 2, pc, &r, &d), 1);
  cr_assert_eq(d, pc + 2);
  const uint8_t jl[] = {0x0f, 0x8c, 0x00, 0x01, 0x00, 0x00}; /* jl rel32 */
  r.eflags = 0x80;                                /* SF != OF */
  cr_assert_eq(sse__arch_branch_dest(jl, 6, pc, &r, &d), 1);
  cr_assert_eq(d, pc + 6 + 0x100);
  r.eflags = 0x880;                               /* SF == OF */
  cr_assert_eq(sse__arch_branch_dest(jl, 6, pc, &r, &d), 1);
  cr_assert_eq(d, pc + 6);
  const uint8_t loop[] = {0xe2, 0xfe};           /* loop . */
  r.rcx = 1;                                      /* becomes 0: falls out */
  cr_assert_eq(sse__arch_branch_dest(loop, 2, pc, &r, &d), 1);
  cr_assert_eq(d, pc + 2);
  r.rcx = 5;
  cr_assert_eq(sse__arch_branch_dest(loop, 2, pc, &r, &d), 1);
  cr_assert_eq(d, pc);
  const uint8_t ret[] = {0xc3};
  r.rsp = 0x7ffc0000;
  cr_assert_eq(sse__arch_branch_dest(ret, 1, pc, &r, &d), 2);
  cr_assert_eq(d, 0x7ffc0000);
  const uint8_t jmp_rax[] = {0xff, 0xe0};        /* indirect: unknown */
  cr_assert_eq(sse__arch_branch_dest(jmp_rax, 2, pc, &r, &d), 0);
  const uint8_t ret_imm[] = {0xc2, 0x08, 0x00};  /* ret $8: not handled */
  cr_assert_eq(sse__arch_branch_dest(ret_imm, 3, pc, &r, &d), 0);
  const uint8_t jecxz[] = {0x67, 0xe3, 0x02};    /* address-size prefix */
  cr_assert_eq(sse__arch_branch_dest(jecxz, 3, pc, &r, &d), 0);
  const uint8_t call[] = {0xe8, 0, 0, 0, 0};     /* calls: not a branch here */
  cr_assert_eq(sse__arch_branch_dest(call, 5, pc, &r, &d), 0);
}
