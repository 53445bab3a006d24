/*
 * The interactive shell: `vireo` without a command (virsh's). Commands
 * come from the command table; lines are split with virsh's quoting.
 */
#ifndef VR_SHELL_H
#define VR_SHELL_H

#include "cmd.h"

/*
 * Read and run commands until EOF or quit/exit: with libedit (prompt,
 * history, Tab completion) when stdin is a terminal, else line by line
 * without prompt. Returns CMD_OK, or the status of the last command that
 * failed when stdin is not a terminal.
 */
enum cmd_retval shell_run(struct cmd_ctx *);

/*
 * Split the next command of *line (up to an unquoted ';' or the end) into
 * words: whitespace separates them; '...' is literal; "..." allows \"
 * and \\; a backslash outside quotes escapes the next character; '#'
 * starting a word comments out the rest of the line. *line advances past
 * the command. *argv (NULL-terminated, caller frees with
 * shell_argv_free) may be empty. -1 with an error on a quote left open,
 * unless partial (completion: the open word is kept as is).
 */
int	 shell_split(const char **line, char ***argv, int *argc, bool partial);
void	 shell_argv_free(char **);

#endif
