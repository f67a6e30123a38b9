/*
 * driver.c: runs a libFuzzer harness without libFuzzer, so `make check`
 * exercises every harness with any compiler (and under the sanitizers).
 *
 * Usage: fuzz_X [FILE...]: each FILE is fed as one input; then a fixed number
 * of inputs derived from those files by deterministic mutation (bit flips,
 * truncation, splicing, random bytes) is fed too.  With clang and
 * --enable-fuzzing the same harness links against the real libFuzzer instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DRIVER_MAX_INPUT 4096
#define DRIVER_ROUNDS 20000

static uint64_t driver_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
driver_rand(void)
{
	driver_state ^= driver_state << 13;
	driver_state ^= driver_state >> 7;
	driver_state ^= driver_state << 17;
	return (uint32_t)(driver_state >> 11);
}

int
main(int argc, char **argv)
{
	static uint8_t seeds[64][DRIVER_MAX_INPUT];
	static size_t seedlen[64];
	uint8_t buf[DRIVER_MAX_INPUT];
	int nseeds = 0, i;
	long rounds = DRIVER_ROUNDS;
	const char *env = getenv("FUZZ_ROUNDS");

	if (env != NULL)
		rounds = strtol(env, NULL, 10);
	for (i = 1; i < argc && nseeds < 64; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		seedlen[nseeds] = fread(seeds[nseeds], 1, DRIVER_MAX_INPUT, f);
		fclose(f);
		LLVMFuzzerTestOneInput(seeds[nseeds], seedlen[nseeds]);
		nseeds++;
	}
	for (long r = 0; r < rounds; r++) {
		size_t len;
		if (nseeds > 0 && driver_rand() % 8 != 0) {
			int s = driver_rand() % nseeds;
			len = seedlen[s];
			memcpy(buf, seeds[s], len);
			int edits = 1 + driver_rand() % 4;
			for (int e = 0; e < edits && len > 0; e++) {
				switch (driver_rand() % 4) {
				case 0:
					buf[driver_rand() % len] ^= 1u << (driver_rand() % 8);
					break;
				case 1:
					buf[driver_rand() % len] = (uint8_t)driver_rand();
					break;
				case 2:
					len = driver_rand() % (len + 1);
					break;
				default: {
					int o = driver_rand() % nseeds;
					size_t at = driver_rand() % (len + 1);
					size_t n = seedlen[o] - (driver_rand() % (seedlen[o] + 1));
					if (at + n > DRIVER_MAX_INPUT)
						n = DRIVER_MAX_INPUT - at;
					memcpy(buf + at, seeds[o] + (seedlen[o] - n), n);
					len = at + n;
				}
				}
			}
		} else {
			len = driver_rand() % 256;
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)driver_rand();
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("%s: %d seed(s), %ld generated inputs, no crash\n", argv[0], nseeds, rounds);
	return 0;
}
