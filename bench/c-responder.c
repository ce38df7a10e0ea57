/*
 * c-responder: the C baseline for bench/run — a minimal FastCGI responder on libfcgi doing the work of
 * one click (see c-common.h), with the same threading model as redirectd (c-fastcgi.h).
 *
 *   cc -O2 -o c-responder bench/c-responder.c -lfcgi -lpthread
 *   c-responder <socket-path> <threads> <redirects-dir> <spool-dir>
 */
#include "c-common.h"
#include "c-fastcgi.h"

static const char *redirects_dir, *spool_dir;

/* What a thread keeps between requests: its spool file, its random numbers and its buffers. */
struct worker {
    struct spool spool;
    struct rng rng;
    struct buf line, out;
};

static const char *fcgi_param(const char *name, void *ctx) { return FCGX_GetParam(name, *(FCGX_ParamArray *)ctx); }

static void click(FCGX_Request *request, void **state) {
    struct worker *w = *state;
    if (!request) {
        w = calloc(1, sizeof *w);
        if (!w) abort();
        spool_init(&w->spool, spool_dir);
        rng_seed(&w->rng);
        *state = w;
        return;
    }
    handle_click(fcgi_param, &request->envp, redirects_dir, &w->spool, &w->rng, &w->line, &w->out);
    FCGX_PutStr(w->out.p, (int)w->out.n, request->out);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <socket-path> <threads> <redirects-dir> <spool-dir>\n", argv[0]);
        return 2;
    }
    redirects_dir = argv[3];
    spool_dir = argv[4];
    return fastcgi_serve("c-responder", argv[1], atoi(argv[2]), click);
}
