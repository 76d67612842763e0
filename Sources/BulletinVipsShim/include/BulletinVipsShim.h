#ifndef BULLETIN_VIPS_SHIM_H
#define BULLETIN_VIPS_SHIM_H

#include <stddef.h>

/// Non-variadic wrappers around the libvips calls BulletinImages needs (Swift cannot call variadic C).
/// Every function that fails leaves its message for `bv_error_copy`.

/// A libvips image (`VipsImage`), opaque here so that importers need not see the libvips headers.
typedef struct _VipsImage bv_image;

/// The encoders a variant can be written with.
typedef enum {
    BV_FORMAT_JPEG = 0,
    BV_FORMAT_PNG = 1,
    BV_FORMAT_WEBP = 2,
    BV_FORMAT_GIF = 3,
} bv_format;

/// Starts libvips once per process (thread-safe); 0 on success. Untrusted loaders (ImageMagick and the
/// like) are blocked, the operation cache is off, and each pipeline gets one worker thread unless the
/// `VIPS_CONCURRENCY` environment variable says otherwise.
int bv_init(void);

/// Sets the worker threads libvips uses per pipeline (at least 1).
void bv_set_concurrency(int threads);

/// The libvips error messages so far, cleared; free the result with `bv_free`. libvips keeps one buffer for the
/// whole process, so messages from other threads can appear here too.
char *bv_error_copy(void);

/// Forgets the libvips error messages so far (loaders leave their warnings there even when they succeed).
void bv_error_clear(void);

/// Frees a buffer returned by this shim (`g_free`).
void bv_free(void *buffer);

/// The nickname of the loader that recognises `data` ("jpegload_buffer"), by its magic bytes alone;
/// NULL when none does. The string is static.
const char *bv_find_loader(const void *data, size_t length);

/// The image in `data`, read lazily: only the header is parsed until pixels are asked for. `data` must
/// outlive the image. Loads fail on truncation and decoding errors. NULL on failure.
bv_image *bv_load(const void *data, size_t length, int sequential);

/// Releases an image (`g_object_unref`); NULL is ignored.
void bv_unref(bv_image *image);

int bv_width(bv_image *image);
int bv_height(bv_image *image);
int bv_bands(bv_image *image);

/// The EXIF orientation (1 to 8; 1 when absent).
int bv_orientation(bv_image *image);

/// Whether the orientation turns the image by 90 or 270 degrees, swapping width and height.
int bv_orientation_swaps(bv_image *image);

/// The nickname of the loader that read the image ("jpegload_buffer"), or NULL. Owned by the image.
const char *bv_loader(bv_image *image);

/// Whether the image carries the metadata field `name` ("exif-data", "icc-profile-data").
int bv_has_field(bv_image *image, const char *name);

/// The band values of the pixel at (`x`, `y`) into `values` (at most `capacity`); the number of bands, or
/// -1 on failure. Reads pixels: use an image loaded with random access.
int bv_point(bv_image *image, int x, int y, double *values, int capacity);

/// The image in `data` decoded, turned upright by its EXIF orientation, converted to sRGB when it carries an
/// ICC profile, and shrunk to `width` pixels wide keeping its aspect ratio (never enlarged), held in memory.
/// Animated images give their first frame. `data` is only needed during the call. NULL on failure.
bv_image *bv_thumbnail(const void *data, size_t length, int width);

/// `image` (made by `bv_thumbnail`) shrunk to `width` pixels wide keeping its aspect ratio (never enlarged), held
/// in memory. Cheaper than `bv_thumbnail` for a second, smaller size: nothing is decoded again. NULL on failure.
bv_image *bv_shrink(bv_image *image, int width);

/// `image` encoded as `format` into a new buffer (free it with `bv_free`), with all metadata stripped
/// (EXIF, XMP, IPTC, ICC). 0 on success.
int bv_save(bv_image *image, bv_format format, void **buffer, size_t *length);

#endif
