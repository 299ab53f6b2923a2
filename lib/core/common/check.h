#pragma once

#include <cstdio>
#include <cstdlib>

/// CHECK(cond): a broken invariant. Logs the condition and location, then aborts:
/// restarting beats running on corrupt state. Not for bad input (use Result).
#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) [[unlikely]] {                                                       \
      std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)
