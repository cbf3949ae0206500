#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes tests/kselftest/*.scn: gupsim scenarios mirroring the cases of
the kernel's tools/testing/selftests/mm/cow.c and gup_longterm.c that
gupsim can express. Each section is headed by `# TAP: DESCRIPTION`, the
test's description as the selftest prints it on its TAP line; cases.sh
matches the selftests' plan against these headers. Run it after changing
it and commit the output (make test does not run it)."""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


class Scn:
    """One scenario file: sections, each in tasks of its own."""

    def __init__(self, name, intro):
        self.name, self.intro, self.lines, self.n = name, intro, [], 0

    def task(self):
        self.n += 1
        return "T%d" % self.n

    def section(self, desc, t, lines, task_opts=""):
        self.lines += ["", "# TAP: " + desc, "task " + t + task_opts] + lines

    def write(self, machine):
        with open(os.path.join(HERE, self.name), "w") as f:
            f.write("# SPDX-License-Identifier: GPL-2.0\n")
            f.write("# " + "\n# ".join(self.intro) + "\n")
            f.write("# (written by generate.py)\n")
            if machine:
                f.write(machine + "\n")
            f.write("\n".join(self.lines) + "\n")


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


# ---- cow.c: anonymous memory in private mappings ----

def swapped(lines, t, r):
    """cow.c's MADV_PAGEOUT, and its check that the range is swapped."""
    return lines + ["%s madvise %s pageout" % (t, r),
                    "%s where %s => none    # range_is_swapped()" % (t, r)]


# cow.c's THP sizes: the PMD's, PMD-mapped, and the smaller anonymous
# THP sizes (mTHP, 16 kB to 1024 kB), PTE-mapped from birth.
PMD_KB = 2048
MTHP_KB = [16, 32, 64, 128, 256, 512, 1024]

THP_VARIANTS = ["PTE-mapped THP", "swapped-out, PTE-mapped THP",
                "single PTE of THP", "single PTE of swapped-out THP",
                "partially mremap()'ed THP", "partially shared THP"]

SWAPPED = {
    "swapped out base page": "base page",
    "swapped-out THP": "THP",
    "swapped-out, PTE-mapped THP": "PTE-mapped THP",
    "single PTE of swapped-out THP": "single PTE of THP",
}


