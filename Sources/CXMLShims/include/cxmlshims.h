#ifndef DOCGATE_CXMLSHIMS_H
#define DOCGATE_CXMLSHIMS_H

#include <stddef.h>

/* Wrappers for the few libxml2 symbols Swift cannot use directly (TOOLCHAIN.md §2.6). No logic here. */

/* xmlFree is a global function-pointer variable: not concurrency-safe from Swift. */
void docgate_xml_free(void *ptr);

/* xmlGenericErrorFunc is variadic. Installs a handler that drops generic messages, for this thread and as
 * the default for threads created later, so nothing libxml2 says can reach stderr. */
void docgate_xml_silence_generic_errors(void);

/* The thread's current structured error handler and its context, to restore after a scoped capture. */
void *docgate_xml_current_structured_context(void);
void *docgate_xml_current_structured_handler(void);

#endif
