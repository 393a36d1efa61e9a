/* sigterm.c - blocks SIGTERM, makes 2 malloc(31002), then sends SIGINT to
 * its process group as a terminal's ^C would; SIGINT ends it. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	sigset_t s;
	void *volatile p, *volatile q;

	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	p = malloc(31002);
	q = malloc(31002);
	(void)p;
	(void)q;
	kill(0, SIGINT);
	for (;;)
		pause();
}
