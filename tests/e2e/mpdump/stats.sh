# --stats -f csv: counts per record kind, per process and per function,
# threads, modules, how each process ended, lost data; the decoded bytes
# equal what `zstd -dc` decodes.
. "$TOP/tests/e2e/mpdump/lib.bash"

t=$TMPDIR/s.trace
"$MPTGEN" -o "$t" \
	'process 100 path=/bin/a modules=2; thread 101 name=w' \
	'alloc 10 size=100; alloc 5 func=calloc size=64; alloc 3 func=new size=24' \
	'alloc 2 failed size=1G; free 7; realloc 4 size=200; exit 3' \
	'process 200 ppid=100 kind=fork; thread 201; thread 202' \
	'alloc 6 size=1K; free all; signal 11' \
	'process 300 ppid=100 kind=fork; alloc 1' \
	'lost 12 reason=buffer_full bytes=384' || fail "mptgen failed"
"$MPDUMP" --stats -f csv "$t" >s.csv 2>err || fail "mpdump --stats: $(cat err)"
[ -s err ] && fail "unexpected stderr: $(cat err)"

expect header "$(head -1 s.csv)" "scope,pid,key,value,bytes"
expect status "$(statv s.csv trace '' status)" complete
expect processes "$(statv s.csv trace '' processes)" 3
# 100: 100 101; 200: 200 201 202; 300: 300
expect threads "$(statv s.csv trace '' threads)" 6
expect lost "$(statv s.csv trace '' lost)" 12
expect lost.reason "$(statv s.csv lost '' buffer_full)" 12
expect lost.bytes "$(statv s.csv lost '' buffer_full 5)" 384

# Kinds: allocs 10+5+3+2 + 4 (realloc) + 6 + 1; frees 7 + 4 (realloc) + 6.
expect kind.header "$(statv s.csv kind '' header)" 1
expect kind.end "$(statv s.csv kind '' end)" 1
expect kind.alloc "$(statv s.csv kind '' alloc)" 31
expect kind.free "$(statv s.csv kind '' free)" 17
expect kind.process_start "$(statv s.csv kind '' process_start)" 3
expect kind.process_end "$(statv s.csv kind '' process_end)" 2
expect kind.thread_start "$(statv s.csv kind '' thread_start)" 6
expect kind.thread_name "$(statv s.csv kind '' thread_name)" 1
expect kind.module_load "$(statv s.csv kind '' module_load)" 4
expect kind.lost "$(statv s.csv kind '' lost)" 1

# Process 100.
expect 100.ppid "$(statv s.csv process 100 ppid)" 0
expect 100.start "$(statv s.csv process 100 start)" initial
expect 100.path "$(statv s.csv process 100 path)" /bin/a
expect 100.threads "$(statv s.csv process 100 threads)" 2
expect 100.modules "$(statv s.csv process 100 modules)" 2
expect 100.malloc "$(statv s.csv process 100 malloc)" 10
expect 100.malloc.bytes "$(statv s.csv process 100 malloc 5)" 1000
expect 100.calloc "$(statv s.csv process 100 calloc)" 5
expect 100.calloc.bytes "$(statv s.csv process 100 calloc 5)" 320
expect 100.new "$(statv s.csv process 100 'operator new')" 3
expect 100.new.bytes "$(statv s.csv process 100 'operator new' 5)" 72
expect 100.realloc "$(statv s.csv process 100 realloc)" 4
expect 100.realloc.bytes "$(statv s.csv process 100 realloc 5)" 800
expect 100.allocs "$(statv s.csv process 100 allocs)" 22
expect 100.allocs.bytes "$(statv s.csv process 100 allocs 5)" 2192
expect 100.failed "$(statv s.csv process 100 failed)" 2
expect 100.frees "$(statv s.csv process 100 frees)" 11
expect 100.exit "$(statv s.csv process 100 exit)" 3

# Process 200.
expect 200.ppid "$(statv s.csv process 200 ppid)" 100
expect 200.start "$(statv s.csv process 200 start)" fork
expect 200.threads "$(statv s.csv process 200 threads)" 3
expect 200.malloc "$(statv s.csv process 200 malloc)" 6
expect 200.malloc.bytes "$(statv s.csv process 200 malloc 5)" 6144
expect 200.frees "$(statv s.csv process 200 frees)" 6
expect 200.signal "$(statv s.csv process 200 signal)" 11

# Process 300 never ended.
expect 300.malloc "$(statv s.csv process 300 malloc)" 1
expect 300.end "$(statv s.csv process 300 end)" unknown

# Decoded bytes: the kinds add up to the total, which is what zstd decodes
# less the CONTEXT records the reader consumes itself.
zbytes=$(zstd -dc "$t" | wc -c)
total=$(statv s.csv trace '' records 5)
sum=$(awk -F, '$1 == "kind" { s += $5 } END { print s }' s.csv)
expect decoded.sum "$sum" "$total"
[ "$total" -le "$zbytes" ] && [ "$total" -ge $((zbytes - 100)) ] ||
	fail "decoded bytes $total, zstd decodes $zbytes"

# Exact sizes from FORMAT.md: after the header, 1000 ALLOCs of 100 bytes,
# 1 us apart, one frame.  An ALLOC is type (1) + length (1) + payload: dt
# 1000 (2), func (1), flags (1), size 100 (1), addr (nothing was freed, so
# no back-reference: 0 (1), then a zigzag delta from the previous one;
# mptgen places blocks 128 bytes apart: zz(128) = 256, 2 bytes), stack 0
# (1): 11 bytes.  The first has no previous address: its delta is the whole
# address 0x555501000010 (zigzag: 7 bytes), 16 bytes.
"$MPTGEN" -o x.trace 'process 1 modules=0; alloc 1000 size=100' || fail "mptgen x"
"$MPDUMP" --stats -f csv x.trace >x.csv || fail "mpdump --stats x"
expect "alloc first address" \
	"$("$MPDUMP" x.trace | awk '$4 == "alloc" { print $7; exit }')" \
	addr=0x555501000010
expect "alloc bytes" "$(statv x.csv kind '' alloc 5)" $((999 * 11 + 16))

# Span: one record per microsecond from 0; the last record before END is
# record number 66 (1 header + 3 starts + 2 ends + 6 thread starts + 1 name
# + 4 modules + 31 allocs + 17 frees + 1 lost).
expect first_ns "$(statv s.csv trace '' first_ns)" 0
last=$(statv s.csv trace '' last_ns)
[ "$last" -ge 65000 ] || fail "last_ns $last < 65000"

# Text output holds the same numbers.
"$MPDUMP" --stats "$t" >s.txt || fail "mpdump --stats (text)"
grep -q '^status  *complete$' s.txt || fail "text: no 'status complete'"
grep -q '^kind alloc 31 ' s.txt || fail "text: no 'kind alloc 31'"
grep -q '^process 200 signal 11$' s.txt || fail "text: no 'process 200 signal 11'"
grep -q '^process 100 malloc 10 1000 B$' s.txt ||
	fail "text: no 'process 100 malloc 10 1000 B'"
grep -q '^process 200 malloc 6 6.0 KiB$' s.txt ||
	fail "text: no 'process 200 malloc 6 6.0 KiB'"
exit 0
