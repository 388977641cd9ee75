#pragma once
// A process-wide budget of request-body bytes held in memory at once: a request reserves its
// declared length (or the route's limit for a chunked body) before its body is read — a streamed
// upload only what it holds at once, one storage chunk or its length if shorter — and gets
// 503 when the budget is spent, so many concurrent uploads cannot exhaust memory.
// Thread-safe (one atomic); a Lease returns its bytes when destroyed. The budget must outlive
// its leases.
#include <atomic>
#include <cstddef>
#include <utility>

namespace autoblog::http {

class BodyBudget {
 public:
  explicit BodyBudget(std::size_t max_bytes) : max_(max_bytes) {}

  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& o) noexcept : budget_(std::exchange(o.budget_, nullptr)), bytes_(o.bytes_) {}
    Lease& operator=(Lease&& o) noexcept {
      if (this != &o) {
        release();
        budget_ = std::exchange(o.budget_, nullptr);
        bytes_ = o.bytes_;
      }
      return *this;
    }
    ~Lease() { release(); }
    explicit operator bool() const { return budget_ != nullptr; }

   private:
    friend class BodyBudget;
    Lease(BodyBudget* b, std::size_t n) : budget_(b), bytes_(n) {}
    void release() {
      if (budget_) budget_->used_.fetch_sub(bytes_);
      budget_ = nullptr;
    }
    BodyBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

  // An empty (false) lease when `bytes` do not fit.
  Lease reserve(std::size_t bytes) {
    auto used = used_.load();
    do {
      if (bytes > max_ || used > max_ - bytes) return {};
    } while (!used_.compare_exchange_weak(used, used + bytes));
    return Lease(this, bytes);
  }
  std::size_t used() const { return used_.load(); }

 private:
  const std::size_t max_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace autoblog::http
