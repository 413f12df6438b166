#include "media/pipeline/bridge_audio.hpp"

#include "media/pipeline/validate.hpp"
#include "media/rtp/header_extension.hpp"
#include "media/rtp/packet.hpp"
#include "media/rtp/rtcp.hpp"

#include <algorithm>

namespace jigasi::media::pipeline {

core::result<std::unique_ptr<bridge_audio>> bridge_audio::create(const bridge_config& cfg,
                                                                 std::uint32_t phone_pcm_rate) {
    if (auto e = detail::check_bridge(cfg, phone_pcm_rate)) return *e;
    const auto plan = codecs::plan_rates(phone_pcm_rate);
    codecs::opus_settings opus = cfg.opus;
    opus.pcm_rate = plan.opus_rate;
    opus.frame_ms = 20;
    auto valid = codecs::opus_encoder::validate(opus);
    if (!valid) return valid.error();
    return std::unique_ptr<bridge_audio>(new bridge_audio(cfg, plan, *valid));
}

bridge_audio::bridge_audio(const bridge_config& cfg, const codecs::rate_plan& plan, codecs::opus_settings opus)
    : cfg_(cfg),
      plan_(plan),
      source_format_{codecs::codec_id::opus, cfg.opus_pt, plan.opus_rate, 48000, 20},
      mixer_({.max_participants = cfg.max_streams + cfg.max_speakers + 1,
              .frame_samples = plan.mix_rate / 50,
              .max_speakers = cfg.max_speakers}),
      rtcp_(cfg.rtcp, cfg.local_ssrc),
      dtmf_in_(cfg.dtmf_clock_rate) {
    // Behind SRTP a stray packet cannot reach us: accept a source's first packet (A.1).
    rx_cfg_.clock_rate = 48000;
    rx_cfg_.min_sequential = 1;
    jitter::config jc = cfg.jitter;
    jc.clock_rate = 48000;  // RFC 7587 §4.1: the Opus RTP clock, whatever the coded rate
    jc.frame_ms = 20;
    streams_.reserve(cfg.max_streams);
    for (std::size_t i = 0; i < cfg.max_streams; ++i) streams_.emplace_back(jc);
    slot_stream_.assign(cfg.max_streams + cfg.max_speakers + 1, -1);
    // The mixer decodes at most K selected streams plus the ones that left the set this tick.
    const std::size_t lanes = 2 * cfg.max_speakers + 1;
    lanes_.reserve(lanes);
    free_lanes_.reserve(lanes);
    for (std::size_t i = 0; i < lanes; ++i) {
        lanes_.emplace_back(std::make_unique<codecs::opus_decoder>(cfg.opus_pt, plan.opus_rate, 20));
        free_lanes_.push_back(static_cast<int>(lanes - 1 - i));
    }
    signalled_.reserve(cfg.max_signalled);

    auto enc = std::make_unique<codecs::opus_encoder>(cfg.opus_pt, opus);
    opus_ = enc.get();
    rtp_sender::config sc;
    sc.ssrc = cfg.local_ssrc;
    sc.first_sequence = cfg.first_sequence;
    sc.first_timestamp = cfg.first_timestamp;
    sc.audio_level_id = cfg.audio_level_id;
    sc.mid_id = cfg.mid_id;
    sc.mid = cfg.mid;
    sc.two_byte_extensions = cfg.audio_level_id > 14 || cfg.mid_id > 14;
    sc.dtmf_pt = cfg.dtmf_pt;
    sc.dtmf_clock_rate = cfg.dtmf_clock_rate;
    sender_ = std::make_unique<rtp_sender>(sc, std::move(enc));

    if (plan.resample_phone) {
        // Both resamplers exist (make() is checked by check_bridge's rate test); a 20 ms frame
        // plus the resampler's +-1 sample of phase fits the FIFOs.
        to_phone_rs_.emplace(std::move(*codecs::resampler::make(plan.mix_rate, plan.phone_rate)));
        from_phone_rs_.emplace(std::move(*codecs::resampler::make(plan.phone_rate, plan.mix_rate)));
        mix_buf_.assign(plan.mix_rate / 50, 0);
        enc_buf_.assign(plan.mix_rate / 50, 0);
        to_phone_fifo_.emplace(2 * (plan.phone_rate / 50) + 4);
        from_phone_fifo_.emplace(2 * (plan.mix_rate / 50) + 4);
    }
}

bridge_audio::~bridge_audio() = default;

std::size_t bridge_audio::max_packet_size() const {
    return sender_->header_bytes() + sender_->encoder().max_payload();
}

// --- streams ---

bridge_audio::stream* bridge_audio::find(std::uint32_t ssrc) {
    for (auto& s : streams_)
        if (s.in_use && s.ssrc == ssrc) return &s;
    return nullptr;
}

bool bridge_audio::is_signalled(std::uint32_t ssrc) const {
    return std::find(signalled_.begin(), signalled_.end(), ssrc) != signalled_.end();
}

bridge_audio::stream* bridge_audio::choose_victim(std::uint8_t level, clock::time_point now) {
    // The stream heard least recently (unsignalled first), if it has been quiet long enough that
    // it is not just between two talk spurts.
    stream* victim = nullptr;
    for (auto& c : streams_) {
        if (now - c.last_arrival < cfg_.stream_idle_evict) continue;
        if (!victim || (victim->signalled && !c.signalled) ||
            (victim->signalled == c.signalled && c.last_arrival < victim->last_arrival))
            victim = &c;
    }
    if (victim) return victim;
    // All are sending (background noise in a large room): a newcomer louder than the quietest
    // stream that is not being decoded takes its place, so a new speaker is always heard.
    for (auto& c : streams_)
        if (c.lane < 0 && c.level > level && (!victim || c.level > victim->level)) victim = &c;
    return victim;
}

bridge_audio::stream* bridge_audio::acquire(std::uint32_t ssrc, std::uint8_t level, clock::time_point now) {
    stream* s = nullptr;
    for (auto& c : streams_)
        if (!c.in_use) {
            s = &c;
            break;
        }
    if (!s) {
        s = choose_victim(level, now);
        if (!s) return nullptr;
        release(*s);
        ++evictions_;
    }
    const auto slot = mixer_.add(ssrc);
    if (!slot) return nullptr;  // every mixer slot is still fading a stream out
    s->in_use = true;
    s->signalled = is_signalled(ssrc);
    s->decode = false;
    s->ssrc = ssrc;
    s->slot = *slot;
    s->lane = -1;
    s->reported = 0;
    s->last_arrival = now;
    s->rx = rtp::receive_stats(ssrc, rx_cfg_);
    s->play = {};
    s->jb.reset();
    slot_stream_[*slot] = static_cast<int>(s - streams_.data());
    return s;
}

void bridge_audio::release(stream& s) {
    retired_lost_ += s.rx.cumulative_lost();
    retired_expected_ += s.rx.expected();
    if (s.lane >= 0) free_lanes_.push_back(s.lane);
    s.lane = -1;
    mixer_.remove(s.slot);
    slot_stream_[s.slot] = -1;
    s.jb.reset();
    s.in_use = false;
}

bool bridge_audio::add_source(std::uint32_t ssrc) {
    if (auto* s = find(ssrc)) s->signalled = true;
    if (is_signalled(ssrc)) return true;
    if (signalled_.size() == signalled_.capacity()) return false;
    signalled_.push_back(ssrc);
    return true;
}

void bridge_audio::remove_source(std::uint32_t ssrc) {
    if (auto it = std::find(signalled_.begin(), signalled_.end(), ssrc); it != signalled_.end()) {
        *it = signalled_.back();
        signalled_.pop_back();
    }
    if (auto* s = find(ssrc)) release(*s);
}

// --- packets in ---

void bridge_audio::on_rtp(std::span<const std::uint8_t> packet, clock::time_point arrival) {
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
    const bool audio = v->payload_type == cfg_.opus_pt;
    const bool event = cfg_.dtmf_pt != 0 && v->payload_type == cfg_.dtmf_pt;
    if (!audio && !event) {
        ++drops_.unknown_pt;
        return;
    }
    if (v->payload.empty()) {  // RFC 7587 §4.2: an Opus payload has at least its TOC byte
        ++drops_.malformed;
        return;
    }
    if (event) {
        // RFC 4733 §2.1: the sender's SSRC and sequence space; the gap it leaves in the audio
        // stream's sequence numbers is concealed (and counted lost) like any other.
        if (!dtmf_in_.on_packet(v->ssrc, v->payload, v->timestamp, v->marker, arrival)) {
            ++drops_.malformed;
            return;
        }
    }
    last_rx_ = arrival;
    ++rx_packets_;
    rx_bytes_ += v->payload.size();
    if (event) return;
    // RFC 6464: the level the mixer selects by. It runs ahead of the audio by the jitter
    // buffer's delay (a frame or three), which only makes a speaker enter a little early.
    std::uint8_t level = cfg_.missing_level;
    if (cfg_.audio_level_id != 0)
        if (const auto data = rtp::find_extension(*v, cfg_.audio_level_id))
            if (const auto a = rtp::read_audio_level(*data)) level = a->level;
    stream* s = find(v->ssrc);
    if (!s) s = acquire(v->ssrc, level, arrival);
    if (!s) {
        ++drops_.no_stream;
        return;
    }
    s->last_arrival = arrival;
    s->level = level;
    s->rx.on_packet(v->sequence, v->timestamp, v->payload.size(), arrival);
    s->jb.insert(v->sequence, v->timestamp, v->marker, v->payload, arrival);
    mixer_.set_level(s->slot, level);
}

void bridge_audio::on_rtcp(std::span<const std::uint8_t> packet, clock::time_point arrival) {
    const auto s = rtp::parse_rtcp(packet);
    if (!s) {
        ++drops_.malformed;
        return;
    }
    last_rx_ = arrival;
    const auto before = rtcp_.peer_report();
    rtcp_.on_compound(*s, packet.size(), arrival);
    for (const auto& sr : s->sender_reports())
        if (auto* st = find(sr.ssrc)) st->rx.on_sender_report(sr.info.ntp, arrival);
    for (const auto ssrc : s->bye_ssrcs())
        if (auto* st = find(ssrc)) release(*st);
    // The encoder spends on FEC what the bridge says it loses (as libwebrtc does).
    if (const auto& after = rtcp_.peer_report(); after && after != before)
        opus_->set_packet_loss_perc(after->fraction_lost * 100 / 256);
}

// --- the tick ---

void bridge_audio::assign_lanes() {
    for (auto& s : streams_) s.decode = false;
    for (const auto slot : mixer_.begin_tick())
        if (const int i = slot_stream_[slot]; i >= 0) streams_[static_cast<std::size_t>(i)].decode = true;
    // Lanes of streams the mixer no longer wants go back first, so that the newcomers find one.
    for (auto& s : streams_)
        if (s.lane >= 0 && (!s.in_use || !s.decode)) {
            free_lanes_.push_back(s.lane);
            s.lane = -1;
        }
    for (auto& s : streams_)
        if (s.in_use && s.decode && s.lane < 0 && !free_lanes_.empty()) {
            s.lane = free_lanes_.back();
            free_lanes_.pop_back();
            lanes_[static_cast<std::size_t>(s.lane)].reset();
        }
}

core::result<std::size_t> bridge_audio::tick(clock::time_point now, std::span<std::int16_t> to_phone) {
    if (to_phone.size() != phone_frame_samples()) return core::error{codecs::errc::bad_frame_size, {}};
    dtmf_in_.on_tick(now);
    assign_lanes();
    std::size_t heard = 0;
    for (auto& s : streams_) {
        if (!s.in_use) continue;
        decode_lane* lane = s.lane >= 0 ? &lanes_[static_cast<std::size_t>(s.lane)] : nullptr;
        const auto frame = lane ? mixer_.frame(s.slot) : std::span<std::int16_t>{};
        const auto r = fill_tick(s.jb, s.play, lane, source_format_, now, frame);
        frames_decoded_ += r.decoded;
        drops_.decode_errors += r.decode_errors;
        fec_ += r.fec;
        if (lane && r.audio > 0) {
            mixer_.frame_ready(s.slot);
            ++heard;
        }
    }
    if (!to_phone_rs_) {
        mixer_.mix_all(to_phone);
        return heard;
    }
    mixer_.mix_all(mix_buf_);
    if (auto n = to_phone_rs_->process(mix_buf_, to_phone_fifo_->space())) to_phone_fifo_->commit(*n);
    to_phone_fifo_->take(to_phone);
    return heard;
}

core::result<std::size_t> bridge_audio::from_phone(std::span<const std::int16_t> pcm, clock::time_point now,
                                                   std::span<std::uint8_t> out) {
    if (pcm.size() != phone_frame_samples()) return core::error{codecs::errc::bad_frame_size, {}};
    if (!from_phone_rs_) return sender_->send_frame(pcm, now, out);
    if (auto n = from_phone_rs_->process(pcm, from_phone_fifo_->space())) from_phone_fifo_->commit(*n);
    from_phone_fifo_->take(enc_buf_);
    return sender_->send_frame(enc_buf_, now, out);
}

// --- DTMF, RTCP, statistics ---

bool bridge_audio::start_dtmf(std::uint8_t event, std::chrono::milliseconds duration, clock::time_point now) {
    return sender_->start_dtmf(event, duration, now);
}

std::size_t bridge_audio::poll_dtmf(clock::time_point now, std::span<std::uint8_t> out) {
    return sender_->poll_dtmf(now, out);
}

std::size_t bridge_audio::poll_rtcp(clock::time_point now, std::span<std::uint8_t> out) {
    if (!rtcp_.due(now)) return 0;
    std::size_t n = 0;
    for (auto& s : streams_) {
        // RFC 3550 §6.4: a block per source heard since our previous report.
        if (!s.in_use || s.rx.received() == s.reported || n == blocks_.size()) continue;
        s.reported = s.rx.received();
        blocks_[n++] = s.rx.make_report_block(now);
    }
    return rtcp_.write(now, sender_->stream(), std::span(blocks_.data(), n), out);
}

std::size_t bridge_audio::write_bye(clock::time_point now, std::span<std::uint8_t> out) {
    return rtcp_.write(now, sender_->stream(), {}, out, true);
}

std::size_t bridge_audio::speakers(std::span<std::uint32_t> out) const {
    std::size_t n = 0;
    for (const auto slot : mixer_.speakers())
        if (n < out.size()) out[n++] = mixer_.ssrc(slot);
    return n;
}

leg_stats bridge_audio::stats() const {
    leg_stats st;
    st.rx.packets = rx_packets_;
    st.rx.bytes = rx_bytes_;
    std::int64_t lost = retired_lost_;
    std::uint64_t expected = retired_expected_;
    for (const auto& s : streams_) {
        const auto& j = s.jb.statistics();  // cumulative over every SSRC the slot held
        st.playout.late += j.late;
        st.playout.concealed += j.concealed;
        st.playout.discarded += j.discarded + j.skipped;
        if (!s.in_use) continue;
        ++st.streams;
        lost += s.rx.cumulative_lost();
        expected += s.rx.expected();
        st.rx.jitter_ms = std::max(st.rx.jitter_ms, s.rx.jitter_ms());
        st.playout.delay_ms = std::max(st.playout.delay_ms, j.current_delay_ms);
    }
    st.playout.fec = fec_;
    detail::fill_common(st, lost, expected, sender_->stream(), rtcp_, "opus");
    st.drops = drops_;
    st.frames_decoded = frames_decoded_;
    st.frames_encoded = sender_->frames_encoded();
    st.evictions = evictions_;
    st.dtmf_received = dtmf_in_.started();
    st.dtmf_sent = sender_->events_started();
    return st;
}

}  // namespace jigasi::media::pipeline
