# mptgen --every-kind writes every record type; mpdump prints each, one line
# per record (strings escaped), in text and CSV.
. "$TOP/tests/e2e/mpdump/lib.bash"

t=$TMPDIR/e.trace
"$MPTGEN" --every-kind -o "$t" 'mark "tab	quote\" nl"' || fail "mptgen failed"
"$MPDUMP" "$t" >e.txt 2>err || fail "mpdump: $(cat err)"
"$MPDUMP" -f csv "$t" >e.csv 2>err || fail "mpdump -f csv: $(cat err)"

# The record types of FORMAT.md 3.4, by their names in lower case.
for type in header end lost process_start process_end thread_start \
	thread_name thread_end module_load module_unload stack alloc free \
	mmap munmap mremap brk gpu_device gpu_alloc gpu_free counter_def \
	counter_sample rss_sample numa_topology numa_sample sched_sample \
	marker span_begin span_end tag_push tag_pop leak_block leak_scan; do
	n=$(awk -v t="$type" '$4 == t' e.txt | wc -l)
	[ "$n" -ge 1 ] || fail "text: no $type record"
	n=$(awk -F, -v t="$type" '$4 == t' e.csv | wc -l)
	[ "$n" -ge 1 ] || fail "csv: no $type record"
done

# One comment line, then records only, each in the documented shape.
expect comments "$(grep -c '^#' e.txt)" 1
bad=$(grep -v '^#' e.txt |
	grep -Evc '^[0-9]+\.[0-9]{9} [0-9]+ [0-9]+ [a-z_]+( .*)?$')
expect shape "$bad" 0
# Same number of records in both formats.
expect records "$(grep -vc '^#' e.txt)" "$(($(wc -l <e.csv) - 1))"
# The tab in the label is escaped; the line did not break.
grep -q 'marker label="tab\\tquote' e.txt || fail "label not escaped: $(grep marker e.txt)"
exit 0
