#pragma once

namespace segd::service {

/// Tunes the program's heap for batch processing: every batch allocates and frees megabytes
/// (deltas, write batches, encoded states, memtables). Call once at the start of main(), before
/// any other thread starts. Compiled for the heap the program links (segd_program_heap() in
/// cmake/segd_module.cmake):
/// - tcmalloc (segd and segctl by default): the memory tcmalloc takes from the system comes in
///   whole, aligned 2 MiB huge pages advised MADV_HUGEPAGE, so that the kernel backs it with
///   transparent huge pages where allowed: a pinned 1M-event replay took 48k page faults, each
///   a trap into the kernel, and now takes 2.3k, with 9% less CPU (README, "Memory").
/// - glibc malloc: by default glibc hands freed memory back to the kernel after each batch
///   (large blocks are mmapped, the heap top is trimmed), so the next batch pays a page fault for
///   every page again. Keeps blocks up to 64 MiB on the heap and up to 256 MiB of free heap
///   before trimming.
void tune_allocator_for_batches();

}  // namespace segd::service
