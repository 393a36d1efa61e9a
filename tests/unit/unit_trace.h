/*
 * unit_trace.h - helpers the reader tests share: a written trace read back
 * into memory, a trace fed through a pipe, heap records compared.
 * Include after <cmocka.h> and "mptrace.h".
 */
#ifndef MPT_UNIT_TRACE_H
#define MPT_UNIT_TRACE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Finish `w` (writing to `fd`), free it, and return the file's bytes. */
static inline uint8_t *unit_finish_slurp(struct mpt_writer *w, int fd,
					 size_t *len)
{
	uint8_t *buf;

	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	*len = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(*len ? *len : 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

/*
 * A child that writes `buf` into a pipe `chunk` bytes at a time: returns
 * the read end; *pid is the child, for waitpid().
 */
static inline int unit_pipe_feed(const uint8_t *buf, size_t len, size_t chunk,
				 pid_t *pid)
{
	int p[2];
	size_t off;

	assert_int_equal(pipe(p), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		close(p[0]);
		for (off = 0; off < len; off += chunk) {
			size_t k = len - off < chunk ? len - off : chunk;

			if (write(p[1], buf + off, k) != (ssize_t)k)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

/* The fields of ALLOC and FREE records: 1 if `a` is one of those kinds. */
static inline int unit_heap_rec_same(const struct mpt_record *a,
				     const struct mpt_record *b)
{
	switch (a->type) {
	case MPT_REC_ALLOC:
		assert_int_equal(a->u.alloc.func, b->u.alloc.func);
		assert_int_equal(a->u.alloc.flags, b->u.alloc.flags);
		assert_true(a->u.alloc.size == b->u.alloc.size);
		assert_true(a->u.alloc.addr == b->u.alloc.addr);
		assert_true(a->u.alloc.stack == b->u.alloc.stack);
		assert_true(a->u.alloc.align == b->u.alloc.align);
		assert_true(a->u.alloc.old_addr == b->u.alloc.old_addr);
		return 1;
	case MPT_REC_FREE:
		assert_int_equal(a->u.free.func, b->u.free.func);
		assert_true(a->u.free.addr == b->u.free.addr);
		return 1;
	default:
		return 0;
	}
}

#endif /* MPT_UNIT_TRACE_H */
