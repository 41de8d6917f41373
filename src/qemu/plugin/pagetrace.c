/*
 * QEMU TCG plugin (API version 1, QEMU 7.2): records the guest-physical pages the VM touches, as a
 * postcopy-lab text trace ("ICOUNT PAGE [W]" per line) with comment lines the converter reads:
 *   # clock NS ICOUNT   CLOCK_MONOTONIC time and the instruction count, every 2 ms (a thread of its own)
 *   # end ICOUNT        the instruction count when QEMU exits
 * Data accesses come from memory callbacks (RAM only, not MMIO); code pages from translation (TCG
 * reads a page's code when it first translates it, which on the destination is its first touch).
 * An LRU window of the last `lru` pages drops repeated touches, as the valgrind traces do.
 * Arguments: out=FILE and ram=MIB (the guest's RAM size) required, lru=N (default 64), start=FILE: record
 * nothing (count instructions only, so booting stays fast) until FILE exists, then flush the translations and record.
 * Debian ships no qemu-plugin.h, so the few declarations used are written out below, as in QEMU 7.2's header.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_hwaddr;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op, void *, uint64_t);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *,
                                      void (*)(unsigned int, qemu_plugin_meminfo_t, uint64_t, void *),
                                      enum qemu_plugin_cb_flags, enum qemu_plugin_mem_rw, void *);
struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t, uint64_t);
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *);
uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, void *), void *);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, void (*)(unsigned int, void *), enum qemu_plugin_cb_flags,
                                          void *);
void qemu_plugin_reset(qemu_plugin_id_t, void (*)(qemu_plugin_id_t));

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MAX_LRU 4096
#define CLOCK_EVERY_NS 2000000l

static FILE *out;
static uint64_t icount;              /* guest instructions executed (one vCPU), bumped inline per block */
static uint64_t lru[MAX_LRU];        /* most recent first */
static unsigned lru_size = 64, lru_used;
static volatile int clock_running = 1;
static pthread_t clock_thread;
static uintptr_t ram_host, ram_bytes; /* the guest RAM's host mapping, for code pages */
static bool ram_searched;
static const char *start_file;       /* while set, waiting for it to appear */
static unsigned waits;
static qemu_plugin_id_t self;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* True when `page` was in the window (it moves to the front); false when it entered it. */
static bool lru_touch(uint64_t page) {
  if (lru_used > 0 && lru[0] == page) return true;
  unsigned i = 1;
  while (i < lru_used && lru[i] != page) i++;
  bool hit = i < lru_used;
  if (!hit && lru_used < lru_size) i = lru_used++;
  else if (!hit) i = lru_used - 1;
  memmove(lru + 1, lru, i * sizeof lru[0]);
  lru[0] = page;
  return hit;
}

static void record(uint64_t page, bool write) {
  if (lru_size > 0 && lru_touch(page)) return;
  fprintf(out, write ? "%" PRIu64 " %" PRIu64 " W\n" : "%" PRIu64 " %" PRIu64 "\n", icount, page);
}

/*
 * Clock lines on a timer, whatever the guest does (idle or blocked on a page, it records nothing), so the host can
 * map its own times (migrate, completion) to instruction counts. stdio locks the stream, so lines never mix.
 */
static void *clock_loop(void *arg) {
  (void)arg;
  struct timespec pause = {0, CLOCK_EVERY_NS};
  while (clock_running) {
    nanosleep(&pause, NULL);
    fprintf(out, "# clock %" PRIu64 " %" PRIu64 "\n", now_ns(), *(volatile uint64_t *)&icount);
  }
  return NULL;
}

/*
 * Guest RAM accesses only (the pc.ram block, ram_addr below the RAM size): MMIO, BIOS and ROM pages are not the VM's
 * pages.
 */
static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata) {
  struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
  if (!hw || qemu_plugin_hwaddr_is_io(hw)) return;
  uint64_t addr = qemu_plugin_hwaddr_phys_addr(hw);
  if (addr < ram_bytes) record(addr >> 12, qemu_plugin_mem_is_store(info));
}

/* Finds the guest RAM in our own address space: the anonymous read-write mapping of exactly ram_bytes. */
static void find_ram(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[512];
  uintptr_t start, end;
  while (maps && fgets(line, sizeof line, maps)) {
    if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2 && end - start == ram_bytes && strstr(line, " rw")) {
      ram_host = start;
      break;
    }
  }
  if (maps) fclose(maps);
  fprintf(out, ram_host ? "# ram-found\n" : "# ram-not-found: code pages not recorded\n");
  ram_searched = true;
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata);
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

static void on_reset(qemu_plugin_id_t id) {
  fprintf(out, "# start %" PRIu64 "\n", icount);
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
}

/* While waiting for the start file: look for it every 65536 blocks; once there, reset (flushes every translation). */
static void on_block_waiting(unsigned int vcpu, void *udata) {
  if (!start_file || (++waits & 65535) != 0) return;
  FILE *f = fopen(start_file, "r");
  if (!f) return;
  fclose(f);
  start_file = NULL;
  qemu_plugin_reset(self, on_reset);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  size_t n = qemu_plugin_tb_n_insns(tb);
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &icount, n);
  if (start_file) {
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block_waiting, QEMU_PLUGIN_CB_NO_REGS, NULL);
    return;
  }
  if (!ram_searched) find_ram();
  uint64_t code_page = UINT64_MAX;
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uintptr_t host = (uintptr_t)qemu_plugin_insn_haddr(insn);
    if (ram_host && host >= ram_host && host < ram_host + ram_bytes && (host - ram_host) >> 12 != code_page)
      record(code_page = (host - ram_host) >> 12, false);
    qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
  }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata) {
  (void)id, (void)udata;
  clock_running = 0;
  pthread_join(clock_thread, NULL);
  fprintf(out, "# clock %" PRIu64 " %" PRIu64 "\n# end %" PRIu64 "\n", now_ns(), icount, icount);
  fclose(out);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv) {
  const char *path = NULL;
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0) path = argv[i] + 4;
    else if (strncmp(argv[i], "lru=", 4) == 0) lru_size = (unsigned)atoi(argv[i] + 4);
    else if (strncmp(argv[i], "start=", 6) == 0) start_file = argv[i] + 6;
    else if (strncmp(argv[i], "ram=", 4) == 0) ram_bytes = (uintptr_t)strtoull(argv[i] + 4, 0, 10) << 20;
  }
  if (!path || !ram_bytes || lru_size > MAX_LRU) {
    fprintf(stderr, "pagetrace: need out=FILE, ram=MIB and lru=N <= %d\n", MAX_LRU);
    return -1;
  }
  out = fopen(path, "w");
  if (!out) return -1;
  setvbuf(out, NULL, _IOFBF, 1 << 20);
  self = id;
  fprintf(out, "# page-size: 4096\n# lru %u\n# clock %" PRIu64 " 0\n", lru_size, now_ns());
  if (pthread_create(&clock_thread, NULL, clock_loop, NULL) != 0) return -1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
  return 0;
}
