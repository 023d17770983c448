#ifndef PHASECAST_CZLIB_SHIM_H
#define PHASECAST_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 and deflateInit2 are macros that pass the library version and struct size.
static inline int phasecast_inflate_init2(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}

static inline int phasecast_deflate_init2(z_stream *stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
#endif
