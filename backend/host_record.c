// SPDX-License-Identifier: GPL-2.0
/*
 * The host backend's record of what a run changes on the machine, for the
 * case where the janitor (host_janitor.c) dies too and cannot undo it.
 *
 * Every host run's janitor keeps a file in the state directory:
 *
 *	$GUPSIM_STATE_DIR, when set;
 *	/run/gupsim                 when running as root;
 *	$XDG_RUNTIME_DIR/gupsim     otherwise, when that is set;
 *	/tmp/gupsim-state.UID       otherwise.
 *
 * The file is run.PID (PID: the janitor's), a few text lines written before
 * the change they describe takes effect:
 *
 *	dir PATH                    a scratch directory of the run
 *	nr_hugepages OLD            the pool is about to be raised from OLD
 *	nr_hugepages_now NOW        ... and the kernel made it NOW
 *
 * The janitor holds an flock on its file for its whole life and removes
 * the file once it has cleaned up. So a file whose lock can be taken
 * belongs to a run that died with its janitor; the next run takes it,
 * undoes what it lists, says so on stderr and removes it. Whoever takes
 * the lock first does the work: a file found unlinked once locked was
 * already handled.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

#define RECORD_PREFIX	"run."

/* The state directory, made if missing: 0, or -errno with a reason. */
static int state_dir(char *dir, size_t size, char *why, size_t len)
{
	const char *env = getenv("GUPSIM_STATE_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (env && env[0])
		snprintf(dir, size, "%s", env);
	else if (geteuid() == 0)
		snprintf(dir, size, "/run/gupsim");
	else if (xdg && xdg[0] == '/')
		snprintf(dir, size, "%s/gupsim", xdg);
	else
		snprintf(dir, size, "/tmp/gupsim-state.%u",
			 (unsigned)geteuid());
	if (mkdir(dir, 0700) && errno != EEXIST)
		goto fail;
	/* someone else's directory (or a link to one) is not ours to trust */
	if (lstat(dir, &st))
		goto fail;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(why, len, "%s is not a directory of this user", dir);
		return -EPERM;
	}
	return 0;
fail:
	snprintf(why, len, "%s: %s", dir, strerror(errno));
	return -errno;
}

