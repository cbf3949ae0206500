#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `show map FILE.svg` draws a long-term pinned page's pageblock in
# the long-term-pinned colour, where the layout printed with the picture
# says that pageblock is; a free pageblock keeps its migratetype's colour.
# Renders with rsvg-convert (librsvg2-bin), reads pixels with pngpixel
# (cairo); skips, saying why, without them.
. "$(dirname "$0")/lib.sh"
pngpixel=${PNGPIXEL:-$top/build/tests/pngpixel}

if ! command -v rsvg-convert >/dev/null 2>&1; then
	echo "1..0 # SKIP rsvg-convert is missing (librsvg2-bin)"
	exit 0
fi
if [ ! -x "$pngpixel" ]; then
	echo "1..0 # SKIP built without cairo (libcairo2-dev): no SVG"
	exit 0
fi
echo "1..4"

cat >"$tmp/m.scn" <<SCN
machine mem=256M cma=64M movable=32M
task A
A mmap buf 64K anon populate
A pin mr buf longterm write      => ok
show pins
show map $tmp/m.svg
SCN
"$gupsim" run "$tmp/m.scn" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && [ -s "$tmp/m.svg" ] && echo "ok 1 - show map wrote an SVG" ||
	echo "not ok 1 - show map wrote an SVG (exit $rc)"

# The SVG 1.1 picture renders at its own size (viewBox units = pixels).
width=$(sed -n 's/.*viewBox="0 0 \([0-9.]*\) [0-9.]*".*/\1/p' "$tmp/m.svg" | head -n 1)
if rsvg-convert -w "${width%.*}" "$tmp/m.svg" -o "$tmp/m.png" 2>"$tmp/err"; then
	echo "ok 2 - rsvg-convert renders it (SVG 1.1, ${width%.*} px wide)"
else
	echo "not ok 2 - rsvg-convert renders it"
	sed 's/^/#   /' "$tmp/err"
fi

# The pinned page's pfn (show pins) and the grid of its group.
pfn=$(awk '$1 == "mr" { print $7 }' "$tmp/out")
cell() {	# pfn -> "x y" of the centre of its cell
	awk -v pfn="$(($1))" '
	function num(s,   v, i, c) {	# decimal or 0x hex (mawk: no strtonum)
		if (s !~ /^0x/)
			return s + 0
		v = 0
		for (i = 3; i <= length(s); i++) {
			c = index("0123456789abcdef", tolower(substr(s, i, 1)))
			v = v * 16 + c - 1
		}
		return v
	}
	/cells of [0-9]+ px, [0-9]+ a row/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "px,") px = $(i - 1)
			if ($i == "a" && $(i + 1) == "row") cols = $(i - 1)
		}
	}
	/first pfn .* grid at/ {
		match($0, /first pfn [0-9a-fx]+/)
		f = substr($0, RSTART + 10, RLENGTH - 10)
		first = num(f)
		match($0, /, [0-9]+ pageblocks? a cell/)
		split(substr($0, RSTART + 2), w, " ")
		match($0, /grid at \([0-9]+, [0-9]+\)/)
		split(substr($0, RSTART + 9, RLENGTH - 10), xy, ", ")
		if (first <= pfn && first >= best) {
			best = first
			idx = int((pfn - first) / 512 / w[1])
			x = xy[1] + (idx % cols) * px + int(px / 2) - 1
			y = xy[2] + int(idx / cols) * px + int(px / 2) - 1
		}
	}
	END { print x, y }' "$tmp/out"
}
set -- $(cell "$pfn")
got=$("$pngpixel" "$tmp/m.png" "$1" "$2" 2>&1)
if [ "$got" = d62728 ]; then
	echo "ok 3 - the long-term pinned pageblock (pfn $pfn) is red at ($1, $2)"
else
	echo "not ok 3 - the long-term pinned pageblock (pfn $pfn) is red at ($1, $2): got $got"
fi
# An early pageblock of ZONE_NORMAL is free and Movable (allocations
# come from the top).
set -- $(cell 0x400)
got=$("$pngpixel" "$tmp/m.png" "$1" "$2" 2>&1)
if [ "$got" = c7e9c0 ]; then
	echo "ok 4 - a free Movable pageblock keeps its migratetype's colour"
else
	echo "not ok 4 - a free Movable pageblock keeps its colour at ($1, $2): got $got"
fi
