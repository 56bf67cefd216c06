/**
 * @file runtime.h
 * @brief The runtime: machine topology (hwloc), pinned NUMA-aware thread
 *        pools, the row scheduler, and the choice of executor.
 *
 * Lifecycle: fill a ::realm_runtime_params from realm_runtime_params_default(),
 * change what you need, realm_runtime_create(), run parallel work with
 * realm_runtime_parallel_rows() (or _threads() / _steps()), then
 * realm_runtime_destroy(). A runtime owns its threads; ops and graphs borrow it.
 *
 * Rows are the unit of work. The scheduler cuts @c n_rows into chunks whose
 * starts are multiples of the kernel's @c grain, gives each NUMA node a
 * contiguous share of the chunks in proportion to its threads, and lets the
 * threads of a node claim that share's chunks (each thread first takes its
 * own chunk, then takes the next from the node's counter); a thread whose
 * node is done helps other nodes. Every row is handed to exactly one call,
 * so a kernel that computes each row by itself gives bit-identical output
 * for any thread count and any executor.
 *
 * The thread that calls a parallel function takes part as thread 0. realm
 * never changes that thread's CPU binding: with @c pin, only the threads the
 * runtime runs besides the caller are bound (the pool's workers, or members
 * 1..n-1 of the OpenMP team). A runtime may be used from any thread, one
 * parallel call at a time (concurrent calls on one runtime take turns).
 *
 * Errors follow types.h: a ::realm_status, and realm_last_error() for the
 * sentence. No function here aborts, exits or prints.
 */
#ifndef REALM_RUNTIME_H
#define REALM_RUNTIME_H

#include "realm/ops.h"
#include "realm/repack.h"
#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque runtime handle (threads, topology, scheduler state). */
typedef struct realm_runtime realm_runtime;

/** Who runs the threads of a parallel call. All give the same bits. */
typedef enum realm_executor {
    REALM_EXECUTOR_POOL = 0,   /**< realm's persistent pthreads, spin-then-sleep (default) */
    REALM_EXECUTOR_OPENMP = 1, /**< an OpenMP parallel region, for programs that already use OpenMP */
    REALM_EXECUTOR_SERIAL = 2, /**< the calling thread alone (n_threads must be 0 or 1) */
    REALM_EXECUTOR_COUNT = 3,  /**< number of executors; not an executor */
} realm_executor;

/** How threads and rows relate to NUMA nodes. */
typedef enum realm_numa_policy {
    /** No NUMA awareness: one shared chunk counter for all threads; cores
     *  taken in hwloc's order. */
    REALM_NUMA_NONE = 0,
    /** Threads spread over the nodes round-robin; each node gets a contiguous
     *  row share and its own counter; realm_runtime_place_rows() puts a
     *  matrix's rows in the memory of the node that computes them (default). */
    REALM_NUMA_DISTRIBUTE = 1,
    /** Only the cores of the node the creating thread runs on. */
    REALM_NUMA_ISOLATE = 2,
    REALM_NUMA_COUNT = 3, /**< number of policies; not a policy */
} realm_numa_policy;

/** realm_runtime_params::flags: with pinning, also bind the creating thread
 *  (thread 0) to its PU until realm_runtime_destroy(), which restores its
 *  previous CPU mask when called from that thread. Without it the caller
 *  floats and the scheduler may run it on a pinned worker's CPU, where the
 *  two take turns: measured on a 2-core VM, a 2-thread batch-1 matmul of
 *  295 KB took 14.5 us on average unbound, 10.3 us bound (18.2 us with the
 *  caller forced onto the worker's CPU). Threads the caller starts while
 *  bound inherit its one-CPU mask: an OpenMP team used for the first time
 *  then, for instance, runs all its threads on that CPU. */
#define REALM_RUNTIME_PIN_CALLER 1u

/** Most threads a runtime may have. */
#define REALM_RUNTIME_MAX_THREADS 1024
/** Most steps one realm_runtime_parallel_steps() call may run. */
#define REALM_RUNTIME_MAX_STEPS 8
/** Largest accepted realm_runtime_params::spin_us (one second). */
#define REALM_RUNTIME_MAX_SPIN_US 1000000

/**
 * Parameters of realm_runtime_create(). Always start from
 * realm_runtime_params_default() so fields added later get their defaults.
 */
