/*
 * ring.h - the memory shared between libmprec.so (in the app) and mprec.
 *
 * Each recorded process owns one region: a memfd that libmprec creates,
 * maps, and hands to mprec over mprec's control socket.  The region holds a
 * header, an array of thread slots, and per slot a byte ring plus the
 * thread's private stack cache.  A thread owns one slot; it appends records
 * to its ring and publishes each with one release store of `head`.  mprec is
 * the only reader: it copies [tail, head) out and releases the space with a
 * store of `tail`.  See collector/README.md for the protocol and the
 * ordering argument.
 *
 * The records here are the in-memory transport encoding, private to the
 * collector; mprec converts them into trace records (formats/mptrace.h).
 * Both sides run on the same machine and the same build, so fields are in
 * native byte order.
 */
#ifndef MPREC_RING_H
#define MPREC_RING_H

#include <stdint.h>

#define MPR_MAGIC 0x3152504du /* "MPR1" */
#define MPR_VERSION 4

#define MPR_SLOTS 1024		  /* threads alive at once, per process */
#define MPR_RING_SIZE (1u << 20)  /* bytes of one thread's ring */
#define MPR_CACHE_ENTRIES 4096	  /* stack hashes a thread remembers */
#define MPR_HDR_SIZE (256u << 10) /* region header + slot array */
#define MPR_UC_ENTRIES 256	  /* unwound stacks a thread remembers */
#define MPR_UC_DEPTH 64		  /* frames of a remembered stack, at most */
#define MPR_SLOT_AREA                            \
	(MPR_RING_SIZE + MPR_CACHE_ENTRIES * 8 + \
	 MPR_UC_ENTRIES * sizeof(struct mpr_ucache))
/*
 * A region of n slots.  The library takes MPR_SLOTS (about 1.2 GiB of
 * address space, only touched pages cost memory), and fewer when the
 * address space is limited (`ulimit -v`): max_slots in the header.
 */
#define MPR_REGION_BYTES(n) \
	((uint64_t)MPR_HDR_SIZE + (uint64_t)(n)*MPR_SLOT_AREA)
#define MPR_REGION_SIZE MPR_REGION_BYTES(MPR_SLOTS)

/* Longest record the app ever writes (a stack of MPR_DEPTH_MAX frames). */
#define MPR_DEPTH_MAX 1024
#define MPR_REC_MAX (8192 + 8 * MPR_DEPTH_MAX)

/* Slot states. */
enum {
	MPR_SLOT_FREE = 0,
	MPR_SLOT_USED = 1,
	MPR_SLOT_ENDED = 2, /* thread gone; mprec frees it once drained */
};

/*
 * The app's own per-thread memo of unwound stacks (mprec never reads it):
 * where each return address of a stack sat on the thread's stack, so the
 * same call chain is recognised by comparing those words, without unwinding.
 */
struct mpr_ucache {
	uint64_t slot0; /* stack address of the innermost return address */
	uint64_t ret0;	/* ... and its value */
	uint64_t hash;	/* the stack's hash (as sent to mprec) */
	uint32_t n;	/* frames; 0: empty */
	uint32_t pad;
	uint32_t off[MPR_UC_DEPTH];   /* slot of frame i, bytes above slot0 */
	uint64_t frame[MPR_UC_DEPTH]; /* return address of frame i */
};

struct mpr_slot {
	/* Written by the app thread. */
	_Atomic uint64_t head; /* bytes ever published */
	_Atomic uint32_t state;
	uint32_t tid;
	_Atomic uint64_t inflight; /* start time of a realloc in progress */
	uint64_t pthread;	   /* pthread_t of the owner */
	_Atomic uint32_t waiting;  /* the thread waits for room (futex) */
	_Atomic uint32_t wseq;	   /* futex word: mprec bumps it, then wakes */
	uint64_t pad0[3];
	/* Written by mprec, on its own cache line. */
	_Atomic uint64_t tail; /* bytes ever consumed */
	uint64_t pad1[7];
};

struct mpr_region {
	uint32_t magic;
	uint32_t version;
	uint32_t pid;
	uint32_t region_size_mb;
	_Atomic uint32_t nslot;	      /* slots ever handed out */
	_Atomic uint32_t disabled;    /* mprec gave up: stop recording */
	_Atomic uint64_t lost;	      /* events dropped (no slot, disabled) */
	_Atomic uint32_t exit_called; /* exit()/_exit() was called ... */
	_Atomic int32_t exit_code;    /* ... with this status */
	uint32_t max_slots;	      /* slots in this region, <= MPR_SLOTS */
	_Atomic uint32_t forks;	      /* forks begun by the process ... */
	_Atomic uint32_t forks_acked; /* ... and children mprec took in */
	uint32_t pad1;
	uint64_t pad[56];
	struct mpr_slot slot[MPR_SLOTS];
};

_Static_assert(sizeof(struct mpr_slot) == 128, "slot layout");
_Static_assert(sizeof(struct mpr_region) <= MPR_HDR_SIZE, "header size");

static inline char *mpr_ring(void *region, unsigned i)
{
	return (char *)region + MPR_HDR_SIZE + (uint64_t)i * MPR_SLOT_AREA;
}

static inline uint64_t *mpr_cache(void *region, unsigned i)
{
	return (uint64_t *)(mpr_ring(region, i) + MPR_RING_SIZE);
}

