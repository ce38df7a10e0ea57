/*
 * The FastCGI server of the C baselines c-responder.c and c-ceiling.c: libfcgi with redirectd's threading
 * (N threads, each calling FCGX_Accept_r on the one listening socket, no accept mutex, kept-alive connections
 * honoured). Each program only says what a thread keeps and what a request gets.
 */
#ifndef BENCH_C_FASTCGI_H
#define BENCH_C_FASTCGI_H

#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Called on each worker thread: once with request NULL, to set up *state, then for every request. */
typedef void (*fastcgi_handler)(FCGX_Request *request, void **state);

static int fastcgi_listen_fd;
static fastcgi_handler fastcgi_handle;

static void *fastcgi_worker(void *unused) {
    (void)unused;
    FCGX_Request request;
    void *state = NULL;
    fastcgi_handle(NULL, &state);
    FCGX_InitRequest(&request, fastcgi_listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        fastcgi_handle(&request, &state);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

/* Listens on the unix socket `path` and serves with `threads` threads until killed; returns 1 if it cannot. */
static int fastcgi_serve(const char *program, const char *path, int threads, fastcgi_handler handle) {
    signal(SIGPIPE, SIG_IGN);
    FCGX_Init();
    signal(SIGTERM, SIG_DFL); /* libfcgi's handler would only set a flag: a bench must be able to stop us */
    fastcgi_listen_fd = FCGX_OpenSocket(path, 1024);
    if (fastcgi_listen_fd < 0) {
        fprintf(stderr, "%s: cannot listen on %s\n", program, path);
        return 1;
    }
    chmod(path, 0666);
    fastcgi_handle = handle;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    if (!ids) abort();
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], &attr, fastcgi_worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}

#endif
