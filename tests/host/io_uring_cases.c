// SPDX-License-Identifier: GPL-2.0
/*
 * The host kernel as referee for the io_uring driver model: every case
 * registers one fixed buffer with a real IORING_REGISTER_BUFFERS on this
 * machine (raw syscalls, no liburing) and the same buffer through
 * drivers/io_uring.c on the model, and passes when both answer the same
 * (0 or the same errno). A case the host cannot run (io_uring disabled,
 * no huge pages, no ext4 directory) is reported as a TAP SKIP.
 *
 * Every host case runs in a child process of its own, so mappings,
 * rlimits and dropped privileges vanish with it; all of them run before
 * the model starts (liburcu's threads must not see a fork). Files are
 * removed and vm.nr_hugepages restored on the way out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

/* the model spells it for its own rlimits: same value, its own type */
#undef RLIM_INFINITY
#include <gupsim/gup.h>
#include <gupsim/machine.h>

#include "../../drivers/driver.h"
#include "../../lib/uring_sys.h"

#define KiB		1024UL
#define MiB		(1024 * KiB)
#define HPAGE		(2 * MiB)
#define EXT4_MAGIC	0xEF53
#define NOBODY		65534
#define SKIP		1000		/* a host answer: cannot run */

enum src { S_ANON, S_MEMFD, S_TMPFS, S_EXT4, S_HUGETLB, S_DEVZERO };

struct hcase {
	const char *name;
	enum src src;
	bool shared;
	bool prot_read;
	bool hole;			/* the second page unmapped */
	unsigned long map_len, reg_off, reg_len;
	unsigned long memlock;		/* 0: leave RLIMIT_MEMLOCK alone */
	bool unprivileged;		/* uid 65534, no CAP_IPC_LOCK */
	int host, model;		/* answers: 0, -errno or SKIP */
	const char *skip_why;
};

static struct hcase cases[] = {
	{ "anonymous private", S_ANON, false, .map_len = 64 * KiB },
	{ "anonymous shared", S_ANON, true, .map_len = 64 * KiB },
	{ "memfd shared", S_MEMFD, true, .map_len = 64 * KiB },
	{ "memfd private", S_MEMFD, false, .map_len = 64 * KiB },
	{ "tmpfs file shared", S_TMPFS, true, .map_len = 64 * KiB },
	{ "tmpfs file private", S_TMPFS, false, .map_len = 64 * KiB },
	{ "ext4 file shared", S_EXT4, true, .map_len = 64 * KiB },
	{ "ext4 file private", S_EXT4, false, .map_len = 64 * KiB },
	{ "hugetlb private", S_HUGETLB, false, .map_len = HPAGE },
	{ "hugetlb shared", S_HUGETLB, true, .map_len = HPAGE },
	{ "/dev/zero private", S_DEVZERO, false, .map_len = 64 * KiB },
	{ "/dev/zero shared", S_DEVZERO, true, .map_len = 64 * KiB },
	{ "PROT_READ anonymous", S_ANON, false, .prot_read = true,
	  .map_len = 64 * KiB },
	{ "PROT_READ tmpfs shared", S_TMPFS, true, .prot_read = true,
	  .map_len = 64 * KiB },
	{ "a hole in the range", S_ANON, false, .hole = true,
	  .map_len = 64 * KiB },
	{ "RLIMIT_MEMLOCK 1M, 2M buffer, unprivileged", S_ANON, false,
	  .map_len = 2 * MiB, .memlock = MiB, .unprivileged = true },
	{ "RLIMIT_MEMLOCK 1M, 512K buffer, unprivileged", S_ANON, false,
	  .map_len = 512 * KiB, .memlock = MiB, .unprivileged = true },
	{ "RLIMIT_MEMLOCK 1M, 2M buffer, CAP_IPC_LOCK", S_ANON, false,
	  .map_len = 2 * MiB, .memlock = MiB },
	{ "RLIMIT_MEMLOCK 1M, 4K of a huge page, unprivileged", S_HUGETLB,
	  false, .map_len = HPAGE, .reg_off = 8 * KiB, .reg_len = 4 * KiB,
	  .memlock = MiB, .unprivileged = true },
	{ "RLIMIT_MEMLOCK 4M, 4K of a huge page, unprivileged", S_HUGETLB,
	  false, .map_len = HPAGE, .reg_len = 4 * KiB, .memlock = 4 * MiB,
	  .unprivileged = true },
};

#define NR_CASES	(sizeof(cases) / sizeof(cases[0]))

static char tmpfs_path[64] = "", ext4_dir[64] = "", ext4_path[96] = "";
static long saved_nr_hugepages = -1;
static bool have_hugepages, have_ext4;

/* ---- host setup and teardown ---- */

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

