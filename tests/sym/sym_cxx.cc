// Symbolizer test program (C++, -O1 -g): namespaces, templates, methods, an
// inlined member.
#include <cstdio>

extern "C" {
#include "symdump.h"
}

static volatile int sink;

__attribute__((noinline)) static void record(const char *label)
{
	SYMDUMP_RET(label);
	sink++;
}

namespace outer_ns
{
namespace inner
{

template <typename T> struct Box {
	T v;

	__attribute__((noinline)) T twice(int k) const
	{
		record("method");
		return v * 2 + k;
	}

	inline __attribute__((always_inline)) T peek() const
	{
		record("inlined_method");
		return v;
	}
};

template <typename T> __attribute__((noinline)) T apply(const Box<T> &b)
{
	T r = b.twice(1);
	sink += (int)r;
	r += b.peek();
	sink += (int)r;
	return r + 1;
}

/* Calls f through a template: f's operator() has no linkage name in DWARF. */
template <typename F> __attribute__((noinline)) int call_with(F f, int x)
{
	int r = f(x);
	sink += r;
	return r;
}

} // namespace inner
} // namespace outer_ns

int main()
{
	outer_ns::inner::Box<int> bi{ 4 };
	outer_ns::inner::Box<long> bl{ 6 };

	symdump_modules();
	symdump_addr("pc", (const void *)&outer_ns::inner::apply<int>,
		     "apply_int_entry");
	sink += outer_ns::inner::apply(bi);
	sink += (int)outer_ns::inner::apply(bl);
	sink += outer_ns::inner::call_with(
		[](int x) __attribute__((noinline)) {
			record("lambda");
			return x + 1;
		},
		sink);
	return sink < 0;
}
