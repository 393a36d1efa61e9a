# sampled: --sample-bytes N (tests/apps/sampled.c: 1e6 x malloc(1000), then
# one malloc(4000000)).  Each allocation of s bytes is kept with probability
# p = 1 - exp(-s/N) (FORMAT.md section 4), so with N = 65536 the count of
# sampled 1000-byte blocks is binomial with mean 1e6 * p = 15142.6 and
# standard deviation 121.9: the test allows 8 standard deviations (975),
# which a correct sampler misses about once in 10^15 runs.  The estimate of
# the bytes, sum of s/p, is within the same relative bound of 1e9.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/sampled"

rec --sample-bytes 65536 -- "$APPS/sampled"
expect_rc 0
valid_trace
dump
expect "header sample_bytes" \
	"$(q 'ty == "header" { print v("sample_bytes") + 0 }')" 65536
n=$(n_alloc 1000 malloc)
expect "sampled 1000-byte blocks within 15143 +- 975" \
	"$(awk -v n="$n" 'BEGIN { print (n >= 15143 - 975 && n <= 15143 + 975) ? "yes" : "no (" n ")" }')" yes
expect "sampled 4000000-byte block" "$(n_alloc 4000000 malloc)" 1
expect "ALLOC records without the sampled flag" \
	"$(q 'ty == "alloc" && int(num(v("flags")) / 2) % 2 != 1 { n++ } END { print n + 0 }')" 0
expect "frees of the sampled 1000-byte blocks" "$(n_free_of 1000 free)" "$n"
# every free is of a sampled block
expect "frees of blocks not sampled" \
	"$(q 'ty == "alloc" && !failed() { live[v("pid"), addr()] = 1 }
	     ty == "free" { k = v("pid") SUBSEP addr(); if (!(k in live)) n++; delete live[k] }
	     END { print n + 0 }')" 0
expect "estimated bytes of malloc(1000), within 6.5% of 1e9" \
	"$(awk -v n="$n" 'BEGIN { p = 1 - exp(-1000 / 65536); e = n * 1000 / p; print (e > 0.935e9 && e < 1.065e9) ? "yes" : "no (" e ")" }')" yes

# Without --sample-bytes every allocation is there.
rec -- "$APPS/sampled"
expect_rc 0
valid_trace
dump
expect "malloc(1000) without sampling" "$(n_alloc 1000 malloc)" 1000000
expect "header sample_bytes without sampling" \
	"$(q 'ty == "header" { print v("sample_bytes") + 0 }')" 0
