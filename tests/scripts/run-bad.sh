#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every malformed scenario in tests/scenarios/bad/ must exit 2, print
# nothing on stdout (nothing ran) and give exactly the error line in its
# sibling .err file. One more case, a 10 MB line, is generated here rather
# than kept in the tree.
. "$(dirname "$0")/lib.sh"
bad=$top/tests/scenarios/bad

# the generated case: a comment line of 10 MiB
{
	echo "task A"
	printf '#'
	head -c 10485760 /dev/zero | tr '\0' x
	echo
} > "$tmp/long-line.scn"
echo "long-line.scn:2:4097: error: line is too long (more than 4096 bytes)" \
	> "$tmp/long-line.err"

n=0
for f in "$bad"/*.scn "$tmp/long-line.scn"; do n=$((n + 1)); done
echo "1..$n"

i=0
check() {	# dir name
	i=$((i + 1))
	dir=$1 name=$2
	(cd "$dir" && timeout 20 "$gupsim" run "$name.scn" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	want=$(cat "$dir/$name.err")
	got=$(head -n 1 "$tmp/err")
	if [ $rc -eq 2 ] && [ "$got" = "$want" ] && [ ! -s "$tmp/out" ]; then
		echo "ok $i - bad/$name"
	else
		echo "not ok $i - bad/$name"
		echo "#   exit status $rc (want 2)"
		echo "#   want: $want"
		echo "#   got:  $got"
		[ -s "$tmp/out" ] && echo "#   and it printed on stdout"
	fi
}

for f in "$bad"/*.scn; do
	check "$bad" "$(basename "$f" .scn)"
done
check "$tmp" long-line
