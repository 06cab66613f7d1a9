#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include "ccryptoshims.h"

int docgate_ocsp_aia_url(X509 *cert, char *buffer, size_t size) {
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
    if (urls == NULL) return 0;
    int found = 0;
    if (sk_OPENSSL_STRING_num(urls) > 0) {
        const char *first = sk_OPENSSL_STRING_value(urls, 0);
        size_t length = first != NULL ? strlen(first) : 0;
        if (length > 0 && length < size) {
            memcpy(buffer, first, length + 1);
            found = 1;
        } else if (length >= size) {
            found = -1;
        }
    }
    X509_email_free(urls);
    return found;
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A non-blocking TCP connection to host:port, made by the deadline (monotonic milliseconds). OpenSSL's own connect
 * (BIO_do_connect_retry) retries a refused connection until the timeout; a responder that refuses is down, so here
 * the next address is tried and then the attempt fails at once. -1 on failure (errno set), -2 when the name does
 * not resolve (the reason on OpenSSL's error queue). Name resolution is the system resolver's and is not bounded
 * by the deadline. */
static int connect_by(const char *host, const char *port, long long deadline) {
    struct addrinfo hints, *found = NULL, *a;
    int fd = -1, saved = ECONNREFUSED;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* An IPv6 literal comes from the URL in brackets ([::1]); the resolver wants it bare. */
    char bare[256];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        host = bare;
    }
    int rc = getaddrinfo(host, port, &hints, &found);
    if (rc != 0 || found == NULL) {
        ERR_raise_data(ERR_LIB_SYS, EHOSTUNREACH, "cannot resolve %s: %s", host, rc != 0 ? gai_strerror(rc) : "no address");
        errno = EHOSTUNREACH;
        return -2;
    }
    for (a = found; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            long long left = deadline - now_ms();
            int ready = 0, error = 0;
            socklen_t length = sizeof error;
            while (left > 0 && (ready = poll(&p, 1, (int)left)) < 0 && errno == EINTR) left = deadline - now_ms();
            if (ready > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0) break;
            saved = ready > 0 ? (error != 0 ? error : ECONNREFUSED) : ETIMEDOUT;
        } else {
            saved = errno;
        }
        close(fd);
        fd = -1;
        if (saved == ETIMEDOUT) break;
    }
    freeaddrinfo(found);
    if (fd < 0) errno = saved;
    return fd;
}

int docgate_http_post(const char *url, const unsigned char *body, size_t body_length, const char *content_type,
                      int timeout, size_t max_length, unsigned char **out, size_t *out_length) {
    *out = NULL;
    *out_length = 0;
    int use_ssl = 0, result = DOCGATE_HTTP_FAILED, was_pending = 0;
    char *host = NULL, *port = NULL, *path = NULL, *query = NULL, *target = NULL, *data = NULL;
    size_t target_length = 0;
    long length = 0;
    BIO *request = NULL, *response = NULL;
    sigset_t pipe_set, previous, pending;
    struct timespec zero = {0, 0};
    BIO *connection = NULL;
    int fd = -1, left = 0;
    long long deadline = now_ms() + (long long)timeout * 1000;
    if (!OSSL_HTTP_parse_url(url, &use_ssl, NULL, &host, &port, NULL, &path, &query, NULL)) return DOCGATE_HTTP_BAD_URL;
    if (use_ssl) {
        result = DOCGATE_HTTP_BAD_URL;
        goto done;
    }
    target_length = strlen(path) + (query != NULL ? strlen(query) + 1 : 0) + 1;
    target = OPENSSL_malloc(target_length);
    if (target == NULL) goto done;
    strcpy(target, path);
    if (query != NULL) {
        strcat(target, "?");
        strcat(target, query);
    }
    request = BIO_new_mem_buf(body, (int)body_length);
    if (request == NULL) goto done;
    fd = connect_by(host, port, deadline);
    if (fd < 0) {
        if (fd == -1) ERR_raise_data(ERR_LIB_SYS, errno, "connect to %s:%s", host, port);
        goto done;
    }
    connection = BIO_new_socket(fd, BIO_CLOSE);
    if (connection == NULL) {
        close(fd);
        goto done;
    }
    /* What is left of the timeout, in whole seconds as OpenSSL counts it (at least one). */
    left = (int)((deadline - now_ms() + 999) / 1000);
    if (left < 1) left = 1;

    /* A peer that closes the connection while the request is written would raise SIGPIPE, whose default action ends
     * the process: blocked on this thread for the exchange, and a SIGPIPE it caused taken off the pending set. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &previous);
    /* Over the connection made above (given as both BIOs, OpenSSL does not connect again): no proxy, no redirects
     * (OSSL_HTTP_transfer follows none), the rest of the deadline for sending and receiving. */
    response = OSSL_HTTP_transfer(NULL, host, port, target, 0, NULL, NULL, connection, connection, NULL, NULL, 0, NULL,
                                  content_type, request, NULL, 1, max_length, left, 0);
    if (!was_pending) {
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            sigtimedwait(&pipe_set, NULL, &zero);
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (response == NULL) goto done;

    length = BIO_get_mem_data(response, &data);
    if (length <= 0 || data == NULL) goto done;
    if ((size_t)length > max_length) {
        result = DOCGATE_HTTP_TOO_LARGE;
        goto done;
    }
    *out = OPENSSL_malloc((size_t)length);
    if (*out == NULL) goto done;
    memcpy(*out, data, (size_t)length);
    *out_length = (size_t)length;
    result = DOCGATE_HTTP_OK;
done:
    BIO_free(response);
    BIO_free(connection);
    BIO_free(request);
    OPENSSL_free(target);
    OPENSSL_free(host);
    OPENSSL_free(port);
    OPENSSL_free(path);
    OPENSSL_free(query);
    return result;
}
