# tests/tools/: programs the tests use.  mptgen writes synthetic traces (the
# spec language is described at the top of tests/tools/mptgen.c); the format
# benchmark lives in tests/bench/ but links the same way.

MPTGEN := $(BUILD)/tests/tools/mptgen
BENCH_FORMAT := $(BUILD)/tests/bench/bench_format

$(BUILD)/tests/tools/mptgen.o $(BUILD)/tests/bench/bench_format.o: \
	ALL_CFLAGS += -Ianalyzer

# mptgen uses the strict parsers and die() of analyzer/common.c.
$(MPTGEN): $(BUILD)/tests/tools/mptgen.o $(BUILD)/analyzer/common.o $(LIBMPTRACE)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ZSTD_LIBS) -lm

$(BENCH_FORMAT): $(BUILD)/tests/bench/bench_format.o $(LIBMPTRACE)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ZSTD_LIBS) -lm

tests: $(MPTGEN) $(BENCH_FORMAT)
