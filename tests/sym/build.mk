# tests/sym/: programs whose addresses the symbolizer tests resolve and check
# against addr2line.  Each is built with DWARF 4 and DWARF 5; the library is
# stripped of its debug info (symbol table only), and a copy keeps only .dynsym.

SYM_DIR := $(BUILD)/tests/sym
SYM_PROGS := $(SYM_DIR)/sym_c_dw4 $(SYM_DIR)/sym_c_dw5 \
	     $(SYM_DIR)/sym_cxx_dw4 $(SYM_DIR)/sym_cxx_dw5 \
	     $(SYM_DIR)/sym_incl_dw4 $(SYM_DIR)/sym_incl_dw5
SYM_LIB := $(SYM_DIR)/libsymlib.so
SYM_LIB_DYN := $(SYM_DIR)/libsymlib-dynsym.so
SYM_CFLAGS = -O2 -g -Wall -Wextra -D_GNU_SOURCE
SYM_CXXFLAGS = -O1 -g -Wall -Wextra

$(SYM_LIB): tests/sym/symlib.c tests/sym/symlib.h | $(DEPS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(SYM_CFLAGS) -fPIC -shared -o $@.tmp $<
	$(Q)strip --strip-debug $@.tmp && mv $@.tmp $@

$(SYM_LIB_DYN): $(SYM_LIB)
	$(Q)strip --strip-all -o $@ $<

$(SYM_DIR)/sym_c_dw%: tests/sym/sym_c.c tests/sym/symdump.h $(SYM_LIB)
	$(QUIET_CC)$(CC) $(SYM_CFLAGS) -gdwarf-$* -Itests/sym -o $@ $< \
		-L$(SYM_DIR) -lsymlib -Wl,-rpath,'$$ORIGIN'

$(SYM_DIR)/sym_incl_dw%: tests/sym/sym_incl.c tests/sym/sym_incl_part.c | $(DEPS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) -O0 -g -gdwarf-$* -o $@ $<

$(SYM_DIR)/sym_cxx_dw%: tests/sym/sym_cxx.cc tests/sym/symdump.h | $(DEPS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CXX) $(SYM_CXXFLAGS) -gdwarf-$* -Itests/sym -o $@ $<

# Separate debug files: libsymlink.so finds its DWARF through .gnu_debuglink
# (in .debug/, with the right CRC), libsymcrc.so's debuglink names a file
# whose CRC no longer matches, and libsymbid.so's debug file sits only under
# debugroot/.build-id/, a directory the test passes as a debug directory.
SYM_SPLIT := $(SYM_DIR)/libsymlink.so $(SYM_DIR)/libsymcrc.so \
	     $(SYM_DIR)/libsymbid.so

$(SYM_DIR)/libsym%.full: tests/sym/symlib.c tests/sym/symlib.h | $(DEPS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(SYM_CFLAGS) -fPIC -shared -Wl,--build-id \
		-Wl,-soname,libsym$*.so -o $@ $<

$(SYM_DIR)/libsymlink.so: $(SYM_DIR)/libsymlink.full
	$(Q)mkdir -p $(SYM_DIR)/.debug
	$(Q)objcopy --only-keep-debug $< $(SYM_DIR)/.debug/libsymlink.so.debug
	$(Q)objcopy --strip-debug \
		--add-gnu-debuglink=$(SYM_DIR)/.debug/libsymlink.so.debug $< $@

$(SYM_DIR)/libsymcrc.so: $(SYM_DIR)/libsymcrc.full
	$(Q)objcopy --only-keep-debug $< $(SYM_DIR)/libsymcrc.so.debug
	$(Q)objcopy --strip-debug \
		--add-gnu-debuglink=$(SYM_DIR)/libsymcrc.so.debug $< $@
	$(Q)printf x >> $(SYM_DIR)/libsymcrc.so.debug

$(SYM_DIR)/libsymbid.so: $(SYM_DIR)/libsymbid.full
	$(Q)id=$$(readelf -n $< | sed -n 's/.*Build ID: *//p'); \
	d=$(SYM_DIR)/debugroot/.build-id/$$(echo $$id | cut -c1-2); \
	mkdir -p $$d && \
	objcopy --only-keep-debug $< $$d/$$(echo $$id | cut -c3-).debug
	$(Q)objcopy --strip-debug $< $@

# symbench: resolution speed over a module's code (run by hand or by bench)
$(BUILD)/tests/sym/symbench.o: ALL_CFLAGS += $(ANALYZER_CFLAGS)
$(SYM_DIR)/symbench: $(BUILD)/tests/sym/symbench.o $(LIBMPANALYZE) $(LIBMPTRACE)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $< $(ANALYZER_LIBS)

# symtrace: every recorded frame of a trace, for tests/e2e/symbolize/
$(BUILD)/tests/sym/symtrace.o: ALL_CFLAGS += $(ANALYZER_CFLAGS)
$(SYM_DIR)/symtrace: $(BUILD)/tests/sym/symtrace.o $(LIBMPANALYZE) $(LIBMPTRACE)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $< $(ANALYZER_LIBS)

## sym-progs: build the symbolizer test programs
sym-progs: $(SYM_PROGS) $(SYM_LIB) $(SYM_LIB_DYN) $(SYM_SPLIT) \
	   $(SYM_DIR)/symbench $(SYM_DIR)/symtrace

# the unit test and tests/e2e/symbolize/ run these programs
$(BUILD)/tests/unit/test_symbolize: | sym-progs
tests: sym-progs

.PHONY: sym-progs
