/*
 * cxx.cc - C++ new, delete, new[] and delete[] with known counts.
 *
 * Known answer (one process, one thread):
 *   10 x new Big       (sizeof(Big) == 91002)  -> ALLOC func "operator new"
 *    4 x new (std::nothrow) Big                -> ALLOC func "operator new"
 *    7 x new char[91001]                       -> ALLOC func "operator new[]"
 *   all 14 Big deleted with delete             -> 14 FREE func "operator delete"
 *   all 7 arrays deleted with delete[]         -> 7 FREE func "operator delete[]"
 *    1 x std::vector<char> of 91003 elements   -> 1 ALLOC "operator new" 91003
 *   (then freed by its destructor: 1 FREE "operator delete").
 * Exit status 0.
 */
#include <new>
#include <vector>

struct Big {
	char bytes[91002];
};

static_assert(sizeof(Big) == 91002, "Big must be 91002 bytes");

static Big *volatile bigs[14];
static char *volatile arrays[7];
volatile int cxx_sum;

__attribute__((noinline)) static void make(void)
{
	for (int i = 0; i < 10; i++)
		bigs[i] = new Big;
	for (int i = 10; i < 14; i++)
		bigs[i] = new (std::nothrow) Big;
	for (int i = 0; i < 7; i++)
		arrays[i] = new char[91001];
}

__attribute__((noinline)) static void unmake(void)
{
	for (int i = 0; i < 14; i++)
		delete bigs[i];
	for (int i = 0; i < 7; i++)
		delete[] arrays[i];
}

__attribute__((noinline)) static void vec(void)
{
	std::vector<char> v(91003);
	v[5] = 1;
	cxx_sum += v[5] + (int)v.size();
}

int main()
{
	make();
	unmake();
	vec();
	return 0;
}
