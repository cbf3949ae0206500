/* SPDX-License-Identifier: GPL-2.0 */
/* gupsim versions: every statement's result under every profile point. */
#ifndef GUPSIM_CMD_VERSIONS_H
#define GUPSIM_CMD_VERSIONS_H

int cmd_versions(int argc, char **argv);

#endif /* GUPSIM_CMD_VERSIONS_H */
