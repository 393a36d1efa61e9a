/*
 * libcmix.c - an ordinary program that goes through much of libc: getline,
 * asprintf, open_memstream, regex, iconv, locales, the passwd and group
 * databases, tsearch, glob, opendir, qsort, posix_memalign and
 * aligned_alloc.  It keeps nothing in globals: every block it does not
 * free is lost when main returns, and libc's own state is freed when a
 * checker asks (__libc_freeres).  Its answers come from valgrind, run by
 * qa_valgrind.sh, never from a file.
 */
#include <dirent.h>
#include <glob.h>
#include <grp.h>
#include <iconv.h>
#include <locale.h>
#include <pwd.h>
#include <regex.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	char *line = NULL, *s = NULL, *buf = NULL;
	size_t cap = 0, len = 0;
	void *root = NULL, *al = NULL, *volatile al2;
	FILE *f, *ms;
	regex_t re;
	iconv_t cd;
	glob_t g;
	DIR *d;
	wchar_t w[32];
	int *arr, i;

	f = fopen("/etc/passwd", "r");
	if (f) {
		while (getline(&line, &cap, f) > 0)
			;
		fclose(f);
	}
	if (asprintf(&s, "%d-%s", 42, "lost") < 0)
		return 1;
	ms = open_memstream(&buf, &len);
	for (i = 0; ms && i < 1000; i++)
		fprintf(ms, "%d,", i);
	if (ms)
		fclose(ms);
	if (regcomp(&re, "^[a-z]+[0-9]*$", REG_EXTENDED) == 0) {
		(void)regexec(&re, "abc123", 0, NULL, 0);
		regfree(&re);
	}
	cd = iconv_open("UTF-16", "UTF-8");
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	setlocale(LC_ALL, "C.UTF-8");
	(void)getpwnam("root");
	(void)getgrnam("root");
	for (i = 0; i < 10; i++) {
		int *v = malloc(sizeof(*v));

		*v = i;
		(void)tsearch(v, &root, cmp_int);
	}
	if (glob("/etc/*.conf", 0, NULL, &g) == 0)
		globfree(&g);
	d = opendir("/etc");
	while (d && readdir(d))
		;
	if (d)
		closedir(d);
	arr = malloc(10000 * sizeof(*arr));
	for (i = 0; i < 10000; i++)
		arr[i] = rand();
	qsort(arr, 10000, sizeof(*arr), cmp_int);
	free(arr);
	if (posix_memalign(&al, 4096, 100) != 0)
		return 1;
	al2 = aligned_alloc(64, 256);
	printf("%d\n", al2 != NULL);
	al2 = NULL;
	mbstowcs(w, "h\xc3\xa9llo", 32);
	printf("%ls %zu %s %zu %p %p\n", w, len, s, cap, (void *)line, al);
	return 0;
}
