/* libc_calls: calls printf, strlen and qsort through the PLT.  With
 * libc6-dbg installed gdb `step` goes into printf's source, and into
 * strlen's IFUNC-selected assembly (strlen-evex.S / -avx2.S: which one
 * depends on the CPU; libc6-dbg has line info for it); sse must do the same
 * (issue 3).  qsort calls back into by_value.  Prints two lines, exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    const char *msg = "hello sse";
    size_t len = strlen(msg);
    printf("%s %zu\n", msg, len);
    int v[5] = {5, 3, 4, 1, 2};
    qsort(v, 5, sizeof v[0], by_value);
    printf("%d %d\n", v[0], v[4]);
    return v[0] == 1 && v[4] == 5 ? 0 : 1;
}
