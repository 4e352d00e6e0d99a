/* prog32.S — a 32-bit (i386) program: it spins until killed. sse traces
 * x86-64 programs only and must refuse it by name (SSE_E_ARCH). Built
 * with `as --32` and `ld -m elf_i386` (binutils alone, no 32-bit libc). */
        .globl _start
        .text
_start:
        jmp _start
