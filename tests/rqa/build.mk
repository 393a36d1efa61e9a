# tests/rqa/: programs the recorder's real-program checks record
# (tests/e2e/mprec/rqa_*.sh), each with known answers by construction (see
# each file's header comment).  Built like tests/apps: no sanitizers.

RQA_DIR := $(BUILD)/tests/rqa
RQA_C := oom execenv sigterm threads32 daemon interior allocfns stalestack \
	redzone
RQA := $(RQA_C:%=$(RQA_DIR)/%) $(RQA_DIR)/cxxexc

$(RQA_C:%=$(RQA_DIR)/%): $(RQA_DIR)/%: tests/rqa/%.c tests/rqa/build.mk
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -o $@ $< -pthread

$(RQA_DIR)/cxxexc: tests/rqa/cxxexc.cc tests/rqa/build.mk
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CXX) -std=gnu++17 $(filter-out -Wstrict-prototypes -Wmissing-prototypes,$(WARN)) -O2 -g -o $@ $< -pthread

## rqa-apps: build the programs of the recorder's real-program checks
rqa-apps: $(RQA)

tests: rqa-apps
check: rqa-apps

.PHONY: rqa-apps
