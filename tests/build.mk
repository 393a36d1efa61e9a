# tests/: cmocka unit tests (one binary per tests/unit/test_*.c) and the
# fragments of test programs, tools, fuzzers and benchmarks.

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
LIBMPCOLLECT ?= $(BUILD)/libmpcollect.a
UNIT_LIBS = $(LIBMPANALYZE) $(wildcard $(LIBMPCOLLECT)) $(LIBMPTRACE) \
	    $(CMOCKA_LIBS) $(DWARF_LIBS) $(ELF_LIBS) $(ZSTD_LIBS) \
	    -lstdc++ -lpthread -ldl -lm

$(UNIT_SRC:%.c=$(BUILD)/%.o): ALL_CFLAGS += $(CMOCKA_CFLAGS) -Ianalyzer -Icollector \
	$(ELF_CFLAGS) $(DWARF_CFLAGS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBMPANALYZE) $(LIBMPTRACE) \
		       $(if $(wildcard collector/build.mk),$(LIBMPCOLLECT))
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_LIBS)

## unit: build and run the cmocka unit tests
unit: $(UNIT_BINS)
	$(Q)pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
		if $$t >$$t.log 2>&1; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); echo "FAIL $$t"; tail -20 $$t.log; fi; \
	done; echo "unit: $$pass passed, $$fail failed"; test $$fail = 0

-include $(wildcard tests/*/build.mk)

.PHONY: unit
