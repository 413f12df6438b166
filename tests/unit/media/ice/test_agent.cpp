// Two ICE agents wired together in memory: connectivity, loss, role conflicts, trickle, NAT.

#include "ice_net.hpp"

#include <catch2/catch.hpp>

using namespace ice_test;

namespace {

struct pair_of_agents {
    node a;  ///< the bridge's side: controlling
    node b;  ///< ours: controlled
    network net{{&a, &b}};
    pair_of_agents(role ra = role::controlling, std::uint64_t ta = 2, role rb = role::controlled, std::uint64_t tb = 1)
        : a(config(ra, ta, 1), creds("AAAAufrag", "AAAApassword0123456789xx"), ep("10.0.0.1", 10000)),
          b(config(rb, tb, 2), creds("BBBBufrag", "BBBBpassword0123456789xx"), ep("10.0.0.2", 40000)) {}
    void start() {
        a.a.start(net.now);
        b.a.start(net.now);
    }
    bool both_connected(std::chrono::milliseconds limit = 10s) {
        return net.run_until([&] { return a.connected() && b.connected(); }, limit);
    }
};

void same_selected_pair(const node& x, const node& y) {
    auto sx = x.a.selected_pair();
    auto sy = y.a.selected_pair();
    REQUIRE(sx);
    REQUIRE(sy);
    CHECK(sx->remote.address == y.seen_as);
    CHECK(sy->remote.address == x.seen_as);
    CHECK(sx->local.address == x.seen_as);  // the mapped address (a prflx one behind a NAT)
    CHECK(sy->local.address == y.seen_as);
}

}  // namespace

TEST_CASE("controlling and controlled agents reach connected on the same pair", "[ice]") {
    pair_of_agents t;
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.start();
    REQUIRE(t.both_connected());
    same_selected_pair(t.a, t.b);
    CHECK(t.a.count<connected>() == 1);
    CHECK(t.b.count<connected>() == 1);
    REQUIRE(t.b.last<selected_pair_changed>());
    CHECK(t.b.last<selected_pair_changed>()->remote.address == t.a.host);
    CHECK(t.a.count<gathering_complete>() == 1);
    CHECK(t.a.a.current_role() == role::controlling);
    CHECK(t.b.a.current_role() == role::controlled);
    CHECK(t.a.a.stats().checks_sent >= 2);  // an ordinary check and the nomination
    CHECK(t.b.a.stats().checks_received >= 2);
    REQUIRE(t.a.a.stats().last_rtt);
    CHECK(*t.a.a.stats().last_rtt == 20ms);
    CHECK(t.a.a.selected_pair()->nominated);
    // Nothing else happens but consent: no failure within a minute of steady state.
    t.net.run_for(60s);
    CHECK(t.a.connected());
    CHECK(t.b.connected());
    CHECK(t.a.a.stats().consent_checks_sent >= 10);
    CHECK(t.a.count<failed>() + t.b.count<failed>() + t.a.count<consent_lost>() == 0);
}

TEST_CASE("the controlled side waits for the nomination", "[ice]") {
    pair_of_agents t;
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.a.a.close();  // the controlling side answers nothing and nominates nothing
    t.b.a.start(t.net.now);
    t.net.run_for(5s);
    CHECK(t.b.a.state() == agent_state::checking);
    CHECK_FALSE(t.b.a.selected_pair());
}

TEST_CASE("lost first checks are recovered by retransmission", "[ice]") {
    pair_of_agents t;
    signal(t.a, t.b);
    signal(t.b, t.a);
    std::size_t seen = 0;
    t.net.drop = [&](const packet&) { return ++seen <= 4; };  // the first four datagrams, both ways
    t.start();
    REQUIRE(t.both_connected(20s));
    same_selected_pair(t.a, t.b);
    CHECK(t.net.lost == 4);
    CHECK(t.a.a.stats().retransmissions + t.b.a.stats().retransmissions >= 1);
}

TEST_CASE("both controlling: the 487 role conflict gives control to the larger tie-breaker", "[ice]") {
    pair_of_agents t(role::controlling, 5, role::controlling, 9);
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.start();
    REQUIRE(t.both_connected());
    CHECK(t.a.a.current_role() == role::controlled);
    CHECK(t.b.a.current_role() == role::controlling);
    CHECK(t.a.a.stats().role_conflicts + t.b.a.stats().role_conflicts >= 1);
    same_selected_pair(t.a, t.b);
}

