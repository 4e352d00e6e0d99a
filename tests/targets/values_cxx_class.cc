// values_cxx_class -- a C++ class with a base class and a static member,
// stopped in a method (line 9), for the value tests (issue 12).
#include <cstdio>
struct base { int b; };
struct derived : base {
  int d;
  static int s;
  __attribute__((noinline)) int get() {
    std::printf("%d\n", d); // line 9
    return d + b + s;
  }
};
int derived::s = 5;
int main() {
  derived obj;
  obj.b = 1;
  obj.d = 2;
  return obj.get() > 0 ? 0 : 1;
}
