#include "media/jitter/jitter_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace jigasi::media::jitter {
namespace {

constexpr std::int64_t max_dropout = 3000;  // RFC 3550 A.1: a larger jump needs a second packet
constexpr std::int64_t max_misorder = 100;
constexpr std::int64_t start_misorder = 4;  // packets a spurt's first arrival may overtake
constexpr std::size_t history_size = 128;
constexpr unsigned shrink_window = 50;      // pops: one second of 20 ms ticks
constexpr auto long_idle = std::chrono::seconds(1);
// Bases that keep extended numbers positive (-1 marks a free slot).
constexpr std::int64_t seq_base = std::int64_t{1} << 32;
constexpr std::int64_t ts_base = std::int64_t{1} << 40;

}  // namespace

std::string_view name(insert_result r) {
    switch (r) {
    case insert_result::accepted: return "accepted";
    case insert_result::reset: return "reset";
    case insert_result::duplicate: return "duplicate";
    case insert_result::late: return "late";
    case insert_result::stray: return "stray";
    case insert_result::too_large: return "too_large";
    }
    return "?";
}

std::string_view name(pop_kind k) {
    switch (k) {
    case pop_kind::frame: return "frame";
    case pop_kind::fec: return "fec";
    case pop_kind::conceal: return "conceal";
    case pop_kind::silence: return "silence";
    }
    return "?";
}

jitter_buffer::jitter_buffer(const config& cfg)
    : cfg_(cfg), estimator_(std::max<std::uint32_t>(cfg.clock_rate, 1000), static_cast<double>(cfg.min_delay.count()),
                            static_cast<double>(cfg.max_delay.count())) {
    // A configuration the code cannot work with is clamped rather than refused: it comes from
    // our own config model, which validates the user-facing values.
    cfg_.clock_rate = std::max<std::uint32_t>(cfg_.clock_rate, 1000);
    cfg_.frame_ms = std::clamp<std::uint32_t>(cfg_.frame_ms, 5, 120);
    cfg_.max_delay = std::max(cfg_.max_delay, cfg_.min_delay);
    cfg_.max_packets = std::max<std::size_t>(cfg_.max_packets, 4);
    cfg_.max_payload = std::clamp<std::size_t>(cfg_.max_payload, 1, 65535);
    slots_.resize(cfg_.max_packets);
    storage_.resize(cfg_.max_packets * cfg_.max_payload);
    history_.assign(history_size, {-1, outcome::none});
    frame_ts_ = ms_to_ticks(cfg_.frame_ms);
    publish_estimates();
}

void jitter_buffer::reset() {
    clear_slots();
    state_ = state::empty;
    estimator_.restart();
    std::fill(history_.begin(), history_.end(), std::pair{std::int64_t{-1}, outcome::none});
}

void jitter_buffer::clear_slots() {
    for (auto& s : slots_) s.seq = -1;
    count_ = 0;
    stats_.buffered = 0;
}

void jitter_buffer::restart_stream(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts,
                                   clock::time_point arrival) {
    ssrc_ = ssrc;
    max_seq_ = seq_base + seq;
    ref_ts_ = ts_base + ts;
    bad_seq_.reset();
    estimator_.restart();  // the extended timestamps start over
    std::fill(history_.begin(), history_.end(), std::pair{std::int64_t{-1}, outcome::none});
    begin_spurt(max_seq_, ref_ts_, arrival);
}

void jitter_buffer::begin_spurt(std::int64_t seq, std::int64_t ts, clock::time_point arrival) {
    clear_slots();
    state_ = state::buffering;
    play_seq_ = seq;
    play_ts_ = ts;
    newest_ts_ = ts;
    spurt_arrival_ = arrival;
    held_ticks_ = 0;
    window_pops_ = 0;
}

void jitter_buffer::publish_estimates() {
    target_ms_ = estimator_.target_ms();
    stats_.target_delay_ms = static_cast<std::uint32_t>(std::lround(target_ms_));
    stats_.jitter_ms = estimator_.jitter_ms();
}

jitter_buffer::slot* jitter_buffer::find(std::int64_t seq) {
    auto& s = slots_[static_cast<std::size_t>(seq) % slots_.size()];
    return s.seq == seq ? &s : nullptr;
}

