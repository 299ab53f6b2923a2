#include "core/models/optimize.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <nlopt.hpp>
#include <string>

namespace segd::core::models {
namespace {

// A large finite penalty: Nelder-Mead compares values, and an infinity would make the simplex
// centroid arithmetic produce NaN inside NLopt.
constexpr double kPenalty = 1e300;

struct Context {
  const LogParamObjective* objective;
  std::vector<double> natural;
  int evals = 0;
};

// NLopt minimizes; we return -objective, evaluated at exp(log_params).
double negated_objective(const std::vector<double>& log_params,
                         std::vector<double>& /*grad*/,
                         void* data) {
  auto* context = static_cast<Context*>(data);
  ++context->evals;
  for (size_t i = 0; i < log_params.size(); ++i) {
    context->natural[i] = std::exp(log_params[i]);
  }
  const double value = (*context->objective)(context->natural);
  return std::isfinite(value) ? -value : kPenalty;
}

bool converged(nlopt::result result) {
  switch (result) {
    case nlopt::SUCCESS:
    case nlopt::STOPVAL_REACHED:
    case nlopt::FTOL_REACHED:
    case nlopt::XTOL_REACHED:
      return true;
    case nlopt::FAILURE:
    case nlopt::INVALID_ARGS:
    case nlopt::OUT_OF_MEMORY:
    case nlopt::ROUNDOFF_LIMITED:
    case nlopt::FORCED_STOP:
    case nlopt::MAXEVAL_REACHED:
    case nlopt::MAXTIME_REACHED:
    case nlopt::NUM_RESULTS:
    case nlopt::NUM_FAILURES:
      return false;
  }
  return false;
}

}  // namespace

Result<LogParamMaximum> maximize_log_params(const LogParamObjective& objective,
                                            std::span<const double> start,
                                            const FitOptions& options) {
  const auto n = static_cast<unsigned>(start.size());
  const double lower = std::log(options.min_param);
  const double upper = std::log(options.max_param);
  std::vector<double> x(n);
  for (unsigned i = 0; i < n; ++i) {
    x[i] = std::clamp(std::log(start[i]), lower, upper);
  }
  Context context{&objective, std::vector<double>(n)};
  nlopt::opt opt(nlopt::LN_NELDERMEAD, n);
  opt.set_lower_bounds(std::vector<double>(n, lower));
  opt.set_upper_bounds(std::vector<double>(n, upper));
  opt.set_min_objective(negated_objective, &context);
  opt.set_xtol_rel(options.xtol_rel);
  opt.set_ftol_rel(options.ftol_rel);
  opt.set_maxeval(options.max_evals);
  opt.set_initial_step(options.initial_step);
  double minimum = 0.0;
  nlopt::result result = nlopt::FAILURE;
  // NLopt's C++ API reports failures by exception; translate them at this boundary.
  try {
    result = opt.optimize(x, minimum);
  } catch (const std::exception& e) {
    return fail("fit_failed", std::string("nlopt: ") + e.what());
  }
  if (!converged(result) || minimum >= kPenalty || !std::isfinite(minimum)) {
    return fail("fit_failed", "optimizer did not converge (nlopt result " +
                                  std::to_string(static_cast<int>(result)) + ")");
  }
  LogParamMaximum best{std::vector<double>(n), -minimum, context.evals};
  for (unsigned i = 0; i < n; ++i) {
    best.params[i] = std::exp(x[i]);
  }
  return best;
}

}  // namespace segd::core::models
