#include "media/pipeline/phone_audio.hpp"

#include "media/codecs/g711.hpp"
#include "media/codecs/g722.hpp"
#include "media/pipeline/validate.hpp"
#include "media/rtp/packet.hpp"
#include "media/rtp/rtcp.hpp"

namespace jigasi::media::pipeline {
namespace {

constexpr std::uint32_t tick_ms = 20;

// The codec objects for a described format, at the 20 ms tick (check_phone vetted the format).
std::unique_ptr<codecs::encoder> make_encoder(const codecs::format& f, const codecs::opus_settings& opus) {
    switch (f.id) {
    case codecs::codec_id::opus: return std::make_unique<codecs::opus_encoder>(f.pt, opus);
    case codecs::codec_id::pcmu: return std::make_unique<codecs::g711_encoder>(codecs::g711_law::ulaw, f.pt, tick_ms);
    case codecs::codec_id::pcma: return std::make_unique<codecs::g711_encoder>(codecs::g711_law::alaw, f.pt, tick_ms);
    case codecs::codec_id::g722: return std::make_unique<codecs::g722_encoder>(f.pt, tick_ms);
    }
    return nullptr;
}

std::unique_ptr<codecs::decoder> make_decoder(const codecs::format& f) {
    switch (f.id) {
    case codecs::codec_id::opus: return std::make_unique<codecs::opus_decoder>(f.pt, f.pcm_rate, tick_ms);
    case codecs::codec_id::pcmu: return std::make_unique<codecs::g711_decoder>(codecs::g711_law::ulaw, f.pt, tick_ms);
    case codecs::codec_id::pcma: return std::make_unique<codecs::g711_decoder>(codecs::g711_law::alaw, f.pt, tick_ms);
    case codecs::codec_id::g722: return std::make_unique<codecs::g722_decoder>(f.pt, tick_ms);
    }
    return nullptr;
}

}  // namespace

core::result<std::unique_ptr<phone_audio>> phone_audio::create(const phone_config& cfg) {
    if (auto e = detail::check_phone(cfg)) return *e;
    codecs::format fmt = cfg.format;
    fmt.frame_ms = tick_ms;
    codecs::opus_settings opus = cfg.opus;
    if (fmt.id == codecs::codec_id::opus) {
        opus.pcm_rate = fmt.pcm_rate;
        opus.frame_ms = tick_ms;
        auto valid = codecs::opus_encoder::validate(opus);
        if (!valid) return valid.error();
        opus = *valid;
    }
    return std::unique_ptr<phone_audio>(new phone_audio(cfg, fmt, make_encoder(fmt, opus), make_decoder(fmt)));
}

namespace {
jitter::config phone_jitter(jitter::config j, const codecs::format& f) {
    j.clock_rate = f.rtp_clock;  // 8000 for G.722 too (RFC 3551 §4.5.2)
    j.frame_ms = tick_ms;
    return j;
}
}  // namespace

phone_audio::phone_audio(const phone_config& cfg, const codecs::format& fmt, std::unique_ptr<codecs::encoder> enc,
                         std::unique_ptr<codecs::decoder> dec)
    : cfg_(cfg),
      fmt_(fmt),
      rx_cfg_{.clock_rate = fmt.rtp_clock},
      jb_(phone_jitter(cfg.jitter, fmt)),
      rx_(0, rx_cfg_),
      lane_(std::move(dec)),
      rtcp_(cfg.rtcp, cfg.local_ssrc),
      dtmf_in_(cfg.dtmf_clock_rate) {
    rtp_sender::config sc;
    sc.ssrc = cfg.local_ssrc;
    sc.first_sequence = cfg.first_sequence;
    sc.first_timestamp = cfg.first_timestamp;
    sc.dtmf_pt = cfg.dtmf_pt;
    sc.dtmf_clock_rate = cfg.dtmf_clock_rate;
    sender_ = std::make_unique<rtp_sender>(sc, std::move(enc));
}

phone_audio::~phone_audio() = default;

void phone_audio::on_rtp(std::span<const std::uint8_t> packet, clock::time_point arrival) {
    if (rtp::is_rtcp(packet)) return on_rtcp(packet, arrival);
    const auto v = rtp::parse(packet);
    if (!v) {
        ++drops_.malformed;
        return;
    }
    if (v->ssrc == cfg_.local_ssrc) {
        ++drops_.looped;
        return;
    }
    const bool audio = v->payload_type == fmt_.pt;
    const bool event = cfg_.dtmf_pt != 0 && v->payload_type == cfg_.dtmf_pt;
    if (!audio && !event) {
        ++drops_.unknown_pt;  // CN (RFC 3389) too: silence is what we play anyway
        return;
    }
    if (v->payload.empty()) {
        ++drops_.malformed;
        return;
    }
    if (event) {
        if (!dtmf_in_.on_packet(v->ssrc, v->payload, v->timestamp, v->marker, arrival)) {
            ++drops_.malformed;
            return;
        }
    }
    last_rx_ = arrival;
    ++rx_packets_;
    rx_bytes_ += v->payload.size();
    if (event && remote_ssrc_ && remote_ssrc_ != v->ssrc) return;  // keys on a source of their own
    if (remote_ssrc_ != v->ssrc) {
        // A new source (re-INVITE, transfer, a restarted phone): new statistics, a fresh decoder;
        // the jitter buffer restarts by itself on the new SSRC.
        if (remote_ssrc_) {
            retired_lost_ += rx_.cumulative_lost();
            retired_expected_ += rx_.expected();
            lane_.reset();
            play_ = {};
        }
        remote_ssrc_ = v->ssrc;
        rx_ = rtp::receive_stats(v->ssrc, rx_cfg_);
        reported_at_ = 0;
    }
    // RFC 4733 events share the audio's sequence numbers (§2.1): counted here, or every key would
    // read as 14 lost packets. Their repeated timestamps are kept out of the jitter by rx_.
    rx_.on_packet(v->sequence, v->timestamp, v->payload.size(), arrival);
    if (event) return;
    jb_.insert(v->ssrc, v->sequence, v->timestamp, v->marker, v->payload, arrival);
}

void phone_audio::on_rtcp(std::span<const std::uint8_t> packet, clock::time_point arrival) {
    const auto s = rtp::parse_rtcp(packet);
    if (!s) {
        ++drops_.malformed;
        return;
    }
    last_rx_ = arrival;
    rtcp_.on_compound(*s, packet.size(), arrival);
    for (const auto& sr : s->sender_reports())
        if (sr.ssrc == remote_ssrc_) rx_.on_sender_report(sr.info.ntp, arrival);
    // A BYE needs nothing here: the stream stops, the jitter buffer goes idle, and the call layer
    // ends the call on the SIP BYE.
}

core::result<std::size_t> phone_audio::tick(clock::time_point now, std::span<std::int16_t> pcm) {
    if (pcm.size() != frame_samples()) return core::error{codecs::errc::bad_frame_size, {}};
    dtmf_in_.on_tick(now);
    const auto r = fill_tick(jb_, play_, &lane_, fmt_, now, pcm);
    frames_decoded_ += r.decoded;
    drops_.decode_errors += r.decode_errors;
    fec_ += r.fec;
    return r.audio;
}

core::result<std::size_t> phone_audio::to_phone(std::span<const std::int16_t> pcm, clock::time_point now,
                                                std::span<std::uint8_t> out) {
    return sender_->send_frame(pcm, now, out);
}

bool phone_audio::start_dtmf(std::uint8_t event, std::chrono::milliseconds duration, clock::time_point now) {
    return sender_->start_dtmf(event, duration, now);
}

bool phone_audio::dtmf_busy() const { return sender_->dtmf_busy(); }

std::size_t phone_audio::poll_dtmf(clock::time_point now, std::span<std::uint8_t> out) {
    return sender_->poll_dtmf(now, out);
}

std::size_t phone_audio::poll_rtcp(clock::time_point now, std::span<std::uint8_t> out) {
    if (!rtcp_.due(now)) return 0;
    rtp::report_block block;
    std::size_t n = 0;
    if (remote_ssrc_ && rx_.received() != reported_at_) {
        reported_at_ = rx_.received();
        block = rx_.make_report_block(now);
        n = 1;
    }
    return rtcp_.write(now, sender_->stream(), std::span(&block, n), out);
}

std::size_t phone_audio::write_bye(clock::time_point now, std::span<std::uint8_t> out) {
    return rtcp_.write(now, sender_->stream(), {}, out, true);
}

leg_stats phone_audio::stats() const {
    leg_stats st;
    st.rx.packets = rx_packets_;
    st.rx.bytes = rx_bytes_;
    st.rx.jitter_ms = remote_ssrc_ ? rx_.jitter_ms() : 0;
    const auto& j = jb_.statistics();
    st.playout.late = j.late;
    st.playout.concealed = j.concealed;
    st.playout.fec = fec_;
    st.playout.discarded = j.discarded + j.skipped;
    st.playout.delay_ms = j.current_delay_ms;
    st.streams = remote_ssrc_ ? 1 : 0;
    const std::int64_t lost = retired_lost_ + (remote_ssrc_ ? rx_.cumulative_lost() : 0);
    const std::uint64_t expected = retired_expected_ + (remote_ssrc_ ? rx_.expected() : 0);
    detail::fill_common(st, lost, expected, sender_->stream(), rtcp_, codecs::name(fmt_.id));
    st.drops = drops_;
    st.frames_decoded = frames_decoded_;
    st.frames_encoded = sender_->frames_encoded();
    st.dtmf_received = dtmf_in_.started();
    st.dtmf_sent = sender_->events_started();
    return st;
}

}  // namespace jigasi::media::pipeline
