/*
 * sigalloc.c - a signal handler that allocates.
 *
 * Known answer (one process, one thread): main makes 20 x malloc(51000);
 * after each one it raises SIGUSR1, whose handler (running on an alternate
 * signal stack) makes 1 x malloc(51001): 20 in all, each with the function
 * on_signal in its stack.  Nothing is freed.  Exit status 0.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"

static volatile sig_atomic_t handled;

__attribute__((noinline)) static void on_signal(int sig)
{
	(void)sig;
	keep(malloc(opaque_size(51001)));
	handled++;
}

int main(void)
{
	static char altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	if (sigaltstack(&ss, NULL))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	for (int i = 0; i < 20; i++) {
		keep(malloc(opaque_size(51000)));
		raise(SIGUSR1);
	}
	return handled == 20 ? 0 : 1;
}
