/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host backend's internals: the messages between the controller (the
 * gupsim process, backend/host.c) and its workers (one real process per
 * scenario task, backend/host_worker.c), the io_uring helpers both sides
 * use (backend/host_uring.c) and the janitor that cleans up after the
 * controller whatever way it ends (backend/host_janitor.c).
 *
 * Messages are fixed-size structs over a SOCK_SEQPACKET socketpair; file
 * descriptors (a file to map, the socket of a forked task) travel beside
 * them as SCM_RIGHTS. A ring cannot: the kernel refuses to pass io_uring
 * files over a socket, so the controller takes a copy out of the worker
 * with pidfd_getfd() and then tells it to close its own.
 */
#ifndef GUPSIM_BACKEND_HOST_H
#define GUPSIM_BACKEND_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/io_uring.h>

struct backend_ops;
extern const struct backend_ops host_backend_ops;

/* Every wait of the controller on a worker or the janitor ends here. */
#define HOST_REPLY_TIMEOUT_MS	30000
/*
 * The unprivileged identity of a task: a user of its own (uid base + the
 * worker's pid: unique among live processes, so concurrent runs never
 * share one), because io_uring charges RLIMIT_MEMLOCK per user and the
 * model gives every `task` its own user_struct (a forked task shares its
 * parent's); the nogroup group.
 */
#define HOST_UID_BASE		1000000
#define HOST_NOGROUP		65534
/* IORING_REGISTER_BUFFERS takes at most 1 GiB per buffer. */
#define HOST_MAX_BUF		(1ULL << 30)

enum host_op {
	HOP_SETUP,	/* memlock, credentials: once, first */
	HOP_MMAP,
	HOP_WRITE,
	HOP_READ,
	HOP_MUNMAP,
	HOP_MPROTECT,
	HOP_MADVISE,
	HOP_MREMAP,
	HOP_MREMAP_RANGE,	/* mremap(2) as the statement says */
	HOP_FORK,	/* the new task's socket comes along */
	HOP_EXIT,
	HOP_REGISTER,	/* a ring with the range as its fixed buffer */
	HOP_CLOSE,	/* the controller has taken its copy of fd `byte` */
	HOP_MLOCK,
	HOP_MUNLOCK,
};

/*
 * SETUP's answer value, bits: RLIMIT_MEMLOCK was capped at the hard limit;
 * not root, so the task has neither a user of its own (io_uring charges
 * every task to one account) nor CAP_IPC_LOCK (a `pin` would be charged).
 * The message says why; the controller skips what these decide.
 */
#define HOST_SETUP_MEMLOCK_SHORT	1
#define HOST_SETUP_UNPRIVILEGED		2

enum host_src { HSRC_ANON, HSRC_FD, HSRC_MEMFD, HSRC_HUGETLB };

struct host_req {
	int op;
	uint64_t addr, len, off;
	int prot, byte, advice;
	bool shared, populate, thp;
	unsigned int huge_shift;	/* HSRC_HUGETLB: log2 page size, 0: 2M */
	enum host_src source;
	/* SETUP */
	uint64_t memlock;		/* UINT64_MAX: unlimited */
	bool cap_ipc_lock;
	/* REGISTER */
	bool pin;	/* a `pin`: unaccounted, partial pins are counted */
	/* MREMAP_RANGE: mremap(addr, len, new_len, flags, new_addr) */
	uint64_t new_len, new_addr;
	unsigned int flags;
};

struct host_rep {
	int kind;			/* enum res_kind */
	long value;
	bool has_count;
	long count;
	uint64_t addr;			/* MMAP, MREMAP: the address */
	pid_t pid;			/* FORK: the child */
	int fd;				/* REGISTER: the ring, in the worker */
	struct io_uring_params params;	/* REGISTER: to map the ring */
	char msg[256];
};

/* ---- io_uring, raw syscalls (host_uring.c) ---- */

struct host_ring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	struct io_uring_params p;
};

