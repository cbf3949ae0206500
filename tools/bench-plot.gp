# SPDX-License-Identifier: GPL-2.0
#
# ns per page against buffer size, from the points `gupsim bench
# --standard` writes beside its results (ns-per-page.dat: bytes, then one
# column a series, "?" where a series has no point). `make bench` runs
#   gnuplot -e "data='bench/ns-per-page.dat'; out='bench/ns-per-page.svg'" \
#           tools/bench-plot.gp
# Both axes are logarithmic: sizes go 4 KiB .. 1 GiB in powers of 4, and
# a THP pin costs a hundredth of a 4 KiB one. The model's series are solid
# lines, the host's (io_uring registration; memcpy beside CMA) dashed, in
# the colour of the backing they stand beside.
if (!exists("data")) data = 'bench/ns-per-page.dat'
if (!exists("out")) out = 'bench/ns-per-page.svg'

set terminal svg size 900,560 dynamic font "sans,13" background rgb "white"
set output out
set datafile missing "?"
set datafile separator "\t"
set title "Long-term pin: ns per 4 KiB page against buffer size"
set xlabel "buffer size"
set ylabel "ns per page (log)"
set logscale xy
set xrange [3000:1.4e9]
set xtics ("4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, \
	   "1M" 1048576, "4M" 4194304, "16M" 16777216, "64M" 67108864, \
	   "256M" 268435456, "1G" 1073741824)
set format y "%g"
set grid xtics ytics mytics lc rgb "#dddddd"
set key outside right center box opaque
set border lw 1.2

set style line 1 lc rgb "#1f77b4" lw 2.5 pt 7 ps 0.8
set style line 2 lc rgb "#2ca02c" lw 2.5 pt 5 ps 0.8
set style line 3 lc rgb "#d62728" lw 2.5 pt 9 ps 0.9
set style line 4 lc rgb "#1f77b4" lw 2 dt 2 pt 6 ps 0.8
set style line 5 lc rgb "#2ca02c" lw 2 dt 2 pt 4 ps 0.8
set style line 6 lc rgb "#d62728" lw 2 dt 2 pt 8 ps 0.9

plot data using 1:2 with linespoints ls 1 title columnheader(2), \
     ''   using 1:3 with linespoints ls 2 title columnheader(3), \
     ''   using 1:4 with linespoints ls 3 title columnheader(4), \
     ''   using 1:5 with linespoints ls 4 title columnheader(5), \
     ''   using 1:6 with linespoints ls 5 title columnheader(6), \
     ''   using 1:7 with linespoints ls 6 title columnheader(7)
