/* apps.c - helpers shared by the recorder test programs. */
#include <string.h>
#include <unistd.h>

#include "apps.h"

void *volatile apps_sink;

void apps_exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		slash[1] = '\0';
	else
		strcpy(buf, "./");
}
