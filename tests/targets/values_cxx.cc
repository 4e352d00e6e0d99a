// values_cxx -- C++ references for the value tests (issue 12).
#include <cstdio>

struct point {
  int x, y;
};

static int counter = 5;

__attribute__((noinline)) int use_refs(int &r, const point &p, int &&rv) {
  int &alias = r;
  const point &pr = p;
  std::printf("%d %d %d %d\n", r, p.x, rv, alias + pr.y); // line 13
  return r + p.y + rv;
}

int main() {
  point p = {3, 4};
  return use_refs(counter, p, 7) > 0 ? 0 : 1;
}
