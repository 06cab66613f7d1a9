#ifndef DOCGATE_CCRYPTOSHIMS_H
#define DOCGATE_CCRYPTOSHIMS_H

#include <stddef.h>
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/bio.h>
#include <openssl/ocsp.h>

/* Wrappers for the OpenSSL macros Swift cannot call (TOOLCHAIN.md §3.2) and the engine set-up. No logic. */

/* Loads the GOST engine of libengine-gost-openssl from `path` (or from OpenSSL's engine directory when NULL)
 * and makes it the default for every method it provides. Returns 1 on success, 0 when it cannot be loaded. */
int docgate_load_gost_engine(const char *path);

void docgate_openssl_free(void *ptr);

STACK_OF(X509) *docgate_x509_stack_new(void);
/* Takes a new reference to `cert`. Returns 1 on success. */
int docgate_x509_stack_push(STACK_OF(X509) *stack, X509 *cert);
void docgate_x509_stack_free(STACK_OF(X509) *stack);
int docgate_x509_stack_count(const STACK_OF(X509) *stack);
X509 *docgate_x509_stack_get(const STACK_OF(X509) *stack, int index);

/* The name in RFC 2253 order with UTF-8 kept as UTF-8 (not escaped), into a memory BIO. Returns length or -1. */
int docgate_print_name(BIO *bio, const X509_NAME *name);
/* The bytes a memory BIO holds. */
long docgate_bio_mem_data(BIO *bio, char **data);

/* OCSP (ocsp.c). The first OCSP responder address (id-ad-ocsp) of the certificate's Authority Information Access,
 * copied into `buffer`: 1 when found, 0 when there is none, -1 when it does not fit. */
int docgate_ocsp_aia_url(X509 *cert, char *buffer, size_t size);

#define DOCGATE_HTTP_OK 0
#define DOCGATE_HTTP_BAD_URL (-1)
#define DOCGATE_HTTP_FAILED (-2)
#define DOCGATE_HTTP_TOO_LARGE (-3)
/* POSTs `body` to an http:// URL (https is refused: DOCGATE_HTTP_BAD_URL) with a deadline of `timeout` seconds for
 * the whole exchange (connect, send, receive), no proxy and no redirect, and expects an ASN.1 body of at most
 * `max_length` bytes. On DOCGATE_HTTP_OK, `*out` holds the body (free it with docgate_openssl_free); otherwise the
 * reason is on this thread's OpenSSL error queue. SIGPIPE is blocked on the calling thread during the exchange. */
int docgate_http_post(const char *url, const unsigned char *body, size_t body_length, const char *content_type,
                      int timeout, size_t max_length, unsigned char **out, size_t *out_length);

#endif
