// Counts calls to malloc, calloc, realloc and the aligned allocators, and the bytes live on the heap (as
// malloc_usable_size reports them) and live allocations (each costs malloc another 8-byte header), for
// redirect-bench's `click` and `memory` figures: LD_PRELOAD=.build-bench/malloc-count.so redirect-bench click. The
// bench reads them through dlsym("malloc_count_calls") and dlsym("malloc_count_live_bytes")
// and dlsym("malloc_count_live_allocations"). Build: cc -O2 -shared -fPIC -o .build-bench/malloc-count.so bench/malloc-count.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <malloc.h>
#include <stdatomic.h>

static atomic_ulong calls;
static atomic_long live;
static atomic_long live_count;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

unsigned long malloc_count_calls(void) { return atomic_load(&calls); }
long malloc_count_live_bytes(void) { return atomic_load(&live); }
long malloc_count_live_allocations(void) { return atomic_load(&live_count); }

static void *counted(void *p) {
    if (p) {
        atomic_fetch_add_explicit(&live, (long)malloc_usable_size(p), memory_order_relaxed);
        atomic_fetch_add_explicit(&live_count, 1, memory_order_relaxed);
    }
    return p;
}

// dlsym may call calloc before real_calloc is known: serve that from a small static arena.
static char arena[4096];
static size_t arena_used;

void *malloc(size_t n) {
    if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    return counted(real_malloc(n));
}

void *calloc(size_t a, size_t b) {
    if (!real_calloc) {
        static int resolving;
        if (resolving) {
            void *p = arena + arena_used;
            arena_used += (a * b + 15) & ~(size_t)15;
            return p;
        }
        resolving = 1;
        real_calloc = dlsym(RTLD_NEXT, "calloc");
        resolving = 0;
    }
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    return counted(real_calloc(a, b));
}

void *realloc(void *p, size_t n) {
    if (!real_realloc) real_realloc = dlsym(RTLD_NEXT, "realloc");
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    if (p) {
        atomic_fetch_sub_explicit(&live, (long)malloc_usable_size(p), memory_order_relaxed);
        atomic_fetch_sub_explicit(&live_count, 1, memory_order_relaxed);
    }
    return counted(real_realloc(p, n));
}

int posix_memalign(void **p, size_t alignment, size_t n) {
    if (!real_posix_memalign) real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    int rc = real_posix_memalign(p, alignment, n);
    if (rc == 0) counted(*p);
    return rc;
}

void *aligned_alloc(size_t alignment, size_t n) {
    if (!real_aligned_alloc) real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    return counted(real_aligned_alloc(alignment, n));
}

void free(void *p) {
    static void (*real_free)(void *);
    if ((char *)p >= arena && (char *)p < arena + sizeof arena) return;
    if (!real_free) real_free = dlsym(RTLD_NEXT, "free");
    if (p) {
        atomic_fetch_sub_explicit(&live, (long)malloc_usable_size(p), memory_order_relaxed);
        atomic_fetch_sub_explicit(&live_count, 1, memory_order_relaxed);
    }
    real_free(p);
}
