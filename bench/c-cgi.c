/*
 * c-cgi: the C baseline for redirectd's CGI mode in bench/run — one click (see c-common.h) from the
 * environment, the response on standard output, then exit. Settings from REDIRECTS_DIR and CLICK_LOG_DIR,
 * as redirectd reads them in CGI mode.
 *
 *   cc -O2 -o c-cgi bench/c-cgi.c
 */
#include "c-common.h"

static const char *env_param(const char *name, void *ctx) {
    (void)ctx;
    return getenv(name);
}

int main(void) {
    const char *redirects = getenv("REDIRECTS_DIR"), *spool_dir = getenv("CLICK_LOG_DIR");
    struct spool spool;
    struct rng rng;
    struct buf line = {0}, out = {0};
    spool_init(&spool, spool_dir ? spool_dir : "./clicks");
    rng_seed(&rng);
    handle_click(env_param, NULL, redirects ? redirects : "./redirects.d", &spool, &rng, &line, &out);
    for (size_t off = 0; off < out.n;) {
        ssize_t n = write(1, out.p + off, out.n - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        off += (size_t)n;
    }
    return 0;
}
