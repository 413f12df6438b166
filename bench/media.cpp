// The per-call audio pipeline's CPU (issue 6): both directions of one call, SRTP included, against
// the bare codec work on the same audio. Prints its figures; asserts nothing about timing.
//
//   web -> phone: SRTP unprotect -> bridge_audio (jitter buffer, loudest-K, Opus decoded at 8 kHz,
//                 mix) -> phone_audio (G.711 encode)
//   phone -> web: phone_audio (jitter buffer, G.711 decode) -> bridge_audio (Opus encode at 8 kHz,
//                 audio level, mid) -> SRTP protect
//   floor:        3 Opus decodes at 8 kHz + 1 Opus encode at 8 kHz + G.711 encode and decode
//
// Usage: bench_media [ticks per round, default 1500 (30 s of audio)] [rounds, default 7]

#include "media/codecs/g711.hpp"
#include "media/codecs/opus.hpp"
#include "media/pipeline/bridge_audio.hpp"
#include "media/pipeline/phone_audio.hpp"
#include "media/rtp/header_extension.hpp"
#include "media/rtp/packet.hpp"
#include "media/srtp/session.hpp"
#include "support/count_new.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <malloc.h>
#include <numbers>
#include <vector>

namespace pl = jigasi::media::pipeline;
namespace codecs = jigasi::media::codecs;
namespace rtp = jigasi::media::rtp;
namespace srtp = jigasi::media::srtp;
using bytes = std::vector<std::uint8_t>;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int warmup_ticks = 50;  // jitter buffers fill; neither side is timed meanwhile

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

clock_type::time_point at_tick(int t) { return clock_type::time_point{} + std::chrono::seconds(1000) + std::chrono::milliseconds(20) * t; }

/// Something closer to speech than a tone: a few harmonics of a gliding pitch under a syllable
/// envelope, with a little noise (deterministic).
std::vector<std::int16_t> voice(std::uint32_t rate, std::size_t n, double pitch, double seed) {
    std::vector<std::int16_t> v(n);
    std::uint32_t lcg = static_cast<std::uint32_t>(seed * 1000) + 1;
    double phase = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / rate;
        const double f0 = pitch * (1 + 0.1 * std::sin(2 * std::numbers::pi * 0.7 * t + seed));
        phase += 2 * std::numbers::pi * f0 / rate;
        const double env = 0.55 + 0.45 * std::sin(2 * std::numbers::pi * 4 * t + seed);
        double x = 0;
        for (int h = 1; h <= 6; ++h) x += std::sin(h * phase) / h;
        lcg = lcg * 1664525u + 1013904223u;
        const double noise = (static_cast<double>(lcg >> 8) / (1 << 24) - 0.5) * 0.05;
        v[i] = static_cast<std::int16_t>(std::lround(5000 * env * x + 5000 * noise));
    }
    return v;
}

srtp::master_key key(std::uint8_t fill) {
    std::array<std::uint8_t, 30> k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(fill + i);
    return *srtp::master_key::from_bytes(srtp::profile::aes_cm_128_hmac_sha1_80, k);
}

/// What the peers send over the whole run, made before anything is timed.
struct traffic {
    std::vector<std::vector<bytes>> bridge;  ///< per tick: SRTP packets from the bridge
    std::vector<bytes> phone;                ///< per tick: the phone's RTP (G.711 µ-law)
    std::vector<std::vector<bytes>> opus;    ///< per tick: the Opus payloads of the loudest three
};

