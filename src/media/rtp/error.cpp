#include "media/rtp/error.hpp"

#include <string>

namespace jigasi::media::rtp {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "rtp"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::truncated: return "truncated packet";
        case errc::bad_version: return "not RTP version 2";
        case errc::bad_padding: return "bad padding";
        case errc::bad_extension: return "bad header extension";
        case errc::bad_length: return "bad RTCP length";
        case errc::bad_field: return "field out of range";
        case errc::buffer_too_small: return "output buffer too small";
        }
        return "unknown rtp error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

}  // namespace jigasi::media::rtp
