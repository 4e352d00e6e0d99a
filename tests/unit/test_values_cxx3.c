/* C++ values (issue 14) as gdb prints them without its pretty-printers,
 * on cxx_values2: C++ type names in expressions (qualified by
 * namespaces and classes, template instances, class names without a
 * keyword, "T const *", references) in ptype, whatis, sizeof and casts,
 * with gdb's errors for the names that are not there (a name before a
 * syntax error first: "(anonymous namespace)" unquoted); whatis of
 * *function an error, sizeof's operand without side effects; libc's
 * printf typed by its separate debug info (libc6-dbg); pointers to
 * functions ("(int (*)(int)) 0x... <twice(int)>", "<main()+433>") in C
 * and C++; virtual and multiple inheritance, pointers to members, a
 * union, rvalue references, std::map and std::unique_ptr raw; ptype of
 * class templates and of std::vector and std::string; methods and
 * members by qualified names. */
#include "values_oracle.h"

static void compare(const char *const *cmds, size_t n) { vo_cxx_compare("cxx_values2", cmds, n); }

#define N(a) (sizeof a / sizeof *a)

Test(values_cxx3, qualified_type_names_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values2.cc:58", "run", "ptype shapes::Shape", "whatis shapes::Circle",
      "ptype struct shapes::Circle", "whatis class shapes::Circle", "p sizeof(shapes::Circle)",
      "p sizeof(Box<int>)", "p sizeof (struct VB)", "p (M2 *)&mu", "p (shapes::Shape *)0",
      "whatis (shapes::Shape *)0", "ptype shapes::Shape::Tag", "whatis shapes::Shape::Tag",
      "whatis Box<int >", "whatis ::M1", "p sizeof(::M1)", "ptype M1", "whatis M1 const *",
      "whatis const M1 *", "whatis (shapes::Circle &)mu", "whatis (M1 *)0",
      "whatis std::map<int, int, std::less<int>, std::allocator<std::pair<int const, int> > >"};
  compare(cmds, N(cmds));
}

Test(values_cxx3, qualified_name_errors_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values2.cc:58", "run", "ptype shapes::Nosuch", "ptype nosuch::X",
      "p shapes::Shape::nosuch", "p shapes::nosuch", "ptype struct shapes::Nosuch",
      "ptype struct nosuch::X", "whatis std::map<int, int>", "p sizeof (std::map<int, int>)",
      "whatis Box<int>::value_type", "p M1", "p shapes::Circle", "ptype shapes", "whatis shapes",
      "p sizeof M1", "p (M1)3", "p (anonymous namespace)::Hidden", "whatis (anonymous namespace)::Hidden",
      "p ((anonymous namespace)::Hidden *)0", "p (nosuch bar)", "p (u bar)", "p 1 + nosuch bar",
      "p nosuch )", "p hid.h +"};
  compare(cmds, N(cmds));
}

Test(values_cxx3, function_pointers_as_gdb, .timeout = 60) {
  static const char *const cxx[] = {"break cxx_values2.cc:58", "run", "p &twice", "p twice",
                                    "p *twice", "whatis &twice", "ptype twice", "p &use",
                                    "p &main", "p main", "p $pc", "up", "p $pc",
                                    "whatis *twice", "ptype **twice", "whatis *&twice",
                                    "p sizeof(*twice)", "p sizeof(u.i = 7)", "p u.i",
                                    "p &printf", "p printf", "whatis printf", "ptype &printf"};
  compare(cxx, N(cxx));
  static const char *const c[] = {"break values_target.c:93", "run", "p &add", "p add",
                                  "p *add", "p &main", "whatis &add", "p &inspect",
                                  "p &printf", "whatis printf"};
  vo_cxx_compare("values_target", c, N(c));
}

/* a virtual base once (in the first base that has it), members through
 * it, casts to a base class (the pointer adjusted to the subobject),
 * C++'s bool of comparisons */
Test(values_cxx3, bases_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values2.cc:58", "run", "p dia", "p dia.vb", "p dia.a", "p *(V2*)&dia",
      "p (M2 *)&mu == p2", "p *(M2 *)&mu", "p (M2)mu", "p ((M2 *)&mu)->m2", "p (M1)mu",
      "ptype V1", "ptype dia", "p sizeof(dia)", "p mu", "p 1 < 2", "p !p2", "whatis 1 == 1",
      "info locals"};
  compare(cmds, N(cmds));
}

/* pointers to data members and methods: a data member by its declaring
 * class, a virtual method through the vtable index, a non-virtual one by
 * its address; their types with the const `this` */
