/* prefetch.c - a decoding thread feeding batches of records to the replay. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "prefetch.h"

#define BATCH 4096
#define NBATCH 8
#define RING_BYTES ((size_t)NBATCH * BATCH * sizeof(struct mpt_record))

struct batch {
	struct mpt_record *rec; /* BATCH of them, in the ring's memory */
	size_t n;
	char *arena; /* what the records point to */
	size_t used, cap;
	int status; /* after the last record: 0 end, < 0 error, 1 more */
};

/*
 * The batches are a ring that the two threads pass along with two
 * counters, without a lock while neither has to wait.  A thread that must
 * wait sleeps on a condition variable, saying so in its *_sleeps flag; the
 * other one looks at the flag (sequentially consistent, so one of the two
 * always sees the other) and wakes it.  A thread that sleeps waits for
 * half the ring (free batches for the producer, filled ones for the
 * consumer, or the last one), so that it is woken once per half ring, not
 * once per batch.
 */
struct mpt_prefetch {
	struct mpt_prefetch_cursor cur; /* first: see prefetch.h */
	struct mpt_reader *r;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake_prod, wake_cons;
	atomic_size_t filled; /* batches the producer has filled */
	atomic_size_t freed;  /* batches the consumer has given back */
	atomic_int prod_sleeps, cons_sleeps, stop;
	atomic_size_t cons_want; /* the sleeping consumer waits for this */
	atomic_int prod_done;	 /* the last batch is filled */
	struct batch batch[NBATCH];
	struct mpt_record *ring; /* the records of all batches */
	/* consumer side */
	struct batch *held;
	size_t taken;
	int done;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * `len` bytes of the batch's arena, a copy of `src`; with no arena, only
 * count them and hand back `src` (deep_size() measures that way).
 */
static void *take(struct batch *b, const void *src, size_t len)
{
	char *p = b->arena ? b->arena + b->used : (char *)src;

	if (len && b->arena)
		memcpy(p, src, len);
	b->used += align8(len);
	return p;
}

static void copy_bytes(struct batch *b, struct mpt_bytes *x)
{
	const char *p = take(b, x->ptr, x->len);

	if (b->arena) /* counting never writes to the reader's memory */
		x->ptr = p;
}

static struct mpt_bytes *copy_bytes_array(struct batch *b,
					  const struct mpt_bytes *a, uint32_t n)
{
	struct mpt_bytes *d = take(b, a, (size_t)n * sizeof(*a));
	uint32_t i;

	for (i = 0; i < n; i++)
		copy_bytes(b, &d[i]);
	return d;
}

/* Move what `rec` points to into the batch's arena. */
static void deep_copy(struct batch *b, struct mpt_record *rec)
{
	uint32_t i;

	switch (rec->type) {
	case MPT_REC_HEADER:
		copy_bytes(b, &rec->u.header.host);
		rec->u.header.argv = copy_bytes_array(b, rec->u.header.argv,
						      rec->u.header.argc);
		rec->u.header.opts = copy_bytes_array(b, rec->u.header.opts,
						      rec->u.header.nopts);
		break;
	case MPT_REC_PROCESS_START:
		copy_bytes(b, &rec->u.process_start.path);
		rec->u.process_start.argv =
			copy_bytes_array(b, rec->u.process_start.argv,
					 rec->u.process_start.argc);
		break;
	case MPT_REC_THREAD_NAME:
		copy_bytes(b, &rec->u.thread_name.name);
		break;
	case MPT_REC_MODULE_LOAD:
		copy_bytes(b, &rec->u.module_load.path);
		copy_bytes(b, &rec->u.module_load.build_id);
		rec->u.module_load.seg =
			take(b, rec->u.module_load.seg,
			     (size_t)rec->u.module_load.nseg *
				     sizeof(struct mpt_segment));
		break;
	case MPT_REC_STACK:
		rec->u.stack.frame =
			take(b, rec->u.stack.frame,
			     (size_t)rec->u.stack.nframe * sizeof(uint64_t));
		break;
	case MPT_REC_GPU_DEVICE:
		copy_bytes(b, &rec->u.gpu_device.name);
		break;
	case MPT_REC_COUNTER_DEF:
		copy_bytes(b, &rec->u.counter_def.name);
		copy_bytes(b, &rec->u.counter_def.unit);
		copy_bytes(b, &rec->u.counter_def.reason);
		break;
	case MPT_REC_NUMA_TOPOLOGY: {
		struct mpt_numa_node *nd =
			take(b, rec->u.numa_topology.node,
			     (size_t)rec->u.numa_topology.nnode * sizeof(*nd));

		for (i = 0; i < rec->u.numa_topology.nnode; i++)
			copy_bytes(b, &nd[i].cpus);
		rec->u.numa_topology.node = nd;
		break;
	}
	case MPT_REC_NUMA_SAMPLE:
		rec->u.numa_sample.run =
			take(b, rec->u.numa_sample.run,
			     (size_t)rec->u.numa_sample.nrun *
				     sizeof(struct mpt_numa_run));
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		copy_bytes(b, &rec->u.marker.label);
		break;
	}
}

/* Bytes of arena deep_copy() takes for `rec` (each piece 8-aligned). */
static size_t deep_size(const struct mpt_record *rec)
{
	struct batch count = { 0 };
	struct mpt_record r = *rec;

	deep_copy(&count, &r);
	return count.used;
}

/*
 * Fill one batch.  A record that needs more arena than is left ends the
 * batch before it; it is kept in `pending` for the next one.
 */
static void fill(struct mpt_prefetch *pf, struct batch *b,
		 struct mpt_record *pending, int *have_pending)
{
	int ret;

