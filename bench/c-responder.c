/*
 * c-responder: the C baseline for bench/run — a minimal FastCGI responder on libfcgi doing the work of
 * one click (see c-common.h), with the same threading model as redirectd: N threads, each calling
 * FCGX_Accept_r on the one listening socket, no accept mutex, kept-alive connections honoured.
 *
 *   cc -O2 -o c-responder bench/c-responder.c -lfcgi -lpthread
 *   c-responder <socket-path> <threads> <redirects-dir> <spool-dir>
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>

#include "c-common.h"

static int listen_fd;
static const char *redirects_dir, *spool_dir;

static const char *fcgi_param(const char *name, void *ctx) { return FCGX_GetParam(name, *(FCGX_ParamArray *)ctx); }

static void *worker(void *unused) {
    (void)unused;
    FCGX_Request request;
    struct spool spool;
    struct rng rng;
    struct buf line = {0}, out = {0};
    spool_init(&spool, spool_dir);
    rng_seed(&rng);
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        handle_click(fcgi_param, &request.envp, redirects_dir, &spool, &rng, &line, &out);
        FCGX_PutStr(out.p, (int)out.n, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <socket-path> <threads> <redirects-dir> <spool-dir>\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[2]);
    redirects_dir = argv[3];
    spool_dir = argv[4];
    signal(SIGPIPE, SIG_IGN);
    FCGX_Init();
    signal(SIGTERM, SIG_DFL); /* libfcgi's handler would only set a flag: a bench must be able to stop us */
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) {
        fprintf(stderr, "c-responder: cannot listen on %s\n", argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], &attr, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
