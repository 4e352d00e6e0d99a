/* values_target -- variables of every kind for the value tests (issue 12):
 * gdb prints them at the breakpoints in inspect() and in the inner block,
 * and sse must print the same text. Built -O0. */
#include <stdio.h>
#include <string.h>

enum color { RED, GREEN = 5, BLUE };

struct point {
  int x, y;
};

struct flags {
  unsigned a : 3;
  signed b : 4;
  unsigned c : 1;
  int tail;
};

union number {
  int i;
  float f;
  unsigned char bytes[4];
};

struct node {
  int value;
  const char *name;
  struct point where;
  struct node *next;
  int (*op)(int, int);
};

typedef unsigned long ulong_t;

int global_counter = 42;
static double global_ratio = 2.5;
const char *global_text = "hello, world";
int zeros[16];
int mixed[14] = {1, 2, 3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 9};
char label[20] = "hi";
enum color global_color = BLUE;
int *null_ptr;
long big[300];

static int add(int a, int b) {
  return a + b;
}

static int inspect(int n, char c, struct point p, const char *s) {
  int i = -7;
  unsigned int u = 4000000000u;
  char ch = 'A';
  signed char sc = -1;
  _Bool flag = 1;
  short sh = -300;
  long l = -1234567890123L;
  ulong_t ul = 18446744073709551615ul;
  double d = 3.141592653589793;
  float f = 1.5f;
  double third = 1.0 / 3;
  struct point pt = {1, 2};
  struct point *pp = &pt;
  int arr[3] = {1, 2, 3};
  int rep[15] = {0};
  char word[8] = "abc";
  struct flags fl = {5, -3, 1, 99};
  union number num;
  enum color col = GREEN;
  struct node tail = {2, "tail", {5, 6}, NULL, add};
  struct node head = {1, "head", {3, 4}, &tail, add};
  int (*fn)(int, int) = add;
  void *vp = NULL;
  int x = 1;
  struct point pts[12] = {{7, 7}, {7, 7}, {7, 7}, {7, 7}, {7, 7}, {7, 7},
                          {7, 7}, {7, 7}, {7, 7}, {7, 7}, {7, 7}, {1, 2}};
  int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
  enum sign { NEG = -2, ZERO, POS } sg = NEG;
  struct named { char tag[12]; int v; } nm = {"ab", 3};
  long double ld = 0.1L;
  float ff = 1.1f;
  int (*ops[2])(int, int) = {add, add};
  unsigned char uc = 200;
  char *nullstr = NULL;
  double negz = -0.0, huge = 1e300, tiny = 1.5e-10;
  int *ip = &arr[1];
  _Bool no = 0;
  char esc[6] = "a\tb\n\\";
  num.i = 0x3f800000;
  {
    int x = 2; /* shadows the outer x */
    int inner = x + i + n;
    printf("%d\n", inner); /* the inner-block breakpoint: line 93 */
  }
  return i + (int)u + ch + sc + flag + sh + (int)l + (int)ul + (int)d + (int)f + (int)third +
         pt.x + pp->y + arr[0] + rep[0] + word[0] + fl.a + num.i + col + head.value +
         fn(1, 2) + (vp != NULL) + x + c + p.x + s[0] + pts[0].x + grid[1][2] + sg + nm.v +
         (int)ld + (int)ff + ops[1](1, 1) + uc + (nullstr != NULL) + (int)(negz + huge + tiny) +
         *ip + no + esc[0];
}

/* Return values (finish): every SysV class gdb shows. */
struct big { long a[4]; };
struct mixed { double d; int i; };
__attribute__((noinline)) static struct point mkpoint(int x, int y) { struct point p = {x, y}; return p; }
__attribute__((noinline)) static double half(int v) { return v / 2.0; }
__attribute__((noinline)) static float fhalf(float v) { return v / 2; }
__attribute__((noinline)) static struct big mkbig(void) { struct big b = {{1, 2, 3, 4}}; return b; }
__attribute__((noinline)) static struct mixed mkmixed(void) { struct mixed m = {2.5, 7}; return m; }
__attribute__((noinline)) static const char *greet(void) { return global_text; }
__attribute__((noinline)) static enum color pick(void) { return GREEN; }
__attribute__((noinline)) static void nothing(void) { global_counter++; }

int main(void) {
  struct point p = {10, 20};
  struct point q = mkpoint(3, 4);
  struct big b = mkbig();
  struct mixed m = mkmixed();
  nothing();
  printf("%d %f %f %ld %f %s %d\n", q.x, half(5), fhalf(3), b.a[3], m.d, greet(), (int)pick());
  big[299] = 1;
  int r = inspect(3, 'z', p, "arg");
  printf("%d %d %f %s %d\n", r, global_counter, global_ratio, global_text, zeros[0]);
  return 0;
}
