#include "service/common/allocator.h"

#include <malloc.h>

namespace segd::service {

void tune_allocator_for_batches() {
  // Setting either turns off glibc's dynamic thresholds, which would otherwise keep raising and
  // trimming with each batch. Failure (another libc) just leaves the defaults.
  static_cast<void>(mallopt(M_MMAP_THRESHOLD, 64 << 20));
  static_cast<void>(mallopt(M_TRIM_THRESHOLD, 256 << 20));
}

}  // namespace segd::service
