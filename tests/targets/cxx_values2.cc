// cxx_values2 -- C++ values gdb prints without pretty-printers (issue 14):
// qualified and template type names, std::map, a user template, virtual
// and multiple inheritance, a union, member pointers, an rvalue reference,
// std::unique_ptr; stopped at line 58 (in use) and line 22 (in a method).
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>
namespace shapes {
class Shape {
public:
  virtual ~Shape() {}
  virtual int area() const { return 0; }
  int id;
  struct Tag { int t; };
};
class Circle : public Shape {
public:
  int r;
  int area() const override {
    return 3 * r * r; // line 22
  }
};
}
namespace {
struct Hidden { int h; };
}
template <typename T> class Box {
public:
  typedef T value_type;
  T v;
  T get() const { return v; }
  void put(T x) { v = x; }
};
struct VB { int vb; };
struct V1 : virtual VB { int a; };
struct V2 : virtual VB { int b; };
struct Diamond : V1, V2 { int d; };
struct M1 { int m1; };
struct M2 { int m2; };
struct Multi : M1, M2 { int mm; };
union U { int i; float f; };
int twice(int x) { return 2 * x; }
__attribute__((noinline)) int use(std::map<std::string, int> &m, std::map<int, int> &mi) {
  Box<int> bi; bi.v = 4;
  Diamond dia; dia.vb = 1; dia.a = 2; dia.b = 3; dia.d = 4;
  Multi mu; mu.m1 = 1; mu.m2 = 2; mu.mm = 3;
  U u; u.i = 1;
  int Multi::*pm = &Multi::mm;
  int (shapes::Circle::*pmf)() const = &shapes::Circle::area;
  int (Box<int>::*pget)() const = &Box<int>::get;
  int &&rr = twice(3);
  std::unique_ptr<int> up(new int(9));
  Hidden hid = {5};
  shapes::Shape::Tag tag = {6};
  M2 *p2 = &mu;
  std::printf("%zu %zu %d\n", m.size(), mi.size(), bi.get() + dia.d + mu.*pm + u.i + rr + *up + hid.h + tag.t + p2->m2 + (pmf != nullptr) + (bi.*pget)()); // line 58
  return 0;
}
int main() {
  std::map<std::string, int> m = {{"one", 1}, {"two", 2}};
  std::map<int, int> mi = {{1, 10}};
  shapes::Circle c; c.id = 1; c.r = 2;
  int a = c.area();
  return use(m, mi) + a > 0 ? 0 : 1;
}
