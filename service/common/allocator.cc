#include "service/common/allocator.h"

#if defined(SEGD_TCMALLOC_HEAP)
#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#else
#include <malloc.h>
#endif

namespace segd::service {

#if defined(SEGD_TCMALLOC_HEAP)
namespace {

// x86-64's transparent huge page: 2 MiB.
constexpr size_t kHugePageBytes = size_t{2} << 20;

// tcmalloc's source of memory: its default one (the heap's break, then mmap), asked for whole,
// aligned huge pages and marked MADV_HUGEPAGE, so that the kernel backs them with 2 MiB pages
// where the system allows (transparent_hugepage `always` or `madvise`). tcmalloc calls it with
// its own lock held: it allocates nothing.
class HugePageSystemAllocator final : public SysAllocator {
 public:
  explicit HugePageSystemAllocator(SysAllocator* next) : next_(next) {}

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    const size_t whole = (size + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    if (whole < size) {
      return nullptr;  // Overflowed: too large for any system.
    }
    void* memory = next_->Alloc(whole, actual_size, std::max(alignment, kHugePageBytes));
    if (memory != nullptr) {
      // Only advice: memory the kernel does not back with huge pages works all the same.
      static_cast<void>(madvise(memory, *actual_size, MADV_HUGEPAGE));
    }
    return memory;
  }

 private:
  SysAllocator* next_;
};

}  // namespace

void tune_allocator_for_batches() {
  // Never destroyed: tcmalloc may call it until the process ends.
  static auto* const huge_pages =
      new HugePageSystemAllocator(MallocExtension::instance()->GetSystemAllocator());
  MallocExtension::instance()->SetSystemAllocator(huge_pages);
}
#else
void tune_allocator_for_batches() {
  // Setting either turns off glibc's dynamic thresholds, which would otherwise keep raising and
  // trimming with each batch. Failure (another libc) just leaves the defaults.
  static_cast<void>(mallopt(M_MMAP_THRESHOLD, 64 << 20));
  static_cast<void>(mallopt(M_TRIM_THRESHOLD, 256 << 20));
}
#endif

}  // namespace segd::service
