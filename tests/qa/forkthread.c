/*
 * forkthread.c - a process with a second thread, blocked for good, forks;
 * the child exits at once.  The second thread's TLS vector (calloc() in
 * pthread_create) is live in the parent, whose thread control block points
 * one entry in: possibly lost, as memcheck says.  In the child that thread
 * does not exist: its stack is an ended thread's, and the vector is not
 * reported (memcheck has glibc free it; mpleaks suppresses it).
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started;

static void *blocked(void *arg)
{
	pthread_mutex_lock(&mu);
	started = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	for (;;)
		pause();
	return arg;
}

int main(void)
{
	pthread_t t;
	pid_t pid;

	if (pthread_create(&t, NULL, blocked, NULL))
		return 2;
	pthread_mutex_lock(&mu);
	while (!started)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	/* Long enough for the recorder to have seen the thread start. */
	usleep(20000);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		exit(0);
	waitpid(pid, NULL, 0);
	exit(0);
}
