/*
 * c-ceiling: the ceiling of any FastCGI responder behind bench/run's nginx — libfcgi, the same threading as
 * c-responder.c and redirectd (N threads, each calling FCGX_Accept_r on the one listening socket, no accept
 * mutex, kept-alive connections honoured), answering every request with the same fixed 302 and doing
 * nothing else: no parameters read, no file, no event line, no spool.
 *
 *   cc -O2 -o c-ceiling bench/c-ceiling.c -lfcgi -lpthread
 *   c-ceiling <socket-path> <threads>
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The bytes c-responder.c sends for the benchmark's redirect (bench/benchlib.py's WELCOME_TOML). */
static const char response[] = "Status: 302 Found\r\nLocation: https://www.example.com/welcome\r\n"
                               "Cache-Control: private, no-store\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Content-Length: 0\r\n\r\n";

static int listen_fd;

static void *worker(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, (int)sizeof response - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <socket-path> <threads>\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);
    FCGX_Init();
    signal(SIGTERM, SIG_DFL); /* libfcgi's handler would only set a flag: a bench must be able to stop us */
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) {
        fprintf(stderr, "c-ceiling: cannot listen on %s\n", argv[1]);
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
