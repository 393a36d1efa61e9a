# tests/qa/: ordinary programs (a hash table, a tree, threads, fork, C++
# containers, libc-internal allocations) that the qa_* end-to-end cases
# record and compare with valgrind and addr2line.  Built plain -O2 -g,
# without SAN_FLAGS even under SAN=1: valgrind needs the plain allocator.

QA_DIR := $(BUILD)/tests/qa
QA_C := hashtab tree recurse libcalloc prodcons forkleak phases glibcstate \
	livethreads dlkeep libcmix forkthread forkfree forkheap
QA_CXX := objgraph
QA_BINS := $(QA_C:%=$(QA_DIR)/%) $(QA_CXX:%=$(QA_DIR)/%)
QA_CFLAGS = -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra
QA_CXXFLAGS = -std=gnu++17 -O2 -g -Wall -Wextra

$(QA_C:%=$(QA_DIR)/%): $(QA_DIR)/%: tests/qa/%.c tests/qa/build.mk
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(QA_CFLAGS) -o $@ $< -pthread

$(QA_CXX:%=$(QA_DIR)/%): $(QA_DIR)/%: tests/qa/%.cc tests/qa/build.mk
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CXX) $(QA_CXXFLAGS) -o $@ $<

## qa-progs: build the tests/qa programs
qa-progs: $(QA_BINS)

tests: qa-progs

.PHONY: qa-progs
