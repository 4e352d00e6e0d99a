/* qsort_cmp: a recursive function of its own (nest) that at depth 3 calls
 * qsort with comparator cmp_ints -- break in cmp_ints and compare the
 * backtrace through libc's qsort with gdb's `bt` (issue 5).  Exits 0. */
#include <stdlib.h>

int __attribute__((noinline)) cmp_ints(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

static int nest(int depth, int *v, size_t n)
{
    if (depth == 3) {
        qsort(v, n, sizeof *v, cmp_ints);
        return v[0];
    }
    int r = nest(depth + 1, v, n);
    return r;
}

int main(void)
{
    int v[8] = {8, 6, 7, 5, 3, 0, 9, 1};
    int first = nest(0, v, 8);
    return first == 0 && v[7] == 9 ? 0 : 1;
}
