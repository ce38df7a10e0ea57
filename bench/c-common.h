/*
 * The work one click costs, in plain C: the baseline that bench/run and bench/profile set redirectd
 * against. Shared by c-responder.c (FastCGI on libfcgi) and c-cgi.c (CGI under fcgiwrap).
 *
 * Per request it does what redirectd does on its hot path, minimally:
 *   - PATH_INFO "/<id>[/<session>]" -> id (redirectd's id rules) and session;
 *   - open, read and close <redirects>/<id>.toml and take the `url = "..."` line (no TOML parser);
 *   - build the same kind of JSON event line (same fields, every string escaped, a UUIDv7 id);
 *   - append it with one write(2) on an O_APPEND descriptor of <spool>/current/<YYYYMMDDTHHMMSS>.jsonl
 *     (a 60 s bucket; the descriptor is kept per thread until the bucket changes);
 *   - answer 302 with Location and Cache-Control: private, no-store, or 404.
 *
 * It does NOT do redirectd's spool contract (a shared flock and a path/inode check when it starts a bucket
 * file, kept while it writes there; a size check now and then; a torn-end check), caching, defaults,
 * placeholders, privacy switches or bot flags. In the steady state that contract costs redirectd nothing
 * beyond the one write(2), as here. Set C_SPOOL_LOCK=1 in the environment to add redirectd's former
 * per-write contract (flock LOCK_SH, stat, write, flock LOCK_UN), so bench/profile can show what that cost.
 */
#ifndef BENCH_C_COMMON_H
#define BENCH_C_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct buf {
    char *p;
    size_t n, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n) {
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->n + n) cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) abort();
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void buf_puts(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_json(struct buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        buf_put(b, "null", 4);
        return;
    }
    buf_put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char esc[6];
        switch (*c) {
        case '"': buf_put(b, "\\\"", 2); break;
        case '\\': buf_put(b, "\\\\", 2); break;
        case '\n': buf_put(b, "\\n", 2); break;
        case '\r': buf_put(b, "\\r", 2); break;
        case '\t': buf_put(b, "\\t", 2); break;
        default:
            if (*c < 0x20 || *c == 0x7f) {
                esc[0] = '\\', esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[*c >> 4], esc[5] = hex[*c & 15];
                buf_put(b, esc, 6);
            } else {
                buf_put(b, (const char *)c, 1);
            }
        }
    }
    buf_put(b, "\"", 1);
}

/* xoshiro256** per thread, seeded once from getrandom(2), as redirectd's ClickIDGenerator. */
struct rng {
    uint64_t s[4];
};

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(struct rng *r) {
    uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
    return result;
}

static void rng_seed(struct rng *r) {
    if (getrandom(r->s, sizeof r->s, 0) != sizeof r->s) r->s[0] = (uint64_t)time(NULL) | 1;
}

static int is_id_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
        || c == '-';
}

static int is_session_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
        || c == '-' || c == '~';
}

/* Reads <dir>/<id>.toml and copies its `url = "..."` value into url. Returns 0 when found. */
static int read_url(const char *dir, const char *id, char *url, size_t urlcap) {
    char path[4096], text[65536];
    snprintf(path, sizeof path, "%s/%s.toml", dir, id);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = 0;
    for (char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (strncmp(p, "url", 3) != 0) continue;
        p += 3;
        while (*p == ' ' || *p == '\t') p++;
        if (*p++ != '=') continue;
        while (*p == ' ' || *p == '\t') p++;
        if (*p++ != '"') continue;
        char *end = strchr(p, '"');
        if (!end || (size_t)(end - p) >= urlcap) return -1;
        memcpy(url, p, end - p);
        url[end - p] = 0;
        return 0;
    }
    return -1;
}

/* One writer per thread: the open bucket file. */
struct spool {
    const char *dir;
    int fd;
    long bucket;
    char path[4096];
    int lock; /* C_SPOOL_LOCK=1: redirectd's flock + path re-check around the write */
};

static void spool_init(struct spool *s, const char *dir) {
    s->dir = dir;
    s->fd = -1;
    s->bucket = -1;
    const char *lock = getenv("C_SPOOL_LOCK");
    s->lock = lock && *lock == '1';
}

