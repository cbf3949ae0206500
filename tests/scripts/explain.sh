#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `gupsim run --explain` names the rule behind every errno and skip
# the model answers in the scenario corpus (tests/scenarios/**, the
# malformed ones aside): after such a statement comes at least one
# "because FUNCTION(): CHECK" line, written where the model decided. One
# test per scenario; a failure lists the statements left unexplained.
. "$(dirname "$0")/lib.sh"
dir=${SCN_DIR:-$top/tests/scenarios}

files=$(cd "$dir" && find . -name '*.scn' ! -path './bad/*' | sort)
set -- $files
echo "1..$(($# + 1))"

# Prints every statement line whose errno or skip has no rule line after it.
unexplained() {
	awk '
	function flush() { if (pending != "") print pending; pending = "" }
	/^ *[0-9]+  / {
		flush()
		if (match($0, /=> (E[A-Z0-9]+|skip)/))
			pending = $0
		next
	}
	/^      because [A-Za-z_0-9]+\(\): / { pending = "" }
	END { flush() }'
}

i=0
for f; do
	i=$((i + 1))
	name=${f#./}
	(cd "$dir" && timeout 60 "$gupsim" run --explain "$name" \
		>"$tmp/out" 2>/dev/null)
	unexplained <"$tmp/out" >"$tmp/bad"
	if [ -s "$tmp/bad" ]; then
		echo "not ok $i - explain/$name"
		sed 's/^/#   no rule: /' "$tmp/bad"
	else
		echo "ok $i - explain/$name"
	fi
done

# The checker must be able to fail: a bare errno line is caught.
i=$((i + 1))
printf '   7  A pin p buf longterm                        => EFAULT     ok\n' |
	unexplained >"$tmp/bad"
if [ -s "$tmp/bad" ]; then
	echo "ok $i - an errno without a rule is reported"
else
	echo "not ok $i - an errno without a rule is reported"
fi
