# lib.bash - helpers of the symbolize end-to-end cases (sourced, not a
# case): compare the frames our symbolizer gives for recorded stacks with
# what addr2line says, addr2line being run here on the same module offsets.

total=0

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

# compare NAME PROGRAM: every frame of every module in NAME.trace (recorded
# from PROGRAM) resolves as addr2line resolves it; adds the addresses
# compared to $total and leaves our frames in NAME.ours.
compare() {
	local mod file off
	"$BUILD/tests/sym/symtrace" "$1.trace" >"$1.ours" ||
		{ echo "symtrace $1 failed"; exit 1; }
	grep '^addr ' "$1.ours" | cut -f1 | sed 's/^addr //' | sort -u >"$1.mods"
	[ -s "$1.mods" ] || { echo "$1: no recorded frame"; exit 1; }
	grep -qx "$2" "$1.mods" || { echo "$1: no frame in the program"; exit 1; }
	while IFS= read -r mod; do
		# this module's addresses and frames, in symtrace's order
		awk -v mod="$mod" -F'\t' '
			/^addr / { keep = (substr($1, 6) == mod) }
			!/^(addr|frame) / { keep = 0 }
			keep' "$1.ours" >ours.part
		grep '^addr ' ours.part | cut -f2 | sed 's/^/0x/' >offsets
		# one addr2line per address: given several, it names a C++
		# function differently on its first and later lookups
		file=$(a2l_file "$mod")
		while read -r off; do
			addr2line -a -f -i -C -e "$file" "$off"
		done <offsets | a2l_to_frames "$mod" >theirs.part
		if ! diff -u theirs.part ours.part >diff.out; then
			echo "$1: frames in $mod differ from addr2line (-addr2line +ours):"
			cat diff.out
			exit 1
		fi
		total=$((total + $(wc -l <offsets)))
	done <"$1.mods"
}
