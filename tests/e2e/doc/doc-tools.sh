# The parsers the doc tests use, on a page written to exercise them: option
# lists (with Xo blocks, Ns, escaped dashes), and EXAMPLES in .Dl lines and
# literal blocks (prompts, continuation lines, escapes, non-mp lines).

cat >page.1 <<'PAGE'
.Dd November 22, 2026
.Dt MPX 1
.Os
.Sh NAME
.Nm mpx
.Nd a page for the parsers
.Sh SYNOPSIS
.Nm
.Op Fl \-not-in-a-list
.Sh DESCRIPTION
.Bl -tag -width Ds
.It Fl f , Fl \-format Ar fmt
.It Fl \-fail Ns Op = Ns Ar bytes
.It Fl -from Ar t , Fl \-to Ar t
.It Xo
.Fl \-suppressions Ns = Ns Ar file
.Xc
.It Fl q
.El
.Sh EXAMPLES
.Dl $ mpx \-\-fail=1M run.trace
.Dl zstd \-t run.trace
.Bd -literal -offset indent
$ mpx \-f csv run.trace \e
    \(ba sort \-k2 \-n \(ba head
not a command
mpy \(aqquoted\(aq run.trace
.Ed
.It Fl \-in-examples
.Sh SEE ALSO
.Xr mptrace 7
PAGE

"$TOP/tests/doc/man-options" page.1 >got
printf '%s\n' --fail --format --from --suppressions --to >want
diff -u want got || { echo "man-options: wrong options"; exit 1; }

"$TOP/tests/doc/man-examples" page.1 >got
cat >want <<'WANT'
mpx --fail=1M run.trace
mpx -f csv run.trace      | sort -k2 -n | head
mpy 'quoted' run.trace
WANT
diff -u want got || { echo "man-examples: wrong commands"; exit 1; }

printf '%s\n' 'usage: mpx [-f FMT] [--fail[=BYTES]] [--] trace' \
	'  --from T, --to T   a window' '  see --suppressions=FILE' |
	"$TOP/tests/doc/help-options" >got
printf '%s\n' --fail --from --suppressions --to >want
diff -u want got || { echo "help-options: wrong options"; exit 1; }
echo "doc parsers agree with the page written for them"
