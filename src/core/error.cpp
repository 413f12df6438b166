#include "core/error.hpp"

namespace jigasi::core {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "jigasi"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::timeout: return "timed out";
        case errc::cancelled: return "cancelled";
        case errc::bad_input: return "malformed input";
        case errc::limit_exceeded: return "limit exceeded";
        case errc::not_found: return "not found";
        case errc::unavailable: return "unavailable";
        }
        return "unknown error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

}  // namespace jigasi::core