TEST_CASE("both controlled: the larger tie-breaker takes control", "[ice]") {
    pair_of_agents t(role::controlled, 5, role::controlled, 9);
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.start();
    REQUIRE(t.both_connected());
    CHECK(t.a.a.current_role() == role::controlled);
    CHECK(t.b.a.current_role() == role::controlling);
    same_selected_pair(t.a, t.b);
}

TEST_CASE("a 487 answer to our check switches our role (RFC 8445 §7.2.5.1)", "[ice]") {
    // Only one side starts, so the conflict is seen first in a response, not in a request.
    pair_of_agents t(role::controlling, 1, role::controlling, 9);
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.a.a.start(t.net.now);
    REQUIRE(t.net.run_until([&] { return t.a.a.current_role() == role::controlled; }, 2s));
    CHECK(t.b.a.stats().checks_refused >= 1);
    t.b.a.start(t.net.now);
    REQUIRE(t.both_connected());
    same_selected_pair(t.a, t.b);
}

TEST_CASE("trickled candidates arriving late", "[ice]") {
    pair_of_agents t;
    // Credentials come with the offer/answer, candidates later and one side at a time.
    REQUIRE_FALSE(t.a.a.set_remote_credentials("BBBBufrag", "BBBBpassword0123456789xx"));
    REQUIRE_FALSE(t.b.a.set_remote_credentials("AAAAufrag", "AAAApassword0123456789xx"));
    t.start();
    t.net.run_for(1s);
    CHECK(t.net.sent == 0);  // nothing to check yet
    CHECK(t.a.a.state() == agent_state::checking);
    REQUIRE_FALSE(t.a.a.add_remote_candidate(t.b.a.local_candidates()[0]));
    REQUIRE(t.both_connected());
    // b learnt a as peer-reflexive from its checks; the signalled candidate then upgrades it.
    CHECK(t.b.a.selected_pair()->remote.type == candidate_type::prflx);
    REQUIRE_FALSE(t.b.a.add_remote_candidate(t.a.a.local_candidates()[0]));
    t.b.a.end_of_remote_candidates();
    t.a.a.end_of_remote_candidates();
    const auto pairs = t.b.a.pairs();
    REQUIRE(pairs.size() == 1);
    CHECK(pairs[0].remote.type == candidate_type::host);
    t.net.run_for(10s);
    CHECK(t.a.connected());
    CHECK(t.b.connected());
}

TEST_CASE("a peer-reflexive candidate from an unexpected source address (NAT)", "[ice]") {
    pair_of_agents t;
    // b sits behind a NAT: its host address is unreachable, its checks come from the mapping.
    t.b.seen_as = ep("203.0.113.7", 61000);
    t.b.reachable_at_host = false;
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.start();
    REQUIRE(t.both_connected());
    same_selected_pair(t.a, t.b);
    CHECK(t.a.a.selected_pair()->remote.type == candidate_type::prflx);
    CHECK(t.b.a.selected_pair()->local.type == candidate_type::prflx);
    CHECK(t.b.a.selected_pair()->local.base == t.b.host);
    REQUIRE(t.a.last<selected_pair_changed>());
    CHECK(t.a.last<selected_pair_changed>()->remote.address == ep("203.0.113.7", 61000));
}

TEST_CASE("the controlling side nominates the best pair of several", "[ice]") {
    pair_of_agents t;
    t.a.a.add_host_candidate(ep("127.0.0.1", 10000));
    t.b.a.add_host_candidate(ep("127.0.0.1", 40000));
    signal(t.a, t.b);
    signal(t.b, t.a);
    t.start();
    REQUIRE(t.both_connected());
    // Loopback ranks last: the non-loopback pair wins; loopback reaches only loopback.
    CHECK(t.a.a.selected_pair()->remote.address == t.b.host);
    CHECK(t.a.a.pairs().size() == 2);
}

TEST_CASE("IPv6 host candidates connect; families are not mixed", "[ice]") {
    node a{config(role::controlling, 2, 1), creds("AAAAufrag", "AAAApassword0123456789xx"), ep("2001:db8::1", 10000)};
    node b{config(role::controlled, 1, 2), creds("BBBBufrag", "BBBBpassword0123456789xx"), ep("2001:db8::2", 40000)};
    b.a.add_host_candidate(ep("10.0.0.2", 40000));
    network net{{&a, &b}};
    signal(a, b);
    signal(b, a);
    CHECK(b.a.pairs().size() == 1);  // no IPv4 pair: a has no IPv4 candidate
    a.a.start(net.now);
    b.a.start(net.now);
    REQUIRE(net.run_until([&] { return a.connected() && b.connected(); }, 10s));
    same_selected_pair(a, b);
    CHECK(a.a.selected_pair()->remote.address.v6);
}