traffic make_traffic(int speakers, int ticks) {
    traffic tr;
    tr.bridge.resize(static_cast<std::size_t>(ticks));
    tr.opus.resize(static_cast<std::size_t>(ticks));
    // The bridge's side of the SRTP session: it protects with its key, we unprotect with it.
    auto bridge_srtp = srtp::session::create({key(100), key(1)});
    if (!bridge_srtp) std::abort();
    for (int s = 0; s < speakers; ++s) {
        codecs::opus_settings os;  // a browser: 48 kHz, 32 kbit/s, FEC
        codecs::opus_encoder enc(111, os);
        const auto pcm = voice(48000, static_cast<std::size_t>(ticks) * 960, 110 + 23 * s, s);
        std::vector<std::uint8_t> payload(enc.max_payload());
        const std::uint8_t level = rtp::encode_audio_level({true, static_cast<std::uint8_t>(20 + 6 * s)});
        for (int t = 0; t < ticks; ++t) {
            const auto n = enc.encode(std::span(pcm).subspan(static_cast<std::size_t>(t) * 960, 960), payload);
            if (!n) std::abort();
            const std::array<rtp::extension_element, 2> ext{rtp::extension_element{1, {&level, 1}},
                                                            rtp::mid_element(10, "audio")};
            rtp::header h;
            h.payload_type = 111;
            h.sequence = static_cast<std::uint16_t>(t);
            h.timestamp = static_cast<std::uint32_t>(t) * 960;
            h.ssrc = 1000 + static_cast<std::uint32_t>(s);
            h.extensions = ext;
            bytes p(1500);
            const auto size = rtp::write_packet(h, std::span(payload.data(), *n), p);
            const auto prot = bridge_srtp->protect_rtp(p, *size);
            if (!prot) std::abort();
            p.resize(*prot);
            tr.bridge[static_cast<std::size_t>(t)].push_back(std::move(p));
            if (s < 3) tr.opus[static_cast<std::size_t>(t)].emplace_back(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(*n));
        }
    }
    codecs::g711_encoder g711(codecs::g711_law::ulaw, 0, 20);
    const auto pcm = voice(8000, static_cast<std::size_t>(ticks) * 160, 140, 7);
    std::array<std::uint8_t, 160> payload{};
    for (int t = 0; t < ticks; ++t) {
        (void)g711.encode(std::span(pcm).subspan(static_cast<std::size_t>(t) * 160, 160), payload);
        rtp::header h;
        h.sequence = static_cast<std::uint16_t>(t);
        h.timestamp = static_cast<std::uint32_t>(t) * 160;
        h.ssrc = 77;
        bytes p(200);
        p.resize(*rtp::write_packet(h, payload, p));
        tr.phone.push_back(std::move(p));
    }
    return tr;
}

struct figures {
    double us_per_tick = 0;
    double allocs_per_tick = 0;
    std::uint64_t decoded = 0, srtp_failures = 0;
};

/// One call, both directions, over the traffic. Objects are made before the clock starts.
figures run_pipeline(const traffic& tr, int ticks) {
    auto ours = srtp::session::create({key(1), key(100)});
    pl::bridge_config bc;
    bc.local_ssrc = 0x5eed;
    bc.mid_id = 10;
    bc.mid = "audio";
    auto bridge = pl::bridge_audio::create(bc, 8000);
    pl::phone_config pc;
    pc.format = {codecs::codec_id::pcmu, 0, 8000, 8000, 20};
    pc.local_ssrc = 0x5eee;
    auto phone = pl::phone_audio::create(pc);
    if (!ours || !bridge || !phone) std::abort();
    auto& b = **bridge;
    auto& p = **phone;
    std::vector<std::int16_t> mix(160), handset(160);
    std::vector<std::uint8_t> in(1500), out(1500), rtcp(1500);
    figures f;
    double start = 0;
    std::uint64_t allocs = 0;
    for (int t = 0; t < ticks; ++t) {
        if (t == warmup_ticks) {
            start = thread_cpu_us();
            allocs = jigasi::test::allocations();
        }
        const auto now = at_tick(t);
        for (const auto& pkt : tr.bridge[static_cast<std::size_t>(t)]) {
            std::copy(pkt.begin(), pkt.end(), in.begin());  // as if read from the socket
            const auto n = ours->unprotect_rtp(std::span(in.data(), pkt.size()));
            if (!n) {
                ++f.srtp_failures;
                continue;
            }
            b.on_rtp(std::span<const std::uint8_t>(in.data(), *n), now);
        }
        p.on_rtp(tr.phone[static_cast<std::size_t>(t)], now);
        (void)b.tick(now, mix);
        (void)p.to_phone(mix, now, out);  // to the phone, plain RTP
        (void)p.tick(now, handset);
        if (const auto n = b.from_phone(handset, now, out); n && *n > 0)
            if (!ours->protect_rtp(out, *n)) ++f.srtp_failures;
        if (const auto n = b.poll_rtcp(now, rtcp)) (void)ours->protect_rtcp(rtcp, n);
        (void)p.poll_rtcp(now, rtcp);
        (void)b.poll_dtmf(now, out);
        (void)p.poll_dtmf(now, out);
    }
    const int timed = ticks - warmup_ticks;
    f.us_per_tick = (thread_cpu_us() - start) / timed;
    f.allocs_per_tick = static_cast<double>(jigasi::test::allocations() - allocs) / timed;
    f.decoded = b.stats().frames_decoded;
    return f;
}

