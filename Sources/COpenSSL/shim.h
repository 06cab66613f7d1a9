/* OpenSSL 3 for Swift. Only #includes here (TOOLCHAIN.md §1, §3); wrappers for macros live in CCryptoShims.
 * The engine API is deprecated in OpenSSL 3 but is the only route to GOST keys on Debian 12 (TOOLCHAIN.md
 * §3.1); the define keeps its declarations free of deprecation warnings. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
