/*
 * C++ multiple inheritance: a global Base2 * points 16 bytes into a
 * 32-byte Both object, at its second vtable pointer; memcheck's
 * multipleinheritance heuristic (on by default) counts it as reachable.
 * A plain 24-byte object held by a start pointer is reachable too, and a
 * 40-byte block is definitely lost.
 */
extern "C" {
#include "leak.h"
}

#include <new>

struct Base1 {
	virtual ~Base1() {}
	long a = 1;
};

struct Base2 {
	virtual ~Base2() {}
	long b = 2;
};

struct Both : Base1, Base2 {
	~Both() override {}
};

struct Plain {
	virtual ~Plain() {}
	long x[2] = { 0, 0 };
};

Base2 *g_base2;
Plain *g_plain;

static __attribute__((noinline)) void build()
{
	g_base2 = new Both;
	g_plain = new Plain;
	leak_keep(leak_alloc(40));
}

int main()
{
	struct leak_want e = { { 1, 0, 0, 2 }, { 40, 0, 0, 32 + 24 } };

	static_assert(sizeof(Both) == 32, "two vtable pointers, two longs");
	static_assert(sizeof(Plain) == 24, "a vtable pointer, two longs");
	leak_expect("main", &e);
	build();
	leak_scrub_stack();
	return 0;
}
