// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario lexer: one line at a time, into words, quoted bytes and the
 * `=>` arrow. It accepts any input bytes without crashing: a byte that can
 * not start or continue a token is reported with its column. Comments may
 * hold anything (UTF-8 prose, say); tokens are printable ASCII.
 */
#include <stdarg.h>
#include <string.h>

#include "scenario.h"

static int lex_error(struct scn_error *err, int line, int col,
		     const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A byte that may appear in a word: printable ASCII but '#' and '\''. */
static bool is_word_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '#' && c != '\'';
}

static int bad_byte(struct scn_error *err, int line, int col, unsigned char c)
{
	if (c == 0)
		return lex_error(err, line, col, "NUL byte in input");
	return lex_error(err, line, col, "invalid byte 0x%02x in input", c);
}

/* Decodes the byte after a backslash; -1 if it is no known escape. */
static int unescape(unsigned char c)
{
	switch (c) {
	case '\\': return '\\';
	case '\'': return '\'';
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case '0': return 0;
	default: return -1;
	}
}

/*
 * 'c' or '\e': on success returns the length of the literal and sets
 * *value; on failure fills *err. The line is bounded by len throughout.
 */
static int lex_byte(const char *line, size_t len, size_t i, int lineno,
		    int *value, struct scn_error *err)
{
	int col = (int)i + 1;
	size_t j = i + 1;
	unsigned char c;

	if (j >= len)
		return lex_error(err, lineno, col, "unterminated quote");
	c = line[j];
	if (c == '\'')
		return lex_error(err, lineno, col, "empty quoted byte ''");
	if (c == '\\') {
		if (j + 1 >= len)
			return lex_error(err, lineno, col, "unterminated quote");
		*value = unescape(line[j + 1]);
		if (*value < 0)
			return lex_error(err, lineno, col + 2,
					 "unknown escape in quoted byte");
		j += 2;
	} else if (c < 0x20 || c >= 0x7f) {
		return bad_byte(err, lineno, col + 1, c);
	} else {
		*value = c;
		j++;
	}
	if (j < len && line[j] == '\'')
		return (int)(j + 1 - i);
	/* Find out whether it is closed later (too long) or never. */
	for (; j < len; j++)
		if (line[j] == '\'')
			return lex_error(err, lineno, col,
					 "a quoted byte holds one character");
	return lex_error(err, lineno, col, "unterminated quote");
}

int scn_lex_line(const char *line, size_t len, int lineno,
		 struct token *toks, int max, struct scn_error *err)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		unsigned char c = line[i];
		struct token *t;
		size_t start = i;

		if (is_blank(c)) {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if (n == max)
			return lex_error(err, lineno, (int)i + 1,
					 "too many words on one line (at most %d)",
					 max);
		t = &toks[n];
		t->s = line + i;
		t->col = (int)i + 1;
		t->byte = 0;
		if (c == '\'') {
			int l = lex_byte(line, len, i, lineno, &t->byte, err);

			if (l < 0)
				return -1;
			t->type = TOK_BYTE;
			t->len = l;
			i += l;
			n++;
			continue;
		}
		if (c == '=' && i + 1 < len && line[i + 1] == '>') {
			t->type = TOK_ARROW;
			t->len = 2;
			i += 2;
			n++;
			continue;
		}
		if (!is_word_byte(c))
			return bad_byte(err, lineno, (int)i + 1, c);
		while (i < len && is_word_byte(line[i])) {
			if (line[i] == '=' && i + 1 < len && line[i + 1] == '>')
				break;
			i++;
		}
		if (i < len && !is_blank(line[i]) && line[i] != '#' &&
		    line[i] != '\'' && line[i] != '=')
			return bad_byte(err, lineno, (int)i + 1, line[i]);
		t->type = TOK_WORD;
		t->len = i - start;
		n++;
	}
	return n;
}
