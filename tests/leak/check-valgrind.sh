#!/bin/sh
# Run each leak validation program under valgrind memcheck
# (--leak-check=full --show-leak-kinds=all, default heuristics) and check,
# per process:
#   1. valgrind's totals per kind equal what the program was written to leak
#      (its "expect" line): this validates the programs;
#   2. the same program with inproc.c, classified by collector/leakscan.c at
#      exit, prints the same totals as valgrind;
#   3. when $BUILD/bin/mprec and mpdump exist: the program recorded by mprec
#      has LEAK_SCAN totals equal to valgrind's.
# Usage: BUILD=/abs/build tests/leak/check-valgrind.sh [CASE...]
# Last line: "N passed, N failed".

set -u
: "${BUILD:?set BUILD to the build directory}"
dir=$BUILD/tests/leak
cases=${*:-"list interior cache cycle threads fork heuristics dlopen tls multi"}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leakcheck.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 2; }

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# valgrind's LEAK SUMMARY of one log as "D=b/B I=b/B P=b/B R=b/B H=s,l,n,m"
# (H: blocks found through each heuristic: stdstring, length64, newarray,
# multipleinheritance).
vg_totals() {
	awk '
	function num(s) { gsub(/,/, "", s); return s + 0 }
	/definitely lost:/ { db = num($(NF-4)); dk = num($(NF-1)) }
	/indirectly lost:/ { ib = num($(NF-4)); ik = num($(NF-1)) }
	/possibly lost:/   { pb = num($(NF-4)); pk = num($(NF-1)) }
	/still reachable:/ { rb = num($(NF-4)); rk = num($(NF-1)) }
	/ stdstring +:/ { hs = num($(NF-1)) }
	/ length64 +:/ { hl = num($(NF-1)) }
	/ newarray +:/ { hn = num($(NF-1)) }
	/ multipleinheritance:/ { hm = num($(NF-1)) }
	END { printf "D=%d/%d I=%d/%d P=%d/%d R=%d/%d H=%d,%d,%d,%d\n",
		dk, db, ik, ib, pk, pb, rk, rb, hs, hl, hn, hm }' "$1"
}

field() { # field NAME LINE: the value of NAME=... in LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

totals_of() { # the D= I= P= R= part of an expect or leakscan line
	echo "D=$(field D "$1") I=$(field I "$1") P=$(field P "$1") R=$(field R "$1")"
}

strip_h() { echo "${1% H=*}"; }

for c in $cases; do
	prog=$dir/$c
	[ -x "$prog" ] || { ko "$c: $prog not built"; continue; }
	rm -f "$tmp"/vg.* "$tmp"/out
	valgrind --leak-check=full --show-leak-kinds=all \
		--log-file="$tmp/vg.%p" "$prog" >"$tmp/out" 2>&1 ||
		{ ko "$c: exit status $? under valgrind"; continue; }
	grep '^expect ' "$tmp/out" >"$tmp/expect"
	[ -s "$tmp/expect" ] || { ko "$c: no expect line"; continue; }
	while read -r line; do
		pid=$(field pid "$line")
		role=$(field role "$line")
		want=$(totals_of "$line")
		[ -f "$tmp/vg.$pid" ] || { ko "$c/$role: no valgrind log"; continue; }
		grep -q -e 'LEAK SUMMARY' -e 'All heap blocks were freed' \
			"$tmp/vg.$pid" || { ko "$c/$role: no leak summary"; continue; }
		got=$(vg_totals "$tmp/vg.$pid")
		echo "$role $got" >>"$tmp/vg-$c"
		got=$(strip_h "$got")
		if [ "$got" = "$want" ]; then
			ok "$c/$role: valgrind $got"
		else
			ko "$c/$role: valgrind $got, program written for $want"
		fi
	done <"$tmp/expect"

	inproc=$dir/$c-inproc
	[ -x "$inproc" ] || { ko "$c: $inproc not built"; continue; }
	"$inproc" >"$tmp/in" 2>&1 || { ko "$c: inproc exit status $?"; continue; }
	grep '^expect ' "$tmp/in" | while read -r line; do
		echo "$(field role "$line")"
	done >"$tmp/roles"
	while read -r role; do
		line=$(grep "^leakscan .*role=$role " "$tmp/in")
		vg=$(sed -n "s/^$role //p" "$tmp/vg-$c" 2>/dev/null)
		if [ -z "$line" ]; then
			ko "$c/$role: leakscan printed nothing"
		elif [ -z "$vg" ]; then
			ko "$c/$role: no valgrind totals to compare"
		elif [ "$(totals_of "$line") H=$(field H "$line")" = "$vg" ]; then
			ok "$c/$role: leakscan $vg"
		else
			ko "$c/$role: leakscan $(totals_of "$line") H=$(field H "$line"), valgrind $vg"
		fi
	done <"$tmp/roles"

	[ -x "$BUILD/bin/mprec" ] && [ -x "$BUILD/bin/mpdump" ] || continue
	"$BUILD/bin/mprec" "$prog" >"$tmp/trace" 2>"$tmp/rec" ||
		{ ko "$c: mprec exit status $?"; continue; }
	"$BUILD/bin/mpdump" "$tmp/trace" >"$tmp/dump" 2>&1 ||
		{ ko "$c: mpdump exit status $?"; continue; }
	grep '^expect ' "$tmp/rec" | while read -r line; do
		pid=$(field pid "$line")
		role=$(field role "$line")
		vg=$(sed -n "s/^$role //p" "$tmp/vg-$c" 2>/dev/null)
		vg=$(strip_h "$vg")
		scan=$(awk -v pid="$pid" '$2 == pid && $4 == "leak_scan"' "$tmp/dump")
		got="D=$(field definite "$scan") I=$(field indirect "$scan") P=$(field possible "$scan") R=$(field reachable "$scan")"
		if [ -z "$scan" ]; then
			echo "FAIL $c/$role: no leak_scan record for pid $pid"
		elif [ "$got" = "$vg" ]; then
			echo "ok   $c/$role: mprec $got"
		else
			echo "FAIL $c/$role: mprec $got, valgrind $vg"
		fi
	done >"$tmp/mprec-res"
	cat "$tmp/mprec-res"
	pass=$((pass + $(grep -c '^ok' "$tmp/mprec-res")))
	fail=$((fail + $(grep -c '^FAIL' "$tmp/mprec-res")))
done
echo "$pass passed, $fail failed"
test "$fail" = 0
