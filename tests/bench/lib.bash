# lib.bash - what the benchmark scripts share; sourced, never run (the
# runner takes *.sh only).  Needs BIN.

# events_of TRACE: its ALLOC + FREE + GPU_ALLOC + GPU_FREE records.
events_of() {
	"$BIN/mpdump" --stats -f csv "$1" | awk -F, '$1 == "kind" &&
		($3 == "alloc" || $3 == "free" || $3 == "gpu_alloc" ||
		 $3 == "gpu_free") { n += $4 } END { print n + 0 }'
}

# The median of the lines on stdin, column by column (for an even count,
# the lower middle).
median() {
	awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; nf = NF }
	END {
		for (i = 1; i <= nf; i++) {
			for (a = 1; a <= NR; a++) c[a] = v[i, a]
			for (a = 2; a <= NR; a++)
				for (b = a; b > 1 && c[b - 1] + 0 > c[b] + 0; b--) {
					x = c[b]; c[b] = c[b - 1]; c[b - 1] = x
				}
			printf "%s%s", c[int((NR + 1) / 2)], i < nf ? " " : "\n"
		}
	}'
}
