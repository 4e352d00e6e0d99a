/* C++ values (issue 14) line by line as gdb prints them without its
 * pretty-printers: enum classes (qualified enumerators, an unsigned
 * underlying type, a value no enumerator has), std::string and
 * std::vector<int> as their raw structs (<No data fields>, qualified
 * base and type names), a class with a vtable (_vptr.Shape = 0x...
 * <vtable for shapes::Circle+16>), ptype and whatis of an enum class,
 * ptype of a class: "class N : public B {", access labels, methods.
 * gdb runs with auto-load off, so no pretty-printer is loaded. */
#include "values_oracle.h"

static void compare(const char *const *cmds, size_t n) { vo_cxx_compare("cxx_values", cmds, n); }

Test(values_cxx2, enum_class_and_vptr_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values.cc:27", "run", "info locals", "info args", "p col", "p sm", "p none",
      "p circ", "p *s", "p circ.r", "p/d col", "whatis col", "ptype col", "whatis sm",
      "ptype sm"};
  compare(cmds, sizeof cmds / sizeof *cmds);
}

Test(values_cxx2, std_string_and_vector_raw_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break cxx_values.cc:27", "run", "p t", "p v", "whatis t",
                                     "up", "p str", "p vec", "whatis vec", "p ci"};
  compare(cmds, sizeof cmds / sizeof *cmds);
}

/* ptype of a class: bases, access labels, no _vptr or artificial
 * methods, a destructor, virtual and const methods, static members */
Test(values_cxx2, ptype_class_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {"break cxx_values.cc:27", "run", "ptype circ", "ptype *s",
                                     "ptype s", "whatis circ", "ptype none"};
  compare(cmds, sizeof cmds / sizeof *cmds);
  static const char *const in_method[] = {"break values_cxx_class.cc:9", "run", "ptype *this",
                                          "ptype this", "up", "ptype obj", "ptype struct base"};
  vo_cxx_compare("values_cxx_class", in_method, sizeof in_method / sizeof *in_method);
}

/* enumerators by their qualified names, an enum class as a scope */
Test(values_cxx2, qualified_enumerators_as_gdb, .timeout = 60) {
  static const char *const cmds[] = {
      "break cxx_values.cc:27", "run", "p shapes::color::green", "p (shapes::color)5",
      "p shapes::small::hi", "whatis shapes::color::green", "p col == shapes::color::green",
      "p sizeof(shapes::color)", "ptype shapes::color", "p (int)shapes::color::blue",
      "p/x shapes::small::hi", "p shapes::color::nosuch", "p shapes::color",
      "p shapes::Circle::nosuch", "p v._M_impl._M_start[1]", "p *v._M_impl._M_start@3",
      "whatis t._M_string_length", "whatis std::vector<int, std::allocator<int> >",
      "p sizeof(std::vector<int, std::allocator<int> >)"};
  compare(cmds, sizeof cmds / sizeof *cmds);
}