jitter_buffer::slot* jitter_buffer::head() {
    if (count_ == 0) return nullptr;
    const std::int64_t last = std::min<std::int64_t>(max_seq_, play_seq_ + static_cast<std::int64_t>(slots_.size()) - 1);
    for (std::int64_t q = play_seq_; q <= last; ++q)
        if (auto* s = find(q)) return s;
    return nullptr;
}

std::optional<std::int64_t> jitter_buffer::next_ts(std::int64_t seq) {
    if (auto* n = find(seq + 1)) return n->ts;
    return std::nullopt;
}

std::int64_t jitter_buffer::level() const {
    return count_ == 0 ? 0 : std::max<std::int64_t>(0, newest_ts_ + frame_ts_ - play_ts_);
}

std::span<const std::uint8_t> jitter_buffer::bytes(const slot& s) const {
    const auto index = static_cast<std::size_t>(&s - slots_.data());
    return {storage_.data() + index * cfg_.max_payload, s.len};
}

void jitter_buffer::remember(std::int64_t seq, outcome o) {
    history_[static_cast<std::size_t>(seq) % history_.size()] = {seq, o};
}

// Drops the oldest buffered packet and moves the playout point to the next one.
void jitter_buffer::drop_head(std::uint64_t& counter) {
    auto* h = head();
    if (!h) return;
    remember(h->seq, outcome::played);
    play_seq_ = h->seq + 1;
    play_ts_ = h->ts + frame_ts_;
    h->seq = -1;
    --count_;
    stats_.buffered = count_;
    ++counter;
    if (auto* n = head()) {
        play_seq_ = n->seq;
        play_ts_ = n->ts;
    }
}

insert_result jitter_buffer::insert(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t timestamp, bool marker,
                                    std::span<const std::uint8_t> payload, clock::time_point arrival) {
    if (payload.size() > cfg_.max_payload) {
        ++stats_.invalid;
        return insert_result::too_large;
    }
    bool restarted = false;
    if (state_ == state::empty || ssrc != ssrc_) {
        if (state_ != state::empty) {
            ++stats_.resets;
            restarted = true;
        }
        restart_stream(ssrc, seq, timestamp, arrival);
    } else if (state_ == state::idle && arrival - last_arrival_ > long_idle) {
        // After a long silence the next spurt may be any number of packets on: the bridge drops
        // silent packets without renumbering (jitsi-protocol.md §4.5). Start from this one.
        restart_stream(ssrc, seq, timestamp, arrival);
    }
    std::int64_t ext = max_seq_ + static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - max_seq_));
    std::int64_t delta = ext - max_seq_;
    if (delta > max_dropout || delta < -max_misorder) {
        // RFC 3550 A.1: a very large jump is a restarted sender only if the next packet follows it.
        if (!bad_seq_ || *bad_seq_ != seq) {
            bad_seq_ = static_cast<std::uint16_t>(seq + 1);
            ++stats_.invalid;
            return insert_result::stray;
        }
        ++stats_.resets;
        restarted = true;
        restart_stream(ssrc, seq, timestamp, arrival);
        ext = max_seq_;
        delta = 0;
    }
    bad_seq_.reset();
    std::int64_t ext_ts = ref_ts_ + static_cast<std::int32_t>(timestamp - static_cast<std::uint32_t>(ref_ts_));
    if (delta > 0 && ext_ts < ref_ts_) {
        // A newer packet with an older timestamp: the sender started a new timeline.
        ++stats_.resets;
        restarted = true;
        restart_stream(ssrc, seq, timestamp, arrival);
        ext = max_seq_;
        ext_ts = ref_ts_;
        delta = 0;
    }
    ++stats_.received;
    last_arrival_ = arrival;
    // The packet duration, from consecutive packets (senders use 10..60 ms, Opus up to 120).
    const std::int64_t longest = ms_to_ticks(120);
    if (delta == 1 && ext_ts - ref_ts_ > 0 && ext_ts - ref_ts_ <= longest) frame_ts_ = ext_ts - ref_ts_;
    if (delta > 0) {
        max_seq_ = ext;
        ref_ts_ = ext_ts;
    }

    if (ext < play_seq_) {
        const auto& past = history_[static_cast<std::size_t>(ext) % history_.size()];
        const bool known = past.first == ext;
        if (known && past.second == outcome::played) {
            ++stats_.duplicates;
            return insert_result::duplicate;
        }
        const bool overtaken = state_ == state::buffering && !known && play_seq_ - ext <= start_misorder &&
                               max_seq_ - ext < static_cast<std::int64_t>(slots_.size());
        if (!overtaken) {
            estimator_.on_packet(ext_ts - ts_base, arrival);
            estimator_.on_late(cfg_.frame_ms);
            publish_estimates();
            if (known && past.second == outcome::lost) --stats_.lost;
            ++stats_.late;
            return insert_result::late;
        }
        play_seq_ = ext;  // reordered at the start of a spurt: play it first
        play_ts_ = ext_ts;
    } else if (state_ == state::idle) {
        begin_spurt(ext, ext_ts, arrival);
    }

    if (ext - play_seq_ >= static_cast<std::int64_t>(slots_.size())) {
        // More than the slots can hold (the consumer stalled): the oldest audio goes.
        while (count_ > 0 && ext - play_seq_ >= static_cast<std::int64_t>(slots_.size())) drop_head(stats_.discarded);
        if (ext - play_seq_ >= static_cast<std::int64_t>(slots_.size())) {
            play_seq_ = ext;
            play_ts_ = ext_ts;
        }
    }
    auto& s = slots_[static_cast<std::size_t>(ext) % slots_.size()];
    if (s.seq == ext) {
        ++stats_.duplicates;
        return insert_result::duplicate;
    }
    s = slot{ext, ext_ts, static_cast<std::uint16_t>(payload.size()), marker};
    const auto index = static_cast<std::size_t>(&s - slots_.data());
    if (!payload.empty()) std::memcpy(storage_.data() + index * cfg_.max_payload, payload.data(), payload.size());
    ++count_;
    stats_.buffered = count_;
    newest_ts_ = std::max(newest_ts_, ext_ts);

    estimator_.on_packet(ext_ts - ts_base, arrival);
    publish_estimates();
    return restarted ? insert_result::reset : insert_result::accepted;
}

