#include "media/codecs/opus.hpp"

#include <opus.h>

#include <algorithm>
#include <new>

namespace jigasi::media::codecs {
namespace {

constexpr std::uint32_t rtp_clock = 48000;  // RFC 7587 §4.1: always 48 kHz, whatever is coded

// RFC 7587 §6.1 maxplaybackrate -> the widest band worth coding (RFC 6716 §2: NB 4 kHz, MB 6,
// WB 8, SWB 12, FB 20 kHz audio bandwidth).
int max_bandwidth(std::uint32_t playback_rate) {
    if (playback_rate <= 8000) return OPUS_BANDWIDTH_NARROWBAND;
    if (playback_rate <= 12000) return OPUS_BANDWIDTH_MEDIUMBAND;
    if (playback_rate <= 16000) return OPUS_BANDWIDTH_WIDEBAND;
    if (playback_rate <= 24000) return OPUS_BANDWIDTH_SUPERWIDEBAND;
    return OPUS_BANDWIDTH_FULLBAND;
}

core::error bad(const char* what) { return core::error{errc::bad_parameter, what}; }

}  // namespace

bool opus_native_rate(std::uint32_t rate) {
    return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

void opus_encoder::deleter::operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }
void opus_decoder::deleter::operator()(OpusDecoder* d) const { opus_decoder_destroy(d); }

core::result<opus_settings> opus_encoder::validate(const opus_settings& s) {
    if (!opus_native_rate(s.pcm_rate)) return bad("opus: PCM rate must be 8, 12, 16, 24 or 48 kHz");
    if (s.frame_ms != 10 && s.frame_ms != 20 && s.frame_ms != 40 && s.frame_ms != 60)
        return bad("opus: frame must be 10, 20, 40 or 60 ms");
    if (s.bitrate < 6000 || s.bitrate > 510000) return bad("opus: bitrate must be 6000..510000");
    if (s.complexity < 0 || s.complexity > 10) return bad("opus: complexity must be 0..10");
    if (s.packet_loss_perc < 0 || s.packet_loss_perc > 100) return bad("opus: packet loss must be 0..100 %");
    if (s.max_playback_rate < 8000) return bad("opus: maxplaybackrate below 8000");
    return s;
}

opus_encoder::opus_encoder(std::uint8_t pt, const opus_settings& s) : settings_(s) {
    int err = 0;
    // VOIP: favours speech intelligibility and enables the high-pass and SILK modes (RFC 6716 §2.1).
    enc_.reset(opus_encoder_create(static_cast<opus_int32>(s.pcm_rate), 1, OPUS_APPLICATION_VOIP, &err));
    if (!enc_ || err != OPUS_OK) throw std::bad_alloc();  // settings are validated by the factory
    format_ = {codec_id::opus, pt, s.pcm_rate, rtp_clock, s.frame_ms};
    apply();
}

void opus_encoder::apply() {
    auto* e = enc_.get();
    opus_encoder_ctl(e, OPUS_SET_BITRATE(settings_.bitrate));
    opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(settings_.complexity));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(settings_.fec ? 1 : 0));
    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(settings_.packet_loss_perc));
    opus_encoder_ctl(e, OPUS_SET_DTX(settings_.dtx ? 1 : 0));
    opus_encoder_ctl(e, OPUS_SET_VBR(settings_.cbr ? 0 : 1));
    opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(max_bandwidth(settings_.max_playback_rate)));
    opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}

void opus_encoder::reset() {
    opus_encoder_ctl(enc_.get(), OPUS_RESET_STATE);
    apply();
}

void opus_encoder::set_bitrate(int bps) {
    settings_.bitrate = std::clamp(bps, 6000, 510000);
    opus_encoder_ctl(enc_.get(), OPUS_SET_BITRATE(settings_.bitrate));
}

void opus_encoder::set_packet_loss_perc(int perc) {
    settings_.packet_loss_perc = std::clamp(perc, 0, 100);
    opus_encoder_ctl(enc_.get(), OPUS_SET_PACKET_LOSS_PERC(settings_.packet_loss_perc));
}

