# -f csv: a header row, one row per record, exact integers, 15 columns, the
# record counts the spec made, and fields in the documented columns.
. "$TOP/tests/e2e/mpdump/lib.bash"

t=$TMPDIR/c.trace
"$MPTGEN" -o "$t" 'process 42 path=/opt/x; stacks 5 depth=3' \
	'alloc 100 size=48 stack=2; alloc 7 func=aligned_alloc align=64 size=128' \
	'free 50; realloc 3 size=4K; mmap 2 size=8K; munmap 1' \
	'gpu 1 name=g; gpualloc 4 device=1 size=2M; gpufree 4' \
	'rss 3 rss=1M delta=4K; mark "x,y z"; exit 0' || fail "mptgen failed"
"$MPDUMP" -f csv "$t" >c.csv 2>err || fail "mpdump -f csv: $(cat err)"
[ -s err ] && fail "unexpected stderr: $(cat err)"

expect header "$(head -1 c.csv)" \
	"time_ns,pid,tid,type,func,addr,size,stack,id,a,b,c,d,text,text2"
expect alloc "$(rows c.csv alloc)" 110
expect free "$(rows c.csv free)" 53
expect stack "$(rows c.csv stack)" 5
expect mmap "$(rows c.csv mmap)" 2
expect munmap "$(rows c.csv munmap)" 1
expect gpu_device "$(rows c.csv gpu_device)" 1
expect gpu_alloc "$(rows c.csv gpu_alloc)" 4
expect gpu_free "$(rows c.csv gpu_free)" 4
expect rss_sample "$(rows c.csv rss_sample)" 3
expect end "$(rows c.csv end)" 1

# Fields: sizes, functions, stacks, pids, alignment, GPU sizes, RSS values.
expect malloc48 "$(awk -F, '$4 == "alloc" && $5 == "malloc" && $7 == 48 && $8 == 2 && $2 == 42' c.csv | wc -l)" 100
expect aligned "$(awk -F, '$4 == "alloc" && $5 == "aligned_alloc" && $7 == 128 && $11 == 64' c.csv | wc -l)" 7
expect realloc "$(awk -F, '$4 == "alloc" && $5 == "realloc" && $7 == 4096 && $12 > 0' c.csv | wc -l)" 3
expect gpu "$(awk -F, '$4 == "gpu_alloc" && $9 == 1 && $7 == 2097152' c.csv | wc -l)" 4
expect rss "$(awk -F, '$4 == "rss_sample" { printf "%s ", $7 }' c.csv)" \
	"1048576 1052672 1056768 "
expect path "$(awk -F, '$4 == "process_start" { print $14 }' c.csv)" /opt/x
# A label with a comma and a space is quoted.
expect label "$(grep ',marker,' c.csv | sed 's/^.*,marker,//')" \
	',,,,,,,,,"x,y z",'

# Every row has 15 columns (no quoted commas but the marker's).
bad=$(grep -v ',marker,' c.csv | awk -F, 'NF != 15' | wc -l)
expect columns "$bad" 0
# Integers only in the numeric columns.
bad=$(awk -F, 'NR > 1 { for (i = 6; i <= 13; i++) if ($i !~ /^-?[0-9]*$/) n++ } END { print n + 0 }' c.csv)
expect numeric "$bad" 0

# Consistency: every freed address was allocated before.
awk -F, '$4 == "alloc" { live[$6] = 1 }
	$4 == "free" { if (!($6 in live)) { print "free of unknown " $6; bad = 1 } delete live[$6] }
	END { exit bad }' c.csv || fail "a free of an address never allocated"
exit 0
