# forkexec: a fork that execs, a posix_spawn and a vfork+exec
# (tests/apps/forkexec.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/forkexec" "$APPS/exec_target"

rec -- "$APPS/forkexec"
expect_rc 0
valid_trace
dump

pid_of() { pids_of_size "$1" | tr '\n' ' ' | sed 's/ $//'; }
parent=$(pid_of 21001)
child=$(pid_of 21002)
expect "pids making malloc(21001)" "$(echo $parent | wc -w)" 1
expect "pids making malloc(21002)" "$(echo $child | wc -w)" 1
expect "pids making malloc(21005)" "$(pid_of 21005)" "$parent"
[ "$child" != "$parent" ] || fail "the fork child has the parent's pid $parent"

expect "parent's malloc(21001)" "$(n_alloc 21001 malloc "$parent")" 5
expect "parent's malloc(21005)" "$(n_alloc 21005 malloc "$parent")" 3
expect "child's malloc(21002)" "$(n_alloc 21002 malloc "$child")" 7
expect "exec'ed image's malloc(21003) in the child" "$(n_alloc 21003 malloc "$child")" 9
expect "exec'ed image's calloc(1, 21004) in the child" "$(n_alloc 21004 calloc "$child")" 1

# The posix_spawn'ed and the vfork'ed processes: the other two pids with
# 21003 blocks, each an exec_target image whose parent is the parent (kind
# 2, vfork or spawn; a recorder may also see them as forks, kind 1).
expect "pids making malloc(21003)" "$(pids_of_size 21003 | wc -l)" 3
others=$(pids_of_size 21003 | grep -vx "$child" | tr '\n' ' ')
expect "pids of the spawned and vforked processes" "$(echo $others | wc -w)" 2
for s in $others; do
	[ "$s" != "$parent" ] || fail "a spawned process has the parent's pid"
	expect "malloc(21003) of $s" "$(n_alloc 21003 malloc "$s")" 9
	expect "calloc(1, 21004) of $s" "$(n_alloc 21004 calloc "$s")" 1
	expect "PROCESS_START of $s with the parent as ppid" \
		"$(q 'ty == "process_start" && v("pid") == S && (v("kind") + 0 == 2 || v("kind") + 0 == 1) && v("ppid") == P { n++ } END { print n + 0 }' S=$s P=$parent)" 1
done
for p in $parent $child $others; do
	expect "PROCESS_END exit 0 of $p" \
		"$(q 'ty == "process_end" && v("pid") == X && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }' X=$p)" 1
done
# the exec'ed image's blocks come after the exec record
expect "child's 21003 blocks before its exec record" \
	"$(q 'ty == "process_start" && v("pid") == C && v("kind") + 0 == 3 { ex = 1 }
	     ty == "alloc" && v("pid") == C && v("size") == 21003 && !ex { n++ } END { print n + 0 }' C=$child)" 0
# the new image's modules are recorded after the exec record
expect "MODULE_LOAD of exec_target in the child after its exec" \
	"$(q 'ty == "process_start" && v("pid") == C && v("kind") + 0 == 3 { ex = 1 }
	     ty == "module_load" && v("pid") == C && ex && v("path") ~ /\/exec_target"?$/ { n++ } END { print n + 0 }' C=$child)" 1
