#include "core/models/model_snapshot.h"

#include <cmath>
#include <string>

namespace segd::core::models {
namespace {

bool positive(double v) { return std::isfinite(v) && v > 0.0; }

bool cuts_ok(const QuintileCuts& cuts) {
  for (size_t i = 0; i < cuts.size(); ++i) {
    if (!std::isfinite(cuts[i]) || (i > 0 && cuts[i] < cuts[i - 1])) {
      return false;
    }
  }
  return true;
}

Result<void> invalid(const std::string& what) { return fail("invalid_model", what); }

Result<void> validate_clusters(const ModelSnapshot& s) {
  const size_t d = s.standardizer.mean.size();
  if (d == 0 || s.standardizer.scale.size() != d) {
    return invalid("standardizer: mean and scale must have one non-zero dimension");
  }
  for (size_t i = 0; i < d; ++i) {
    if (!std::isfinite(s.standardizer.mean[i]) || !positive(s.standardizer.scale[i])) {
      return invalid("standardizer: non-finite mean or non-positive scale");
    }
  }
  if (s.centroids.empty() || s.centroid_weights.size() != s.centroids.size()) {
    return invalid("centroids: need k >= 1 centroids and k weights");
  }
  for (size_t j = 0; j < s.centroids.size(); ++j) {
    if (s.centroids[j].size() != d) {
      return invalid("centroids: dimension differs from the standardizer's");
    }
    for (const double v : s.centroids[j]) {
      if (!std::isfinite(v)) {
        return invalid("centroids: non-finite value");
      }
    }
    if (!std::isfinite(s.centroid_weights[j]) || s.centroid_weights[j] < 0.0) {
      return invalid("centroids: weights must be finite and >= 0");
    }
  }
  return {};
}

}  // namespace

double days_per_unit(TimeUnit unit) { return unit == TimeUnit::kWeek ? 7.0 : 1.0; }

Result<void> validate_snapshot(const ModelSnapshot& s) {
  if (s.version < 1) {
    return invalid("version must be >= 1");
  }
  const BgNbdParams& b = s.bgnbd;
  if (!positive(b.r) || !positive(b.alpha) || !positive(b.a) || !positive(b.b)) {
    return invalid("bgnbd: parameters must be finite and > 0");
  }
  const GammaGammaParams& g = s.gamma_gamma;
  if (!positive(g.p) || !positive(g.q) || !positive(g.v)) {
    return invalid("gamma_gamma: parameters must be finite and > 0");
  }
  if (!cuts_ok(s.rfm.recency) || !cuts_ok(s.rfm.frequency) || !cuts_ok(s.rfm.monetary)) {
    return invalid("rfm: cuts must be finite and non-decreasing");
  }
  return validate_clusters(s);
}

}  // namespace segd::core::models