static void spool_append(struct spool *s, const char *line, size_t n, long now_seconds) {
    long bucket = now_seconds - now_seconds % 60;
    if (s->fd < 0 || bucket != s->bucket) {
        if (s->fd >= 0) close(s->fd);
        struct tm tm;
        time_t t = bucket;
        gmtime_r(&t, &tm);
        snprintf(s->path, sizeof s->path, "%s/current/%04d%02d%02dT%02d%02d%02d.jsonl", s->dir, tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        s->fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (s->fd < 0) {
            char cur[4200];
            snprintf(cur, sizeof cur, "%s/current", s->dir);
            mkdir(s->dir, 0755);
            mkdir(cur, 0755);
            s->fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        }
        s->bucket = bucket;
        if (s->fd < 0) return;
    }
    if (s->lock) {
        struct stat st;
        flock(s->fd, LOCK_SH);
        stat(s->path, &st);
    }
    if (write(s->fd, line, n) < 0) perror("c-responder: write");
    if (s->lock) flock(s->fd, LOCK_UN);
}

/* A request's parameters, however the host hands them over. */
typedef const char *(*param_fn)(const char *name, void *ctx);

/* Does one click: returns the CGI response (Status, headers, blank line) in out. */
static void handle_click(param_fn param, void *ctx, const char *redirects, struct spool *spool, struct rng *rng,
                         struct buf *line, struct buf *out) {
    static const char hex[] = "0123456789abcdef";
    const char *method = param("REQUEST_METHOD", ctx);
    const char *path = param("PATH_INFO", ctx);
    if (!method) method = "GET";
    if (!path) path = "";
    out->n = 0;
    line->n = 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        buf_puts(out, "Status: 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n");
        return;
    }

    /* /<id>[/<session>] */
    char id[129] = "", session[257] = "";
    const char *session_status = "absent";
    int have_id = 0;
    if (path[0] == '/') {
        const char *p = path + 1, *slash = strchr(p, '/');
        size_t idlen = slash ? (size_t)(slash - p) : strlen(p);
        if (idlen >= 1 && idlen <= 128 && p[0] != '.' && p[0] != '_') {
            have_id = 1;
            for (size_t i = 0; i < idlen; i++) have_id &= is_id_byte((unsigned char)p[i]);
            if (have_id) memcpy(id, p, idlen), id[idlen] = 0;
        }
        if (have_id && slash) {
            const char *sp = slash + 1;
            size_t slen = strlen(sp);
            if (strchr(sp, '/')) {
                have_id = 0;
            } else if (slen > 0) {
                int ok = slen <= 256;
                for (size_t i = 0; ok && i < slen; i++) ok &= is_session_byte((unsigned char)sp[i]);
                if (ok) memcpy(session, sp, slen), session[slen] = 0, session_status = "valid";
                else session_status = "malformed";
            }
        }
    }

    char url[4096];
    int found = have_id && read_url(redirects, id, url, sizeof url) == 0;

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    uint64_t hi = ((ms & 0xFFFFFFFFFFFFull) << 16) | 0x7000 | (rng_next(rng) & 0x0FFF);
    uint64_t lo = (rng_next(rng) & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
    char uuid[37];
    int k = 0;
    for (int i = 15; i >= 0; i--) {
        uuid[k++] = hex[(hi >> (i * 4)) & 15];
        if (i == 8 || i == 4) uuid[k++] = '-';
    }
    uuid[k++] = '-';
    for (int i = 15; i >= 0; i--) {
        uuid[k++] = hex[(lo >> (i * 4)) & 15];
        if (i == 12) uuid[k++] = '-';
    }
    uuid[k] = 0;
    struct tm tm;
    time_t secs = ts.tv_sec;
    gmtime_r(&secs, &tm);
    char when[96];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));

    const char *query = param("QUERY_STRING", ctx);
    buf_puts(line, "{\"v\":1,\"id\":");
    buf_json(line, uuid);
    buf_puts(line, ",\"time\":");
    buf_json(line, when);
    buf_puts(line, found ? ",\"outcome\":\"redirected\",\"redirect\":" : ",\"outcome\":\"not-found\",\"redirect\":");
    buf_json(line, have_id ? id : NULL);
    buf_puts(line, ",\"session\":");
    buf_json(line, session[0] ? session : NULL);
    buf_puts(line, ",\"session_status\":");
    buf_json(line, session_status);
    buf_puts(line, ",\"session_source\":");
    buf_json(line, session[0] ? "path" : NULL);
    buf_puts(line, ",\"source\":null,\"type\":\"redirect\",\"properties\":{},\"target\":");
    buf_json(line, found ? url : NULL);
    buf_puts(line, found ? ",\"status\":302,\"request\":{\"method\":" : ",\"status\":404,\"request\":{\"method\":");
    buf_json(line, method);
    buf_puts(line, ",\"ip\":");
    buf_json(line, param("REMOTE_ADDR", ctx));
    buf_puts(line, ",\"user_agent\":");
    buf_json(line, param("HTTP_USER_AGENT", ctx));
    buf_puts(line, ",\"referer\":");
    buf_json(line, param("HTTP_REFERER", ctx));
    buf_puts(line, ",\"accept_language\":");
    buf_json(line, param("HTTP_ACCEPT_LANGUAGE", ctx));
    buf_puts(line, ",\"host\":");
    buf_json(line, param("HTTP_HOST", ctx));
    buf_puts(line, ",\"query\":");
    buf_json(line, query ? query : "");
    buf_puts(line, "},\"bot\":null}\n");
    spool_append(spool, line->p, line->n, (long)ts.tv_sec);

    if (found) {
        buf_puts(out, "Status: 302 Found\r\nLocation: ");
        buf_puts(out, url);
        buf_puts(out, "\r\nCache-Control: private, no-store\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "Content-Length: 0\r\n\r\n");
    } else {
        buf_puts(out, "Status: 404 Not Found\r\nCache-Control: private, no-store\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\n");
        if (strcmp(method, "HEAD") != 0) buf_puts(out, "Not Found\n");
    }
}

#endif
