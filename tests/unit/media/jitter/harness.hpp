#pragma once
// Drives a jitter buffer with packets whose payload names their sequence number, on a fake
// clock in milliseconds.

#include "media/jitter/jitter_buffer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace jigasi::test {

struct jb_sim {
    using jitter_buffer = media::jitter::jitter_buffer;
    media::jitter::jitter_buffer jb;
    std::uint32_t ssrc = 0x11223344;

    explicit jb_sim(const media::jitter::config& c = {}) : jb(c) {}

    static jitter_buffer::clock::time_point at(double ms) {
        return jitter_buffer::clock::time_point{} + std::chrono::microseconds(static_cast<long>(ms * 1000));
    }
    media::jitter::insert_result put(std::uint16_t seq, std::uint32_t ts, double ms, bool marker = false) {
        const std::array<std::uint8_t, 3> p{static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq), 0xAB};
        return jb.insert(ssrc, seq, ts, marker, p, at(ms));
    }
    media::jitter::pop_result get(double ms) { return jb.pop(at(ms)); }
};

/// The sequence number a test payload carries.
inline int seq_of(std::span<const std::uint8_t> p) { return p.size() == 3 ? (p[0] << 8) | p[1] : -1; }

struct arrival {
    std::uint16_t seq;
    std::uint32_t ts;
    double ms;
    bool marker = false;
};

struct popped {
    double ms;
    media::jitter::pop_result r;
    int payload_seq;  ///< of the frame or the FEC carrier, -1 for none
};

/// Feeds arrivals in time order and pops on a 20 ms tick, a stretch at a time.
struct feeder {
    jb_sim& s;
    std::vector<arrival> in;
    std::size_t next = 0;

    feeder(jb_sim& sim, std::vector<arrival> arrivals) : s(sim), in(std::move(arrivals)) {
        std::stable_sort(in.begin(), in.end(), [](const arrival& a, const arrival& b) { return a.ms < b.ms; });
    }
    /// Pops at first_pop, first_pop + tick, ... up to last_pop, inserting what arrived before.
    std::vector<popped> pops(double first_pop, double last_pop, double tick = 20) {
        std::vector<popped> out;
        for (double t = first_pop; t <= last_pop + 1e-9; t += tick) {
            for (; next < in.size() && in[next].ms <= t; ++next)
                s.put(in[next].seq, in[next].ts, in[next].ms, in[next].marker);
            auto r = s.get(t);
            out.push_back({t, r, seq_of(r.payload)});
        }
        return out;
    }
    void rest() {
        for (; next < in.size(); ++next) s.put(in[next].seq, in[next].ts, in[next].ms, in[next].marker);
    }
};

/// Feeds all arrivals, popping every tick from first_pop to last_pop; later arrivals go in last.
inline std::vector<popped> run(jb_sim& s, std::vector<arrival> in, double first_pop, double last_pop,
                               double tick = 20) {
    feeder f(s, std::move(in));
    auto out = f.pops(first_pop, last_pop, tick);
    f.rest();
    return out;
}

inline std::vector<int> frames(const std::vector<popped>& p) {
    std::vector<int> v;
    for (const auto& x : p)
        if (x.r.kind == media::jitter::pop_kind::frame) v.push_back(x.payload_seq);
    return v;
}

inline std::size_t count(const std::vector<popped>& p, media::jitter::pop_kind k) {
    return static_cast<std::size_t>(std::count_if(p.begin(), p.end(), [k](const popped& x) { return x.r.kind == k; }));
}

}  // namespace jigasi::test