static inline struct mpr_ucache *mpr_ucache(void *region, unsigned i)
{
	return (struct mpr_ucache *)(mpr_ring(region, i) + MPR_RING_SIZE +
				     MPR_CACHE_ENTRIES * 8);
}

/* Transport record types. */
enum mpr_type {
	MPR_ALLOC = 1,
	MPR_FREE,
	MPR_MMAP,
	MPR_MUNMAP,
	MPR_MREMAP,
	MPR_BRK,
	MPR_THREAD_START,
	MPR_THREAD_NAME,
	MPR_THREAD_END,
	MPR_MODULE_LOAD,
	MPR_MODULE_UNLOAD,
	MPR_MARKER, /* aux: trace record type (MARKER, SPAN_*, TAG_PUSH) */
	MPR_TAG_POP,
	MPR_LOST,
	MPR_CHILD,	/* the thread reaped a child: struct mpr_child */
	MPR_STREAM_TID, /* a thread's second slot: struct mpr_child, pid=tid */
	MPR_TYPE_MAX_
};

/*
 * Every record starts with this header; `len` counts the whole record and is
 * a multiple of 8, so records stay 8-byte aligned in the ring (they may wrap
 * around its end).
 */
struct mpr_hdr {
	uint16_t type;
	uint16_t aux; /* enum mpt_func for ALLOC/FREE */
	uint32_t len;
	uint64_t time; /* CLOCK_MONOTONIC, ns */
};

/*
 * A call stack, at the end of records that carry one.  nframe is 0 for no
 * stack, MPR_STACK_REF when the thread sent the same frames earlier (mprec
 * knows them by hash), otherwise the frames follow, innermost first.
 */
#define MPR_STACK_REF 0xffffffffu
struct mpr_stack {
	uint64_t hash;
	uint32_t nframe;
	uint32_t pad;
	/* uint64_t frame[nframe]; */
};

struct mpr_alloc {
	struct mpr_hdr h;
	uint32_t flags; /* enum mpt_alloc_flags */
	uint32_t pad;
	uint64_t size, addr, align, old_addr;
	struct mpr_stack st;
};

struct mpr_free {
	struct mpr_hdr h;
	uint64_t addr;
};

struct mpr_mmap {
	struct mpr_hdr h;
	uint64_t addr, len, offset;
	uint32_t prot, flags;
	int32_t fd;
	uint32_t pad;
	struct mpr_stack st;
};

struct mpr_munmap {
	struct mpr_hdr h;
	uint64_t addr, len;
	struct mpr_stack st;
};

struct mpr_mremap {
	struct mpr_hdr h;
	uint64_t old_addr, old_len, new_addr, new_len;
	uint32_t flags, pad;
	struct mpr_stack st;
};

struct mpr_brk {
	struct mpr_hdr h;
	uint64_t old_end, new_end;
	struct mpr_stack st;
};

struct mpr_thread_start {
	struct mpr_hdr h;
	uint32_t tid, pad;
	uint64_t stack_lo, stack_hi;
};

/* THREAD_NAME, MARKER: a string follows, `slen` bytes, padded to 8. */
struct mpr_str {
	struct mpr_hdr h;
	uint32_t tid; /* THREAD_NAME: the named thread */
	uint32_t slen;
	/* char s[slen]; */
};

/* MODULE_LOAD: path, then build-id bytes, then nseg segments. */
struct mpr_module {
	struct mpr_hdr h;
	uint64_t base;
	uint32_t path_len, bid_len, nseg, pad;
	/* char path[path_len], padded to 8; uint8_t build_id[bid_len],
	 * padded to 8; struct mpr_seg seg[nseg]; */
};

struct mpr_seg {
	uint64_t vaddr, memsz, offset;
	uint64_t flags;
};

struct mpr_module_unload {
	struct mpr_hdr h;
	uint64_t base;
};

struct mpr_child {
	struct mpr_hdr h;
	uint32_t pid;
	int32_t status; /* as waitpid(2) reports it */
};

struct mpr_lost {
	struct mpr_hdr h;
	uint64_t count, reason;
};

/*
 * Control messages on mprec's abstract unix socket (SOCK_SEQPACKET).  A
 * process says HELLO once per image (with the region memfd attached) and
 * EXIT at a normal exit when the leak scan is on; mprec answers each with a
 * struct mpr_ack once it is done with it.
 */
enum mpr_msg_type {
	MPR_MSG_HELLO = 1,
	MPR_MSG_EXIT = 2,
};

enum mpr_origin {
	MPR_ORIGIN_IMAGE = 0, /* a fresh image: the initial program or exec */
	MPR_ORIGIN_FORK = 1,
	MPR_ORIGIN_VFORK = 2,
};

struct mpr_msg {
	uint32_t magic;
	uint32_t type;
	uint32_t pid, ppid, tid;
	uint32_t origin;   /* enum mpr_origin */
	uint32_t flags;	   /* EXIT: MPT_SCAN_* of the process's side */
	uint64_t time;	   /* HELLO: process start; EXIT: when exit began */
	uint64_t sp;	   /* EXIT: stack pointer of the exiting thread */
	uint64_t stack_hi; /* EXIT: top of its stack */
};

struct mpr_ack {
	uint32_t magic;
	uint32_t status; /* 0, or an errno */
};

/* Environment passed from mprec to libmprec. */
#define MPR_ENV_SOCK "MPREC_SOCK" /* abstract socket name */
#define MPR_ENV_OPTS "MPREC_OPTS" /* depth,unwind,sample,follow,scan */

#endif /* MPREC_RING_H */
