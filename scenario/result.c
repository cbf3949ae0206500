// SPDX-License-Identifier: GPL-2.0
/* Results of statements: names, formatting and matching expectations. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include "scenario.h"

#define E(x) { x, #x }
static const struct {
	int err;
	const char *name;
} errno_table[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ENODATA),
	E(ETIME), E(ENOLINK), E(EPROTO), E(EBADMSG), E(EOVERFLOW),
	E(EILSEQ), E(EUSERS), E(ENOTSOCK), E(EMSGSIZE), E(EOPNOTSUPP),
	E(EADDRINUSE), E(ENETDOWN), E(ECONNRESET), E(ENOBUFS), E(ETIMEDOUT),
	E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(EDQUOT),
	E(ECANCELED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(EHWPOISON),
	E(ENOTSUP), E(EWOULDBLOCK),
};
#undef E

/* The first name of a value wins (EAGAIN over EWOULDBLOCK). */
const char *errno_name(int err)
{
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].err == err)
			return errno_table[i].name;
	return NULL;
}

int errno_from_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (strlen(errno_table[i].name) == len &&
		    !memcmp(errno_table[i].name, name, len))
			return errno_table[i].err;
	return 0;
}

static const char *const zone_names[] = {
	[ZONE_R_NONE] = "none", [ZONE_R_NORMAL] = "normal",
	[ZONE_R_MOVABLE] = "movable", [ZONE_R_CMA] = "cma",
	[ZONE_R_DEVICE] = "device",
};

static void format_byte(int b, char *buf, size_t len)
{
	if (b == '\\' || b == '\'')
		snprintf(buf, len, "'\\%c'", b);
	else if (b > 0x20 && b < 0x7f)
		snprintf(buf, len, "'%c'", b);
	else
		snprintf(buf, len, "0x%02x", b & 0xff);
}

void result_format(const struct result *r, char *buf, size_t len)
{
	const char *name;

	switch (r->kind) {
	case RES_NONE:
		snprintf(buf, len, "-");
		break;
	case RES_OK:
		snprintf(buf, len, "ok");
		break;
	case RES_COUNT:
		snprintf(buf, len, "%ld", r->value);
		break;
	case RES_ERRNO:
		name = errno_name((int)r->value);
		if (name)
			snprintf(buf, len, "%s", name);
		else
			snprintf(buf, len, "errno%ld", r->value);
		break;
	case RES_SIGNAL:
		snprintf(buf, len, "%s",
			 r->value == SIGBUS ? "SIGBUS" : "SIGSEGV");
		break;
	case RES_BYTE:
		format_byte((int)r->value, buf, len);
		break;
	case RES_MIXED:
		snprintf(buf, len, "mixed");
		break;
	case RES_ZONE:
		if (r->value >= 0 && r->value <= ZONE_R_DEVICE)
			snprintf(buf, len, "%s", zone_names[r->value]);
		else
			snprintf(buf, len, "zone%ld", r->value);
		break;
	case RES_SKIP:
		snprintf(buf, len, "skip");
		break;
	}
}

/*
 * A count expectation also holds for a full pin of exactly that many
 * pages: `pin h buf => 512` and `=> ok` both hold when 512 of 512 pages
 * were pinned.
 */
bool result_matches(const struct result *expect, const struct result *got)
{
	if (expect->kind == RES_COUNT && got->kind == RES_OK)
		return got->has_count && got->count == expect->value;
	if (expect->kind != got->kind)
		return false;
	switch (expect->kind) {
	case RES_COUNT:
	case RES_ERRNO:
	case RES_SIGNAL:
	case RES_BYTE:
	case RES_ZONE:
		return expect->value == got->value;
	default:
		return true;
	}
}

struct result res_ok(void)
{
	struct result r = { .kind = RES_OK };

	return r;
}

struct result res_errno(int err, const char *fmt, ...)
{
	struct result r = { .kind = RES_ERRNO, .value = err };
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
		va_end(ap);
	}
	return r;
}
