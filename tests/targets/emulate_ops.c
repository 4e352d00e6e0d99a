/* emulate_ops.c — ops() runs the instructions sse's step-off emulator
 * knows (nops, endbr64, push, mov/movzx/movsx/movsxd/lea in 8, 16, 32
 * and 64 bits, rip- and fs-relative operands, add/sub/cmp/and/or/xor/test
 * with their flags folded into the result by pushf) and some it does not
 * (pushf, pop): with a false conditional breakpoint on each instruction,
 * the program must print what it prints natively. argv[1] and argv[2]
 * are ops()'s arguments (default 5 and 7). */
#include <stdio.h>
#include <stdlib.h>

long data[4] = {0x1122334455667788, 0x0102030405060708, 0, 0};
signed char b8 = -3;
short w16 = -300;

#define FLAGS "pushfq\n\tpopq %%rdx\n\tandl $0x8d5, %%edx\n\taddq %%rdx, %%r8\n\tshlq $1, %%r8\n\t"

__attribute__((noinline)) unsigned long ops(unsigned long a, unsigned long b) {
  unsigned long r;
  __asm__ volatile(
      "endbr64\n\t"
      "nop\n\t"
      "nopw 0x0(%%rax,%%rax,1)\n\t"
      "xorl %%r8d, %%r8d\n\t"
      "pushq %%rbx\n\t"
      "pushq $-5\n\t"
      "popq %%rbx\n\t"
      "addq %%rbx, %%r8\n\t"
      "popq %%rbx\n\t"
      "movq %1, %%rax\n\t"
      "movl %k2, %%ecx\n\t"
      "addq %%rcx, %%rax\n\t" FLAGS
      "subb $0x7f, %%al\n\t" FLAGS
      "movb %%al, %%ah\n\t"
      "movzbl %%ah, %%edx\n\t"
      "addq %%rdx, %%r8\n\t"
      "movw $-2, %%cx\n\t"
      "addq %%rcx, %%r8\n\t"
      "movsbq b8(%%rip), %%rdx\n\t"
      "addq %%rdx, %%r8\n\t"
      "movswl w16(%%rip), %%edx\n\t"
      "addq %%rdx, %%r8\n\t"
      "movl $-7, %%edx\n\t"
      "movslq %%edx, %%rdx\n\t"
      "addq %%rdx, %%r8\n\t"
      "leaq 0x10(%1,%2,4), %%rdx\n\t"
      "addq %%rdx, %%r8\n\t"
      "leal -1(%k1), %%edx\n\t"
      "addq %%rdx, %%r8\n\t"
      "movq data+8(%%rip), %%rdx\n\t"
      "xorq %%rdx, %%r8\n\t"
      "movq %%r8, data+16(%%rip)\n\t"
      "movl $0x12345678, %%edx\n\t"
      "movw %%dx, data+24(%%rip)\n\t"
      "movb $0x5a, data+26(%%rip)\n\t"
      "movq $-1, %%r9\n\t"
      "movabsq $0x1234567890, %%r10\n\t"
      "addq %%r10, %%r9\n\t"
      "cmpq $5, %1\n\t" FLAGS
      "cmpq %2, %1\n\t" FLAGS
      "testq %2, %1\n\t" FLAGS
      "subq %2, %1\n\t" FLAGS
      "addq %1, %%r8\n\t"
      "movl $0x7fffffff, %%edx\n\t"
      "addl $1, %%edx\n\t" FLAGS
      "addq %%rdx, %%r8\n\t"
      "movq $-1, %%rdx\n\t"
      "addq $1, %%rdx\n\t" FLAGS
      "andq $0xff00, %%r9\n\t" FLAGS
      "orq $0x3, %%r9\n\t" FLAGS
      "xorw $0x5555, %%r9w\n\t" FLAGS
      "addq %%r9, %%r8\n\t"
      "cmpl $0x12345678, data+24(%%rip)\n\t" FLAGS
      "addl $3, data+28(%%rip)\n\t" FLAGS
      "subq $16, %%rsp\n\t"
      "movq %%r8, (%%rsp)\n\t"
      "movq 8(%%rsp), %%rdx\n\t"
      "addq $16, %%rsp\n\t"
      "movq %%fs:0x28, %%rdx\n\t"
      "cmpq %%fs:0x28, %%rdx\n\t" FLAGS
      "movq %%r8, %0\n\t"
      : "=r"(r), "+r"(a), "+r"(b)
      :
      : "rax", "rcx", "rdx", "r8", "r9", "r10", "cc", "memory");
  return r;
}

int main(int argc, char **argv) {
  unsigned long a = argc > 1 ? strtoul(argv[1], NULL, 0) : 5;
  unsigned long b = argc > 2 ? strtoul(argv[2], NULL, 0) : 7;
  unsigned long r = ops(a, b);
  printf("%lx %lx %lx\n", r, (unsigned long)data[2], (unsigned long)data[3]);
  return 0;
}
