/*
 * Shared by the XML object tests: TAP-like checks and the golden-file
 * runner (tests/domxml2xml, tests/poolxml2xml, tests/volxml2xml).
 *
 * For each DIR/NAME.xml: parse (with schema validation), format, and
 * compare byte for byte with NAME.out.xml (or NAME.xml itself when there is
 * no .out.xml); then check that format -> parse -> format is idempotent and
 * that a copy formats the same. NAME.err holds the exact error of a
 * refused NAME.xml. Values the parser generates (a UUID or MAC that is not
 * in the input) are replaced by @UUID@ and @MAC@ before comparing.
 * VR_TEST_REGENERATE=1 rewrites the expectations.
 */
#ifndef VR_TESTS_GOLDEN_H
#define VR_TESTS_GOLDEN_H

#include <stdbool.h>
#include <dirent.h>

extern int npass, nfail, ntest;

void	 check(bool ok, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* An error check: VR_ERR_XML and msg equal to vr_error_message(). */
void	 check_error(const char *what, const char *msg);

/* A file's contents, or NULL if it does not exist. */
char	*read_opt(const char *path);
void	 write_file(const char *path, const char *data);
/* VR_TEST_REGENERATE=1: golden files are rewritten. */
bool	 regenerate(void);
/* Compare got with the golden file at path (rewritten when regenerating). */
void	 check_golden_file(const char *what, const char *path,
	    const char *got);
/* scandir filter: NAME.xml test inputs, not NAME.out.xml. */
int	 golden_filter(const struct dirent *);
/* Print "N passed, N failed"; the exit status. */
int	 test_done(void);
char	*chomp(char *);
/* Print the first line where two texts differ. */
void	 show_diff(const char *want, const char *got);

struct golden_ops {
	const char	*label;		/* "domxml2xml" */
	const char	*schema_path;	/* refusals must fail it too */
	void		*(*parse)(const char *xml);	/* with validation */
	char		*(*format)(const void *);
	void		*(*copy)(const void *);
	void		 (*free)(void *);
};

/* Run every case in dir; returns the number of (accepted, refused). */
void	 golden_run(const struct golden_ops *, const char *dir,
	    int *accepted, int *refused);

#endif
