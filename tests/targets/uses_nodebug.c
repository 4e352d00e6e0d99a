/* uses_nodebug: calls into libnodebug.so (no debuginfo), linked with
 * -rpath '$ORIGIN'.  `step` over those calls must land on the next line of
 * main, as gdb does (issue 3).  Exits 0. */
int nodebug_mix(int a, int b);
int nodebug_twice(int x);

static int local_inc(int x)
{
    return x + 1;
}

int main(void)
{
    int a = nodebug_mix(4, 3);
    int b = local_inc(a);
    int c = nodebug_twice(b);
    b = local_inc(c);
    return b > 0 ? 0 : 1;
}
