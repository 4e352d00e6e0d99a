// cxx_values -- an enum class, std::string, std::vector<int>, a class
// with a vtable, vector<Shape *>, stopped at line 27, for the value tests.
#include <cstdio>
#include <string>
#include <vector>
namespace shapes {
enum class color { red, green = 5, blue };
enum class small : unsigned char { lo = 1, hi = 200 };
class Shape {
public:
  virtual ~Shape() {}
  virtual int area() const { return 0; }
  int id;
};
class Circle : public Shape {
public:
  int r;
  int area() const override { return 3 * r * r; }
};
}
__attribute__((noinline)) int use(shapes::Shape *s, const std::string &t, std::vector<int> &v) {
  shapes::color col = shapes::color::green;
  shapes::small sm = shapes::small::hi;
  shapes::color none = static_cast<shapes::color>(3);
  shapes::Circle circ;
  circ.id = 7; circ.r = 2;
  std::printf("%d %zu %zu\n", (int)col + (int)sm + (int)none + circ.area(), t.size(), v.size()); // line 27
  return s->area();
}
int main() {
  std::string str = "hello";
  std::vector<int> vec = {1, 2, 3};
  shapes::Circle ci;
  ci.id = 1; ci.r = 3;
  return use(&ci, str, vec) > 0 ? 0 : 1;
}
// a vector of pointers: gdb's ptype names its element type by _Tp
std::vector<shapes::Shape *> shape_list;
