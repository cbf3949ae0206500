#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the good scenario corpus uses every statement, option and result
# kind of the scenario-language contract: the scenarios run-good.sh runs
# (tests/scenarios/*.scn) count. One test per form; a failure names the
# form.
#
# The forms are listed below as FEATURE lines; extract() prints, for each
# statement of a scenario, the features it uses, in the same spelling.
. "$(dirname "$0")/lib.sh"
dir=${SCN_DIR:-$top/tests/scenarios}
min_scenarios=40

list=$(cd "$dir" && ls *.scn)

# The contract's forms. `skip` is only answered by the host backend and
# `driver`/`release` wait for the driver models (issue 4).
required='
machine
machine:mem
machine:cma
machine:movable
machine:hugetlb
machine:thp=always
machine:thp=madvise
machine:thp=never
machine:swap
file
file:fs=ext4
file:fs=tmpfs
file:fs=dax
file:fs=hugetlbfs
file:fs=memfd
fallocate
fallocate:off
fallocate:len
file:size
task
task:memlock=SIZE
task:memlock=unlimited
task:cap_ipc_lock
mmap
mmap:anon
mmap:file:NAME
mmap:file:NAME+OFF
mmap:memfd
mmap:hugetlb
mmap:devzero
mmap:io
mmap:private
mmap:shared
mmap:prot=none
mmap:prot=r
mmap:prot=rw
mmap:prot=rx
mmap:prot=rwx
mmap:populate
mmap:thp
mmap:place=normal
mmap:place=movable
mmap:place=cma
write
write:range=VAR
write:range=VAR+OFF
write:len
read
read:range=VAR
read:range=VAR+OFF
read:len
munmap
mprotect
madvise:dontneed
madvise:dontfork
madvise:dofork
madvise:collapse
madvise:pageout
mremap
mremap:range
mremap:size
mremap:maymove
mremap:fixed
mremap:dontunmap
mlock
mlock:range=VAR+OFF
munlock
fork
exit
pin
pin:write
pin:longterm
pin:fast
pin:get
pin:force
pin:mm
pin:range=VAR+OFF
pin:len
unpin
unpin:dirty
dev:read
dev:write
dev:off
dev:len
cma_alloc
cma_free
where
check
race
end
stat
show:meminfo
show:vmstat
show:pins
show:maps
show:status
show:pagetypeinfo
show:buddyinfo
show:map
stat:task
result:ok
result:N
result:errno
result:EFAULT
result:EOPNOTSUPP
result:ENOMEM
result:EINVAL
result:EBUSY
result:SIGSEGV
result:SIGBUS
result:BYTE-quoted
result:BYTE-hex
result:mixed
result:zone=normal
result:zone=movable
result:zone=cma
result:zone=device
where:mixed
'

# Prints the features used by the scenario files given as arguments.
extract() {
	awk '
	function range(verb, tok) {
		print verb ":range=" (index(tok, "+") ? "VAR+OFF" : "VAR")
	}
	{
		line = $0
		gsub(/\r/, "", line)
		gsub(/\x27#\x27/, "\x27_\x27", line)	# the byte '#' is no comment
		sub(/#.*/, "", line)
		res = ""
		if ((i = index(line, "=>")) > 0) {
			res = substr(line, i + 2)
			line = substr(line, 1, i - 1)
			gsub(/[ \t]/, "", res)
		}
		n = split(line, t, /[ \t]+/)
		if (t[1] == "") {		# leading blanks
			for (k = 1; k < n; k++)
				t[k] = t[k + 1]
			n--
		}
		if (n < 1)
			next
		verb = t[1]
		first = 2
		if (verb == "machine" || verb == "file" || verb == "task") {
			print verb
			for (k = 2; k <= n; k++) {
				o = t[k]
				if (o ~ /^(mem|cma|movable|hugetlb|size|swap)=/)
					sub(/=.*/, "", o)
				else if (o ~ /^memlock=/ && o != "memlock=unlimited")
					o = "memlock=SIZE"
				print verb ":" o
			}
		} else if (verb == "unpin" || verb == "release") {
			print verb
			if (t[3] == "dirty")
				print verb ":dirty"
		} else if (verb == "dev") {
			print "dev:" t[3]
			for (k = 4; k <= n; k++)
				if (t[k] ~ /^(off|len)=/)
					print "dev:" substr(t[k], 1, 3)
		} else if (verb == "show") {
			print "show:" t[2]
		} else if (verb == "fallocate") {
			print verb
			for (k = 3; k <= n; k++)
				if (t[k] ~ /^(off|len)=/)
					print "fallocate:" substr(t[k], 1, 3)
		} else if (verb == "race" || verb == "end") {
			print verb
		} else if (verb ~ /^(cma_alloc|cma_free|check|stat)$/) {
			print verb
			if (verb == "stat" && n >= 3)
				print "stat:task"
		} else {
			verb = t[2]		# TASK verb ...
			print verb
			if (verb == "mmap") {
				src = t[5]
				if (src ~ /^file:/)
					src = index(src, "+") ? "file:NAME+OFF" : "file:NAME"
				print "mmap:" src
				for (k = 6; k <= n; k++)
					print "mmap:" t[k]
			} else if (verb ~ /^(write|read|munmap|mprotect|madvise|where|mlock|munlock)$/) {
				range(verb, t[3])
				for (k = 4; k <= n; k++)
					print verb ":" (t[k] ~ /^len=/ ? "len" : t[k])
			} else if (verb == "mremap" && n > 3) {
				print "mremap:range"
				for (k = 4; k <= n; k++) {
					o = t[k]
					sub(/=.*/, "", o)
					if (o ~ /^(size|maymove|fixed|dontunmap)$/)
						print "mremap:" o
				}
			} else if (verb == "pin") {
				range(verb, t[4])
				for (k = 5; k <= n; k++) {
					o = t[k]
					if (o ~ /^mm=/)
						o = "mm"
					else if (o ~ /^len=/)
						o = "len"
					print "pin:" o
				}
			}
		}
		if (res == "")
			next
		if (res == "ok" || res == "mixed" || res == "SIGSEGV" ||
		    res == "SIGBUS")
			print "result:" res
		else if (res ~ /^[0-9]+$/)
			print "result:N"
		else if (res ~ /^E[A-Z0-9]+$/)
			print "result:errno\nresult:" res
		else if (res ~ /^\x27/)
			print "result:BYTE-quoted"
		else if (res ~ /^0[xX][0-9a-fA-F]+$/)
			print "result:BYTE-hex"
		else if (res ~ /^(normal|movable|cma|device)$/)
			print "result:zone=" res
		if (verb == "where" && res == "mixed")
			print "where:mixed"
	}' "$@"
}

features=$tmp/features
: >"$features"
nr=0
for name in $list; do
	nr=$((nr + 1))
	extract "$dir/$name" >>"$features"
done
sort -u -o "$features" "$features"

total=$(echo "$required" | grep -c .)
echo "1..$((total + 1))"
i=1
if [ "$nr" -ge "$min_scenarios" ]; then
	echo "ok $i - $nr good scenarios run by make test (at least $min_scenarios)"
else
	echo "not ok $i - only $nr good scenarios run by make test (at least $min_scenarios)"
fi
for f in $required; do
	i=$((i + 1))
	if grep -qxF -- "$f" "$features"; then
		echo "ok $i - $f"
	else
		echo "not ok $i - $f is used by no good scenario"
	fi
done
