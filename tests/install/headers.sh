#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every public header compiles on its own with -Wall -Wextra -Werror
# -Wpedantic, as C11 and as C++17, alone and next to the system headers a
# driver author includes too (<sys/mman.h>, <sys/user.h>, <linux/mman.h>,
# <sys/resource.h>), before and after them: no redefinition (PAGE_MASK,
# RLIM_INFINITY, ...). Last, a C++ program calls into libgupsim.a, which
# only links if the headers give the API C linkage. Without a C++
# compiler the C++ half is skipped with the reason.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${GUPSIM_BUILD:-$top/build}
cc=${CC:-cc}
cxx=${CXX:-g++}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

headers=$(cd "$top/include" && ls gupsim/*.h)
[ -e "$build/include/gupsim/version.h" ] && headers="$headers gupsim/version.h"
have_cxx=1
command -v "$cxx" >/dev/null 2>&1 || have_cxx=0
sys='#include <sys/mman.h>
#include <sys/user.h>
#include <linux/mman.h>
#include <sys/resource.h>'
incs="-I$top/include -I$build/include"
warn="-Wall -Wextra -Werror -Wpedantic"

n=0
for h in $headers; do n=$((n + 2)); done
echo "1..$((n + 1))"

# compile LANG-FLAGS SUFFIX HEADER: 0 when all three orders compile
compile() {
	flags=$1 suffix=$2 h=$3 rc=0
	unit='typedef int not_empty;'	# ISO C wants a declaration
	printf '#include <%s>\n%s\n' "$h" "$unit" >"$tmp/alone.$suffix"
	printf '%s\n#include <%s>\n%s\n' "$sys" "$h" "$unit" >"$tmp/after.$suffix"
	printf '#include <%s>\n%s\n%s\n' "$h" "$sys" "$unit" >"$tmp/before.$suffix"
	for order in alone after before; do
		# shellcheck disable=SC2086
		$4 $flags $warn $incs -fsyntax-only "$tmp/$order.$suffix" \
			>"$tmp/err" 2>&1 || { rc=1; echo "# $order:"; sed 's/^/#   /' "$tmp/err" | head -n 20; }
	done
	return $rc
}

i=0
for h in $headers; do
	i=$((i + 1))
	if compile -std=c11 c "$h" "$cc" >"$tmp/log"; then
		echo "ok $i - $h compiles alone as C11"
	else
		echo "not ok $i - $h compiles alone as C11"
		cat "$tmp/log"
	fi
	i=$((i + 1))
	if [ $have_cxx = 0 ]; then
		echo "ok $i # SKIP no C++ compiler ($cxx)"
	elif compile -std=c++17 cc "$h" "$cxx" >"$tmp/log"; then
		echo "ok $i - $h compiles alone as C++17"
	else
		echo "not ok $i - $h compiles alone as C++17"
		cat "$tmp/log"
	fi
done

i=$((i + 1))
cat >"$tmp/link.cc" <<'CXX'
#include <gupsim/driver.h>
int main()
{
	struct machine_config cfg = {};
	char buf[256];

	if (machine_create(&cfg) || !driver_lookup("ib_umem"))
		return 1;
	return machine_destroy(buf, sizeof(buf)) != 0;
}
CXX
libs=$(pkg-config --libs liburcu 2>/dev/null || echo -lurcu -lurcu-common)
if [ $have_cxx = 0 ]; then
	echo "ok $i # SKIP no C++ compiler ($cxx)"
elif [ ! -e "$build/libgupsim.a" ]; then
	echo "not ok $i - a C++ program links libgupsim.a ($build/libgupsim.a missing)"
elif "$cxx" -std=c++17 $warn $incs -o "$tmp/link" "$tmp/link.cc" \
		"$build/libgupsim.a" $libs -pthread $GUPSIM_EXTRA_LDLIBS \
		>"$tmp/err" 2>&1 && "$tmp/link" >"$tmp/err" 2>&1; then
	echo "ok $i - a C++ program links libgupsim.a and runs a machine"
else
	echo "not ok $i - a C++ program links libgupsim.a and runs a machine"
	sed 's/^/#   /' "$tmp/err" | head -n 20
fi