Test(values_cxx3, member_pointers_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values2.cc:58", "run", "p pm", "p pmf", "p pget", "whatis pm", "ptype pmf",
      "ptype pget", "whatis pget", "p sizeof(pmf)", "p sizeof pm", "p rr", "whatis rr",
      "ptype u", "p u", "p hid", "whatis hid", "ptype hid"};
  compare(cmds, N(cmds));
}

/* ptype of class template instances, a user's and the library's raw
 * (std::map, std::unique_ptr): "[with T = int]", the parameters' names
 * for their arguments' types (also inside template arguments), the
 * class's typedefs by their bare names and in a section of their own,
 * methods grouped by name, conversion operators without a return type */
Test(values_cxx3, ptype_templates_as_gdb, .timeout = 90) {
  static const char *const cmds[] = {
      "break cxx_values2.cc:58", "run", "ptype bi", "ptype Box<int>", "whatis bi",
      "ptype struct Box<int>", "ptype up", "whatis up", "ptype mi", "ptype m", "whatis m",
      "ptype std::map<int, int, std::less<int>, std::allocator<std::pair<int const, int> > >"};
  compare(cmds, N(cmds));
}

/* ptype of the library's std::vector and std::string: where a class
 * typedef and a template parameter name the same type (allocator_type
 * and _Alloc) gdb writes the one its typedef table's probe meets first,
 * which differs between vector<int>, vector<Shape *> and string */
Test(values_cxx3, ptype_library_templates_as_gdb, .timeout = 90) {
  static const char *const cmds[] = {"break cxx_values.cc:27", "run", "ptype v", "ptype t",
                                     "ptype shape_list", "whatis shape_list", "ptype std::string",
                                     "whatis v", "whatis t"};
  vo_cxx_compare("cxx_values", cmds, N(cmds));
}

/* in a method: this, *this, members without this->, a virtual method
 * through the object; methods as values (obj.f, C::f, &C::f) and gdb's
 * error for a virtual one without an object */
Test(values_cxx3, this_and_methods_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values2.cc:22", "run", "info locals", "info args", "p *this", "p this", "p r",
      "p this->r", "p id", "ptype this", "whatis this", "whatis *this", "p this->area", "p area",
      "p *(shapes::Shape *)this", "p (shapes::Shape *)this", "p sizeof(*this)", "up", "p c",
      "ptype c", "p c.area", "p Box<int>::get", "p &Box<int>::get", "p shapes::Circle::area"};
  compare(cmds, N(cmds));
}

/* functions by C++ names on cxx_shapes: in a namespace (declared there,
 * defined out of line), an overload (gdb's first), '(anonymous
 * namespace)::f' quoted, a function template's instance (sum<int>,
 * named without its return type as gdb demangles), &C::f of a virtual
 * method (its vtable slot) */
Test(values_cxx3, cxx_function_names_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break shapes::Circle::area", "run", "p shapes::scale", "p &shapes::scale",
      "p '(anonymous namespace)::f'", "p '(anonymous namespace)::nosuch'", "p sum<int>",
      "p sum<double>", "p helper", "p &shapes::Circle::area", "p shapes::Circle::area",
      "whatis &shapes::Circle::area", "p 'shapes::scale'", "p *this", "p this->name_",
      "ptype this", "up", "info locals", "p *s", "ptype s", "up", "p c", "p q", "ptype q",
      "ptype shapes::Square", "whatis all"};
  vo_cxx_compare("cxx_shapes", cmds, N(cmds));
}

/* C::m of data members: a static one's value, this->m inside a method of
 * C, &C::m a pointer to the member, gdb's error for a non-static one
 * outside; C::f and &C::f of a method */
Test(values_cxx3, qualified_members_as_gdb, .timeout = 60) {
  static const char *const in_method[] = {
      "break values_cxx_class.cc:9", "run", "p derived::s", "p &derived::s", "p derived::d",
      "p &derived::d", "whatis &derived::d", "p derived::b", "p base::b", "p &derived::get",
      "p derived::get", "p this->get", "p get", "p derived::nosuch"};
  vo_cxx_compare("values_cxx_class", in_method, N(in_method));
  static const char *const outside[] = {
      "break cxx_values2.cc:58", "run", "p &Multi::m1", "whatis &Multi::m1", "p &Multi::mm",
      "p &Multi::nosuch", "p &Box<int>::v", "p Multi::mm", "p Multi::zz", "p mu.*pm"};
  compare(outside, N(outside));
}
