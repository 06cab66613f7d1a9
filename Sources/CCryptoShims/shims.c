#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include "ccryptoshims.h"

int docgate_load_gost_engine(const char *path) {
    ENGINE *e = NULL;
    if (path != NULL) {
        e = ENGINE_by_id("dynamic");
        if (e == NULL) return 0;
        if (!ENGINE_ctrl_cmd_string(e, "SO_PATH", path, 0) || !ENGINE_ctrl_cmd_string(e, "ID", "gost", 0)
            || !ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0)) {
            ENGINE_free(e);
            ERR_clear_error();
            return 0;
        }
    } else {
        e = ENGINE_by_id("gost");
        if (e == NULL) {
            ERR_clear_error();
            return 0;
        }
    }
    if (!ENGINE_init(e)) {
        ENGINE_free(e);
        ERR_clear_error();
        return 0;
    }
    int ok = ENGINE_set_default(e, ENGINE_METHOD_ALL);
    /* The functional reference from ENGINE_init keeps the engine alive for the process. */
    ENGINE_free(e);
    ERR_clear_error();
    return ok ? 1 : 0;
}

void docgate_openssl_free(void *ptr) {
    OPENSSL_free(ptr);
}

STACK_OF(X509) *docgate_x509_stack_new(void) {
    return sk_X509_new_null();
}

int docgate_x509_stack_push(STACK_OF(X509) *stack, X509 *cert) {
    if (!X509_up_ref(cert)) return 0;
    if (sk_X509_push(stack, cert) <= 0) {
        X509_free(cert);
        return 0;
    }
    return 1;
}

void docgate_x509_stack_free(STACK_OF(X509) *stack) {
    sk_X509_pop_free(stack, X509_free);
}

int docgate_x509_stack_count(const STACK_OF(X509) *stack) {
    return sk_X509_num(stack);
}

X509 *docgate_x509_stack_get(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}

int docgate_print_name(BIO *bio, const X509_NAME *name) {
    return X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
}

long docgate_bio_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}
