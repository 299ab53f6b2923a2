#include "core/models/cluster_metrics.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace segd::core::models {
namespace {

double pairs(double count) { return count * (count - 1.0) / 2.0; }

struct DenseLabels {
  std::vector<std::size_t> ids;
  std::size_t count = 0;
};

// Maps arbitrary labels to 0..m-1 in ascending label order.
DenseLabels densify(std::span<const int> labels) {
  std::vector<int> distinct(labels.begin(), labels.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  DenseLabels out;
  out.count = distinct.size();
  out.ids.reserve(labels.size());
  for (int label : labels) {
    const auto it = std::lower_bound(distinct.begin(), distinct.end(), label);
    out.ids.push_back(static_cast<std::size_t>(it - distinct.begin()));
  }
  return out;
}

// Minimum-cost perfect matching on a square matrix (Hungarian algorithm with potentials,
// O(n^3)). Returns row_of_column[j] = the row matched to column j.
std::vector<std::size_t> hungarian(const std::vector<std::vector<double>>& cost) {
  const std::size_t n = cost.size();
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based internally; index 0 is the virtual start column / unmatched row.
  std::vector<double> u(n + 1, 0.0);
  std::vector<double> v(n + 1, 0.0);
  std::vector<std::size_t> row_of(n + 1, 0);
  std::vector<std::size_t> way(n + 1, 0);
  for (std::size_t row = 1; row <= n; ++row) {
    row_of[0] = row;
    std::size_t col0 = 0;
    std::vector<double> min_slack(n + 1, inf);
    std::vector<bool> used(n + 1, false);
    do {
      used[col0] = true;
      const std::size_t row0 = row_of[col0];
      double delta = inf;
      std::size_t col1 = 0;
      for (std::size_t col = 1; col <= n; ++col) {
        if (used[col]) {
          continue;
        }
        const double slack = cost[row0 - 1][col - 1] - u[row0] - v[col];
        if (slack < min_slack[col]) {
          min_slack[col] = slack;
          way[col] = col0;
        }
        if (min_slack[col] < delta) {
          delta = min_slack[col];
          col1 = col;
        }
      }
      for (std::size_t col = 0; col <= n; ++col) {
        if (used[col]) {
          u[row_of[col]] += delta;
          v[col] -= delta;
        } else {
          min_slack[col] -= delta;
        }
      }
      col0 = col1;
    } while (row_of[col0] != 0);
    do {
      const std::size_t col1 = way[col0];
      row_of[col0] = row_of[col1];
      col0 = col1;
    } while (col0 != 0);
  }
  std::vector<std::size_t> out(n);
  for (std::size_t col = 1; col <= n; ++col) {
    out[col - 1] = row_of[col] - 1;
  }
  return out;
}

}  // namespace

double adjusted_rand_index(std::span<const int> a, std::span<const int> b) {
  CHECK(a.size() == b.size());
  const DenseLabels da = densify(a);
  const DenseLabels db = densify(b);
  // Non-zero contingency cells as sorted (row, column) codes: O(n log n) memory-light, even when
  // both labelings have ~n clusters.
  std::vector<std::uint64_t> cells(a.size());
  std::vector<double> row_sums(da.count, 0.0);
  std::vector<double> col_sums(db.count, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    cells[i] = static_cast<std::uint64_t>(da.ids[i]) * db.count + db.ids[i];
    row_sums[da.ids[i]] += 1.0;
    col_sums[db.ids[i]] += 1.0;
  }
  std::sort(cells.begin(), cells.end());
  double index = 0.0;
  for (std::size_t start = 0; start < cells.size();) {
    std::size_t end = start;
    while (end < cells.size() && cells[end] == cells[start]) {
      ++end;
    }
    index += pairs(static_cast<double>(end - start));
    start = end;
  }
  double sum_a = 0.0;
  for (double r : row_sums) {
    sum_a += pairs(r);
  }
  double sum_b = 0.0;
  for (double c : col_sums) {
    sum_b += pairs(c);
  }
  const double total = pairs(static_cast<double>(a.size()));
  const double expected = total > 0.0 ? sum_a * sum_b / total : 0.0;
  const double maximum = (sum_a + sum_b) / 2.0;
  if (maximum == expected) {
    return 1.0;
  }
  return (index - expected) / (maximum - expected);
}

Result<Relabeling> match_centroids(std::span<const Point> previous, std::span<const Point> fresh) {
  if (previous.size() != fresh.size()) {
    return fail("centroid_count_mismatch", std::to_string(previous.size()) + " previous vs " +
                                               std::to_string(fresh.size()) + " fresh centroids");
  }
  std::vector<Point> both(previous.begin(), previous.end());
  both.insert(both.end(), fresh.begin(), fresh.end());
  if (auto dim = validate_points(both); !dim) {
    return std::unexpected(dim.error());
  }
  // Rows are fresh centroids, columns previous ones.
  std::vector<std::vector<double>> cost(fresh.size(), std::vector<double>(previous.size()));
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    for (std::size_t j = 0; j < previous.size(); ++j) {
      cost[i][j] = squared_distance(fresh[i], previous[j]);
    }
  }
  const std::vector<std::size_t> row_of_column = hungarian(cost);
  Relabeling out(fresh.size());
  for (std::size_t col = 0; col < row_of_column.size(); ++col) {
    out[row_of_column[col]] = col;
  }
  return out;
}

std::vector<std::size_t> relabel_ids(std::span<const std::size_t> ids,
                                     const Relabeling& relabeling) {
  std::vector<std::size_t> out;
  out.reserve(ids.size());
  for (std::size_t id : ids) {
    CHECK(id < relabeling.size());
    out.push_back(relabeling[id]);
  }
  return out;
}

}  // namespace segd::core::models
