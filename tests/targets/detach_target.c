/* detach_target: calls tick() 1000 times, then prints "done 1000" and exits
 * 0.  Set breakpoints on tick, detach: the program must run on to its
 * normal output with no stray int3 (issue 2). */
#include <stdio.h>

volatile long g_ticks;

void __attribute__((noinline)) tick(void)
{
    g_ticks++;
}

int main(void)
{
    for (int i = 0; i < 1000; i++)
        tick();
    printf("done %ld\n", g_ticks);
    return g_ticks == 1000 ? 0 : 1;
}
