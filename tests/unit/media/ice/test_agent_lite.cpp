// Our controlled agent against an ICE-lite peer (RFC 8445 §2.5): a lite agent sends no checks,
// only answers ours. JVB is a full agent, but a lite peer that answers our ICE-CONTROLLED checks
// with success (instead of 487) must not leave the call without a nominated pair (§6.1.1).
#include "ice_net.hpp"

#include <catch2/catch.hpp>

using namespace ice_test;

namespace {

/// A lite responder: success to every authenticated Binding request, never a check of its own.
struct lite_peer {
    endpoint addr = ep("10.0.0.1", 10000);
    credentials own = creds("LITEufrag", "LITEpassword0123456789xx");
    std::size_t requests = 0, nominations = 0, controlling_checks = 0;

    std::optional<std::vector<std::uint8_t>> answer(std::span<const std::uint8_t> data, const endpoint& from) {
        auto m = stun::message::parse(data);
        if (!m || m->cls() != stun::msg_class::request || !m->verify_integrity(own.pwd)) return std::nullopt;
        ++requests;
        if (m->use_candidate()) ++nominations;
        if (m->ice_controlling()) ++controlling_checks;
        std::vector<std::uint8_t> out(256);
        stun::message_writer w(out, stun::msg_class::success, stun::method::binding, m->tid());
        w.add_xor_address(stun::attr::xor_mapped_address, from).add_integrity(own.pwd).add_fingerprint();
        auto r = w.finish();
        REQUIRE(r);
        return std::vector<std::uint8_t>(r->begin(), r->end());
    }
};

}  // namespace

TEST_CASE("controlled against a lite peer that sends no checks: we take control and nominate", "[ice]") {
    lite_peer peer;
    node us(config(role::controlled, 1, 2), creds("BBBBufrag", "BBBBpassword0123456789xx"), ep("10.0.0.2", 40000));
    REQUIRE_FALSE(us.a.set_remote_credentials(peer.own.ufrag, peer.own.pwd));
    const jigasi::media::ice_candidate c{"1", 1, "udp", candidate_priority(type_preference(candidate_type::host), 65535),
                                         "10.0.0.1", 10000, "host", "", 0, "", 0};
    REQUIRE_FALSE(us.a.add_remote_candidate(c));
    time_point now{};
    us.a.start(now);
    std::optional<time_point> connected_at;
    std::vector<std::vector<std::uint8_t>> replies;
    auto drain = [&] {
        while (auto act = us.a.poll()) {
            if (auto* s = std::get_if<send_datagram>(&*act)) {
                if (auto reply = peer.answer(s->bytes(), us.host)) replies.push_back(std::move(*reply));
            } else if (std::holds_alternative<connected>(*act)) {
                connected_at = now;
            }
        }
    };
    drain();
    for (int step = 0; step < 500 && !connected_at; ++step) {  // 5 s of 10 ms steps
        now += 10ms;
        for (auto& r : std::exchange(replies, {})) us.a.on_datagram(now, peer.addr, r);
        drain();
        us.a.on_timer(now);
        drain();
    }
    REQUIRE(connected_at);
    CHECK(us.a.stats().lite_peer);
    CHECK(us.a.current_role() == role::controlling);
    CHECK(peer.nominations >= 1);
    CHECK(peer.controlling_checks >= 1);
    // Not before lite_peer_after (1.5 s) after the first valid pair: a full peer gets that long to
    // check us and nominate as the controlling side.
    CHECK(*connected_at >= time_point{} + 1500ms);
    CHECK(*connected_at < time_point{} + 3s);
    CHECK(us.a.stats().role_conflicts == 0);
}
