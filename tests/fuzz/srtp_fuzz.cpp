// libFuzzer target for the media security layer (house style §11): arbitrary datagrams into
// srtp::session::unprotect_rtp/rtcp (every profile) and into DTLS sessions of both roles, as one
// datagram or as a sequence. Properties: nothing crashes; what unprotect refuses leaves the
// counters consistent; a packet we protect ourselves unprotects to the same bytes; a DTLS session
// fed only garbage never connects. A broken property aborts (a finding).
//
// Built with the media sources (src/media/srtp, src/media/dtls, src/media/description.cpp,
// src/core/base64.cpp) and libsrtp2 + OpenSSL; wiring into tests/fuzz/meson.build comes later.

#include "media/dtls/session.hpp"
#include "media/srtp/session.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace dtls = jigasi::media::dtls;
namespace srtp = jigasi::media::srtp;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

constexpr std::array profiles{srtp::profile::aes_cm_128_hmac_sha1_80,
                              srtp::profile::aes_cm_128_hmac_sha1_32,
                              srtp::profile::aead_aes_128_gcm};

srtp::master_key fixed_key(srtp::profile p, std::uint8_t seed) {
    std::array<std::uint8_t, srtp::max_master_length> b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
    return *srtp::master_key::from_bytes(p, std::span(b.data(), srtp::master_length(p)));
}

/// Long-lived receivers, as in a call: state (replay windows, cloned streams) accumulates.
srtp::session& receiver(std::size_t i) {
    static std::vector<srtp::session> sessions = [] {
        std::vector<srtp::session> v;
        for (auto p : profiles)
            v.push_back(std::move(*srtp::session::create({fixed_key(p, 1), fixed_key(p, 2)})));
        return v;
    }();
    return sessions[i % sessions.size()];
}

const std::shared_ptr<const dtls::certificate>& cert(int which) {
    static const auto a = *dtls::certificate::generate();
    static const auto b = *dtls::certificate::generate();
    return which == 0 ? a : b;
}

void fuzz_unprotect(std::span<const std::uint8_t> data, std::size_t which, bool rtcp) {
    auto& s = receiver(which);
    const auto before = s.stats();
    std::vector<std::uint8_t> buf(data.begin(), data.end());
    const auto r = rtcp ? s.unprotect_rtcp(buf) : s.unprotect_rtp(buf);
    const auto& after = s.stats();
    const auto failures = (after.auth_failures - before.auth_failures) +
                          (after.replays - before.replays) + (after.malformed - before.malformed);
    const auto successes = (after.rtp_unprotected - before.rtp_unprotected) +
                           (after.rtcp_unprotected - before.rtcp_unprotected);
    if (r)
        check(successes == 1 && failures == 0 && *r <= data.size());
    else
        check(successes == 0 && failures == 1);
}

/// Whatever looks like RTP/RTCP is protected by a fresh session and must come back unchanged.
void fuzz_round_trip(std::span<const std::uint8_t> data, std::size_t which, bool rtcp) {
    const auto p = profiles[which % profiles.size()];
    auto tx = srtp::session::create({fixed_key(p, 3), fixed_key(p, 4)});
    auto rx = srtp::session::create({fixed_key(p, 4), fixed_key(p, 3)});
    check(tx && rx);
    std::vector<std::uint8_t> buf(data.begin(), data.end());
    buf.resize(data.size() + srtp::max_rtcp_overhead);
    const auto n = rtcp ? tx->protect_rtcp(buf, data.size()) : tx->protect_rtp(buf, data.size());
    if (!n) return;  // not version 2, too short: refused, fine
    const auto back = rtcp ? rx->unprotect_rtcp(std::span(buf.data(), *n))
                           : rx->unprotect_rtp(std::span(buf.data(), *n));
    check(back && *back == data.size() && std::equal(data.begin(), data.end(), buf.begin()));
}

dtls::session make_dtls(dtls::role r) {
    dtls::config c;
    c.role = r;
    c.cert = cert(r == dtls::role::client ? 0 : 1);
    c.remote_fingerprint = cert(r == dtls::role::client ? 1 : 0)->sha256();
    auto s = dtls::session::create(std::move(c));
    check(s.has_value());
    return std::move(*s);
}

/// The input as datagrams, each prefixed by a one-byte length; fed to a fresh session.
void fuzz_dtls(std::span<const std::uint8_t> data, dtls::role r) {
    auto s = make_dtls(r);
    const auto t0 = dtls::clock::now();
    s.start(t0);
    while (!data.empty()) {
        const std::size_t n = std::min<std::size_t>(data[0], data.size() - 1);
        s.feed(data.subspan(1, n), t0);
        data = data.subspan(1 + n);
        while (s.pop_datagram()) {
        }
        while (auto e = s.pop_event()) check(!std::holds_alternative<dtls::connected>(*e));
    }
    s.on_timer(t0 + std::chrono::seconds(30));  // the overall limit ends whatever is left
    while (auto e = s.pop_event()) check(!std::holds_alternative<dtls::connected>(*e));
    check(s.current_state() != dtls::state::connected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t selector = data[0];
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    const std::size_t which = selector >> 4;
    switch (selector & 0x07) {
    case 0: fuzz_unprotect(rest, which, false); break;
    case 1: fuzz_unprotect(rest, which, true); break;
    case 2: fuzz_round_trip(rest, which, false); break;
    case 3: fuzz_round_trip(rest, which, true); break;
    case 4: fuzz_dtls(rest, dtls::role::client); break;
    case 5: fuzz_dtls(rest, dtls::role::server); break;
    default: {  // one whole datagram into a fresh server, as a stray packet on the port would be
        auto s = make_dtls(dtls::role::server);
        s.start(dtls::clock::now());
        s.feed(rest, dtls::clock::now());
        while (auto e = s.pop_event()) check(!std::holds_alternative<dtls::connected>(*e));
        break;
    }
    }
    return 0;
}
