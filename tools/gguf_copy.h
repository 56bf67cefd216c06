/* Copying GGUF metadata from a file to a writer (make-model --vocab-from, quantize). */
#ifndef REALM_TOOL_GGUF_COPY_H
#define REALM_TOOL_GGUF_COPY_H

#include "realm/gguf.h"

/* Copies key/value pair i of g (any type, arrays included) into w. */
realm_status tool_gguf_copy_kv(realm_gguf_writer *w, const realm_gguf *g, int64_t i);

#endif
