/*
 * Guest workload: walks a share of the guest's RAM forever in one pattern, reading and writing one
 * word per page visit, so the migration finds a working set of known shape.
 *   walk sequential|strided|random|chase SHARE [STRIDE]
 * SHARE is a fraction of MemTotal (0 < SHARE < 1); STRIDE in pages (strided only, default 16).
 * Prints "walk: ready PAGES" once the buffer is filled (every page non-zero), then "walk: pass N".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096
#define WORDS_PER_PAGE (PAGE / sizeof(uint64_t))

static uint64_t mem_total_bytes(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  unsigned long long kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) break;
  if (f) fclose(f);
  return (uint64_t)kb * 1024;
}

static uint64_t next_random(uint64_t *x) { /* xorshift64: fast and fixed, no libc state */
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: walk sequential|strided|random|chase SHARE [STRIDE]\n");
    return 2;
  }
  const char *kind = argv[1];
  if (strcmp(kind, "sequential") && strcmp(kind, "strided") && strcmp(kind, "random") && strcmp(kind, "chase")) {
    fprintf(stderr, "walk: unknown pattern '%s'\n", kind);
    return 2;
  }
  double share = atof(argv[2]);
  uint64_t stride = argc > 3 ? strtoull(argv[3], 0, 10) : 16;
  uint64_t pages = (uint64_t)(share * (double)mem_total_bytes()) / PAGE;
  if (share <= 0 || share >= 1 || pages == 0 || stride == 0) {
    fprintf(stderr, "walk: bad share or stride\n");
    return 2;
  }
  uint64_t *mem = malloc(pages * PAGE);
  if (!mem) {
    fprintf(stderr, "walk: cannot allocate %llu pages\n", (unsigned long long)pages);
    return 1;
  }
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (uint64_t p = 0; p < pages; p++) mem[p * WORDS_PER_PAGE] = p + 1;
  if (strcmp(kind, "chase") == 0) { /* Sattolo: one random cycle through every page */
    for (uint64_t p = 0; p < pages; p++) mem[p * WORDS_PER_PAGE + 1] = p;
    for (uint64_t i = pages - 1; i > 0; i--) {
      uint64_t j = next_random(&seed) % i;
      uint64_t t = mem[i * WORDS_PER_PAGE + 1];
      mem[i * WORDS_PER_PAGE + 1] = mem[j * WORDS_PER_PAGE + 1];
      mem[j * WORDS_PER_PAGE + 1] = t;
    }
  }
  printf("walk: ready %llu\n", (unsigned long long)pages);
  fflush(stdout);
  const int mode = kind[0] == 's' ? (kind[1] == 'e' ? 0 : 1) : kind[0] == 'r' ? 2 : 3;
  uint64_t at = 0;
  for (uint64_t pass = 1;; pass++) {
    for (uint64_t i = 0; i < pages; i++) {
      uint64_t p;
      if (mode == 0) p = i;
      else if (mode == 1) p = ((i * stride) % pages + i * stride / pages) % pages;
      else if (mode == 2) p = next_random(&seed) % pages;
      else p = at = mem[at * WORDS_PER_PAGE + 1];
      mem[p * WORDS_PER_PAGE] += 1;
    }
    printf("walk: pass %llu\n", (unsigned long long)pass);
    fflush(stdout);
  }
}
