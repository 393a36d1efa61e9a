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

# a2l_misread FILE THEIRS OURS: 0 if every frame where OURS differs from
# THEIRS (addr2line's) is the innermost of its address, with the same
# function and line, and the file that `objdump --dwarf=decodedline` gives
# the row of that address.  binutils 2.40's addr2line starts a DWARF 5 line
# program's file register at 0, where the standard has 1, and so names the
# unit's own file for code that gcc put in file 1, an #included one
# (glibc's __libc_start_call_main, in libc_start_call_main.h); objdump
# decodes the same rows right, as gdb, llvm-addr2line and valgrind do.
a2l_misread() {
	local line off fn file
	[ "$(wc -l <"$2")" = "$(wc -l <"$3")" ] || return 1
	paste -d '\n' "$2" "$3" | awk -F'\t' '
		/^addr / { if (NR % 2) { off = $2; first = 1 } next }
		NR % 2 { want = $0; next }
		$0 != want {
			split(want, w, "\t")
			if (!first || w[1] != $1 || w[3] != $3 || $2 == w[2]) {
				print "bad"; exit
			}
			n = split($2, b, "/")
			printf "%s\t%s\t%s\n", off, $3, b[n]
		}
		{ first = 0 }' >misread
	grep -qx bad misread && return 1
	[ -s misread ] || return 1
	while IFS=$'\t' read -r off line fn; do
		# the row nearest at or before the address (the last of equals)
		file=$(objdump --dwarf=decodedline "$1" 2>/dev/null |
			awk -v a=$((0x$off)) '
			function hex(s,  i, v) {
				v = 0; s = tolower(substr(s, 3))
				for (i = 1; i <= length(s); i++)
					v = v * 16 + index("0123456789abcdef",
						substr(s, i, 1)) - 1
				return v
			}
			NF >= 3 && $3 ~ /^0x/ {
				v = hex($3)
				if (v <= a && v >= best) { best = v; f = $1; l = $2 }
			}
			END { print f "\t" l }')
		[ "$file" = "$fn"$'\t'"$line" ] || return 1
		echo "addr2line misreads $off: $fn:$line (objdump agrees)"
	done <misread
	return 0
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
		if ! diff -u theirs.part ours.part >diff.out &&
			! a2l_misread "$file" theirs.part ours.part; then
			echo "$1: frames in $mod differ from addr2line (-addr2line +ours):"
			cat diff.out
			exit 1
		fi
		total=$((total + $(wc -l <offsets)))
	done <"$1.mods"
}