enum class part { all, opus_decode, opus_encode, g711 };

/// The codec work alone on the same audio: the floor no pipeline can go under. `only` runs one
/// part of it, to show where the floor goes.
figures run_floor(const traffic& tr, int ticks, part only = part::all) {
    std::vector<std::unique_ptr<codecs::opus_decoder>> decs;
    for (int i = 0; i < 3; ++i) decs.push_back(std::make_unique<codecs::opus_decoder>(111, 8000, 20));
    codecs::opus_settings os;
    os.pcm_rate = 8000;
    codecs::opus_encoder enc(111, os);
    codecs::g711_encoder g711_enc(codecs::g711_law::ulaw, 0, 20);
    codecs::g711_decoder g711_dec(codecs::g711_law::ulaw, 0, 20);
    std::vector<std::int16_t> pcm(960), mix(160), handset(160);
    std::vector<std::uint8_t> out(1500);
    figures f;
    double start = 0;
    for (int t = 0; t < ticks; ++t) {
        if (t == warmup_ticks) start = thread_cpu_us();
        const auto& opus = tr.opus[static_cast<std::size_t>(t)];
        for (std::size_t i = 0; i < 3 && i < opus.size() && (only == part::all || only == part::opus_decode); ++i) {
            (void)decs[i]->decode(opus[i], pcm);
            for (std::size_t k = 0; k < 160; ++k) mix[k] = pcm[k];  // the decoded audio is used
        }
        if (only == part::all || only == part::g711) (void)g711_enc.encode(mix, out);
        // Always: the Opus encoder must get the phone's real audio (G.711 decoding is ~1 % of it).
        const auto& ph = tr.phone[static_cast<std::size_t>(t)];
        (void)g711_dec.decode(std::span(ph).subspan(12), handset);
        if (only == part::all || only == part::opus_encode) (void)enc.encode(handset, out);
        f.decoded += 3;
    }
    f.us_per_tick = (thread_cpu_us() - start) / (ticks - warmup_ticks);
    return f;
}

/// SRTP alone: µs per unprotect of the bridge's packets (libsrtp with the crypto it was built with).
double run_srtp_only(const traffic& tr, int ticks) {
    auto ours = srtp::session::create({key(1), key(100)});
    if (!ours) std::abort();
    std::vector<std::uint8_t> in(1500);
    std::size_t packets = 0;
    const double start = thread_cpu_us();
    for (int t = 0; t < ticks; ++t)
        for (const auto& pkt : tr.bridge[static_cast<std::size_t>(t)]) {
            std::copy(pkt.begin(), pkt.end(), in.begin());
            (void)ours->unprotect_rtp(std::span(in.data(), pkt.size()));
            ++packets;
        }
    return (thread_cpu_us() - start) / static_cast<double>(packets);
}

/// Bytes the heap holds now (glibc: in-use chunks plus mmapped blocks).
double heap_bytes() {
    const auto m = mallinfo2();
    return static_cast<double>(m.uordblks + m.hblkhd);
}

