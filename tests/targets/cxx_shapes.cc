// cxx_shapes.cc -- a small C++ program for sse's C++ name tests
// (tests/unit/test_cxx.c): classes with virtual methods in a namespace,
// templates, overloads, a file-static function, an anonymous-namespace
// function, operator==, constructors and destructors, std::vector<int>,
// std::string and std::map. Built with g++ -g -O0; gdb is the oracle for its
// names.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace shapes {

class Shape {
public:
  explicit Shape(const std::string &name) : name_(name) {}
  virtual ~Shape() {}
  virtual double area() const = 0;
  const std::string &name() const { return name_; }

private:
  std::string name_;
};

class Circle : public Shape {
public:
  explicit Circle(double r) : Shape("circle"), r_(r) {}
  ~Circle() override { r_ = 0; }
  double area() const override;
  bool operator==(const Circle &o) const { return r_ == o.r_; }

private:
  double r_;
};

class Square : public Shape {
public:
  explicit Square(double s) : Shape("square"), s_(s) {}
  double area() const override { return s_ * s_; }

private:
  double s_;
};

double Circle::area() const {
  double a = 3.0 * r_ * r_;
  return a;
}

int scale(int x) { return x * 2; }
double scale(double x) { return x * 2.0; }

} // namespace shapes

template <typename T> T sum(const std::vector<T> &v) {
  T s = T();
  for (const T &x : v)
    s += x;
  return s;
}

static int helper(int x) { return x + 1; }

namespace {
int f(int x) { return helper(x) * 3; }
} // namespace

int total_area(const std::vector<shapes::Shape *> &v) {
  double t = 0;
  for (shapes::Shape *s : v)
    t += s->area();
  return (int)t;
}

// std::map<std::string, int>: its operator[], insertions and iteration.
int tally(const std::string &text) {
  std::map<std::string, int> seen;
  seen[text] += 1;
  seen["square"] += 2;
  int n = 0;
  for (const auto &kv : seen)
    n += kv.second;
  return n;
}

int main() {
  shapes::Circle c(2.0), d(2.0);
  shapes::Square q(3.0);
  std::vector<shapes::Shape *> all;
  all.push_back(&c);
  all.push_back(&q);
  int t = total_area(all);
  std::vector<int> nums;
  nums.push_back(shapes::scale(t));
  nums.push_back(f(4));
  int si = sum(nums);
  std::vector<double> ds;
  ds.push_back(shapes::scale(1.5));
  double sd = sum(ds);
  std::string msg = c.name() + "/" + q.name();
  bool same = c == d;
  shapes::Shape *heap = new shapes::Circle(1.0);
  double ha = heap->area();
  delete heap;
  int tl = tally(msg);
  printf("%d %d %g %s %d %g %d\n", t, si, sd, msg.c_str(), same, ha, tl);
  return 0;
}
