#pragma once

namespace segd::service {

/// Tunes glibc malloc for batch processing: every batch allocates and frees megabytes (deltas,
/// write batches, encoded states), and by default glibc hands that memory back to the kernel
/// after each batch (large blocks are mmapped, the heap top is trimmed), so the next batch pays
/// a page fault for every page again. Keeps blocks up to 64 MiB on the heap and up to 256 MiB of
/// free heap before trimming. Call once at the start of main(). In a program that links tcmalloc
/// (segd and segctl by default, see cmake/segd_module.cmake) `mallopt` is tcmalloc's, which
/// ignores both: tcmalloc keeps freed memory in its own caches and returns it gradually.
void tune_allocator_for_batches();

}  // namespace segd::service