/* A ring of a few entries, not mapped: 0 or -errno. */
int host_ring_create(struct io_uring_params *p);
/* Registers [addr, addr + len) as fixed buffer 0: 0 or -errno. */
int host_ring_register(int fd, uint64_t addr, uint64_t len);
int host_ring_unregister(int fd);
/* Maps a ring created elsewhere (its fd and parameters): 0 or -errno. */
int host_ring_map(struct host_ring *r, int fd,
		  const struct io_uring_params *p);
void host_ring_unmap(struct host_ring *r);
/*
 * One IORING_OP_READ_FIXED (to memory) or WRITE_FIXED (from memory) of
 * len bytes at addr, inside buffer 0, from or to file fd at offset 0.
 * Returns the bytes moved or -errno (-ETIMEDOUT after the timeout).
 */
long host_ring_rw_fixed(struct host_ring *r, bool to_memory, int file_fd,
			uint64_t addr, uint32_t len);
/* Is io_uring usable here? 0 or -errno, with a reason. */
int host_uring_probe(char *why, size_t len);

/* ---- workers (host_worker.c) ---- */

/* The worker's main loop on socket fd; never returns. */
void __attribute__((noreturn)) host_worker_main(int fd);

/* ---- messages with descriptors (host_worker.c) ---- */

/* Sends len bytes and, when fd >= 0, the descriptor: 0 or -errno. */
int host_send(int sock, const void *buf, size_t len, int fd);
/*
 * Receives one message of at most len bytes and a descriptor (*fd, -1 if
 * none), waiting at most timeout_ms (-1: forever). Returns the bytes, 0
 * at EOF, or -errno (-ETIMEDOUT).
 */
ssize_t host_recv(int sock, void *buf, size_t len, int *fd, int timeout_ms);

/* ---- the janitor (host_janitor.c) ---- */

struct host_janitor {
	pid_t pid;
	int sock;
};

/*
 * Forks the janitor: it removes the directories when the controller goes
 * away (its socket closes), and owns the hugetlb pool changes.
 */
int host_janitor_start(struct host_janitor *j, const char *const dirs[],
		       int nr_dirs, char *why, size_t len);
/*
 * Asks the janitor to add nr pages to /proc/sys/vm/nr_hugepages, under
 * the lock every gupsim host run takes for the hugetlb pool. *got: how
 * many it could add. 0 or -errno.
 */
int host_janitor_hugetlb(struct host_janitor *j, long nr, long *got,
			 char *why, size_t len);
/* Ends the janitor: it cleans up, and is waited for (with a timeout). */
void host_janitor_stop(struct host_janitor *j);

/* Helpers the record shares with the janitor. */
#define HOST_NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
long host_read_long(const char *path);		/* the value or -errno */
int host_write_long(const char *path, long v);	/* 0 or -errno */
/* The flock every run holds while it changes the pool: an fd or -errno. */
int host_pool_lock(char *why, size_t len);
/* Removes a scratch directory and its plain files: 0 or -errno. */
int host_remove_dir(const char *path);

/* ---- the record of a run's changes (host_record.c) ---- */

/*
 * Kept by the janitor in a state directory (see host_record.c for where),
 * so that a run that dies together with its janitor is undone by the next.
 */
struct host_record {
	int fd;			/* locked while the janitor lives; -1: none */
	char path[4096];
};

/* Records the scratch directories: 0 or -errno with a reason. */
int host_record_open(struct host_record *r, const char *const dirs[],
		     int nr_dirs, char *why, size_t len);
/* Before the pool is raised from old; after, what the kernel made it. */
void host_record_pool(const struct host_record *r, long old);
void host_record_pool_now(const struct host_record *r, long now);
/* Everything is undone: the record goes. */
void host_record_close(struct host_record *r);
/* Undoes what runs that died with their janitors left; says so on stderr. */
void host_record_recover(void);

#endif /* GUPSIM_BACKEND_HOST_H */