typedef struct realm_runtime_params {
    /** Number of threads, the caller included. 0 (default): one per physical
     *  core of the usable cores, never SMT siblings; on hybrid CPUs only the
     *  most performant kind of core. A larger count than cores uses SMT
     *  siblings next, then shares cores (oversubscription). */
    int n_threads;
    realm_executor executor; /**< default ::REALM_EXECUTOR_POOL */
    realm_numa_policy numa;  /**< default ::REALM_NUMA_DISTRIBUTE */
    /** Bind each thread except the caller to its own PU with hwloc (default
     *  true). OpenMP team threads belong to the OpenMP runtime and keep the
     *  binding after realm_runtime_destroy(). Not applied, as
     *  realm_runtime_thread_info() reports, when a topology override
     *  describes another machine. */
    bool pin;
    /** Usable CPUs (OS numbering, as in taskset): a list such as "0-3,8", or
     *  an hwloc bitmap string starting with "0x" ("0xff"). NULL (default):
     *  the CPUs the creating thread may run on. Borrowed during create only. */
    const char *cpuset;
    /** Path of an hwloc XML topology to plan for instead of this machine
     *  (lstopo file.xml), for tests and planning: placement, groups and
     *  shares follow it, while the threads run unbound on this machine.
     *  NULL (default): this machine. Borrowed during create only. */
    const char *topology_xml;
    /** hwloc synthetic topology to plan for instead of this machine, such as
     *  "pack:2 numa:2 core:8 pu:2". NULL (default). At most one of
     *  topology_xml and topology_synthetic may be set. */
    const char *topology_synthetic;
    /** Microseconds a waiting pool thread spins before it sleeps in the
     *  kernel (default 100; 0 sleeps at once). When threads outnumber the
     *  usable CPUs the spin yields the CPU on every turn. OpenMP threads
     *  follow OMP_WAIT_POLICY / GOMP_SPINCOUNT instead. */
    int spin_us;
    uint32_t flags; /**< 0 or ::REALM_RUNTIME_PIN_CALLER */
} realm_runtime_params;

/**
 * @brief The default parameters (see each field of ::realm_runtime_params).
 * @return a value; no allocation, cannot fail.
 */
realm_runtime_params realm_runtime_params_default(void);

/**
 * @brief Load the topology, choose cores for the threads, and start them.
 *
 * @param params the parameters; read during the call only.
 * @param[out] out the new runtime, owned by the caller (realm_runtime_destroy());
 *             set to NULL on failure.
 * @return REALM_OK;
 *         REALM_ERR_INVALID_ARG for NULLs, n_threads < 0 or above
 *         ::REALM_RUNTIME_MAX_THREADS, an unknown executor or NUMA policy,
 *         n_threads > 1 with the serial executor, spin_us out of range,
 *         unknown flags, both topology overrides, a malformed cpuset or one
 *         with no usable core, numa isolate when the creating thread's node
 *         has no usable core, a malformed synthetic topology;
 *         REALM_ERR_IO for an unreadable topology file; REALM_ERR_FORMAT for
 *         a topology file hwloc cannot parse; REALM_ERR_UNSUPPORTED when a
 *         thread cannot be bound (e.g. the CPU is outside the process's
 *         cgroup) or started; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_runtime_create(const realm_runtime_params *params, realm_runtime **out);

/**
 * @brief Stop and join the runtime's threads and free it.
 *
 * Must not be called while a parallel call on @p rt is running. NULL is
 * accepted and ignored.
 */
void realm_runtime_destroy(realm_runtime *rt);

/** @brief Threads of @p rt, the caller's thread 0 included (>= 1); 0 for NULL. */
int realm_runtime_n_threads(const realm_runtime *rt);

/** @brief NUMA nodes the threads of @p rt run on (>= 1); 0 for NULL. */
int realm_runtime_n_nodes(const realm_runtime *rt);

/** @brief Distinct physical cores the threads of @p rt run on (>= 1); 0 for NULL. */
int realm_runtime_n_cores(const realm_runtime *rt);

/** @brief The executor @p rt runs with. */
realm_executor realm_runtime_executor(const realm_runtime *rt);

/** Where one thread of a runtime runs. */
typedef struct realm_thread_info {
    int thread; /**< index, 0 = the calling thread */
    int core;   /**< logical index of its core (hwloc L#, 0..cores-1 of the topology) */
    int pu;     /**< OS index of its PU (the CPU number taskset and /proc use) */
    int node;   /**< OS index of its NUMA node; -1 when the topology has none */
    int group;  /**< scheduler group: index of the node share it takes chunks from */
    bool bound; /**< true when realm bound the thread to @c pu (never for thread 0) */
} realm_thread_info;

/**
 * @brief Where thread @p thread of @p rt runs (planned core; bound or not).
 * @param rt the runtime.
 * @param thread index in [0, realm_runtime_n_threads()).
 * @param[out] out written on success.
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs or a thread index
 *         outside [0, n_threads).
 */
realm_status realm_runtime_thread_info(const realm_runtime *rt, int thread, realm_thread_info *out);

