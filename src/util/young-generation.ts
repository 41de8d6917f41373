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

/** The node flag giving a process's main thread that young generation. */
export const YOUNG_GENERATION_NODE_FLAG = `--max-semi-space-size=${SEMI_SPACE_MIB}`;

/** The young generation of a worker thread (its resourceLimits): V8 makes semi-spaces of a third of it. */
export const YOUNG_GENERATION_MIB = 3 * SEMI_SPACE_MIB;
