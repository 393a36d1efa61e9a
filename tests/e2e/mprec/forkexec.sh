# forkexec: a fork that execs, and a posix_spawn (tests/apps/forkexec.c).
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

# The spawned process: the other pid with 21003 blocks.
spawned=$(pids_of_size 21003 | grep -vx "$child")
expect "pids making malloc(21003)" "$(pids_of_size 21003 | wc -l)" 2
expect "spawned's malloc(21003)" "$(n_alloc 21003 malloc "$spawned")" 9
expect "spawned's calloc(1, 21004)" "$(n_alloc 21004 calloc "$spawned")" 1
[ "$spawned" != "$parent" ] || fail "the spawned process has the parent's pid"

# Lifecycle: the child is a fork of the parent and then an exec of
# exec_target; the spawned process is a vfork/spawn (kind 2) or a fork whose
# parent is the parent; all three end with exit 0.
expect "child's PROCESS_START fork from the parent" \
	"$(q 'ty == "process_start" && v("pid") == C && v("kind") + 0 == 1 && v("ppid") == P { n++ } END { print n + 0 }' C=$child P=$parent)" 1
expect "child's PROCESS_START exec of exec_target" \
	"$(q 'ty == "process_start" && v("pid") == C && v("kind") + 0 == 3 && v("path") ~ /exec_target"?$/ { n++ } END { print n + 0 }' C=$child)" 1
expect "spawned's PROCESS_START with the parent as ppid" \
	"$(q 'ty == "process_start" && v("pid") == S && (v("kind") + 0 == 2 || v("kind") + 0 == 1) && v("ppid") == P { n++ } END { print n + 0 }' S=$spawned P=$parent)" 1
for p in $parent $child $spawned; do
	expect "PROCESS_END exit 0 of $p" \
		"$(q 'ty == "process_end" && v("pid") == X && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }' X=$p)" 1
done
# the exec'ed image's blocks come after the exec record
expect "child's 21003 blocks before its exec record" \
	"$(q 'ty == "process_start" && v("pid") == C && v("kind") + 0 == 3 { ex = 1 }
	     ty == "alloc" && v("pid") == C && v("size") == 21003 && !ex { n++ } END { print n + 0 }' C=$child)" 0