/** Size of the machine (or of the topology override) @p rt was planned on. */
typedef struct realm_topology_info {
    int packages;        /**< processor packages (sockets) */
    int nodes;           /**< NUMA nodes */
    int cores;           /**< physical cores */
    int pus;             /**< processing units (hardware threads) */
    int cpu_kinds;       /**< kinds of cores hwloc tells apart (> 1 on hybrid CPUs) */
    int usable_cores;    /**< cores with a PU in the cpuset (and, for isolate, in the node) */
    int default_threads; /**< what n_threads = 0 picks with these params */
    bool this_system;    /**< false for a topology override */
} realm_topology_info;

/**
 * @brief Topology counts behind @p rt.
 * @param rt the runtime.
 * @param[out] out written on success.
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs.
 */
realm_status realm_runtime_topology_info(const realm_runtime *rt, realm_topology_info *out);

/**
 * @brief One line describing @p rt, e.g. "pool, 2 threads on 2 cores of 1
 *        NUMA node (numa distribute, pinned, spin 100 us)".
 * @return a string owned by @p rt, valid until it is destroyed; "" for NULL.
 */
const char *realm_runtime_description(const realm_runtime *rt);

/** Name of an executor: "pool", "openmp", "serial"; "invalid" otherwise. Static. */
const char *realm_executor_name(realm_executor e);

/**
 * @brief Look an executor up by name (case-insensitive).
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs or an unknown name.
 */
realm_status realm_executor_from_name(const char *name, realm_executor *out);

/** Name of a NUMA policy: "none", "distribute", "isolate"; "invalid" otherwise. Static. */
const char *realm_numa_policy_name(realm_numa_policy p);

/**
 * @brief Look a NUMA policy up by name (case-insensitive).
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs or an unknown name.
 */
realm_status realm_numa_policy_from_name(const char *name, realm_numa_policy *out);

/**
 * A kernel over output rows: computes rows [@p r0, @p r1) (r0 a multiple of
 * the grain; r1 too, except at the last row). @p thread in [0, n_threads)
 * says which thread runs it, e.g. to pick per-thread scratch.
 */
typedef void (*realm_rows_fn)(void *ctx, int64_t r0, int64_t r1, int thread);

/** Work run once by every thread: @p thread in [0, @p n_threads). */
typedef void (*realm_threads_fn)(void *ctx, int thread, int n_threads);

/**
 * @brief Parallel for over rows: calls @p fn on chunks that cover [0,
 *        @p n_rows) exactly once, then returns when all are done.
 *
 * @param rt the runtime.
 * @param n_rows rows, >= 0 (0 returns at once).
 * @param grain chunk starts are multiples of it (the kernel's tile height), >= 1.
 * @param fn the kernel; must not call parallel functions of @p rt.
 * @param ctx passed to @p fn.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL rt/fn, n_rows < 0,
 *         grain < 1; REALM_ERR_OVERFLOW when n_rows + grain overflows;
 *         REALM_ERR_STATE when called from inside a parallel call of @p rt.
 */
realm_status realm_runtime_parallel_rows(realm_runtime *rt, int64_t n_rows, int64_t grain, realm_rows_fn fn,
                                         void *ctx);

/**
 * @brief Calls @p fn once on every thread and returns when all are done.
 * @return as realm_runtime_parallel_rows().
 */
realm_status realm_runtime_parallel_threads(realm_runtime *rt, realm_threads_fn fn, void *ctx);

/** realm_parallel_step::flags: chunks are taken only by the threads of the
 *  node that owns them (no stealing), so that first touch by the step
 *  places each share's pages on its node. */
#define REALM_STEP_NODE_LOCAL 1u

/**
 * One step of realm_runtime_parallel_steps(): either a per-thread function
 * or a parallel for over rows (exactly one of the two functions set).
 */
typedef struct realm_parallel_step {
    realm_threads_fn threads_fn; /**< run once per thread, or NULL */
    realm_rows_fn rows_fn;       /**< run over rows, or NULL */
    int64_t n_rows;              /**< rows_fn only: rows, >= 0 */
    int64_t grain;               /**< rows_fn only: chunk alignment, >= 1 */
    uint32_t flags;              /**< 0 or ::REALM_STEP_NODE_LOCAL */
} realm_parallel_step;

/**
 * @brief Runs @p n_steps steps in one parallel region, with a barrier
 *        between steps: a step starts after every thread finished the
 *        previous one.
 *
 * One wake-up for all steps, e.g. a quantized matmul that first quantizes
 * the activations (a threads step, split by columns) and then computes
 * output rows (a rows step).
 * @param rt the runtime.
 * @param steps @p n_steps steps, read during the call.
 * @param n_steps 1..::REALM_RUNTIME_MAX_STEPS.
 * @param ctx passed to every step's function.
 * @return as realm_runtime_parallel_rows(), plus REALM_ERR_INVALID_ARG for
 *         a bad step count, a step with no or two functions, unknown flags.
 */
