#include "media/pipeline/playout.hpp"

#include <algorithm>

namespace jigasi::media::pipeline {

decode_lane::decode_lane(std::unique_ptr<codecs::decoder> d) : dec(std::move(d)), pcm(dec->max_samples()) {}

void decode_lane::reset() {
    dec->reset();
    rest_at = rest = 0;
}

namespace {

std::uint32_t ticks_for(const codecs::format& f, std::size_t samples) {
    return static_cast<std::uint32_t>(std::uint64_t{samples} * f.rtp_clock / f.pcm_rate);
}

}  // namespace

fill_result fill_tick(jitter::jitter_buffer& jb, playout_state& st, decode_lane* lane, const codecs::format& f,
                      clock::time_point now, std::span<std::int16_t> out) {
    fill_result r;
    const std::size_t n = f.samples_per_frame();
    if (lane && out.size() < n) lane = nullptr;  // no room: only keep the position
    std::size_t have = 0;

    // What the previous piece left (a packet longer than the tick).
    if (st.owed_ticks > 0) {
        const std::size_t k = std::min(f.samples_for_ticks(st.owed_ticks), n);
        if (lane) {
            // A lane taken over mid-packet has no decoded rest: that part is silent.
            const std::size_t from_rest = std::min(k, lane->rest);
            std::copy_n(lane->pcm.begin() + static_cast<std::ptrdiff_t>(lane->rest_at), from_rest, out.begin());
            std::fill(out.begin() + static_cast<std::ptrdiff_t>(from_rest), out.begin() + static_cast<std::ptrdiff_t>(k),
                      std::int16_t{0});
            lane->rest_at += from_rest;
            lane->rest -= from_rest;
            r.audio += from_rest;
        }
        have = k;
        const std::uint32_t used = ticks_for(f, k);
        st.owed_ticks = used >= st.owed_ticks ? 0 : st.owed_ticks - used;
    }
    if (lane) lane->rest = 0;  // anything left belonged to the piece now played out

    while (have < n) {
        const auto p = jb.pop(now);
        if (p.kind == jitter::pop_kind::silence) {
            st.owed_ticks = 0;
            break;
        }
        std::size_t got = f.samples_for_ticks(p.duration);
        if (lane) {
            const auto buf = std::span(lane->pcm);
            got = std::min(got, buf.size());
            ++r.decoded;
            switch (p.kind) {
            case jitter::pop_kind::frame:
                if (auto d = lane->dec->decode(p.payload, buf)) {
                    got = *d;
                } else {
                    ++r.decode_errors;
                    lane->dec->conceal(buf.first(got));
                }
                break;
            case jitter::pop_kind::fec:
                ++r.fec;
                lane->dec->decode_fec(p.payload, buf.first(got));
                break;
            case jitter::pop_kind::conceal: lane->dec->conceal(buf.first(got)); break;
            case jitter::pop_kind::silence: break;
            }
        } else if (p.kind == jitter::pop_kind::fec) {
            ++r.fec;
        }
        if (got == 0) got = n - have;  // a zero-length piece must not stall the tick
        const std::size_t take = std::min(got, n - have);
        if (lane) {
            std::copy_n(lane->pcm.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(have));
            lane->rest_at = take;
            lane->rest = got - take;
        }
        r.audio += take;
        have += take;
        st.owed_ticks = ticks_for(f, got - take);
    }
    if (lane && have < n)
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(have), out.begin() + static_cast<std::ptrdiff_t>(n),
                  std::int16_t{0});
    return r;
}

std::size_t pcm_fifo::take(std::span<std::int16_t> out) {
    const std::size_t n = std::min(out.size(), len_);
    const std::size_t pad = out.size() - n;
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(pad), std::int16_t{0});
    std::copy_n(buf_.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(pad));
    std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(n), buf_.begin() + static_cast<std::ptrdiff_t>(len_),
              buf_.begin());
    len_ -= n;
    return pad;
}

}  // namespace jigasi::media::pipeline

