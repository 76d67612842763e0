#include "BulletinVipsShim.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <vips/vips.h>

/// Loader options: stop on truncated files and decoding errors, but not on the benign warnings that many real
/// files trigger (`fail=TRUE` means fail_on=warning, which refuses a JPEG for stray bytes between markers).
#define BV_LOAD_OPTIONS "fail_on=error"

static pthread_once_t bv_once = PTHREAD_ONCE_INIT;
static int bv_init_result = -1;

/// Drops libvips' warnings: what matters comes back as an error, and the rest would only clutter the output.
static void bv_ignore_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain, (void)level, (void)message, (void)data;
}

static void bv_start(void) {
    if (VIPS_INIT("bulletin") != 0) return;
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, bv_ignore_log, NULL);
    vips_block_untrusted_set(TRUE);
    /* The cache keys buffer loads by address, which a later call may reuse for other bytes. */
    vips_cache_set_max(0);
    /* Callers process many images in parallel already; more threads per image would only add memory. */
    if (!g_getenv("VIPS_CONCURRENCY")) vips_concurrency_set(1);
    bv_init_result = 0;
}

int bv_init(void) {
    pthread_once(&bv_once, bv_start);
    return bv_init_result;
}

void bv_set_concurrency(int threads) { vips_concurrency_set(threads < 1 ? 1 : threads); }

char *bv_error_copy(void) { return vips_error_buffer_copy(); }

void bv_error_clear(void) { vips_error_clear(); }

void bv_free(void *buffer) { g_free(buffer); }

const char *bv_find_loader(const void *data, size_t length) {
    const char *name = vips_foreign_find_load_buffer(data, length);
    if (!name) return NULL;
    GType type = g_type_from_name(name);
    return type ? vips_nickname_find(type) : NULL;
}

bv_image *bv_load(const void *data, size_t length, int sequential) {
    return vips_image_new_from_buffer(data, length, BV_LOAD_OPTIONS, "access",
                                      sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM, NULL);
}

void bv_unref(bv_image *image) {
    if (image) g_object_unref(image);
}

int bv_width(bv_image *image) { return vips_image_get_width(image); }

int bv_height(bv_image *image) { return vips_image_get_height(image); }

int bv_bands(bv_image *image) { return vips_image_get_bands(image); }

int bv_orientation(bv_image *image) { return vips_image_get_orientation(image); }

int bv_orientation_swaps(bv_image *image) { return vips_image_get_orientation_swap(image) ? 1 : 0; }

const char *bv_loader(bv_image *image) {
    const char *loader = NULL;
    if (vips_image_get_typeof(image, VIPS_META_LOADER) == 0) return NULL;
    if (vips_image_get_string(image, VIPS_META_LOADER, &loader) != 0) return NULL;
    return loader;
}

int bv_has_field(bv_image *image, const char *name) { return vips_image_get_typeof(image, name) != 0; }

int bv_point(bv_image *image, int x, int y, double *values, int capacity) {
    double *vector = NULL;
    int count = 0;
    if (vips_getpoint(image, &vector, &count, x, y, NULL) != 0) return -1;
    for (int i = 0; i < count && i < capacity; i++) values[i] = vector[i];
    g_free(vector);
    return count;
}

bv_image *bv_thumbnail(const void *data, size_t length, int width) {
    VipsImage *thumbnail = NULL;
    /* A height no image reaches, so that only the width constrains; SIZE_DOWN never enlarges. */
    if (vips_thumbnail_buffer((void *)data, length, &thumbnail, width, "height", VIPS_MAX_COORD, "size",
                              VIPS_SIZE_DOWN, "option_string", BV_LOAD_OPTIONS, NULL) != 0)
        return NULL;
    /* Decode once into memory: each variant is encoded twice, and a sequential load reads only once. */
    VipsImage *memory = vips_image_copy_memory(thumbnail);
    g_object_unref(thumbnail);
    return memory;
}

bv_image *bv_shrink(bv_image *image, int width) {
    VipsImage *copy = NULL, *thumbnail = NULL;
    if (vips_copy(image, &copy, NULL) != 0) return NULL;
    /* Already upright and in sRGB: keep thumbnail from rotating or colour-converting it again. */
    vips_image_remove(copy, VIPS_META_ICC_NAME);
    vips_image_remove(copy, VIPS_META_ORIENTATION);
    int failed = vips_thumbnail_image(copy, &thumbnail, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, NULL);
    g_object_unref(copy);
    if (failed) return NULL;
    VipsImage *memory = vips_image_copy_memory(thumbnail);
    g_object_unref(thumbnail);
    return memory;
}

static uint32_t bv_le32(const unsigned char *bytes) {
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

/// Removes the EXIF, XMP and ICC chunks from the WebP file in `data`, in place, and clears their flags in the
/// VP8X header. libvips 8.14.0 and 8.14.1 ignore `strip` in webpsave (libvips issue 3340) and always write
/// at least a rebuilt EXIF block. 0 on success, -1 when the file is not laid out as a WebP file must be.
static int bv_webp_strip(unsigned char *data, size_t *length) {
    if (*length < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WEBP", 4) != 0) return -1;
    size_t in = 12, out = 12;
    unsigned char *vp8x = NULL;
    while (in < *length) {
        if (*length - in < 8) return -1;
        uint32_t size = bv_le32(data + in + 4);
        size_t chunk = 8 + (size_t)size + (size & 1);
        if (chunk > *length - in) return -1;
        int metadata = memcmp(data + in, "EXIF", 4) == 0 || memcmp(data + in, "XMP ", 4) == 0 ||
                       memcmp(data + in, "ICCP", 4) == 0;
        if (!metadata) {
            memmove(data + out, data + in, chunk);
            if (memcmp(data + out, "VP8X", 4) == 0 && size >= 1) vp8x = data + out;
            out += chunk;
        }
        in += chunk;
    }
    /* VP8X flags: ICC 0x20, alpha 0x10, EXIF 0x08, XMP 0x04, animation 0x02. */
    if (vp8x) vp8x[8] &= (unsigned char)~(0x20 | 0x08 | 0x04);
    uint32_t riff = (uint32_t)(out - 8);
    for (int i = 0; i < 4; i++) data[4 + i] = (unsigned char)(riff >> (8 * i));
    *length = out;
    return 0;
}

int bv_save(bv_image *image, bv_format format, void **buffer, size_t *length) {
    *buffer = NULL;
    *length = 0;
    switch (format) {
    case BV_FORMAT_JPEG:
        return vips_jpegsave_buffer(image, buffer, length, "Q", 82, "optimize_coding", TRUE, "interlace", TRUE,
                                    "strip", TRUE, NULL);
    case BV_FORMAT_PNG:
        return vips_pngsave_buffer(image, buffer, length, "bitdepth", 8, "strip", TRUE, NULL);
    case BV_FORMAT_WEBP:
        if (vips_webpsave_buffer(image, buffer, length, "Q", 80, "strip", TRUE, NULL) != 0) return -1;
        if (bv_webp_strip(*buffer, length) == 0) return 0;
        g_free(*buffer);
        *buffer = NULL;
        *length = 0;
        vips_error("bulletin", "%s", "webpsave wrote an unexpected file layout");
        return -1;
    case BV_FORMAT_GIF:
        return vips_gifsave_buffer(image, buffer, length, "strip", TRUE, NULL);
    }
    vips_error("bulletin", "unknown output format %d", (int)format);
    return -1;
}
