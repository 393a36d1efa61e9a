# suppressions: valgrind and LeakSanitizer suppression files on the trace of
# tests/leak/list, which allocates 11 blocks (40 + 10 x 24 bytes) from
# build() and one 16-byte block from main(), all through leak_alloc().
. "$TOP/tests/e2e/mpleaks/lib.bash"
need "$MPLEAKS" "$MPREC" "$LEAKDIR/list"
T=$TMPDIR/list.trace
"$MPREC" -o "$T" "$LEAKDIR/list" >/dev/null 2>&1 || fail "mprec exited $?"

supp() { # supp FILE: "suppressed blocks/bytes, reported blocks/bytes" with --all
	"$MPLEAKS" --all --suppressions "$1" "$T" >"$TMPDIR/out" ||
		fail "mpleaks exited $? with $1"
	s=$(summary "$TMPDIR/out" '[0-9]*')
	echo "${s##* S=} $("$MPLEAKS" -f csv --all --suppressions "$1" "$T" |
		awk -F, 'NR > 1 { n += $6; b += $7 } END { print n + 0 "/" b + 0 }')"
}

cat >"$TMPDIR/build.supp" <<'S'
# everything build() leaked
{
   list-build
   Memcheck:Leak
   match-leak-kinds: all
   fun:calloc
   fun:leak_alloc
   fun:build
}
S
expect "fun: frames" "$(supp "$TMPDIR/build.supp")" "11/280 1/16"

cat >"$TMPDIR/wild.supp" <<'S'
{
   wildcards and dots
   Memcheck:Leak
   fun:*alloc
   ...
   fun:bu?ld
   fun:main
}
{
   another tool's entry is ignored
   Helgrind:Race
   fun:main
}
S
expect "* ? and ..." "$(supp "$TMPDIR/wild.supp")" "11/280 1/16"

cat >"$TMPDIR/reach.supp" <<'S'
{
   only still reachable blocks
   Memcheck:Leak
   match-leak-kinds: reachable
   fun:calloc
   ...
   fun:main
}
S
expect "match-leak-kinds: reachable" "$(supp "$TMPDIR/reach.supp")" "1/16 11/280"

cat >"$TMPDIR/obj.supp" <<'S'
{
   by module
   Memcheck:Leak
   fun:calloc
   obj:*/tests/leak/list
}
S
expect "obj:" "$(supp "$TMPDIR/obj.supp")" "12/296 0/0"

cat >"$TMPDIR/nomatch.supp" <<'S'
{
   the stack must start at the allocator
   Memcheck:Leak
   fun:build
}
S
expect "no match" "$(supp "$TMPDIR/nomatch.supp")" "0/0 12/296"

# (A plain "leak:build" would also match the module path of the build dir.)
printf '# LeakSanitizer\nleak:^build$\n' >"$TMPDIR/lsan.supp"
expect "leak:^build\$" "$(supp "$TMPDIR/lsan.supp")" "11/280 1/16"
printf 'leak:^buil$\n' >"$TMPDIR/lsan2.supp"
expect "leak:^buil\$" "$(supp "$TMPDIR/lsan2.supp")" "0/0 12/296"
printf 'leak:leak/list.c\n' >"$TMPDIR/lsan3.supp"
expect "leak: source file" "$(supp "$TMPDIR/lsan3.supp")" "12/296 0/0"
printf 'leak:^b*d$\nleak:nothing\n' >"$TMPDIR/lsan4.supp"
expect "leak: with *" "$(supp "$TMPDIR/lsan4.supp")" "11/280 1/16"

# Two files add up.
expect "two files" "$("$MPLEAKS" -f csv --all --suppressions "$TMPDIR/lsan.supp" \
	--suppressions "$TMPDIR/reach.supp" "$T" | awk 'END { print NR }')" 1

# A broken file is bad usage, with the line.
printf '{\n   name\n   Memcheck:Leak\n   fun:main\n' >"$TMPDIR/bad.supp"
"$MPLEAKS" --suppressions "$TMPDIR/bad.supp" "$T" >/dev/null 2>"$TMPDIR/err"
expect "unclosed entry" "$?" 2
grep -q "bad.supp: line 1: suppression not closed" "$TMPDIR/err" ||
	fail "message: $(cat "$TMPDIR/err")"
"$MPLEAKS" --suppressions "$TMPDIR/none.supp" "$T" >/dev/null 2>&1
expect "missing file" "$?" 2
exit 0
