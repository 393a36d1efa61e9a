# dlopen: allocations in a library unloaded before the end
# (tests/apps/dlopen.c, tests/apps/dltarget.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/dlopen" "$APPS/libmpt_dltarget.so"

rec -- "$APPS/dlopen"
expect_rc 0
valid_trace
dump

expect "malloc(41001) from the library" "$(n_alloc 41001 malloc)" 17
expect "free of the 41001 blocks" "$(n_free_of 41001 free)" 7
expect "malloc(41002) after dlclose" "$(n_alloc 41002 malloc)" 2

# MODULE_LOAD of the library, then its 17 allocations, then its
# MODULE_UNLOAD (same id), then the 41002 blocks.
expect "MODULE_LOAD of libmpt_dltarget.so" \
	"$(q 'ty == "module_load" && v("path") ~ /libmpt_dltarget\.so"?$/ { n++ } END { print n + 0 }')" 1
expect "order: load, allocs, unload, allocs after" \
	"$(q 'function put(c) { if (c != last) s = s c; last = c }
	     ty == "module_load" && v("path") ~ /libmpt_dltarget\.so"?$/ { id = v("module"); put("L") }
	     ty == "module_unload" && id != "" && v("module") == id { put("U") }
	     ty == "alloc" && v("size") == 41001 { put("A") }
	     ty == "alloc" && v("size") == 41002 { put("B") }
	     END { print s }')" "LAUB"
expect "41001 blocks made between load and unload" \
	"$(q 'ty == "module_load" && v("path") ~ /libmpt_dltarget\.so"?$/ { id = v("module"); in_ = 1 }
	     ty == "module_unload" && v("module") == id { in_ = 0 }
	     ty == "alloc" && v("size") == 41001 && in_ { n++ } END { print n + 0 }')" 17

# Each 41001 block's stack: dlt_alloc_one, dlt_make (inside the library),
# then main of the program, resolved against the library's MODULE_LOAD.
stacks 41001 >"$TMPDIR/st.txt"
expect "41001 stacks starting dlt_alloc_one, dlt_make in the library" \
	"$(awk '$2 == "dlt_alloc_one@libmpt_dltarget.so" && $3 == "dlt_make@libmpt_dltarget.so"' "$TMPDIR/st.txt" | wc -l)" 17 "$TMPDIR/st.txt"
expect "41001 stacks with main@dlopen after the library frames" \
	"$(awk '$4 == "main@dlopen"' "$TMPDIR/st.txt" | wc -l)" 17 "$TMPDIR/st.txt"
