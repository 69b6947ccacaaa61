#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# analyze.sh scan-build|cppcheck DIR [make arguments]: make analyze's two
# halves, each failing on any report not suppressed in tools/analyze.supp
# (its lines: "cppcheck:ID[:FILE[:SYMBOL]]  # reason",
# "scan-build:CHECKER[:FILE[:FUNCTION]]  # reason" and
# "scan-build:disable-checker:CHECKER  # reason").
#   scan-build: compiles lib/ and cmd/ afresh in DIR under clang's static
#               analyzer (the make arguments name the objects); the HTML
#               reports go to DIR/scan-build.
#   cppcheck:   checks lib/ and cmd/ with the build's definitions; the
#               suppressions are made into an XML file in DIR (removed
#               after), so that one can name the symbol rather than a
#               line number that any edit above it would change.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
supp=tools/analyze.supp
tool=$1 dir=$2
shift 2
# The suppression lines of TOOL, comments and blanks off.
lines() {
	sed -n "s/^$1://p" "$supp" | sed 's/[ 	]*#.*//; /^$/d'
}
case $tool in
scan-build)
	rm -rf "$dir"
	mkdir -p "$dir"
	"${SCAN_BUILD:-scan-build}" -plist-html -o "$dir/scan-build" \
	    $(lines scan-build | sed -n 's/^disable-checker:/-disable-checker /p') \
	    sh -c '"${MAKE:-make}" "$@" CC="$CC"' sh "$@"
	# Each report, once, suppressed or not; any not suppressed fails.
	lines scan-build | grep -v '^disable-checker:' >"$dir/supp" || :
	python3 - "$dir/scan-build" "$dir/supp" <<-'EOF'
	import glob, os, plistlib, sys
	root, supp = sys.argv[1:3]
	rules = [l.strip().split(':') for l in open(supp) if l.strip()]
	seen, bad = set(), 0
	for p in sorted(glob.glob(root + '/**/*.plist', recursive=True)):
	    with open(p, 'rb') as fp:
	        d = plistlib.load(fp)
	    for g in d.get('diagnostics', []):
	        f = os.path.relpath(os.path.abspath(d['files'][g['location']['file']]))
	        chk, fn = g.get('check_name', '?'), g.get('issue_context', '')
	        line = g['location']['line']
	        if (f, line, chk) in seen:
	            continue
	        seen.add((f, line, chk))
	        ok = any(r[0] == chk and r[1:2] in ([], [f]) and r[2:3] in ([], [fn])
	                 for r in rules)
	        bad += not ok
	        print('%s:%d: %s: %s [%s] in %s()' % (f, line,
	              'suppressed' if ok else 'error', g['description'], chk, fn))
	print('scan-build: %d reports, %d not suppressed' % (len(seen), bad))
	sys.exit(1 if bad else 0)
	EOF
	;;
cppcheck)
	mkdir -p "$dir"
	xml=$(mktemp "$dir/cppcheck-supp.XXXXXX")
	trap 'rm -f "$xml"' EXIT
	{
		echo '<?xml version="1.0"?>'
		echo '<suppressions>'
		lines cppcheck | awk -F: '{
			s = "<suppress><id>" $1 "</id>"
			if ($2 != "") s = s "<fileName>" $2 "</fileName>"
			if ($3 != "") s = s "<symbolName>" $3 "</symbolName>"
			print s "</suppress>"
		}'
		echo '</suppressions>'
	} >"$xml"
	"${CPPCHECK:-cppcheck}" --quiet --error-exitcode=1 --std=c99 \
	    --enable=warning,portability,performance --inline-suppr \
	    --suppress-xml="$xml" \
	    --template='{file}:{line}: {severity}: {message} [{id}]' \
	    -D__GNUC__ -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
	    -D_FILE_OFFSET_BITS=64 -DTF_VERSION='"analyze"' -Ilib \
	    --library=posix lib cmd
	;;
*)
	echo "usage: analyze.sh scan-build|cppcheck DIR [make arguments]" >&2
	exit 2
	;;
esac
