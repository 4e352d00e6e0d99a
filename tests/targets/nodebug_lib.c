/* nodebug_lib: built WITHOUT -g into libnodebug.so.  Calls into it have no
 * line info: `step` must run over them (issue 3). */
int nodebug_mix(int a, int b)
{
    int r = 0;
    for (int i = 0; i < a; i++)
        r += b ^ i;
    return r;
}

int nodebug_twice(int x)
{
    return nodebug_mix(x, 1) + x;
}