	b->n = 0;
	b->used = 0;
	b->status = 1;
	while (b->n < BATCH) {
		struct mpt_record *rec = &b->rec[b->n];
		size_t need;

		if (*have_pending) {
			*rec = *pending;
			*have_pending = 0;
		} else {
			ret = mpt_reader_next_batch(pf->r, rec, BATCH - b->n);
			if (ret <= 0) {
				b->status = ret;
				return;
			}
			if (ret > 1) {
				/* A run of events: nothing to copy. */
				b->n += (size_t)ret;
				continue;
			}
		}
		need = deep_size(rec);
		if (need && b->used + need > b->cap) {
			if (b->n) {
				/* Its memory is the reader's until the next
				 * call. */
				*pending = *rec;
				*have_pending = 1;
				return;
			}
			free(b->arena);
			b->cap = need * 2 > 65536 ? need * 2 : 65536;
			b->arena = malloc(b->cap);
			if (!b->arena) {
				b->cap = 0;
				b->status = MPT_E_NOMEM;
				return;
			}
		}
		if (need)
			deep_copy(b, rec);
		b->n++;
	}
}

static void wake_consumer(struct mpt_prefetch *pf)
{
	pthread_mutex_lock(&pf->lock);
	pthread_cond_signal(&pf->wake_cons);
	pthread_mutex_unlock(&pf->lock);
}

static void *producer(void *arg)
{
	struct mpt_prefetch *pf = arg;
	struct mpt_record pending;
	int have_pending = 0;
	size_t filled = 0;

	for (;;) {
		struct batch *b;

		if (filled - atomic_load(&pf->freed) == NBATCH) {
			pthread_mutex_lock(&pf->lock);
			atomic_store(&pf->prod_sleeps, 1);
			while (filled - atomic_load(&pf->freed) > NBATCH / 2 &&
			       !atomic_load(&pf->stop))
				pthread_cond_wait(&pf->wake_prod, &pf->lock);
			atomic_store(&pf->prod_sleeps, 0);
			pthread_mutex_unlock(&pf->lock);
		}
		if (atomic_load(&pf->stop))
			return NULL;
		b = &pf->batch[filled % NBATCH];

		/*
		 * A pending record points into the reader's buffer, which the
		 * next mpt_reader_next() reuses: copy it before reading on.
		 */
		fill(pf, b, &pending, &have_pending);

		atomic_store(&pf->filled, ++filled);
		if (b->status <= 0)
			atomic_store(&pf->prod_done, 1);
		if (atomic_load(&pf->cons_sleeps) &&
		    (b->status <= 0 || filled >= atomic_load(&pf->cons_want)))
			wake_consumer(pf);
		if (b->status <= 0)
			return NULL;
	}
}

struct mpt_prefetch *mpt_prefetch_new(struct mpt_reader *r, int *err)
{
	struct mpt_prefetch *pf = calloc(1, sizeof(*pf));
	sigset_t all, old;
	size_t i;
	int rc;

