/* Test-program helper: prints the process's modules and chosen code addresses
 * for the symbolizer tests. */
#ifndef SYMDUMP_H
#define SYMDUMP_H

#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Output, one item per line:
 *   module <bias> <build-id hex or -> <nseg> (<vaddr> <memsz> <offset>
 * <flags>)* <path> addr ret|pc <address> <label> All numbers in hex.  The path
 * is last because it may hold spaces.
 */

static void symdump_build_id(struct dl_phdr_info *info, FILE *out)
{
	int i, found = 0;

	for (i = 0; i < info->dlpi_phnum && !found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*nh);
			const unsigned char *desc =
				(const unsigned char *)name +
				((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
				unsigned j;

				for (j = 0; j < nh->n_descsz; j++)
					fprintf(out, "%02x", desc[j]);
				found = 1;
				break;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	if (!found)
		fputc('-', out);
}

static int symdump_one(struct dl_phdr_info *info, size_t size, void *data)
{
	FILE *out = (FILE *)data;
	char exe[4096];
	const char *path = info->dlpi_name;
	int i, n = 0;

	(void)size;
	if (!path || !*path) {
		ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (len < 0)
			return 0;
		exe[len] = '\0';
		path = exe;
	}
	for (i = 0; i < info->dlpi_phnum; i++)
		n += info->dlpi_phdr[i].p_type == PT_LOAD;
	fprintf(out, "module %lx ", (unsigned long)info->dlpi_addr);
	symdump_build_id(info, out);
	fprintf(out, " %x", n);
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD)
			fprintf(out, " %lx %lx %lx %x",
				(unsigned long)ph->p_vaddr,
				(unsigned long)ph->p_memsz,
				(unsigned long)ph->p_offset, ph->p_flags);
	}
	fprintf(out, " %s\n", path);
	return 0;
}

static inline void symdump_modules(void)
{
	dl_iterate_phdr(symdump_one, stdout);
}

static inline void symdump_addr(const char *kind, const void *addr,
				const char *label)
{
	printf("addr %s %lx %s\n", kind, (unsigned long)addr, label);
}

/*
 * An allocation here, so that a recorder captures the stack of this point
 * (the volatile store keeps the compiler from removing the pair).
 */
static inline void symdump_heap(void)
{
	static void *volatile keep;

	keep = malloc(24);
	free(keep);
}

/*
 * The return address of the calling function, i.e. a point in its caller,
 * and an allocation whose recorded stack passes through the same points.
 */
#define SYMDUMP_RET(label)                                        \
	(symdump_addr("ret", __builtin_return_address(0), label), \
	 symdump_heap())

#endif /* SYMDUMP_H */