realm_status realm_runtime_parallel_steps(realm_runtime *rt, const realm_parallel_step *steps, int n_steps,
                                          void *ctx);

/**
 * @brief Rows of a matrix that a scheduler group owns: the share its
 *        threads compute first in a call with the same @p n_rows and @p grain.
 *
 * Groups own contiguous, disjoint shares in group order, covering all rows.
 * @param rt the runtime.
 * @param group a scheduler group (realm_thread_info::group).
 * @param n_rows rows, >= 0.
 * @param grain chunk alignment, >= 1.
 * @param[out] r0 first row of the share.
 * @param[out] r1 one past its last row (r0 == r1: the group owns none).
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs, a group outside
 *         [0, realm_runtime_n_groups()), n_rows < 0, grain < 1.
 */
realm_status realm_runtime_group_rows(const realm_runtime *rt, int group, int64_t n_rows, int64_t grain,
                                      int64_t *r0, int64_t *r1);

/** @brief Scheduler groups of @p rt: one per NUMA node used with distribute, else 1; 0 for NULL. */
int realm_runtime_n_groups(const realm_runtime *rt);

/**
 * @brief Binds the memory of each group's rows of a row-major matrix to that
 *        group's NUMA node (hwloc area membind, migrating pages already
 *        touched), so that the node that computes rows reads them locally.
 *
 * Use the same @p n_rows and @p grain as the parallel calls that read the
 * matrix. A no-op returning REALM_OK when @p rt has one group (one node, or
 * numa none / isolate) or plans for a topology override. Pages that
 * straddle two shares stay where they are.
 * @param rt the runtime.
 * @param base first byte of the matrix (caller-owned memory, e.g. malloc or mmap).
 * @param row_bytes bytes per row, >= 1.
 * @param n_rows rows, >= 0.
 * @param grain the grain of the parallel calls that will read the rows.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, n_rows < 0, grain < 1,
 *         row_bytes 0; REALM_ERR_OVERFLOW when the matrix size overflows;
 *         REALM_ERR_UNSUPPORTED when the OS refuses the binding.
 */
realm_status realm_runtime_place_rows(realm_runtime *rt, void *base, size_t row_bytes, int64_t n_rows,
                                      int64_t grain);

/**
 * @brief realm_matmul_quant() on every thread of @p rt: activations are
 *        quantized once (split by columns), then output rows are split in
 *        chunks aligned to the kernel's tile.
 *
 * Y[b][r] = sum_i dequant(W[r])[i] * X[b][i]. The result is bit-identical
 * for any thread count and executor (each row is computed by one thread with
 * the same arithmetic). Workspace is allocated per call.
 * @param rt the runtime.
 * @param be backend (the naive backend splits rows too).
 * @param wtype type of W: f32, f16 or any of the 12 quantized formats.
 * @param W @p rows rows of @p k elements of @p wtype, back to back.
 * @param rows weight rows (output features), >= 1.
 * @param k row length, a multiple of the block size.
 * @param X activations, f32, [batch][k].
 * @param batch activation rows, >= 1.
 * @param Y output, f32, [batch][rows]; must not overlap W or X.
 * @return as realm_matmul_quant(), plus REALM_ERR_OUT_OF_MEMORY for the
 *         workspace and REALM_ERR_STATE when called from inside a parallel
 *         call of @p rt.
 */
realm_status realm_runtime_matmul_quant(realm_runtime *rt, realm_backend be, realm_type wtype, const void *W,
                                        int64_t rows, int64_t k, const float *X, int64_t batch, float *Y);

/**
 * @brief realm_runtime_matmul_quant() for weights held in layout @p layout
 *        (realm/repack.h): REALM_LAYOUT_ROWS16 weights, made by
 *        realm_repack(), run the interleaved batch-1 kernels; the naive
 *        backend and the GEMM path read them through realm_unpack_rows().
 *        The result equals that of the GGUF weights within float order
 *        (the GEMM path and the naive backend: bit for bit) and is
 *        bit-identical for any thread count.
 * @return as realm_runtime_matmul_quant(); REALM_ERR_INVALID_ARG when
 *         @p wtype has no such layout.
 */
realm_status realm_runtime_matmul_quant_layout(realm_runtime *rt, realm_backend be, realm_type wtype,
                                               realm_layout layout, const void *W, int64_t rows, int64_t k,
                                               const float *X, int64_t batch, float *Y);

#ifdef __cplusplus
}
#endif

#endif /* REALM_RUNTIME_H */