	if (!pf) {
		*err = MPT_E_NOMEM;
		return NULL;
	}
	pf->r = r;
	/* Decompress on a third thread; alone if it cannot be had. */
	mpt_reader_set_threads(r, 1);
	pf->ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pf->ring == MAP_FAILED) {
		free(pf);
		*err = MPT_E_NOMEM;
		return NULL;
	}
	for (i = 0; i < NBATCH; i++)
		pf->batch[i].rec = pf->ring + i * BATCH;
	pthread_mutex_init(&pf->lock, NULL);
	pthread_cond_init(&pf->wake_prod, NULL);
	pthread_cond_init(&pf->wake_cons, NULL);
	/* Signals are for the caller's thread: the new one blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pf->thread, NULL, producer, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_mutex_destroy(&pf->lock);
		pthread_cond_destroy(&pf->wake_prod);
		pthread_cond_destroy(&pf->wake_cons);
		munmap(pf->ring, RING_BYTES);
		free(pf);
		*err = MPT_E_NOMEM;
		return NULL;
	}
#ifdef MADV_POPULATE_WRITE
	/*
	 * This thread has nothing to do until the first records come: map
	 * the ring in meanwhile (page tables only, no data is touched), from
	 * its far end, which the decoding thread reaches last.  Each page it
	 * gets to first is one page fault fewer there, about a thousand in all.
	 */
	for (i = NBATCH; i-- > 0;)
		(void)madvise(pf->batch[i].rec,
			      BATCH * sizeof(struct mpt_record),
			      MADV_POPULATE_WRITE);
#endif
	return pf;
}

int mpt_prefetch_refill(struct mpt_prefetch *pf, const struct mpt_record **rec)
{
	for (;;) {
		struct batch *b = pf->held;

		if (pf->cur.next < pf->cur.end) {
			*rec = pf->cur.next++;
			return 1;
		}
		if (b) {
			int status = b->status;

			pf->held = NULL;
			if (status <= 0) {
				pf->done = 1;
				return status;
			}
			/* Give the batch back. */
			atomic_store(&pf->freed, pf->taken);
			if (atomic_load(&pf->prod_sleeps) &&
			    atomic_load(&pf->filled) - pf->taken <=
				    NBATCH / 2) {
				pthread_mutex_lock(&pf->lock);
				pthread_cond_signal(&pf->wake_prod);
				pthread_mutex_unlock(&pf->lock);
			}
		}
		if (pf->done)
			return 0;
		if (atomic_load(&pf->filled) == pf->taken) {
			/* The first records as soon as there are some. */
			size_t want = pf->taken + (pf->taken ? NBATCH / 2 : 1);

			pthread_mutex_lock(&pf->lock);
			atomic_store(&pf->cons_want, want);
			atomic_store(&pf->cons_sleeps, 1);
			while (atomic_load(&pf->filled) < want &&
			       !atomic_load(&pf->prod_done))
				pthread_cond_wait(&pf->wake_cons, &pf->lock);
			atomic_store(&pf->cons_sleeps, 0);
			pthread_mutex_unlock(&pf->lock);
		}
		b = &pf->batch[pf->taken++ % NBATCH];
		pf->held = b;
		pf->cur.next = b->rec;
		pf->cur.end = b->rec + b->n;
	}
}

void mpt_prefetch_free(struct mpt_prefetch *pf)
{
	size_t i;

	if (!pf)
		return;
	atomic_store(&pf->stop, 1);
	pthread_mutex_lock(&pf->lock);
	pthread_cond_signal(&pf->wake_prod);
	pthread_mutex_unlock(&pf->lock);
	pthread_join(pf->thread, NULL);
	pthread_mutex_destroy(&pf->lock);
	pthread_cond_destroy(&pf->wake_prod);
	pthread_cond_destroy(&pf->wake_cons);
	for (i = 0; i < NBATCH; i++)
		free(pf->batch[i].arena);
	munmap(pf->ring, RING_BYTES);
	free(pf);
}
