/* Symbolizer benchmark: resolves addresses spread over a module's code, cold
 * and then cached. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbolize.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The address range of the module's executable sections. */
static int text_range(const char *path, uint64_t *lo, uint64_t *hi)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	*lo = UINT64_MAX;
	*hi = 0;
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		if (sh.sh_addr < *lo)
			*lo = sh.sh_addr;
		if (sh.sh_addr + sh.sh_size > *hi)
			*hi = sh.sh_addr + sh.sh_size;
	}
	if (e)
		elf_end(e);
	close(fd);
	return *lo < *hi ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mpt_segment seg = { 0, 0, 0, 5 };
	const uint64_t base = 0x7f0000000000ULL;
	struct mpt_symbolizer *s;
	struct mpt_sym_stats st;
	struct mpt_frame *fr;
	uint64_t lo, hi, *addr;
	size_t n, i, step, *start, nframe = 0;
	double t0, t1, t2;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: symbench ELF-FILE [STEP]\n");
		return 2;
	}
	step = argc > 2 ? strtoul(argv[2], NULL, 0) : 64;
	if (!step || text_range(argv[1], &lo, &hi)) {
		fprintf(stderr, "symbench: cannot read '%s'\n", argv[1]);
		return 2;
	}
	n = (hi - lo) / step;
	addr = malloc(n * sizeof(*addr));
	start = malloc((n + 1) * sizeof(*start));
	if (!addr || !start)
		return 2;
	for (i = 0; i < n; i++)
		addr[i] = base + lo + i * step;
	seg.memsz = hi;
	s = mpt_sym_new(NULL);
	if (!s || mpt_sym_add_module(s, 1, 1, argv[1], strlen(argv[1]), NULL, 0,
				     base, &seg, 1, 0))
		return 2;
	t0 = now();
	if (mpt_sym_resolve_batch(s, 1, MPT_SYM_TIME_LATEST, addr, n,
				  MPT_SYM_EXACT, &fr, start))
		return 2;
	t1 = now();
	nframe = start[n];
	free(fr);
	if (mpt_sym_resolve_batch(s, 1, MPT_SYM_TIME_LATEST, addr, n,
				  MPT_SYM_EXACT, &fr, start))
		return 2;
	t2 = now();
	free(fr);
	mpt_sym_get_stats(s, &st);
	printf("# module addresses frames units cold_s cold_us_per_addr cached_s\n");
	printf("%s %zu %zu %llu %.3f %.2f %.3f\n", argv[1], n, nframe,
	       (unsigned long long)st.units_loaded, t1 - t0,
	       (t1 - t0) * 1e6 / (n ? n : 1), t2 - t1);
	mpt_sym_free(s);
	free(addr);
	free(start);
	return 0;
}
