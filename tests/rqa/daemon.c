/* daemon.c - the parent makes malloc(31004) then daemon(3) detaches: the
 * parent exits 0, the daemon child makes malloc(31005), and once its parent
 * is gone writes its pid to argv[2] (when given), sleeps argv[1] seconds
 * (default 1) and exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	void *volatile p = malloc(31004);
	pid_t parent = getpid();

	(void)p;
	if (daemon(1, 1) < 0)
		return 1;
	p = malloc(31005);
	if (argc > 2) {
		FILE *f;

		while (getppid() == parent)
			usleep(1000);
		f = fopen(argv[2], "w");
		if (!f)
			return 1;
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 1);
	return 0;
}
