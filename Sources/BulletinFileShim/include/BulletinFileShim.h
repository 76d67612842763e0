#ifndef BULLETIN_FILE_SHIM_H
#define BULLETIN_FILE_SHIM_H

/// Swaps the two paths atomically with Linux's renameat2(RENAME_EXCHANGE), which glibc declares only under
/// _GNU_SOURCE (hidden from Swift's Glibc module). 0 on success, -1 with errno set otherwise.
int bulletin_exchange_paths(const char *first, const char *second);

#endif
