/*
 * mprec.h - markers for the mptrace recorder, for programs to include.
 *
 * A program marks points and spans on the recorded timeline and puts its
 * allocations into categories:
 *
 *	mprec_mark("epoch 3");			a point in time
 *	mprec_span_begin("load");		a named span, ended by
 *	mprec_span_end("load");			the same label on the same
 *thread mprec_tag_push("cache");		following allocations of this
 *	mprec_tag_pop();			thread are in category "cache"
 *
 * Labels are copied; at most 4096 bytes of each are kept.  Under mprec(1)
 * each call writes one record for the calling thread.  Without mprec the
 * calls do nothing: the first call of each looks the recorder up once with
 * dlsym(3) (link with -ldl on systems whose libc lacks dlsym) and finds
 * nothing, and the program runs unchanged.  Everything is header-only.
 */
#ifndef MPREC_H
#define MPREC_H

#include <dlfcn.h>  /* dlsym */
#include <string.h> /* memcpy */

#ifdef __cplusplus
extern "C" {
#endif

#ifndef RTLD_DEFAULT
#define RTLD_DEFAULT ((void *)0)
#endif

/* Record types of the trace format (formats/mptrace.h, enum mpt_type). */
#define MPREC_MARKER_ 0x50
#define MPREC_SPAN_BEGIN_ 0x51
#define MPREC_SPAN_END_ 0x52
#define MPREC_TAG_PUSH_ 0x53

typedef void (*mprec_mark_fn_)(const char *label, int type);
typedef void (*mprec_pop_fn_)(void);

/* Look the recorder up once; (void *)-1 caches "absent". */
static inline mprec_mark_fn_ mprec_mark_fn_get_(void)
{
	static void *volatile fn;
	void *f = fn;

	if (!f) {
		f = dlsym(RTLD_DEFAULT, "mprec_rt_mark");
		fn = f ? f : (void *)-1;
	}
	{
		mprec_mark_fn_ r = 0;

		/* No object-to-function pointer cast (ISO C forbids it). */
		if (f != (void *)-1)
			memcpy(&r, &f, sizeof(r));
		return r;
	}
}

static inline mprec_pop_fn_ mprec_pop_fn_get_(void)
{
	static void *volatile fn;
	void *f = fn;

	if (!f) {
		f = dlsym(RTLD_DEFAULT, "mprec_rt_tag_pop");
		fn = f ? f : (void *)-1;
	}
	{
		mprec_pop_fn_ r = 0;

		if (f != (void *)-1)
			memcpy(&r, &f, sizeof(r));
		return r;
	}
}

/* Put a named point on the timeline. */
static inline void mprec_mark(const char *label)
{
	mprec_mark_fn_ f = mprec_mark_fn_get_();

	if (f)
		f(label, MPREC_MARKER_);
}

/* Begin a span; it ends at mprec_span_end() with the same label. */
static inline void mprec_span_begin(const char *label)
{
	mprec_mark_fn_ f = mprec_mark_fn_get_();

	if (f)
		f(label, MPREC_SPAN_BEGIN_);
}

static inline void mprec_span_end(const char *label)
{
	mprec_mark_fn_ f = mprec_mark_fn_get_();

	if (f)
		f(label, MPREC_SPAN_END_);
}

/* Put this thread's following allocations into `category` (tags nest). */
static inline void mprec_tag_push(const char *category)
{
	mprec_mark_fn_ f = mprec_mark_fn_get_();

	if (f)
		f(category, MPREC_TAG_PUSH_);
}

/* End the innermost category of this thread. */
static inline void mprec_tag_pop(void)
{
	mprec_pop_fn_ f = mprec_pop_fn_get_();

	if (f)
		f();
}

#ifdef __cplusplus
}
#endif

#endif /* MPREC_H */