static void cleanup(void)
{
	if (tmpfs_path[0])
		unlink(tmpfs_path);
	if (ext4_path[0])
		unlink(ext4_path);
	if (ext4_dir[0])
		rmdir(ext4_dir);
	if (saved_nr_hugepages >= 0)
		write_long("/proc/sys/vm/nr_hugepages", saved_nr_hugepages);
	tmpfs_path[0] = ext4_path[0] = ext4_dir[0] = 0;
	saved_nr_hugepages = -1;
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int make_file(char *path, unsigned long len)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	/* world-accessible: the unprivileged cases run as nobody */
	if (fchmod(fd, 0666) || ftruncate(fd, len)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * The hugetlb pool is global: take the lock every gupsim host run holds
 * while it changes the pool (backend/host_janitor.c), and keep it until
 * exit. Without it, a run that raised the pool between our read and our
 * restore would have its pages taken away, and its own restore would
 * then put ours back for good.
 */
static void take_pool_lock(void)
{
	static const char *const paths[] = { "/run/gupsim-hugetlb.lock",
					     "/tmp/gupsim-hugetlb.lock" };
	int fd = -1;

	for (size_t i = 0; fd < 0 && i < 2; i++)
		fd = open(paths[i], O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	/* a run holds it at most for its own length */
	if (fd >= 0)
		flock(fd, LOCK_EX);
}

static void host_setup(void)
{
	struct statfs sfs;
	long free_huge;

	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(tmpfs_path, sizeof(tmpfs_path), "/dev/shm/gupsim-iou-XXXXXX");
	if (make_file(tmpfs_path, MiB))
		tmpfs_path[0] = 0;
	/* a directory on the root filesystem, which must be ext4 */
	snprintf(ext4_dir, sizeof(ext4_dir), "/var/tmp/gupsim-iou-XXXXXX");
	if (!mkdtemp(ext4_dir)) {
		ext4_dir[0] = 0;
	} else if (statfs(ext4_dir, &sfs) == 0 && sfs.f_type == EXT4_MAGIC) {
		chmod(ext4_dir, 0755);
		snprintf(ext4_path, sizeof(ext4_path), "%s/buf-XXXXXX",
			 ext4_dir);
		have_ext4 = !make_file(ext4_path, MiB);
		if (!have_ext4)
			ext4_path[0] = 0;
	}
	/* four more huge pages than there are, given back at exit */
	take_pool_lock();
	saved_nr_hugepages = read_long("/proc/sys/vm/nr_hugepages");
	free_huge = read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
	if (saved_nr_hugepages >= 0 && free_huge >= 0 &&
	    write_long("/proc/sys/vm/nr_hugepages", saved_nr_hugepages + 4))
		have_hugepages = read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages") >=
				 free_huge + 2;
	else
		saved_nr_hugepages = -1;
}

/* ---- one case on the host (in a child) ---- */

static int iou_setup(void)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	return sys_io_uring_setup(4, &p);
}

static int host_map(const struct hcase *c, char **addr)
{
	int prot = PROT_READ | (c->prot_read ? 0 : PROT_WRITE);
	int flags = c->shared ? MAP_SHARED : MAP_PRIVATE;
	int fd = -1;
	void *p;

	switch (c->src) {
	case S_ANON:
		flags |= MAP_ANONYMOUS;
		break;
	case S_HUGETLB:
		flags |= MAP_ANONYMOUS | MAP_HUGETLB;
		break;
	case S_MEMFD:
		fd = memfd_create("gupsim-iou", 0);
		if (fd >= 0 && ftruncate(fd, c->map_len))
			return -errno;
		break;
	case S_TMPFS:
		fd = open(tmpfs_path, O_RDWR);
		break;
	case S_EXT4:
		fd = open(ext4_path, O_RDWR);
		break;
	case S_DEVZERO:
		fd = open("/dev/zero", O_RDWR);
		break;
	}
	if (c->src != S_ANON && c->src != S_HUGETLB && fd < 0)
		return -errno;
	p = mmap(NULL, c->map_len, prot, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return -errno;
	if (c->hole && munmap((char *)p + 4 * KiB, 4 * KiB))
		return -errno;
	*addr = p;
	return 0;
}

static int host_case(const struct hcase *c)
{
	struct iovec iov;
	char *addr = NULL;
	int ring, ret;

	if (c->memlock) {
		struct rlimit rl = { c->memlock, c->memlock };

		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			return SKIP;
	}
	if (c->unprivileged && (setgroups(0, NULL) || setgid(NOBODY) ||
				setuid(NOBODY)))
		return SKIP;
	ret = host_map(c, &addr);
	if (ret)
		return SKIP;
	ring = iou_setup();
	if (ring < 0)
		return SKIP;
	iov.iov_base = addr + c->reg_off;
	iov.iov_len = c->reg_len ? c->reg_len : c->map_len;
	ret = sys_io_uring_register(ring, IORING_REGISTER_BUFFERS, &iov, 1);
	return ret < 0 ? -errno : 0;
}

/* The host's answer: 0, -errno, or SKIP (coded in the exit status). */
static int run_host(const struct hcase *c)
{
	int status, ret;
	pid_t pid = fork();

	if (pid < 0)
		return SKIP;
	if (!pid) {
		ret = host_case(c);
		_exit(ret == SKIP ? 255 : -ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return SKIP;
	ret = WEXITSTATUS(status);
	return ret == 255 ? SKIP : -ret;
}

/* ---- the same case on the model ---- */

static long model_map(const struct hcase *c, struct task_struct *t)
{
	unsigned long prot = PROT_READ | (c->prot_read ? 0 : PROT_WRITE);
	unsigned long flags = c->shared ? MAP_SHARED : MAP_PRIVATE;
	struct file *file = NULL;
	long addr;

	switch (c->src) {
	case S_ANON:
		flags |= MAP_ANONYMOUS;
		break;
	case S_HUGETLB:
		flags |= MAP_ANONYMOUS | MAP_HUGETLB;
		break;
	case S_MEMFD:
		file = memfd_file_create("gupsim-iou", c->map_len);
		break;
	case S_TMPFS:
		file = file_create("buf", FS_TMPFS, MiB);
		break;
	case S_EXT4:
		file = file_create("buf", FS_EXT4, MiB);
		break;
	case S_DEVZERO:
		flags |= MAP_GUPSIM_DEVZERO;
		break;
	}
	if ((c->src == S_MEMFD || c->src == S_TMPFS || c->src == S_EXT4) &&
	    !file)
		return -ENOMEM;
	addr = vm_mmap(t, 0, c->map_len, prot, flags, file, 0);
	if (file)
		fput(file);
	if (addr < 0)
		return addr;
	if (c->hole && vm_munmap(t, addr + 4 * KiB, 4 * KiB))
		return -EINVAL;
	return addr;
}

static int run_model(const struct hcase *c, char *why, size_t len)
{
	struct machine_config cfg = { .mem = 256 * MiB, .hugetlb = 4 };
	struct task_struct *t;
	struct drv_handle *h = NULL;
	long addr, ret;

	if (machine_create(&cfg))
		return SKIP;
	t = task_create("iou", c->memlock ? c->memlock : RLIM_INFINITY,
			!c->unprivileged);
	addr = t ? model_map(c, t) : -ENOMEM;
	if (addr < 0) {
		ret = SKIP;
		snprintf(why, len, "model mmap failed: %ld", addr);
		goto out;
	}
	ret = driver_register("io_uring", t, addr + c->reg_off,
			      c->reg_len ? c->reg_len : c->map_len, true, &h);
	driver_release(h);
	task_exit(t);
out:
	if (machine_destroy(why, len)) {
		ret = SKIP;
	}
	return (int)ret;
}

static const char *answer(int v, char *buf, size_t len)
{
	if (v == SKIP)
		return "skip";
	if (!v)
		return "0";
	snprintf(buf, len, "-%s", strerrorname_np(-v) ? strerrorname_np(-v) :
		 "?");
	return buf;
}

/* Bit 14 of the effective set in /proc/self/status: CAP_IPC_LOCK. */
static bool have_cap_ipc_lock(void)
{
	unsigned long long eff = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 14);
}

static const char *host_skip_reason(const struct hcase *c)
{
	/* the privileges the case itself needs, before the host's lacks */
	if (c->unprivileged && geteuid() != 0)
		return "needs root: the case drops to uid 65534 after setting RLIMIT_MEMLOCK";
	if (c->memlock && !c->unprivileged && !have_cap_ipc_lock())
		return "needs CAP_IPC_LOCK: the case registers past RLIMIT_MEMLOCK";
	if (read_long("/proc/sys/kernel/io_uring_disabled") > 0 &&
	    c->unprivileged)
		return "io_uring disabled for unprivileged users";
	if (read_long("/proc/sys/kernel/io_uring_disabled") == 2)
		return "io_uring disabled";
	if (c->src == S_HUGETLB && !have_hugepages)
		return "no huge pages could be reserved";
	if (c->src == S_EXT4 && !have_ext4)
		return "no ext4 directory on /";
	if (c->src == S_TMPFS && !tmpfs_path[0])
		return "no tmpfs file in /dev/shm";
	return NULL;
}

int main(void)
{
	char why[512], b1[32], b2[32];
	unsigned int i;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	host_setup();
	for (i = 0; i < NR_CASES; i++) {
		cases[i].skip_why = host_skip_reason(&cases[i]);
		cases[i].host = cases[i].skip_why ? SKIP : run_host(&cases[i]);
	}
	cleanup();
	printf("1..%zu\n", NR_CASES);
	for (i = 0; i < NR_CASES; i++) {
		struct hcase *c = &cases[i];

		why[0] = 0;
		c->model = run_model(c, why, sizeof(why));
		if (c->host == SKIP) {
			printf("ok %u - %s # SKIP %s (model %s)\n", i + 1,
			       c->name, c->skip_why ? c->skip_why :
			       "the host could not set the case up",
			       answer(c->model, b2, sizeof(b2)));
			continue;
		}
		if (c->host == c->model) {
			printf("ok %u - %s: host %s, model %s\n", i + 1, c->name,
			       answer(c->host, b1, sizeof(b1)),
			       answer(c->model, b2, sizeof(b2)));
			continue;
		}
		failed++;
		printf("not ok %u - %s: host %s, model %s\n", i + 1, c->name,
		       answer(c->host, b1, sizeof(b1)),
		       answer(c->model, b2, sizeof(b2)));
		if (why[0])
			printf("# %s\n", why);
	}
	return failed ? 1 : 0;
}
