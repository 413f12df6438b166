#include "media/pipeline/validate.hpp"

#include "media/codecs/opus.hpp"
#include "media/codecs/resampler.hpp"
#include "media/pipeline/bridge_audio.hpp"
#include "media/pipeline/phone_audio.hpp"

#include <algorithm>
#include <string>

namespace jigasi::media::pipeline::detail {
namespace {

core::error bad(std::string what) { return core::error{codecs::errc::bad_parameter, std::move(what)}; }

// RFC 3550 §5.1: 7 bits; RFC 5761 §4: 64..95 would be taken for RTCP on a muxed port.
bool usable_pt(std::uint8_t pt) { return pt <= 127 && (pt < 64 || pt > 95); }

}  // namespace

std::optional<core::error> check_bridge(const bridge_config& c, std::uint32_t phone_rate) {
    if (!usable_pt(c.opus_pt)) return bad("bridge: opus payload type out of range or in the RTCP range");
    if (c.dtmf_pt != 0 && (!usable_pt(c.dtmf_pt) || c.dtmf_pt == c.opus_pt))
        return bad("bridge: telephone-event payload type unusable");
    if (c.dtmf_pt != 0 && c.dtmf_clock_rate == 0) return bad("bridge: telephone-event clock rate 0");
    // RFC 8285 §4.2: one-byte ids 1..14; larger ones need extmap-allow-mixed (§4.3, §6).
    const std::uint8_t max_id = c.extmap_allow_mixed ? 255 : 14;
    if (c.audio_level_id > max_id || c.mid_id > max_id)
        return bad("bridge: header extension id needs the two-byte form, not negotiated");
    if (c.audio_level_id != 0 && c.audio_level_id == c.mid_id) return bad("bridge: audio-level and mid share an id");
    if (c.mid_id != 0 && (c.mid.empty() || c.mid.size() > 16))
        return bad("bridge: mid must be 1..16 bytes for the one-byte extension form");
    if (c.max_speakers == 0 || c.max_streams == 0 || c.max_streams > 1024)
        return bad("bridge: max_speakers must be at least 1, max_streams 1..1024");
    if (phone_rate < 8000 || phone_rate > 48000 || phone_rate % 50 != 0)
        return bad("bridge: phone PCM rate must be 8..48 kHz, a whole number of samples per 20 ms");
    const auto plan = codecs::plan_rates(phone_rate);
    if (plan.resample_phone && !codecs::resampler::make(plan.mix_rate, plan.phone_rate))
        return bad("bridge: no resampler for the phone rate");
    return std::nullopt;
}

std::optional<core::error> check_phone(const phone_config& c) {
    const auto& f = c.format;
    if (!usable_pt(f.pt)) return bad("phone: payload type out of range or in the RTCP range");
    if (c.dtmf_pt != 0 && (!usable_pt(c.dtmf_pt) || c.dtmf_pt == f.pt))
        return bad("phone: telephone-event payload type unusable");
    if (c.dtmf_pt != 0 && c.dtmf_clock_rate == 0) return bad("phone: telephone-event clock rate 0");
    switch (f.id) {
    case codecs::codec_id::opus:
        if (!codecs::opus_native_rate(f.pcm_rate) || f.rtp_clock != 48000) return bad("phone: opus rates");
        break;
    case codecs::codec_id::pcmu:
    case codecs::codec_id::pcma:
        if (f.pcm_rate != 8000 || f.rtp_clock != 8000) return bad("phone: G.711 is 8 kHz");
        break;
    case codecs::codec_id::g722:
        if (f.pcm_rate != 16000 || f.rtp_clock != 8000) return bad("phone: G.722 is 16 kHz, RTP clock 8000");
        break;
    default: return bad("phone: unknown codec");
    }
    return std::nullopt;
}

void fill_common(leg_stats& st, std::int64_t lost, std::uint64_t expected, const rtp::send_stream& out,
                 const rtcp_link& rtcp, std::string_view encoding) {
    st.rx.lost = lost;
    st.rx.loss_percent = expected > 0 ? 100.0 * static_cast<double>(std::max<std::int64_t>(lost, 0)) /
                                            static_cast<double>(expected)
                                      : 0.0;
    st.tx.packets = out.packets_sent();
    st.tx.bytes = out.octets_sent();
    st.rtt = rtcp.rtt();
    if (const auto& peer = rtcp.peer_report()) {
        st.tx.lost = peer->cumulative_lost;
        st.tx.loss_percent = peer->fraction_lost * 100.0 / 256.0;  // RFC 3550 §6.4.1: in 1/256
        st.tx.jitter_ms = peer->jitter * 1000.0 / out.clock_rate();
    }
    st.rtcp_received = rtcp.received();
    st.rtcp_sent = rtcp.sent();
    const auto impairment = rtp::impairment_for(encoding);
    const auto rtt = st.rtt.value_or(std::chrono::microseconds{0});
    auto us = [](double ms) { return std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000)); };
    st.rx_quality = rtp::estimate_quality({impairment, st.rx.loss_percent, 1, rtt, us(st.rx.jitter_ms),
                                           us(st.playout.delay_ms)});
    st.tx_quality = rtp::estimate_quality({impairment, st.tx.loss_percent, 1, rtt, us(st.tx.jitter_ms), std::nullopt});
}

}  // namespace jigasi::media::pipeline::detail