pop_result jitter_buffer::silence_result() {
    pop_result r;
    r.kind = pop_kind::silence;
    r.timestamp = static_cast<std::uint32_t>(play_ts_);
    r.duration = static_cast<std::uint32_t>(ms_to_ticks(cfg_.frame_ms));
    return r;
}

pop_result jitter_buffer::conceal_result(pop_kind k, std::span<const std::uint8_t> next) {
    ++stats_.concealed;
    pop_result r;
    r.kind = k;
    r.payload = next;
    r.seq = static_cast<std::uint16_t>(play_seq_);
    r.timestamp = static_cast<std::uint32_t>(play_ts_);
    r.duration = static_cast<std::uint32_t>(frame_ts_);
    return r;
}

pop_result jitter_buffer::play(slot& s, bool spurt_start) {
    pop_result r;
    r.kind = pop_kind::frame;
    r.payload = bytes(s);
    r.seq = static_cast<std::uint16_t>(s.seq);
    r.timestamp = static_cast<std::uint32_t>(s.ts);
    r.marker = s.marker;
    r.spurt_start = spurt_start;
    const auto next = next_ts(s.seq);
    const std::int64_t d = next ? *next - s.ts : 0;
    const std::int64_t dur = d > 0 && d <= ms_to_ticks(120) ? d : frame_ts_;
    r.duration = static_cast<std::uint32_t>(dur);
    remember(s.seq, outcome::played);
    play_seq_ = s.seq + 1;
    play_ts_ = s.ts + dur;
    held_ticks_ = 0;
    s.seq = -1;  // the bytes stay in place until an insert reuses the slot
    --count_;
    stats_.buffered = count_;
    return r;
}

pop_result jitter_buffer::pop(clock::time_point now) {
    switch (state_) {
    case state::empty:
    case state::idle: return silence_result();
    case state::buffering: {
        const bool full = ticks_to_ms(level()) >= target_ms_ - 1e-6;
        const bool waited = now - spurt_arrival_ >= std::chrono::duration<double, std::milli>(target_ms_);
        if (count_ == 0 || (!full && !waited)) return silence_result();
        // Start no deeper than the target: older packets of a burst are stale by now.
        const double frame = std::max<double>(cfg_.frame_ms, ticks_to_ms(frame_ts_));
        while (count_ > 1 && ticks_to_ms(level()) > target_ms_ + frame) drop_head(stats_.discarded);
        state_ = state::playing;
        spurt_start_ = true;
        window_pops_ = 0;
        held_ticks_ = 0;
        return pop_playing();
    }
    case state::playing: return pop_playing();
    }
    return silence_result();
}

