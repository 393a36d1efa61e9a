// cxxexc.cc - 4 std::threads each throw and catch 100 exceptions (the
// runtime allocates each one with __cxa_allocate_exception); exit 0.
#include <stdexcept>
#include <thread>
#include <vector>

static int caught;

int main()
{
	std::vector<std::thread> ts;
	std::vector<int> counts(4);

	for (int t = 0; t < 4; t++)
		ts.emplace_back([&counts, t] {
			for (int i = 0; i < 100; i++) {
				try {
					throw std::runtime_error("x");
				} catch (const std::exception &) {
					counts[t]++;
				}
			}
		});
	for (auto &t : ts)
		t.join();
	for (int c : counts)
		caught += c;
	return caught == 400 ? 0 : 1;
}
