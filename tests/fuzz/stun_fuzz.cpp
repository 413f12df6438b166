// libFuzzer target for STUN and the ICE agent (house style §11).
//
// 1. The bytes as one datagram into stun::message::parse(): whatever parses must survive every
//    accessor, and rebuilt attribute by attribute it must parse back to the same attributes.
// 2. The bytes as a script of datagrams into a fresh ICE agent (a fixed-up copy signed with the
//    right password and, for answers, carrying the transaction id of the agent's last check, so
//    that the authenticated paths are reached too), with time moving on between them. The agent
//    must never throw, never queue a datagram larger than max_datagram, and never spin its timer.
//
// Input script: byte 0 = flags; then records of [1 byte control][2 bytes length][bytes].

#include "media/ice/agent.hpp"
#include "media/ice/demux.hpp"
#include "media/ice/stun.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace ice = jigasi::media::ice;
namespace stun = jigasi::media::ice::stun;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void parse_properties(std::span<const std::uint8_t> data) {
    (void)ice::classify(data);
    auto m = stun::message::parse(data);
    if (!m) return;
    check(stun::looks_like_stun(data));
    (void)m->username();
    (void)m->xor_mapped_address();
    (void)m->mapped_address();
    (void)m->priority();
    (void)m->ice_controlling();
    (void)m->ice_controlled();
    (void)m->error();
    std::array<std::uint16_t, 16> listed{};
    check(m->unknown_attributes_listed(listed) <= listed.size());
    (void)m->verify_integrity(std::string_view("VOkJxbRl1RmTxUk/WvJxBt"));
    (void)m->verify_fingerprint();

    // Rebuild with the same attributes (zero padding): it must parse to the same list.
    std::vector<std::uint8_t> buf(data.size() + 64);
    stun::message_writer w(buf, m->cls(), m->method(), m->tid());
    for (const auto& a : m->attributes()) w.add(a.type, a.value);
    auto out = w.finish();
    check(out.has_value());
    auto again = stun::message::parse(*out);
    check(again.has_value());
    check(again->attributes().size() == m->attributes().size());
    for (std::size_t i = 0; i < m->attributes().size(); ++i) {
        const auto& x = m->attributes()[i];
        const auto& y = again->attributes()[i];
        check(x.type == y.type && std::equal(x.value.begin(), x.value.end(), y.value.begin(), y.value.end()));
    }
}

const ice::credentials local_creds{"LOCALufrag", "LOCALpassword0123456789x"};
const ice::credentials remote_creds{"REMOTEufrag", "REMOTEpassword0123456789"};

/// The datagram with MESSAGE-INTEGRITY and FINGERPRINT redone (and an answer's transaction id
/// replaced by `tid`), or empty if it does not parse.
std::vector<std::uint8_t> resign(std::span<const std::uint8_t> data, const stun::transaction_id* tid) {
    auto m = stun::message::parse(data);
    if (!m) return {};
    const bool request = m->cls() == stun::msg_class::request;
    std::vector<std::uint8_t> buf(data.size() + 64);
    stun::message_writer w(buf, m->cls(), m->method(), (!request && tid) ? *tid : m->tid());
    for (const auto& a : m->attributes())
        if (a.type != stun::attr::message_integrity && a.type != stun::attr::fingerprint) w.add(a.type, a.value);
    w.add_integrity(request ? local_creds.pwd : remote_creds.pwd).add_fingerprint();
    auto out = w.finish();
    if (!out) return {};
    return {out->begin(), out->end()};
}

void agent_script(std::span<const std::uint8_t> data) {
    if (data.empty()) return;
    const std::uint8_t flags = data[0];
    data = data.subspan(1);
    ice::agent_config cfg;
    cfg.initial_role = flags & 1 ? ice::role::controlling : ice::role::controlled;
    cfg.tie_breaker = flags & 2 ? 1 : ~std::uint64_t{0} >> 1;
    cfg.random = [n = std::uint32_t{1}](std::span<std::uint8_t> out) mutable {
        for (auto& b : out) b = static_cast<std::uint8_t>((n = n * 1103515245u + 12345u) >> 16);
        return true;
    };
    cfg.max_remote_candidates = 8;
    cfg.max_pairs = 16;
    if (flags & 4) cfg.stun_server = *ice::endpoint::parse("198.51.100.1", 3478);
    ice::agent a(cfg, local_creds);
    a.add_host_candidate(*ice::endpoint::parse("10.0.0.2", 40000));
    a.add_host_candidate(*ice::endpoint::parse("127.0.0.1", 40000));
    a.add_host_candidate(*ice::endpoint::parse("2001:db8::2", 40000));
    const std::array<ice::endpoint, 4> peers = {
        *ice::endpoint::parse("10.0.0.1", 10000), *ice::endpoint::parse("203.0.113.7", 61000),
        *ice::endpoint::parse("2001:db8::1", 10000), *ice::endpoint::parse("198.51.100.1", 3478)};
    if (flags & 8) {
        (void)a.set_remote_credentials(remote_creds.ufrag, remote_creds.pwd);
        ice::candidate c;
        c.address = c.base = peers[0];
        c.priority = 2130706431;
        c.foundation = "1";
        (void)a.add_remote_candidate(c);
    }
    if (flags & 16) a.end_of_remote_candidates();
    auto now = ice::agent::time_point{} + std::chrono::hours(1);
    a.start(now);

    std::optional<stun::transaction_id> last_check;
    auto drain = [&] {
        while (auto act = a.poll()) {
            if (auto* d = std::get_if<ice::send_datagram>(&*act)) {
                check(d->size <= ice::max_datagram && d->size > 0);
                auto m = stun::message::parse(d->bytes());
                check(m.has_value());  // everything the agent writes must parse
                if (m->cls() == stun::msg_class::request) last_check = m->tid();
            }
        }
    };
    drain();
    int records = 0;
    while (data.size() >= 3 && records++ < 64) {
        const std::uint8_t ctl = data[0];
        const std::size_t len = std::min<std::size_t>(data[1] << 8 | data[2], data.size() - 3);
        auto datagram = data.subspan(3, len);
        data = data.subspan(3 + len);
        const auto& from = peers[ctl & 3];
        std::vector<std::uint8_t> fixed;
        if (ctl & 4) {
            fixed = resign(datagram, last_check ? &*last_check : nullptr);
            if (!fixed.empty()) datagram = fixed;
        }
        (void)a.on_datagram(now, from, datagram);
        drain();
        if (ctl & 8) a.restart(now, ice::credentials{"LOCALufrag", "LOCALpassword0123456789x"});
        if (ctl & 16) (void)a.set_remote_credentials(remote_creds.ufrag, remote_creds.pwd);
        // Time moves on by (ctl >> 5) * 100 ms. After on_timer() the deadline must lie ahead:
        // one still due would make the glue's timer spin.
        now += std::chrono::milliseconds((ctl >> 5) * 100);
        if (auto d = a.next_deadline(); d && *d <= now) {
            a.on_timer(now);
            drain();
            auto again = a.next_deadline();
            check(!again || *again > now);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    parse_properties(in);
    agent_script(in);
    return 0;
}