static void record_line(const struct host_record *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void record_line(const struct host_record *r, const char *fmt, ...)
{
	char line[PATH_MAX + 32];
	va_list ap;
	int n;

	if (r->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* O_APPEND: each line lands whole, even if we die right after */
	if (n > 0 && (size_t)n < sizeof(line) && write(r->fd, line, n) != n)
		fprintf(stderr, "gupsim: writing the host state record: %s\n",
			strerror(errno));
}

int host_record_open(struct host_record *r, const char *const dirs[],
		     int nr_dirs, char *why, size_t len)
{
	char dir[PATH_MAX - 32], tmp[PATH_MAX];
	int err = state_dir(dir, sizeof(dir), why, len);

	r->fd = -1;
	if (err)
		return err;
	/*
	 * Made under a name no scan takes, locked, filled, then renamed:
	 * the lock and the content travel with the inode.
	 */
	snprintf(tmp, sizeof(tmp), "%s/tmp.%d", dir, (int)getpid());
	snprintf(r->path, sizeof(r->path), "%s/" RECORD_PREFIX "%d", dir,
		 (int)getpid());
	r->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		     0600);
	if (r->fd < 0 || flock(r->fd, LOCK_EX)) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		err = -errno;
		goto fail;
	}
	for (int i = 0; i < nr_dirs; i++)
		record_line(r, "dir %s\n", dirs[i]);
	if (rename(tmp, r->path)) {
		snprintf(why, len, "%s: %s", r->path, strerror(errno));
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	if (r->fd >= 0)
		close(r->fd);
	unlink(tmp);
	r->fd = -1;
	return err;
}

void host_record_pool(const struct host_record *r, long old)
{
	record_line(r, "nr_hugepages %ld\n", old);
}

void host_record_pool_now(const struct host_record *r, long now)
{
	record_line(r, "nr_hugepages_now %ld\n", now);
}

void host_record_close(struct host_record *r)
{
	if (r->fd < 0)
		return;
	unlink(r->path);
	close(r->fd);
	r->fd = -1;
}

/* ---- the next run: undo what a dead run left ---- */

/* Only what the backend makes: never follow a record elsewhere. */
static bool ours(const char *path)
{
	const char *base = strrchr(path, '/');

	return path[0] == '/' && base && !strncmp(base, "/gupsim-host.", 13) &&
	       !strstr(path, "/../");
}

/* A dead run's pool change, under the lock every run takes for it. */
static void restore_pool(const char *who, long old, long now, bool has_now)
{
	char why[160];
	int lock = host_pool_lock(why, sizeof(why));
	long cur, target;

	if (lock < 0) {
		fprintf(stderr, "gupsim: %s raised nr_hugepages and died; not restored: %s\n",
			who, why);
		return;
	}
	cur = host_read_long(HOST_NR_HUGEPAGES);
	/*
	 * Runs change the pool one at a time, each undoing its own change,
	 * so it still reads NOW unless someone outside gupsim changed it:
	 * take back only what the dead run added.
	 */
	target = has_now ? cur - (now - old) : old;
	if (target < 0)
		target = 0;
	if (cur < 0 || host_write_long(HOST_NR_HUGEPAGES, target))
		fprintf(stderr, "gupsim: %s raised nr_hugepages and died; cannot set it back to %ld: %s\n",
			who, target, strerror(errno));
	else if (cur != target)
		fprintf(stderr, "gupsim: %s died with nr_hugepages raised: set back from %ld to %ld\n",
			who, cur, target);
	close(lock);
}

/* Undoes what one locked record lists. */
static void undo(FILE *f, const char *who)
{
	char line[PATH_MAX + 32], path[PATH_MAX];
	long old = -1, now = -1, v;
	bool has_now = false;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "dir %4095[^\n]", path) == 1 && ours(path)) {
			if (host_remove_dir(path) == 0)
				fprintf(stderr, "gupsim: %s died and left %s: removed\n",
					who, path);
		} else if (sscanf(line, "nr_hugepages_now %ld", &now) == 1) {
			has_now = true;
		} else if (sscanf(line, "nr_hugepages %ld", &v) == 1) {
			/* the value before the first raise is the one to restore */
			if (old < 0)
				old = v;
			has_now = false;
		}
	}
	if (old >= 0)
		restore_pool(who, old, now, has_now);
}

static void recover_one(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char who[64];
	struct stat st;
	FILE *f;

	if (fd < 0)
		return;
	/* held: its janitor lives; unlinked once ours: already handled */
	if (flock(fd, LOCK_EX | LOCK_NB) || fstat(fd, &st) || !st.st_nlink ||
	    !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return;
	}
	snprintf(who, sizeof(who), "an earlier host run (janitor pid %s)",
		 strchr(name, '.') + 1);
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return;
	}
	undo(f, who);
	unlinkat(dirfd, name, 0);
	fclose(f);	/* drops the lock */
}

void host_record_recover(void)
{
	char dir[PATH_MAX], why[PATH_MAX + 64];
	struct dirent *e;
	DIR *d;

	if (state_dir(dir, sizeof(dir), why, sizeof(why)))
		return;		/* host_record_open says why */
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, RECORD_PREFIX, strlen(RECORD_PREFIX)))
			recover_one(dirfd(d), e->d_name);
		/* a janitor killed before its rename: the pid tells */
		else if (!strncmp(e->d_name, "tmp.", 4) &&
			 kill(atoi(e->d_name + 4), 0) && errno == ESRCH)
			recover_one(dirfd(d), e->d_name);
	}
	closedir(d);
}