def size(kb):
    """kb kB as the scenario language writes it: 1M, 64K."""
    return "%dM" % (kb // 1024) if kb % 1024 == 0 else "%dK" % kb


def thp_kind(kind):
    """("PTE-mapped THP", 64) from "PTE-mapped THP (64 kB)", or None."""
    m = re.match(r"^(.*THP) \((\d+) kB\)$", kind)
    return (m.group(1), int(m.group(2))) if m else None


def thp_populate(t, kb):
    """A THP of kb kB at mem, filled with 0x01. The mapping is 2 MiB, so
    mem is 2 MiB-aligned and [mem, mem + kb) is a naturally aligned
    range inside it, as cow.c's aligned half of a mapping of twice the
    size. For an mTHP, cow.c's check that touching the first page
    populated the last (else it skips: "Did not get a THP populated")."""
    if kb == PMD_KB:
        return ["%s mmap mem 2M anon thp" % t, "%s write mem 0x01" % t]
    return ["%s mmap mem 2M anon thp" % t, "%s write mem len=4K 0x01" % t,
            "%s where mem+%dK len=4K => normal    # the last page came "
            "with the first: one %d kB folio" % (t, kb - 4, kb),
            "%s write mem len=%dK 0x01" % (t, kb)]


def thp_setup(t, variant, kb):
    """cow.c's do_run_with_thp(): (lines, RANGE the test uses)."""
    pmd = kb == PMD_KB
    full = "mem" if pmd else "mem len=%dK" % kb
    # all but the first page: for the PMD size, up to the mapping's end
    rest = "mem+4K" if pmd else "mem+4K len=%dK" % (kb - 4)
    lines = thp_populate(t, kb)
    if variant == "THP":
        return lines, full
    if variant == "PTE-mapped THP":
        # PTE-maps a PMD THP; an mTHP is PTE-mapped already
        return lines + ["%s mprotect mem+4K len=4K r" % t,
                        "%s mprotect mem+4K len=4K rw" % t], full
    if variant == "single PTE of THP":
        return lines + ["%s madvise %s dontneed" % (t, rest)], "mem len=4K"
    if variant == "partially mremap()'ed THP":
        half = size(kb // 2)
        return lines + ["%s mmap dst %s anon prot=none" % (t, half),
                        "%s mremap mem+%s len=%s half maymove fixed=dst"
                        % (t, half, half)], "half"
    if variant == "partially shared THP":
        return lines + ["%s madvise %s dontfork" % (t, rest),
                        "%s fork %sx" % (t, t), "%sx exit" % t,
                        "%s madvise %s dofork" % (t, rest)], full
    raise ValueError(variant)


def anon_setup(kind, t):
    """Returns (lines, RANGE of the memory the test uses, is hugetlb)."""
    thp = thp_kind(kind)
    base = SWAPPED.get(thp[0] if thp else kind)
    if base:
        lines, r, huge = anon_setup(
            "%s (%d kB)" % (base, thp[1]) if thp else base, t)
        return swapped(lines, t, r), r, huge
    if thp:
        lines, r = thp_setup(t, thp[0], thp[1])
        return lines, r, False
    if kind == "base page":
        return (["%s mmap mem 4K anon" % t, "%s madvise mem nohugepage" % t,
                 "%s write mem 0x01" % t], "mem", False)
    if kind == "hugetlb (2048 kB)":
        return (["%s mmap mem 2M hugetlb" % t, "%s write mem 0x01" % t],
                "mem", True)
    if kind == "hugetlb (1048576 kB)":
        return (["%s mmap mem 1G hugetlb pagesize=1G" % t,
                 "%s write mem 0x01" % t], "mem", True)
    raise ValueError(kind)


def cow_in_parent(t, r, huge, mprotect):
    c = t + "c"
    out = ["%s fork %s" % (t, c)]
    if mprotect:
        out += ["%s mprotect %s r" % (t, r), "%s mprotect %s rw" % (t, r)]
    return out + ["%s write %s 0xff" % (t, r),
                  "%s read %s => 0x01    # no leak from parent into child"
                  % (c, r), "%s exit" % c]


def vmsplice_in_child(t, r, huge, mprotect):
    # vmsplice(): a R/O GUP-fast reference (no FOLL_PIN), then unmap
    c = t + "c"
    out = ["%s fork %s" % (t, c), "%s pin %sv %s get fast => ok" % (c, t, r),
           "%s munmap %s" % (c, r)]
    if mprotect:
        out += ["%s mprotect %s r" % (t, r), "%s mprotect %s rw" % (t, r)]
    return out + ["%s write %s 0xff" % (t, r), leak_check(t + "v", huge,
                  "parent into child"), "unpin %sv" % t, "%s exit" % c]


def leak_check(h, huge, what):
    if huge:
        # cow.c marks these XFAIL: hugetlb does not unshare R/O GUP refs
        return "dev %s read => 0xff    # XFAIL: leak from %s (hugetlb)" % (
            h, what)
    return "dev %s read => 0x01    # no leak from %s" % (h, what)


def vmsplice_parent(t, r, huge, before):
    c = t + "c"
    pin = ["%s pin %sv %s get fast => ok" % (t, t, r)]
    out = (pin if before else []) + ["%s fork %s" % (t, c)]
    out += [] if before else pin
    return out + ["%s munmap %s" % (t, r), "%s write %s 0xff" % (c, r),
                  leak_check(t + "v", huge, "child into parent"),
                  "unpin %sv" % t, "%s exit" % c]


def iouring(t, r, huge, fork):
    c = t + "c"
    out = ["%s pin %sp %s write longterm => ok" % (t, t, r)]
    if fork:
        out += ["%s fork %s" % (t, c)]
    else:
        out += ["%s mprotect %s r" % (t, r), "%s mprotect %s rw" % (t, r)]
    out += ["%s write %s 0xff" % (t, r),
            "dev %sp read => 0xff    # longterm R/W pin is reliable" % t,
            "unpin %sp" % t]
    return out + (["%s exit" % c] if fork else [])


def ro_pin(t, r, huge, how, fast):
    c = t + "c"
    out = []
    if how in ("shared", "previously"):
        out += ["%s fork %s" % (t, c)]
        if how == "previously":
            out += ["%s exit" % c]
    else:
        out += ["%s mprotect %s r" % (t, r), "%s mprotect %s rw" % (t, r)]
    out += ["%s pin %sp %s longterm%s => ok" % (t, t, r,
                                               " fast" if fast else ""),
            "%s write %s 0xff" % (t, r),
            "dev %sp read => 0xff    # longterm R/O pin is reliable" % t,
            "unpin %sp" % t]
    return out + (["%s exit" % c] if how == "shared" else [])


ANON_CASES = [
    ("Basic COW after fork()", lambda t, r, h: cow_in_parent(t, r, h, False)),
    ("Basic COW after fork() with mprotect() optimization",
     lambda t, r, h: cow_in_parent(t, r, h, True)),
    ("vmsplice() + unmap in child",
     lambda t, r, h: vmsplice_in_child(t, r, h, False)),
    ("vmsplice() + unmap in child with mprotect() optimization",
     lambda t, r, h: vmsplice_in_child(t, r, h, True)),
    ("vmsplice() before fork(), unmap in parent after fork()",
     lambda t, r, h: vmsplice_parent(t, r, h, True)),
    ("vmsplice() + unmap in parent after fork()",
     lambda t, r, h: vmsplice_parent(t, r, h, False)),
    ("R/O-mapping a page registered as iouring fixed buffer",
     lambda t, r, h: iouring(t, r, h, False)),
    ("fork() with an iouring fixed buffer",
     lambda t, r, h: iouring(t, r, h, True)),
    ("R/O GUP pin on R/O-mapped shared page",
     lambda t, r, h: ro_pin(t, r, h, "shared", False)),
    ("R/O GUP-fast pin on R/O-mapped shared page",
     lambda t, r, h: ro_pin(t, r, h, "shared", True)),
    ("R/O GUP pin on R/O-mapped previously-shared page",
     lambda t, r, h: ro_pin(t, r, h, "previously", False)),
    ("R/O GUP-fast pin on R/O-mapped previously-shared page",
     lambda t, r, h: ro_pin(t, r, h, "previously", True)),
    ("R/O GUP pin on R/O-mapped exclusive page",
     lambda t, r, h: ro_pin(t, r, h, "exclusive", False)),
    ("R/O GUP-fast pin on R/O-mapped exclusive page",
     lambda t, r, h: ro_pin(t, r, h, "exclusive", True)),
]

ANON_KINDS = ["base page", "swapped out base page", "THP (2048 kB)",
              "swapped-out THP (2048 kB)", "PTE-mapped THP (2048 kB)",
              "swapped-out, PTE-mapped THP (2048 kB)",
              "single PTE of THP (2048 kB)",
              "single PTE of swapped-out THP (2048 kB)",
              "partially mremap()'ed THP (2048 kB)",
              "partially shared THP (2048 kB)", "hugetlb (2048 kB)"]


def anon_files():
    for desc, fn in ANON_CASES:
        s = Scn("cow-" + slug(desc) + ".scn",
                ["cow.c, anonymous memory in private mappings:",
                 '"%s", with the base page, the 2048 kB THP' % desc,
                 "kinds and 2048 kB hugetlb."])
        for kind in ANON_KINDS:
            t = s.task()
            setup, r, huge = anon_setup(kind, t)
            s.section("%s ... with %s" % (desc, kind), t,
                      setup + fn(t, r, huge) + ["%s exit" % t])
        s.write("machine hugetlb=4 swap=64M")


def mthp_files():
    """One file per mTHP size: cow.c enables that size alone
    (hugepages-<size>kB/enabled) while it runs the six THP kinds of
    every test case, as thp_sizes= does for the whole file."""
    for kb in MTHP_KB:
        s = Scn("cow-mthp-%dkB.scn" % kb,
                ["cow.c, anonymous memory in private mappings, with a",
                 "%d kB multi-size THP (mTHP): every test case with the" % kb,
                 "PTE-mapped THP kinds of that size. The host backend leaves",
                 "the host's THP sizes alone: there the same bytes are read",
                 "and pinned through whatever pages the host allocates."])
        for desc, fn in ANON_CASES:
            for variant in THP_VARIANTS:
                t = s.task()
                setup, r, huge = anon_setup("%s (%d kB)" % (variant, kb), t)
                s.section("%s ... with %s (%d kB)" % (desc, variant, kb), t,
                          setup + fn(t, r, huge) + ["%s exit" % t])
        s.write("machine swap=64M thp_sizes=%dK" % kb)


# 1 GiB hugetlb pages: a file of their own for each selftest part, on a
# machine whose 1 GiB pool has n pages (and RAM for them and the rest).


def gigantic_machine(n):
    return "machine mem=%dG hugetlb=1G:%d" % (n + 1, n)
GIGANTIC_INTRO = [
    "The host backend maps 1 GiB pages only when the host's pool has them",
    "free (it does not raise that pool): otherwise these sections are",
    "skipped there. The model touches the host's memory only where a",
    "page is written."]


def gigantic_anon_file():
    s = Scn("cow-hugetlb-1048576kB.scn",
            ["cow.c, anonymous memory in private mappings, with 1 GiB",
             "hugetlb pages (MAP_HUGETLB|MAP_HUGE_1GB): every test case."] +
            GIGANTIC_INTRO)
    for desc, fn in ANON_CASES:
        t = s.task()
        setup, r, huge = anon_setup("hugetlb (1048576 kB)", t)
        s.section("%s ... with hugetlb (1048576 kB)" % desc, t,
                  setup + fn(t, r, huge) + ["%s exit" % t])
    # cow.c's run_with_hugetlb() wants two: one to map, one for COW
    s.write(gigantic_machine(2))


def collapse_lines(t, which):
    c = t + "c"
    out = ["%s mmap mem 2M anon thp" % t, "%s write mem 0x01" % t,
           "%s mprotect mem+4K len=4K r" % t,
           "%s mprotect mem+4K len=4K rw" % t]
    col = "%s madvise mem collapse => ok" % t
    child = {"unshared": "mem", "fully": "mem", "lower": "mem len=1M",
             "upper": "mem+1M len=1M"}[which]
    if which == "unshared":
        out += [col]
    elif which == "lower":
        out += ["%s madvise mem+1M len=1M dontfork" % t]
    elif which == "upper":
        out += ["%s madvise mem len=1M dontfork" % t]
    out += ["%s fork %s" % (t, c)]
    if which in ("lower", "upper"):
        out += ["%s madvise mem dofork" % t]
    if which != "unshared":
        out += [col]
    return out + ["%s write mem 0xff" % t,
                  "%s read %s => 0x01    # no leak from parent into child"
                  % (c, child), "%s exit" % c, "%s exit" % t]


def anon_thp_file():
    s = Scn("cow-anon-thp-collapse.scn",
            ["cow.c, anonymous THP tests: MADV_COLLAPSE of a PTE-mapped THP",
             "before fork() or after fork() with all, the lower or the upper",
             "half COW-shared (MADV_DONTFORK hides the other half)."])
    for desc, which in [
            ("Basic COW after fork() when collapsing before fork()",
             "unshared"),
            ("Basic COW after fork() when collapsing after fork() "
             "(fully shared)", "fully"),
            ("Basic COW after fork() when collapsing after fork() "
             "(lower shared)", "lower"),
            ("Basic COW after fork() when collapsing after fork() "
             "(upper shared)", "upper")]:
        t = s.task()
        s.section(desc, t, collapse_lines(t, which))
    s.write(None)


# ---- cow.c: non-anonymous memory in private mappings ----

def non_anon_setup(kind, t, n):
    reads = ["%s read mem => 0x00" % t, "%s read smem => 0x00" % t]
    if kind == "shared zeropage":
        return ["%s mmap mem 4K anon" % t,
                "%s mmap smem 4K anon prot=r" % t] + reads
    if kind == "huge zeropage":
        return ["%s mmap mem 2M anon thp" % t,
                "%s mmap smem 2M anon prot=r thp" % t] + reads
    fs, size = {"memfd": ("memfd", "4K"), "tmpfile": ("ext4", "4K"),
                "memfd hugetlb (2048 kB)": ("hugetlbfs", "2M"),
                "memfd hugetlb (1048576 kB)": ("hugetlbfs",
                                               "1G pagesize=1G")}[kind]
    f = "f%d" % n
    size, _, pagesize = size.partition(" ")
    return ["file %s fs=%s size=%s%s" % (f, fs, size,
                                         " " + pagesize if pagesize else ""),
            "fallocate %s => ok" % f,
            "%s mmap mem %s file:%s private" % (t, size, f),
            "%s mmap smem %s file:%s shared prot=r" % (t, size, f)] + reads


def non_anon_test(t, what):
    if what == "cow":
        return ["%s write mem 0xff" % t,
                "%s read smem => 0x00    # other mapping not modified" % t]
    return ["%s pin %sp mem longterm%s => ok" % (
                t, t, " fast" if what == "fast" else ""),
            "%s write mem 0xff" % t,
            "dev %sp read => 0xff    # longterm R/O pin is reliable" % t,
            "unpin %sp" % t]


def non_anon_files():
    for desc, what in [("Basic COW", "cow"), ("R/O longterm GUP pin", "pin"),
                       ("R/O longterm GUP-fast pin", "fast")]:
        s = Scn("cow-non-anon-" + slug(desc) + ".scn",
                ["cow.c, non-anonymous memory in private mappings:",
                 '"%s": the shared zeropage, page cache pages.' % desc])
        for kind in ["shared zeropage", "memfd", "tmpfile", "huge zeropage",
                     "memfd hugetlb (2048 kB)"]:
            t = s.task()
            s.section("%s ... with %s" % (desc, kind), t,
                      non_anon_setup(kind, t, s.n) + non_anon_test(t, what)
                      + ["%s exit" % t])
        s.write("machine hugetlb=4")
    s = Scn("cow-non-anon-memfd-hugetlb-1048576kB.scn",
            ["cow.c, non-anonymous memory in private mappings: a hugetlbfs",
             "memfd of 1 GiB pages (MFD_HUGE_1GB), every test case."] +
            GIGANTIC_INTRO)
    for desc, what in [("Basic COW", "cow"), ("R/O longterm GUP pin", "pin"),
                       ("R/O longterm GUP-fast pin", "fast")]:
        kind = "memfd hugetlb (1048576 kB)"
        t = s.task()
        s.section("%s ... with %s" % (desc, kind), t,
                  non_anon_setup(kind, t, s.n) + non_anon_test(t, what) +
                  ["%s exit" % t])
    # each case's memfd keeps its page; one more for a COW copy
    s.write(gigantic_machine(4))


# ---- gup_longterm.c ----

GL_CASES = [
    ("R/W longterm GUP pin in MAP_SHARED file mapping", "rw", True),
    ("R/W longterm GUP-fast pin in MAP_SHARED file mapping", "rw_fast", True),
    ("R/O longterm GUP pin in MAP_SHARED file mapping", "ro", True),
    ("R/O longterm GUP-fast pin in MAP_SHARED file mapping", "ro_fast", True),
    ("R/W longterm GUP pin in MAP_PRIVATE file mapping", "rw", False),
    ("R/W longterm GUP-fast pin in MAP_PRIVATE file mapping", "rw_fast",
     False),
    ("R/O longterm GUP pin in MAP_PRIVATE file mapping", "ro", False),
    ("R/O longterm GUP-fast pin in MAP_PRIVATE file mapping", "ro_fast",
     False),
    ("io_uring fixed buffer with MAP_SHARED file mapping", "iouring", True),
    ("io_uring fixed buffer with MAP_PRIVATE file mapping", "iouring", False),
]


def gl_lines(t, n, kind, typ, shared):
    fs, size = {"memfd": ("memfd", "4K"), "tmpfile": ("ext4", "4K"),
                "local tmpfile": ("ext4", "4K"),
                "memfd hugetlb (2048 kB)": ("hugetlbfs", "2M"),
                "memfd hugetlb (1048576 kB)": ("hugetlbfs", "1G")}[kind]
    f = "f%d" % n
    page = " pagesize=1G" if size == "1G" else ""
    out = ["file %s fs=%s size=%s%s" % (f, fs, size, page),
           "fallocate %s => ok" % f,
           "%s mmap mem %s file:%s %s" % (t, size, f,
                                         "shared" if shared else "private")]
    # gup_longterm.c's memset() faults the mapping in; one store does
    # that for a whole 1 GiB page (and spares the host a gigabyte)
    out += ["%s write mem%s 0x00" % (t, " len=4K" if page else "")]
    # R/W pins of a shared file mapping need a filesystem without
    # writeback (tmpfs, hugetlbfs): ext4 is refused
    works = not shared or typ.startswith("ro") or fs != "ext4"
    res = "ok    # should have worked" if works else \
        "EFAULT    # should have failed"
    if typ == "iouring":
        return out + ["%s driver io_uring %sr mem => %s" % (t, t, res),
                      "release %sr" % t]
    if typ.startswith("ro"):
        out += ["%s mprotect mem r" % t]
    flags = (" write" if typ.startswith("rw") else "") + " longterm" + \
        (" fast" if typ.endswith("fast") else "")
    return out + ["%s pin %sp mem%s => %s" % (t, t, flags, res),
                  "unpin %sp" % t]


def gup_longterm_files():
    for desc, typ, shared in GL_CASES:
        s = Scn("gup_longterm-" + slug(desc) + ".scn",
                ["gup_longterm.c: \"%s\"," % desc,
                 "on a memfd, a tmpfile, a local tmpfile (both on a disk",
                 "filesystem) and a hugetlbfs memfd."])
        for kind in ["memfd", "tmpfile", "local tmpfile",
                     "memfd hugetlb (2048 kB)"]:
            t = s.task()
            s.section("%s ... with %s" % (desc, kind), t,
                      gl_lines(t, s.n, kind, typ, shared) + ["%s exit" % t])
        s.write("machine hugetlb=4")
    s = Scn("gup_longterm-memfd-hugetlb-1048576kB.scn",
            ["gup_longterm.c: every test case on a hugetlbfs memfd of 1 GiB",
             "pages (MFD_HUGE_1GB)."] + GIGANTIC_INTRO)
    for desc, typ, shared in GL_CASES:
        kind = "memfd hugetlb (1048576 kB)"
        t = s.task()
        # the selftests run as root: io_uring charges no RLIMIT_MEMLOCK
        # (8 MiB here, less than the 1 GiB buffer) to CAP_IPC_LOCK
        s.section("%s ... with %s" % (desc, kind), t,
                  gl_lines(t, s.n, kind, typ, shared) + ["%s exit" % t],
                  " cap_ipc_lock" if typ == "iouring" else "")
    s.write(gigantic_machine(len(GL_CASES) + 1))


if __name__ == "__main__":
    anon_files()
    mthp_files()
    gigantic_anon_file()
    anon_thp_file()
    non_anon_files()
    gup_longterm_files()
