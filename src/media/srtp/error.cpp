#include "media/srtp/error.hpp"

#include <string>

namespace jigasi::media::srtp {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "srtp"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::auth_failed: return "SRTP authentication failed";
        case errc::replay: return "SRTP replayed packet";
        case errc::malformed: return "malformed SRTP/SRTCP packet";
        case errc::buffer_too_small: return "no room for the SRTP tag";
        case errc::bad_key: return "SRTP master key of the wrong length";
        case errc::unsupported_suite: return "unsupported SRTP crypto suite";
        case errc::bad_key_params: return "malformed SDES key parameters";
        case errc::unsupported_param: return "unsupported SDES session parameter";
        case errc::bad_option: return "invalid SRTP session option";
        case errc::library_failure: return "libsrtp failure";
        }
        return "srtp error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

}  // namespace jigasi::media::srtp
