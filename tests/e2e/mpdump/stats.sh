# --stats -f csv: counts per record kind, per process and per function,
# threads, modules, how each process ended, lost data; the decoded bytes
# equal what `zstd -dc` decodes.
. "$TOP/tests/e2e/mpdump/lib.bash"

t=$TMPDIR/s.trace
"$GEN" -o "$t" \
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
expect status "$(stat s.csv trace '' status)" complete
expect processes "$(stat s.csv trace '' processes)" 3
# 100: 100 101; 200: 200 201 202; 300: 300
expect threads "$(stat s.csv trace '' threads)" 6
expect lost "$(stat s.csv trace '' lost)" 12
expect lost.reason "$(stat s.csv lost '' buffer_full)" 12
expect lost.bytes "$(stat s.csv lost '' buffer_full 5)" 384

# Kinds: allocs 10+5+3+2 + 4 (realloc) + 6 + 1; frees 7 + 4 (realloc) + 6.
expect kind.header "$(stat s.csv kind '' header)" 1
expect kind.end "$(stat s.csv kind '' end)" 1
expect kind.alloc "$(stat s.csv kind '' alloc)" 31
expect kind.free "$(stat s.csv kind '' free)" 17
expect kind.process_start "$(stat s.csv kind '' process_start)" 3
expect kind.process_end "$(stat s.csv kind '' process_end)" 2
expect kind.thread_start "$(stat s.csv kind '' thread_start)" 6
expect kind.thread_name "$(stat s.csv kind '' thread_name)" 1
expect kind.module_load "$(stat s.csv kind '' module_load)" 4
expect kind.lost "$(stat s.csv kind '' lost)" 1

# Process 100.
expect 100.ppid "$(stat s.csv process 100 ppid)" 0
expect 100.start "$(stat s.csv process 100 start)" initial
expect 100.path "$(stat s.csv process 100 path)" /bin/a
expect 100.threads "$(stat s.csv process 100 threads)" 2
expect 100.modules "$(stat s.csv process 100 modules)" 2
expect 100.malloc "$(stat s.csv process 100 malloc)" 10
expect 100.malloc.bytes "$(stat s.csv process 100 malloc 5)" 1000
expect 100.calloc "$(stat s.csv process 100 calloc)" 5
expect 100.calloc.bytes "$(stat s.csv process 100 calloc 5)" 320
expect 100.new "$(stat s.csv process 100 'operator new')" 3
expect 100.new.bytes "$(stat s.csv process 100 'operator new' 5)" 72
expect 100.realloc "$(stat s.csv process 100 realloc)" 4
expect 100.realloc.bytes "$(stat s.csv process 100 realloc 5)" 800
expect 100.allocs "$(stat s.csv process 100 allocs)" 22
expect 100.allocs.bytes "$(stat s.csv process 100 allocs 5)" 2192
expect 100.failed "$(stat s.csv process 100 failed)" 2
expect 100.frees "$(stat s.csv process 100 frees)" 11
expect 100.exit "$(stat s.csv process 100 exit)" 3

# Process 200.
expect 200.ppid "$(stat s.csv process 200 ppid)" 100
expect 200.start "$(stat s.csv process 200 start)" fork
expect 200.threads "$(stat s.csv process 200 threads)" 3
expect 200.malloc "$(stat s.csv process 200 malloc)" 6
expect 200.malloc.bytes "$(stat s.csv process 200 malloc 5)" 6144
expect 200.frees "$(stat s.csv process 200 frees)" 6
expect 200.signal "$(stat s.csv process 200 signal)" 11

# Process 300 never ended.
expect 300.malloc "$(stat s.csv process 300 malloc)" 1
expect 300.end "$(stat s.csv process 300 end)" unknown

# Decoded bytes: the sum over kinds and the total are what zstd decodes.
zbytes=$(zstd -dc "$t" | wc -c)
expect decoded.total "$(stat s.csv trace '' records 5)" "$zbytes"
sum=$(awk -F, '$1 == "kind" { s += $5 } END { print s }' s.csv)
expect decoded.sum "$sum" "$zbytes"

# Span: one record per microsecond from 0; the last record before END is
# record number 66 (1 header + 3 starts + 2 ends + 6 thread starts + 1 name
# + 4 modules + 31 allocs + 17 frees + 1 lost).
expect first_ns "$(stat s.csv trace '' first_ns)" 0
last=$(stat s.csv trace '' last_ns)
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
