#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: tools/bench-plot.gp draws the points `gupsim bench --standard`
# writes (bench/ns-per-page.dat's format: a comment, a header line of
# quoted series titles, then a size in bytes and one column a series, "?"
# where a series has no point) as an SVG with every series in its legend.
# Skips without gnuplot (Debian: gnuplot-nox), a need of `make bench`
# only, which installs it.
. "$(dirname "$0")/lib.sh"
echo "1..2"
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "ok 1 # SKIP gnuplot not installed (Debian: gnuplot-nox)"
	echo "ok 2 # SKIP gnuplot not installed (Debian: gnuplot-nox)"
	exit 0
fi
tab=$(printf '\t')
cat >"$tmp/p.dat" <<DAT
# gupsim bench: ns per page of a long-term pin against buffer size
bytes$tab"model 4 KiB pages"$tab"model THP"$tab"model CMA (migrates)"$tab"host 4 KiB pages"$tab"host THP"$tab"host memcpy"
4096${tab}140.00$tab?${tab}1122.00${tab}771.00$tab?${tab}50.00
4194304${tab}15.87${tab}0.45${tab}466.39${tab}70.45${tab}2.00${tab}76.67
1073741824${tab}27.06${tab}0.61${tab}1475.24${tab}147.39${tab}5.66${tab}541.56
DAT
gnuplot -e "data='$tmp/p.dat'; out='$tmp/p.svg'" "$top/tools/bench-plot.gp" \
	>"$tmp/err" 2>&1 && grep -q '<svg' "$tmp/p.svg"
rc=$?
if [ $rc = 0 ]; then echo "ok 1 - gnuplot draws an SVG"; else
	echo "not ok 1 - gnuplot draws an SVG"; sed 's/^/#   /' "$tmp/err"; fi
missing=""
for t in "model 4 KiB pages" "model THP" "model CMA (migrates)" \
	 "host 4 KiB pages" "host THP" "host memcpy"; do
	grep -qF ">$t<" "$tmp/p.svg" 2>/dev/null || missing="$missing, $t"
done
if [ -z "$missing" ]; then echo "ok 2 - every series in the legend"; else
	echo "not ok 2 - series missing from the legend:${missing#,}"; fi
