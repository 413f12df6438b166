#include "media/codecs/codec.hpp"

#include <string>

namespace jigasi::media::codecs {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "codec"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::unsupported_codec: return "unsupported codec";
        case errc::bad_parameter: return "bad codec parameter";
        case errc::bad_frame_size: return "PCM is not one frame";
        case errc::buffer_too_small: return "output buffer too small";
        case errc::corrupt_payload: return "corrupt payload";
        case errc::codec_failure: return "codec failure";
        }
        return "unknown codec error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

std::string_view name(codec_id c) {
    switch (c) {
    case codec_id::opus: return "opus";
    case codec_id::pcmu: return "PCMU";
    case codec_id::pcma: return "PCMA";
    case codec_id::g722: return "G722";
    }
    return "?";
}

}  // namespace jigasi::media::codecs
