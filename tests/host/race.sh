#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the host backend runs a race block at once when its statements are
# of distinct tasks and only read, write, madvise, mprotect, munmap, mlock
# or munlock (race-host-tasks.scn: every statement of its blocks agrees
# with the model, none is skipped), and skips any other block with the
# reason: one task twice, or a statement that makes a name.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
dir=$top/tests/scenarios
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "$(uname -s)" != Linux ]; then
	echo "1..0 # SKIP the host backend needs Linux"
	exit 0
fi
echo "1..4"

# The verdict of FILE's LINE in diff's JSON lines (file $tmp/out).
verdict() {
	sed -n "s/^{\"file\":\"[^\"]*\",\"line\":$1,.*\"verdict\":\"\([a-z]*\)\".*/\1/p" \
		"$tmp/out"
}
message() {
	sed -n "s/^{\"file\":\"[^\"]*\",\"line\":$1,.*\"message\":\"\(.*\)\"}$/\1/p" \
		"$tmp/out"
}

(cd "$dir" && timeout -k 5 120 "$gupsim" diff --json race-host-tasks.scn \
	>"$tmp/out" 2>"$tmp/err")
rc=$?
bad=
for line in 20 21 26 27 30 31 37 38; do
	v=$(verdict $line)
	[ "$v" = agree ] || bad="$bad $line:${v:-none}($(message $line))"
done
if [ $rc -eq 0 ] && [ -z "$bad" ]; then
	echo "ok 1 - race-host-tasks.scn: the host runs every raced statement and agrees"
else
	echo "not ok 1 - race-host-tasks.scn: exit $rc, not agreed:$bad"
	sed 's/^/#   /' "$tmp/err" | head -n 20
fi

(cd "$dir" && timeout -k 5 120 "$gupsim" diff --json race-layout.scn \
	>"$tmp/out" 2>"$tmp/err")
want="the host backend cannot run this block at once: the host worker runs one request at a time per task (A on lines 11 and 12)"
if [ "$(verdict 13)" = skip ] && [ "$(message 13)" = "$want" ]; then
	echo "ok 2 - one task twice: skipped, the worker runs one request at a time"
else
	echo "not ok 2 - one task twice: $(verdict 13) $(message 13)"
fi

cat >"$tmp/fork.scn" <<'SCN'
machine mem=16M
task A
task B
A mmap buf 8K anon
B mmap other 8K anon
race
  B write other 'y'
  A fork C
end
C read buf
SCN
(cd "$tmp" && timeout -k 5 120 "$gupsim" diff --json fork.scn \
	>"$tmp/out" 2>"$tmp/err")
want="the host backend cannot run this block at once: 'fork' (line 8) makes a task in the tables the host's threads share"
if [ "$(verdict 7)" = skip ] && [ "$(message 7)" = "$want" ] &&
   [ "$(verdict 10)" = skip ]; then
	echo "ok 3 - a fork in a block: skipped, saying it makes a task"
else
	echo "not ok 3 - a fork in a block: $(verdict 7) $(message 7)"
fi

cat >"$tmp/file.scn" <<'SCN'
machine mem=16M
file f fs=tmpfs size=8K
task A
task B
A mmap buf 8K anon
race
  A write buf 'x'
  fallocate f len=4K
end
SCN
(cd "$tmp" && timeout -k 5 120 "$gupsim" diff --json file.scn \
	>"$tmp/out" 2>"$tmp/err")
want="the host backend cannot run this block at once: the host does not run 'fallocate' (line 8) at once with others"
if [ "$(verdict 7)" = skip ] && [ "$(message 7)" = "$want" ]; then
	echo "ok 4 - another kind in a block: skipped, naming it"
else
	echo "not ok 4 - another kind in a block: $(verdict 7) $(message 7)"
	sed 's/^/#   /' "$tmp/out" "$tmp/err" | head -n 20
fi
