#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include "cxmlshims.h"

void docgate_xml_free(void *ptr) {
    xmlFree(ptr);
}

static void docgate_drop_generic(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

void docgate_xml_silence_generic_errors(void) {
    xmlThrDefSetGenericErrorFunc(NULL, docgate_drop_generic);
    xmlSetGenericErrorFunc(NULL, docgate_drop_generic);
}

void *docgate_xml_current_structured_context(void) {
    return xmlStructuredErrorContext;
}

void *docgate_xml_current_structured_handler(void) {
    return (void *)xmlStructuredError;
}
