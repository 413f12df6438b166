#include "media/prompts/error.hpp"

#include <string>

namespace jigasi::media::prompts {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "prompts"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::not_wav:
                return "not a WAV file";
            case errc::truncated:
                return "truncated WAV file";
            case errc::unsupported:
                return "unsupported WAV format";
            case errc::no_audio:
                return "WAV file without audio";
            case errc::too_large:
                return "file too large";
            case errc::not_found:
                return "prompt not found";
            case errc::read_failed:
                return "cannot read file";
            case errc::bad_parameter:
                return "bad parameter";
        }
        return "unknown prompts error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

}  // namespace jigasi::media::prompts
