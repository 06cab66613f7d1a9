#ifndef DOCGATE_CCRYPTOSHIMS_H
#define DOCGATE_CCRYPTOSHIMS_H

#include <stddef.h>
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/bio.h>

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

#endif
