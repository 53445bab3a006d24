/*
 * Helpers shared by the golden-file tests (dom-def-test, net-def-test,
 * net-conf-test): TAP-like checks with the "N passed, N failed" summary,
 * reading and regenerating expectation files, masking generated values.
 */
#ifndef VR_TEST_UTIL_H
#define VR_TEST_UTIL_H

#include <stdbool.h>
#include <dirent.h>

extern int npass, nfail;
/* VR_TEST_REGENERATE=1: rewrite expectations (set by test_init). */
extern bool regenerate;

void	 test_init(void);
void	 check(bool ok, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prints the summary line; returns main's exit status. */
int	 test_done(void);

/* The file's contents, or NULL if it does not exist. */
char	*read_opt(const char *path);
void	 write_file(const char *path, const char *data);
/* Replace "<uuid>X</uuid>" and "address='M'" values not in input. */
char	*mask_generated(const char *out, const char *input);
char	*chomp(char *s);
/* Print the first line where two texts differ. */
void	 show_diff(const char *want, const char *got);
/* scandir filter: NAME.xml but not NAME.out.xml. */
int	 golden_filter(const struct dirent *);
/*
 * Compare got with the expectation file path (created or rewritten when
 * regenerating); one check named what.
 */
void	 check_golden_file(const char *what, const char *path,
	    const char *got);

/*
 * Golden XML cases: for each DIR/NAME.xml (not NAME.out.xml), parse,
 * format and compare with NAME.out.xml or the input itself (generated
 * UUIDs and MACs masked); check that format -> parse -> format is
 * idempotent and that a copy formats the same. NAME.err holds the exact
 * VR_ERR_XML message of a refused case; a structural refusal must also
 * fail schema_path.
 */
struct golden_ops {
	const char	*label;		/* "domxml2xml" */
	const char	*schema_path;
	void		*(*parse)(const char *xml);	/* validating */
	char		*(*format)(const void *);
	void		*(*copy)(const void *);
	void		(*free)(void *);
};

void	 golden_run(const struct golden_ops *, const char *dir, int *naccepted,
	    int *nrefused);

#endif
