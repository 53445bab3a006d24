/*
 * Completion of vireo command lines, from the command table: command
 * names, option names per command, and values (domain, network and pool
 * names asked of the daemon, codesets, help topics). One code path for
 * the shell's Tab and `vireo complete -- WORDS...` (bash completion).
 */
#ifndef VR_COMPLETE_H
#define VR_COMPLETE_H

struct cmd_ctx;

/*
 * Candidates for the last of words (the word being completed, maybe "")
 * given the words before it: a command line without "vireo", global
 * options allowed before the command. NULL-terminated, sorted, each
 * starting with the last word; caller frees with cmd_complete_free().
 * Never fails: a daemon that cannot be reached gives no names. *files is
 * set when the word is a value completion does not know (a file name:
 * the caller may complete file names instead).
 */
char	**cmd_complete(struct cmd_ctx *, int nwords, char **words,
	    int *files);
void	 cmd_complete_free(char **);
/* Forget the names cached from the daemon (after connect). */
void	 cmd_complete_flush(void);

#endif
