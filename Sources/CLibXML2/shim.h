/* libxml2 for Swift. Only #includes here: edits to a system-library header are not tracked by incremental
 * builds (see TOOLCHAIN.md §1); wrappers live in the CShims target. */
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU; its <unicode/ucnv.h> clashes with Foundation's _FoundationICU on clean
 * builds. The macro only changes the tail of xmlCharEncodingHandler, which Swift never dereferences. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/c14n.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlIO.h>
#include <libxml/encoding.h>
#include <libxml/xmlsave.h>
#include <libxml/globals.h>
