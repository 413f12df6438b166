#include "media/pipeline/sender.hpp"

#include "media/rtp/header_extension.hpp"

#include <array>

namespace jigasi::media::pipeline {
namespace {

rtp::send_stream::config stream_config(const rtp_sender::config& c, const codecs::format& f) {
    rtp::send_stream::config s;
    s.ssrc = c.ssrc;
    s.clock_rate = f.rtp_clock;
    s.first_sequence = c.first_sequence;
    s.first_timestamp = c.first_timestamp;
    return s;
}

rtp::telephone_event_sender::config event_config(const rtp_sender::config& c, const codecs::format& f) {
    rtp::telephone_event_sender::config e;
    e.clock_rate = c.dtmf_clock_rate;
    // RFC 4733 §2.5.1.2: an update every 50 ms or every audio packet interval; the latter keeps
    // the packets on our 20 ms tick.
    e.update_interval = std::chrono::milliseconds(f.frame_ms);
    return e;
}

}  // namespace

rtp_sender::rtp_sender(const config& cfg, std::unique_ptr<codecs::encoder> enc)
    : cfg_(cfg),
      enc_(std::move(enc)),
      stream_(stream_config(cfg, enc_->format())),
      events_(event_config(cfg, enc_->format())) {
    // The header's size does not depend on the frame: compute it once.
    const std::uint8_t level = 0;
    std::array<rtp::extension_element, 2> ext{};
    std::size_t n = 0;
    if (cfg_.audio_level_id != 0) ext[n++] = {cfg_.audio_level_id, {&level, 1}};
    if (cfg_.mid_id != 0 && !cfg_.mid.empty()) ext[n++] = rtp::mid_element(cfg_.mid_id, cfg_.mid);
    rtp::header h;
    h.extensions = std::span(ext.data(), n);
    h.form = cfg_.two_byte_extensions ? rtp::extension_form::two_byte : rtp::extension_form::automatic;
    const auto size = rtp::header_size(h);
    header_bytes_ = size ? *size : rtp::fixed_header_size;
}

core::result<std::size_t> rtp_sender::send_frame(std::span<const std::int16_t> pcm, clock::time_point now,
                                                 std::span<std::uint8_t> out) {
    const auto& f = enc_->format();
    if (pcm.size() != f.samples_per_frame()) return core::error{codecs::errc::bad_frame_size, {}};
    if (events_.busy()) {
        after_event_ = true;
        return std::size_t{0};
    }
    if (out.size() <= header_bytes_) return core::error{rtp::errc::buffer_too_small, {}};
    auto payload = enc_->encode(pcm, out.subspan(header_bytes_));
    if (!payload) return payload.error();
    ++frames_;
    if (*payload == 0) return std::size_t{0};  // DTX: the stream's clock runs on (send_stream)
    if (after_event_) stream_.resync();  // audio after an event follows the wall clock, with M
    after_event_ = false;

    // RFC 6464 §3: the level of this frame; V from a simple threshold (no VAD here): anything
    // louder than -50 dBov counts as voice.
    const std::uint8_t level_value = rtp::compute_audio_level(pcm);
    const std::uint8_t level = rtp::encode_audio_level({level_value < 50, level_value});
    std::array<rtp::extension_element, 2> ext{};
    std::size_t n = 0;
    if (cfg_.audio_level_id != 0) ext[n++] = {cfg_.audio_level_id, {&level, 1}};
    if (cfg_.mid_id != 0 && !cfg_.mid.empty()) ext[n++] = rtp::mid_element(cfg_.mid_id, cfg_.mid);

    const auto stamp = stream_.next_frame(f.rtp_ticks_per_frame(), *payload, now);
    rtp::header h;
    h.marker = stamp.marker;
    h.payload_type = f.pt;
    h.sequence = stamp.sequence;
    h.timestamp = stamp.timestamp;
    h.ssrc = cfg_.ssrc;
    h.extensions = std::span(ext.data(), n);
    h.form = cfg_.two_byte_extensions ? rtp::extension_form::two_byte : rtp::extension_form::automatic;
    const auto written = rtp::write_header(h, out.first(header_bytes_));
    if (!written) return written.error();
    return header_bytes_ + *payload;
}

bool rtp_sender::start_dtmf(std::uint8_t event, std::chrono::milliseconds duration, clock::time_point now) {
    if (cfg_.dtmf_pt == 0 || event > rtp::event_flash) return false;
    // The event starts at the audio timeline's "now" (RFC 4733 §2.3.5); its durations count in
    // the telephone-event clock. With telephone-event/8000 beside opus/48000 the two differ, as
    // in every Jitsi offer; RFC 7160 §4.1 describes this case and receivers cope.
    if (!events_.start(event, duration, stream_.timestamp_at(now), now)) return false;
    ++events_started_;
    return true;
}

std::size_t rtp_sender::poll_dtmf(clock::time_point now, std::span<std::uint8_t> out) {
    if (cfg_.dtmf_pt == 0) return 0;
    // Peek first: a packet taken from the sender cannot be put back if `out` is too small.
    if (out.size() < rtp::fixed_header_size + rtp::telephone_event_size) return 0;
    const auto p = events_.poll(now);
    if (!p) return 0;
    rtp::header h;
    h.marker = p->marker;
    h.payload_type = cfg_.dtmf_pt;
    h.sequence = stream_.next_sequence(p->payload.size());
    h.timestamp = p->timestamp;
    h.ssrc = cfg_.ssrc;
    const auto n = rtp::write_packet(h, p->payload, out);
    return n ? *n : 0;
}

}  // namespace jigasi::media::pipeline
