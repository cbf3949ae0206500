// SPDX-License-Identifier: GPL-2.0
/*
 * The host backend's janitor: a small process forked when a host run
 * starts, in a session of its own and deaf to the usual signals, so that
 * whatever ends the controller (a crash, Ctrl-C, SIGKILL from a timeout)
 * the machine gets back what the run took: the temporary directories and
 * their files are removed and /proc/sys/vm/nr_hugepages is set back.
 *
 * The hugetlb pool is global, and several runs may be going at once
 * (make test, make asan, other users): a run that uses hugetlb at all
 * holds an flock on one lock file for its whole length, so no two runs
 * share, raise or restore the pool at the same time. The janitor takes
 * and holds that lock, so it is released only after the pool is restored.
 *
 * Should the janitor die too, the record it keeps (host_record.c) lets the
 * next run undo what this one changed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

#define LOCK_WAIT_MS	120000

struct jmsg {
	long nr;
};

struct jrep {
	int err;
	long got;
	char why[160];
};

long host_read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

int host_write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n, ret = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* The lock lives where every run finds it, root's or not. */
int host_pool_lock(char *why, size_t len)
{
	static const char *const paths[] = { "/run/gupsim-hugetlb.lock",
					     "/tmp/gupsim-hugetlb.lock" };
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int fd = -1;

	for (size_t i = 0; fd < 0 && i < 2; i++)
		fd = open(paths[i], O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		snprintf(why, len, "cannot open the hugetlb lock file: %s",
			 strerror(errno));
		return -errno;
	}
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += 50) {
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS) {
			snprintf(why, len, "the hugetlb pool is busy with another run");
			close(fd);
			return -EBUSY;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

struct pool {
	int lock_fd;
	long old;
	bool raised;
	const struct host_record *record;
};

static void pool_request(struct pool *p, long nr, struct jrep *rep)
{
	long now;

	if (p->lock_fd < 0) {
		p->lock_fd = host_pool_lock(rep->why, sizeof(rep->why));
		if (p->lock_fd < 0) {
			rep->err = -p->lock_fd;
			return;
		}
	}
	if (!nr)
		return;
	p->old = host_read_long(HOST_NR_HUGEPAGES);
	if (p->old < 0) {
		rep->err = (int)-p->old;
		snprintf(rep->why, sizeof(rep->why), "cannot read %s",
			 HOST_NR_HUGEPAGES);
		return;
	}
	p->raised = true;
	/* recorded first: whoever finds the record undoes at most this */
	host_record_pool(p->record, p->old);
	if (host_write_long(HOST_NR_HUGEPAGES, p->old + nr)) {
		rep->err = errno ? errno : EPERM;
		snprintf(rep->why, sizeof(rep->why), "cannot write %s: %s",
			 HOST_NR_HUGEPAGES, strerror(rep->err));
	}
	now = host_read_long(HOST_NR_HUGEPAGES);
	if (now >= 0)
		host_record_pool_now(p->record, now);
	rep->got = now > p->old ? now - p->old : 0;
	if (!rep->err && rep->got < nr)
		snprintf(rep->why, sizeof(rep->why),
			 "the kernel found %ld of %ld huge pages", rep->got, nr);
}

static void pool_restore(struct pool *p)
{
	if (p->raised)
		host_write_long(HOST_NR_HUGEPAGES, p->old);
	if (p->lock_fd >= 0)
		close(p->lock_fd);
}

/* The directories hold plain files only (the backend makes no others). */
int host_remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	return rmdir(path) ? -errno : 0;
}

static void __attribute__((noreturn))
janitor_main(int sock, char **dirs, int nr_dirs)
{
	struct host_record record;
	struct pool pool = { .lock_fd = -1, .record = &record };
	struct jrep ready = { 0 };
	struct jmsg msg;
	ssize_t n;

	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	/* the first answer: whether the run's changes are on record */
	ready.err = -host_record_open(&record, (const char *const *)dirs,
				      nr_dirs, ready.why, sizeof(ready.why));
	if (host_send(sock, &ready, sizeof(ready), -1))
		goto out;
	while ((n = host_recv(sock, &msg, sizeof(msg), NULL, -1)) > 0) {
		struct jrep rep = { 0 };

		if (n == sizeof(msg))
			pool_request(&pool, msg.nr, &rep);
		else
			rep.err = EINVAL;
		if (host_send(sock, &rep, sizeof(rep), -1))
			break;
	}
out:
	pool_restore(&pool);
	for (int i = 0; i < nr_dirs; i++)
		host_remove_dir(dirs[i]);
	/* last: until everything above is done, the record stands */
	host_record_close(&record);
	_exit(0);
}

int host_janitor_start(struct host_janitor *j, const char *const dirs[],
		       int nr_dirs, char *why, size_t len)
{
	char *copy[4] = { 0 };
	struct jrep ready;
	int sv[2];

	/* what an earlier run left when its janitor died with it */
	host_record_recover();
	if (nr_dirs > 4)
		nr_dirs = 4;
	for (int i = 0; i < nr_dirs; i++)
		copy[i] = (char *)dirs[i];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -ENOMEM;
	}
	if (!j->pid) {
		/* keep nothing of the controller's open: only our socket */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		janitor_main(3, copy, nr_dirs);
	}
	close(sv[1]);
	j->sock = sv[0];
	if (host_recv(j->sock, &ready, sizeof(ready), NULL,
		      HOST_REPLY_TIMEOUT_MS) != sizeof(ready)) {
		snprintf(why, len, "no answer from the janitor");
		return -ETIMEDOUT;
	}
	/* the run can go on; only a second death would leave things */
	if (ready.err)
		fprintf(stderr, "gupsim: the host run is not on record (%s): if it dies with its janitor, nothing will undo its changes\n",
			ready.why);
	return 0;
}

int host_janitor_hugetlb(struct host_janitor *j, long nr, long *got,
			 char *why, size_t len)
{
	struct jmsg msg = { .nr = nr };
	struct jrep rep;
	ssize_t n;

	*got = 0;
	if (host_send(j->sock, &msg, sizeof(msg), -1)) {
		snprintf(why, len, "the janitor is gone");
		return -EPIPE;
	}
	/* waiting for the pool lock may take a while: a run holds it */
	n = host_recv(j->sock, &rep, sizeof(rep), NULL, LOCK_WAIT_MS + 10000);
	if (n != sizeof(rep)) {
		snprintf(why, len, "no answer from the janitor");
		return -ETIMEDOUT;
	}
	*got = rep.got;
	snprintf(why, len, "%s", rep.why);
	return -rep.err;
}

void host_janitor_stop(struct host_janitor *j)
{
	if (j->pid <= 0)
		return;
	close(j->sock);
	for (int i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (waitpid(j->pid, NULL, WNOHANG) == j->pid) {
			j->pid = 0;
			return;
		}
		nanosleep(&ts, NULL);
	}
	/* it hangs: it will finish on its own, it is not our child to wait */
	j->pid = 0;
}
