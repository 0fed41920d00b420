/*
 * linux_pingpong: the /init of the Linux baseline initramfs of `make bench`.
 *
 * Measures with rdtsc (under QEMU `-icount shift=0` the guest TSC counts
 * executed instructions) the Linux counterparts of the Helix figures:
 *   getppid               null syscall
 *   pipe_same_cpu         1-byte pipe ping-pong round trip, 2 processes, 1 CPU
 *   futex_same_cpu        futex ping-pong round trip, 2 processes (shared
 *                         page, FUTEX_WAIT/FUTEX_WAKE), 1 CPU
 *   sched_yield_same_cpu  sched_yield ping-pong, 2 processes, 1 CPU
 *                         (one iteration = 2 yields = 2 context switches)
 *   pipe_cross_cpu, futex_cross_cpu   the same with the partner on CPU 1
 * The kernel boots with `maxcpus=1` (bringing CPU 1 up during boot hangs
 * under -icount); /init mounts sysfs and brings the other CPUs online
 * through /sys/devices/system/cpu/cpuN/online before measuring.
 * Each figure: ROUNDS rounds of ITERS iterations (after one warm-up round);
 * a round's value is its mean cycles per iteration; the line reports the
 * median and the minimum over the rounds, in the helix-ktest protocol:
 *   HELIX-KTEST BENCH linux_<name> <median> <min> <rounds> cycles
 * then powers the machine off. Built `gcc -static -O2` by helix-runner.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITERS 2000
#define ROUNDS 11
#define TOTAL ((ROUNDS + 1) * ITERS)

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        printf("linux_pingpong: sched_setaffinity(%d) failed\n", cpu);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, uint64_t *rounds) {
    qsort(rounds, ROUNDS, sizeof rounds[0], cmp_u64);
    printf("HELIX-KTEST BENCH linux_%s %llu %llu %d cycles\n", name,
           (unsigned long long)rounds[ROUNDS / 2], (unsigned long long)rounds[0], ROUNDS);
    fflush(stdout);
}

static void die(const char *what) {
    printf("linux_pingpong: %s failed\n", what);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    _exit(1);
}

static long futex(volatile int *addr, int op, int val) {
    return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void bench_getppid(void) {
    uint64_t r[ROUNDS];
    for (int round = -1; round < ROUNDS; round++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < ITERS; i++)
            syscall(SYS_getppid);
        uint64_t t = (rdtsc() - t0) / ITERS;
        if (round >= 0)
            r[round] = t;
    }
    report("getppid", r);
}

static void bench_pipe(const char *name, int child_cpu) {
    int ab[2], ba[2];
    if (pipe(ab) || pipe(ba))
        die("pipe");
    pin(0);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        pin(child_cpu);
        char c;
        for (int i = 0; i < TOTAL; i++) {
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    uint64_t r[ROUNDS];
    char c = 'x';
    for (int round = -1; round < ROUNDS; round++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < ITERS; i++) {
            if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
                die("pipe ping-pong");
        }
        uint64_t t = (rdtsc() - t0) / ITERS;
        if (round >= 0)
            r[round] = t;
    }
    waitpid(pid, NULL, 0);
    close(ab[0]), close(ab[1]), close(ba[0]), close(ba[1]);
    report(name, r);
}

/* word: 0 = the parent's turn, 1 = the child's turn. */
static void bench_futex(const char *name, int child_cpu) {
    volatile int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED)
        die("mmap");
    *word = 0;
    pin(0);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        pin(child_cpu);
        for (int i = 0; i < TOTAL; i++) {
            while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 1)
                futex(word, FUTEX_WAIT, 0);
            __atomic_store_n(word, 0, __ATOMIC_RELEASE);
            futex(word, FUTEX_WAKE, 1);
        }
        _exit(0);
    }
    uint64_t r[ROUNDS];
    for (int round = -1; round < ROUNDS; round++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < ITERS; i++) {
            __atomic_store_n(word, 1, __ATOMIC_RELEASE);
            futex(word, FUTEX_WAKE, 1);
            while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 0)
                futex(word, FUTEX_WAIT, 1);
        }
        uint64_t t = (rdtsc() - t0) / ITERS;
        if (round >= 0)
            r[round] = t;
    }
    waitpid(pid, NULL, 0);
    munmap((void *)word, 4096);
    report(name, r);
}

static void bench_yield(void) {
    volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (stop == MAP_FAILED)
        die("mmap");
    *stop = 0;
    pin(0);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE))
            sched_yield();
        _exit(0);
    }
    uint64_t r[ROUNDS];
    for (int round = -1; round < ROUNDS; round++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < ITERS; i++)
            sched_yield();
        uint64_t t = (rdtsc() - t0) / ITERS;
        if (round >= 0)
            r[round] = t;
    }
    __atomic_store_n(stop, 1, __ATOMIC_RELEASE);
    waitpid(pid, NULL, 0);
    munmap((void *)stop, 4096);
    report("sched_yield_same_cpu", r);
}

/* Bring CPUs 1..7 online (those that exist); returns the online count. */
static long online_cpus(void) {
    mkdir("/sys", 0755);
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0)
        printf("linux_pingpong: mount sysfs failed\n");
    for (int cpu = 1; cpu < 8; cpu++) {
        char path[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/online", cpu);
        int fd = open(path, O_WRONLY);
        if (fd < 0)
            break;
        if (write(fd, "1", 1) != 1)
            printf("linux_pingpong: bringing CPU %d online failed\n", cpu);
        close(fd);
    }
    return sysconf(_SC_NPROCESSORS_ONLN);
}

int main(void) {
    int fd = open("/dev/console", O_RDWR);
    if (fd >= 0 && fd != 1) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    long cpus = online_cpus();
    printf("linux_pingpong: %d iterations x %d rounds (+1 warm-up), %ld CPUs online\n", ITERS,
           ROUNDS, cpus);
    bench_getppid();
    bench_pipe("pipe_same_cpu", 0);
    bench_futex("futex_same_cpu", 0);
    bench_yield();
    if (cpus > 1) {
        bench_pipe("pipe_cross_cpu", 1);
        bench_futex("futex_cross_cpu", 1);
    }
    printf("linux_pingpong: done\n");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