pop_result jitter_buffer::pop_playing() {
    const double frame = std::max<double>(cfg_.frame_ms, ticks_to_ms(frame_ts_));
    const std::int64_t lvl = level();
    if (window_pops_ == 0 || lvl < window_min_) window_min_ = lvl;
    ++window_pops_;
    delay_ms_ += (ticks_to_ms(lvl) - delay_ms_) / 8.0;
    stats_.current_delay_ms = static_cast<std::uint32_t>(std::lround(delay_ms_));

    if (ticks_to_ms(lvl) > static_cast<double>(cfg_.max_delay.count()) + frame) {
        // A burst or a stalled consumer: never hold more than the maximum delay.
        while (count_ > 1 && ticks_to_ms(level()) > target_ms_ + frame) drop_head(stats_.discarded);
        window_pops_ = 0;
    } else if (window_pops_ >= shrink_window) {
        // A whole second with a frame more than the target buffered: drop one frame.
        if (count_ > 1 && ticks_to_ms(window_min_) >= target_ms_ + frame && find(play_seq_))
            drop_head(stats_.skipped);
        window_pops_ = 0;
    }

    const double hold_limit = std::max(static_cast<double>(cfg_.idle_after.count()), target_ms_);
    auto* h = head();
    if (!h) {
        // Nothing buffered: conceal in place (the late packet may still come and play, which
        // grows the delay), then call the stream idle.
        if (ticks_to_ms(held_ticks_ + frame_ts_) > hold_limit) {
            state_ = state::idle;
            held_ticks_ = 0;
            return silence_result();
        }
        held_ticks_ += frame_ts_;
        return conceal_result(pop_kind::conceal, {});
    }
    if (h->seq == play_seq_) {
        // Concealment played in place while the stream paused covers the pause (DTX).
        if (held_ticks_ > 0 && h->ts > play_ts_) play_ts_ += std::min(held_ticks_, h->ts - play_ts_);
        held_ticks_ = 0;
        if (h->ts > play_ts_ + frame_ts_ / 2) {
            // The clock moved on without a sequence gap: silence suppression (RFC 3551 §4.1) or
            // DTX. Stay silent until the packet is due; a jump beyond the buffer is a new timeline.
            if (ticks_to_ms(h->ts - play_ts_) <= static_cast<double>(cfg_.max_delay.count())) {
                auto r = silence_result();
                play_ts_ += std::min<std::int64_t>(r.duration, h->ts - play_ts_);
                return r;
            }
            play_ts_ = h->ts;
        }
        return play(*h, std::exchange(spurt_start_, false));
    }

    // Packets are missing at the playout point. While what follows them covers less than the
    // target they may just be late: conceal in place.
    const bool enough = ticks_to_ms(lvl - frame_ts_) >= target_ms_ - 1e-6;
    if (!enough && ticks_to_ms(held_ticks_ + frame_ts_) <= hold_limit) {
        held_ticks_ += frame_ts_;
        return conceal_result(pop_kind::conceal, {});
    }
    // They are lost. Concealment already played in place stands for them, so the delay does
    // not grow by it.
    while (held_ticks_ >= frame_ts_ && play_seq_ < h->seq) {
        remember(play_seq_++, outcome::lost);
        ++stats_.lost;
        play_ts_ += frame_ts_;
        held_ticks_ -= frame_ts_;
    }
    held_ticks_ = 0;
    if (play_seq_ == h->seq || h->ts <= play_ts_) {
        for (; play_seq_ < h->seq; ++play_seq_) {
            remember(play_seq_, outcome::lost);
            ++stats_.lost;
        }
        play_ts_ = std::max(play_ts_, h->ts);
        return play(*h, std::exchange(spurt_start_, false));
    }
    remember(play_seq_, outcome::lost);
    ++stats_.lost;
    // RFC 6716 §2.1.7: the packet right after a lost one carries its LBRR copy.
    auto r = h->seq == play_seq_ + 1 ? conceal_result(pop_kind::fec, bytes(*h)) : conceal_result(pop_kind::conceal, {});
    ++play_seq_;
    play_ts_ += frame_ts_;
    return r;
}

}  // namespace jigasi::media::jitter