double kib_per_call() {
    constexpr int calls = 50;
    std::vector<std::unique_ptr<pl::bridge_audio>> bridges;
    std::vector<std::unique_ptr<pl::phone_audio>> phones;
    const double before = heap_bytes();
    for (int i = 0; i < calls; ++i) {
        pl::bridge_config bc;
        bc.local_ssrc = static_cast<std::uint32_t>(i);
        pl::phone_config pc;
        pc.format = {codecs::codec_id::pcmu, 0, 8000, 8000, 20};
        bridges.push_back(std::move(*pl::bridge_audio::create(bc, 8000)));
        phones.push_back(std::move(*pl::phone_audio::create(pc)));
    }
    return (heap_bytes() - before) / calls / 1024;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct series {
    std::vector<double> pipe, floor, allocs;
    std::uint64_t decoded = 0, failures = 0;
    void add(const figures& p, const figures& f) {
        pipe.push_back(p.us_per_tick);
        floor.push_back(f.us_per_tick);
        allocs.push_back(p.allocs_per_tick);
        decoded = p.decoded;
        failures += p.srtp_failures;
    }
};

void report(int speakers, const traffic& tr, const series& s, int ticks, int rounds) {
    // Medians, and minimums: on a shared machine the minimum is the cost with the least
    // interference from the neighbours.
    const double pm = median(s.pipe), fm = median(s.floor);
    const double pmin = *std::min_element(s.pipe.begin(), s.pipe.end());
    const double fmin = *std::min_element(s.floor.begin(), s.floor.end());
    std::printf("%2d web speakers (K = 3), G.711 phone, %d ticks x %d rounds\n", speakers, ticks - warmup_ticks,
                rounds);
    std::printf("   pipeline     %7.1f us per 20 ms tick, min %.1f (both directions, SRTP included)\n", pm, pmin);
    std::printf("   codec floor  %7.1f us per tick, min %.1f (3 Opus decodes + 1 Opus encode + G.711 both ways)\n",
                fm, fmin);
    std::printf("     of which   %7.1f Opus decodes (3, at 8 kHz), %.1f Opus encode (8 kHz, complexity %d), "
                "%.1f G.711\n",
                run_floor(tr, ticks, part::opus_decode).us_per_tick, run_floor(tr, ticks, part::opus_encode).us_per_tick,
                codecs::opus_settings{}.complexity, run_floor(tr, ticks, part::g711).us_per_tick);
    std::printf("   ratio        %7.3f of the medians, %.3f of the minimums (target <= 1.3)\n", pm / fm, pmin / fmin);
    std::printf("   allocations  %7.3f per tick (target 0)\n", median(s.allocs));
    std::printf("   Opus decoder calls per tick %.2f; SRTP failures %llu\n",
                static_cast<double>(s.decoded) / ticks, static_cast<unsigned long long>(s.failures));
    std::printf("   SRTP unprotect %5.2f us per packet\n", run_srtp_only(tr, ticks));
    std::printf("   calls per core %6.0f (20 ms / median pipeline cost per tick; %.0f at the minimum)\n\n",
                20000.0 / pm, 20000.0 / pmin);
}

}  // namespace

int main(int argc, char** argv) {
    const int ticks = argc > 1 ? std::max(std::atoi(argv[1]), warmup_ticks + 10) : 1500;
    const int rounds = argc > 2 ? std::max(std::atoi(argv[2]), 1) : 7;
    if (!jigasi::test::allocation_counting_works()) std::printf("(allocation counting unavailable)\n");
    // First, while the heap is fresh: freed memory reused later would hide the RSS growth.
    const double kib = kib_per_call();
    const auto three = make_traffic(3, ticks), ten = make_traffic(10, ticks);
    series s3, s10;
    std::vector<double> extra;
    for (int r = 0; r < rounds; ++r) {
        // Interleaved, so that a neighbour's compile job slows all of them alike.
        const auto p3 = run_pipeline(three, ticks);
        s3.add(p3, run_floor(three, ticks));
        const auto p10 = run_pipeline(ten, ticks);
        s10.add(p10, run_floor(ten, ticks));
        extra.push_back((p10.us_per_tick - p3.us_per_tick) / 7);
    }
    report(3, three, s3, ticks, rounds);
    report(10, ten, s10, ticks, rounds);
    std::printf("each of the 7 unselected streams: %.1f us per tick (median of the rounds' differences: SRTP, "
                "parse, jitter insert and pop)\n", median(extra));
    std::printf("memory per call (bridge_audio + phone_audio, heap): %.0f KiB\n", kib);
    return 0;
}
