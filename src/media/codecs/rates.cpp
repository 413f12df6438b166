#include "media/codecs/rates.hpp"

#include "media/codecs/opus.hpp"

namespace jigasi::media::codecs {

rate_plan plan_rates(std::uint32_t phone_pcm_rate) {
    rate_plan p;
    p.phone_rate = phone_pcm_rate;
    p.mix_rate = opus_native_rate(phone_pcm_rate) ? phone_pcm_rate : 48000;
    p.opus_rate = p.mix_rate;
    p.resample_phone = p.phone_rate != p.mix_rate;
    return p;
}

}  // namespace jigasi::media::codecs
