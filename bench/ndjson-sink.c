/*
 * A sink that discards, for bench/import-bench: HTTP/1.1 on 127.0.0.1, keep-alive, one thread per connection.
 * Every request body (Content-Length) is read in full and dropped; the answer is 204. `Expect: 100-continue`
 * gets its 100 first. Fast enough that the client, not the sink, is what a benchmark measures.
 *
 *     ndjson-sink PORT-FILE     binds a free port and writes its number to PORT-FILE
 *
 * On SIGTERM it prints "requests N, body bytes B" to stderr and exits.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_SIZE (1 << 20)

static atomic_llong requests, body_bytes;

static int send_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t n = send(fd, text, length, MSG_NOSIGNAL);
        if (n <= 0) return -1;
        text += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Finds header `name` (case-insensitive) in the header block; returns its value or NULL. */
static const char *header(const char *block, const char *name) {
    size_t length = strlen(name);
    for (const char *line = strstr(block, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, length) == 0 && start[length] == ':') {
            start += length + 1;
            while (*start == ' ' || *start == '\t') start++;
            return start;
        }
    }
    return NULL;
}

static void *serve(void *argument) {
    int fd = (int)(intptr_t)argument;
    char *buffer = malloc(BUFFER_SIZE + 1);
    size_t have = 0;
    if (!buffer) goto done;
    for (;;) {
        char *end;
        buffer[have] = 0;
        while (!(end = strstr(buffer, "\r\n\r\n"))) {
            if (have == BUFFER_SIZE) goto done;
            ssize_t n = recv(fd, buffer + have, BUFFER_SIZE - have, 0);
            if (n <= 0) goto done;
            have += (size_t)n;
            buffer[have] = 0;
        }
        size_t header_length = (size_t)(end - buffer) + 4;
        end[2] = 0; /* the header block ends at the last header's CRLF */
        const char *value = header(buffer, "Content-Length");
        long long length = value ? atoll(value) : 0;
        const char *expect = header(buffer, "Expect");
        if (expect && strncasecmp(expect, "100-continue", 12) == 0) {
            if (send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0) goto done;
        }
        size_t buffered = have - header_length;
        if ((long long)buffered >= length) {
            memmove(buffer, buffer + header_length + length, buffered - (size_t)length);
            have = buffered - (size_t)length;
        } else {
            long long left = length - (long long)buffered;
            have = 0;
            while (left > 0) {
                ssize_t n = recv(fd, buffer, left < BUFFER_SIZE ? (size_t)left : BUFFER_SIZE, 0);
                if (n <= 0) goto done;
                left -= n;
            }
        }
        atomic_fetch_add(&requests, 1);
        atomic_fetch_add(&body_bytes, length);
        static const char answer[] = "HTTP/1.1 204 No Content\r\n\r\n";
        if (send_all(fd, answer, sizeof answer - 1) != 0) goto done;
    }
done:
    free(buffer);
    close(fd);
    return NULL;
}

static void report(int signal_number) {
    (void)signal_number;
    fprintf(stderr, "requests %lld, body bytes %lld\n", atomic_load(&requests), atomic_load(&body_bytes));
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ndjson-sink PORT-FILE\n");
        return 2;
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTERM, report);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 64) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &size) != 0) {
        perror("ndjson-sink");
        return 1;
    }
    char temporary[4096];
    snprintf(temporary, sizeof temporary, "%s.tmp", argv[1]);
    FILE *file = fopen(temporary, "w");
    if (!file) {
        perror(temporary);
        return 1;
    }
    fprintf(file, "%d", ntohs(address.sin_port));
    fclose(file);
    rename(temporary, argv[1]);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve, (void *)(intptr_t)fd) == 0) {
            pthread_detach(thread);
        } else {
            close(fd);
        }
    }
}
