/*
 * c-ceiling: the ceiling of any FastCGI responder behind bench/run's nginx — libfcgi, the same threading as
 * c-responder.c and redirectd (c-fastcgi.h), answering every request with the same fixed 302 and doing
 * nothing else: no parameters read, no file, no event line, no spool.
 *
 *   cc -O2 -o c-ceiling bench/c-ceiling.c -lfcgi -lpthread
 *   c-ceiling <socket-path> <threads>
 */
#include "c-fastcgi.h"

/* The bytes c-responder.c sends for the benchmark's redirect (bench/benchlib.py's WELCOME_TOML). */
static const char response[] = "Status: 302 Found\r\nLocation: https://www.example.com/welcome\r\n"
                               "Cache-Control: private, no-store\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Content-Length: 0\r\n\r\n";

static void answer(FCGX_Request *request, void **state) {
    (void)state;
    if (request) FCGX_PutStr(response, (int)sizeof response - 1, request->out);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <socket-path> <threads>\n", argv[0]);
        return 2;
    }
    return fastcgi_serve("c-ceiling", argv[1], atoi(argv[2]), answer);
}
