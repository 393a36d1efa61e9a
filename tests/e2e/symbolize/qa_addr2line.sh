# qa_addr2line: every frame of every stack recorded for the ordinary
# programs of tests/qa (C++ containers and templates, threads started
# through libc, a forked child, libc's own getline, asprintf, strdup and
# stdio allocations, deep recursion) resolves as `addr2line -f -i -C`
# resolves it, on the same module offsets.  addr2line runs here; its
# answers are never stored.

sym=$BUILD/tests/sym
for t in "$BIN/mprec" "$sym/symtrace" "$BUILD/tests/qa/objgraph"; do
	test -x "$t" || { echo "missing $t (make sym-progs)"; exit 1; }
done
command -v addr2line >/dev/null || { echo "no addr2line"; exit 77; }

# The file addr2line reads for a module: its build-id debug file if any.
a2l_file() {
	local id
	id=$(readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: *//p' | head -1)
	if [ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]; then
		echo "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
	else
		echo "$1"
	fi
}

# addr2line -a output -> the symtrace format (a line of 0 drops the file,
# the discriminator is not part of the line).
a2l_to_frames() {
	awk -v mod="$1" '
	function flush() {
		if (addr != "")
			printf "addr %s\t%s\t%d\n%s", mod, addr, n, buf
		buf = ""; n = 0
	}
	/^0x[0-9a-f]+$/ { flush(); addr = $0; sub(/^0x0*/, "", addr)
			  if (addr == "") addr = "0"; fn = ""; next }
	fn == "" { fn = $0; next }
	{
		loc = $0; sub(/ \(discriminator [0-9]+\)$/, "", loc)
		i = match(loc, /:[^:]*$/)
		file = substr(loc, 1, i - 1); line = substr(loc, i + 1)
		if (line !~ /^[0-9]+$/ || line == 0) { line = 0; file = "??" }
		if (file == "") file = "??"
		buf = buf sprintf("frame %s\t%s\t%d\n", fn, file, line); n++
		fn = ""
	}
	END { flush() }'
}

qa=$BUILD/tests/qa
total=0
for prog in hashtab tree recurse libcalloc prodcons forkleak objgraph; do
	"$BIN/mprec" -o "$prog.trace" "$qa/$prog" >/dev/null 2>"$prog.err" ||
		{ echo "mprec $prog failed"; cat "$prog.err"; exit 1; }
	"$sym/symtrace" "$prog.trace" >"$prog.ours" ||
		{ echo "symtrace $prog failed"; exit 1; }
	grep '^addr ' "$prog.ours" | cut -f1 | sed 's/^addr //' | sort -u >"$prog.mods"
	[ -s "$prog.mods" ] || { echo "$prog: no recorded frame"; exit 1; }
	grep -qx "$qa/$prog" "$prog.mods" || { echo "$prog: no frame in the program"; exit 1; }
	while IFS= read -r mod; do
		# this module's addresses and frames, in symtrace's order
		awk -v mod="$mod" -F'\t' '
			/^addr / { keep = (substr($1, 6) == mod) }
			!/^(addr|frame) / { keep = 0 }
			keep' "$prog.ours" >ours.part
		grep '^addr ' ours.part | cut -f2 | sed 's/^/0x/' >offsets
		# one addr2line per address: given several, it names a C++
		# function differently on its first and later lookups
		file=$(a2l_file "$mod")
		while read -r off; do
			addr2line -a -f -i -C -e "$file" "$off"
		done <offsets | a2l_to_frames "$mod" >theirs.part
		if ! diff -u theirs.part ours.part >diff.out; then
			echo "$prog: frames in $mod differ from addr2line (-addr2line +ours):"
			cat diff.out
			exit 1
		fi
		total=$((total + $(wc -l <offsets)))
	done <"$prog.mods"
done
# libc frames went through libc6-dbg, libstdc++ through its symbol table
grep -q "^addr .*libc\.so" libcalloc.ours || { echo "no libc frame recorded"; exit 1; }
grep -q "^addr .*libstdc++" objgraph.ours || { echo "no libstdc++ frame recorded"; exit 1; }
test "$total" -ge 100 || { echo "only $total frames compared"; exit 1; }
echo "$total frames agree"
exit 0
