#pragma once
// /conferenceMapper and /phoneNumberList (dialin_routes.cpp).
#include "app/conference_mapper.hpp"
#include "config/store.hpp"
#include "http/router.hpp"

#include <chrono>
#include <mutex>

namespace jigasi::app {

/// A token bucket for failed meeting-ID lookups, shared by every client: enough for people
/// mistyping, far too little to walk a 10-digit space (10^10 IDs at 2 a second).
class failure_budget {
public:
    static constexpr double per_second = 2, burst = 20;
    bool take(std::chrono::steady_clock::time_point now);

private:
    std::mutex mu_;
    double tokens_ = burst;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

struct dialin_context {
    const config::store& cfg;
    conference_mapper& mapper;
    failure_budget& failures;
};

/// The routes keep a copy of `ctx`, whose members must outlive `r`.
void add_dialin_routes(http::router& r, const dialin_context& ctx);

}  // namespace jigasi::app
