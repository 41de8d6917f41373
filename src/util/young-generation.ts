/**
 * The young generation of every thread that runs simulations: runs allocate many short-lived objects (a model copy per
 * PPM run, per-run arrays), and with semi-spaces of 32 MiB (node's default stops at 16) fewer of them live long enough
 * to be copied twice and promoted, so the scavenges and the old generation's mark-compacts fall (notebook 06's grid
 * in one thread: scavenges 108 -> 53, mark-compacts 1-3 -> 0-1; DEVELOPERS.md, "Parallel sweeps and notebooks").
 * Costs at most 64 MiB more memory per thread. Sweep workers get it as a resource limit, the notebooks' kernels and
 * the CLI (the bin's shebang) as a node flag: V8 sizes a thread's heap when the thread starts, so it cannot be set
 * later.
 */
export const SEMI_SPACE_MIB = 32;

/**
 * Where V8 sets a thread's first old-generation allocation limit: twice a semi-space. V8 starts marking once the old
 * generation's headroom (limit minus size) is below the new space's capacity, and the limit it set after collecting
 * 8 MB of live data left 23 MB, under the 32 MiB of our semi-spaces, so every mark-compact armed the next: `sweep
 * accuracy` in one thread made 15-16 a sweep, `whatif` 23-24, `push` 15-18; with this 4-5, 2 and 4, for at most 10-20
 * MB more peak RSS (DEVELOPERS.md, "Parallel sweeps and notebooks", session 32). A V8 flag holds for every isolate of
 * the process, so the workers of a process started with it get it too.
 */
export const OLD_GENERATION_START_MIB = 2 * SEMI_SPACE_MIB;

/** The node flags giving a process's threads that heap (the bin's shebang, the kernel's command line). */
export const HEAP_NODE_FLAGS = [
  `--max-semi-space-size=${SEMI_SPACE_MIB}`,
  `--initial-old-space-size=${OLD_GENERATION_START_MIB}`,
] as const;

/** The young generation of a worker thread (its resourceLimits): V8 makes semi-spaces of a third of it. */
export const YOUNG_GENERATION_MIB = 3 * SEMI_SPACE_MIB;