core::result<std::size_t> opus_encoder::encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) {
    if (pcm.size() != format_.samples_per_frame()) return core::error{errc::bad_frame_size, {}};
    const auto cap = static_cast<opus_int32>(std::min<std::size_t>(out.size(), max_payload()));
    const opus_int32 n = opus_encode(enc_.get(), pcm.data(), static_cast<int>(pcm.size()), out.data(), cap);
    if (n == OPUS_BUFFER_TOO_SMALL) return core::error{errc::buffer_too_small, {}};
    if (n < 0) return core::error{errc::codec_failure, {}};
    // With DTX on, a packet of 2 bytes or less need not be sent (libopus opus_encode docs).
    if (settings_.dtx && n <= 2) return std::size_t{0};
    return static_cast<std::size_t>(n);
}

opus_decoder::opus_decoder(std::uint8_t pt, std::uint32_t pcm_rate, std::uint32_t frame_ms) {
    int err = 0;
    dec_.reset(opus_decoder_create(static_cast<opus_int32>(pcm_rate), 1, &err));
    if (!dec_ || err != OPUS_OK) throw std::bad_alloc();
    format_ = {codec_id::opus, pt, pcm_rate, rtp_clock, frame_ms};
}

void opus_decoder::reset() { opus_decoder_ctl(dec_.get(), OPUS_RESET_STATE); }

core::result<std::size_t> opus_decoder::samples_in(std::span<const std::uint8_t> payload) const {
    if (payload.empty()) return core::error{errc::corrupt_payload, {}};
    const int n = opus_decoder_get_nb_samples(dec_.get(), payload.data(), static_cast<opus_int32>(payload.size()));
    if (n < 0) return core::error{errc::corrupt_payload, {}};
    return static_cast<std::size_t>(n);
}

core::result<std::size_t> opus_decoder::decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) {
    // An empty payload would make libopus conceal the whole of `out`: refuse it instead.
    if (payload.empty()) return core::error{errc::corrupt_payload, {}};
    const int n = opus_decode(dec_.get(), payload.data(), static_cast<opus_int32>(payload.size()), out.data(),
                              static_cast<int>(std::min<std::size_t>(out.size(), 1u << 20)), 0);
    if (n == OPUS_BUFFER_TOO_SMALL) return core::error{errc::buffer_too_small, {}};
    if (n < 0) return core::error{errc::corrupt_payload, {}};
    return static_cast<std::size_t>(n);
}

// libopus conceals and recovers in multiples of 2.5 ms (opus_decode: frame_size); a remainder
// that is not (odd spans) is filled with silence.
void opus_decoder::fill(std::span<std::int16_t> out, const std::uint8_t* data, std::size_t len, bool fec) {
    const std::size_t quantum = format_.pcm_rate / 400;
    const std::size_t whole = out.size() - out.size() % quantum;
    std::size_t done = 0;
    if (fec && whole > 0) {
        // The LBRR data of `data` describes the last 10/20 ms before it; libopus conceals any
        // earlier part of `whole` itself.
        const int n = opus_decode(dec_.get(), data, static_cast<opus_int32>(len), out.data(), static_cast<int>(whole), 1);
        done = n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    while (done < whole) {
        const std::size_t chunk = std::min(whole - done, std::size_t{format_.pcm_rate} * max_packet_ms / 1000);
        const int n = opus_decode(dec_.get(), nullptr, 0, out.data() + done, static_cast<int>(chunk), 0);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), std::int16_t{0});
}

void opus_decoder::conceal(std::span<std::int16_t> out) { fill(out, nullptr, 0, false); }

void opus_decoder::decode_fec(std::span<const std::uint8_t> next_payload, std::span<std::int16_t> out) {
    if (next_payload.empty()) return conceal(out);
    fill(out, next_payload.data(), next_payload.size(), true);
}

}  // namespace jigasi::media::codecs
