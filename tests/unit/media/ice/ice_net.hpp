#pragma once
// An in-memory UDP network for ICE agents with a fake clock: datagrams take `latency`, a `drop`
// filter loses some, and a node may sit behind a NAT (`seen_as`). Time jumps from one packet or
// deadline to the next, so a 30 s consent timeout runs instantly.

#include "media/ice/agent.hpp"
#include "media/ice/stun.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ice_test {

using namespace jigasi::media::ice;
using namespace std::chrono_literals;
using time_point = agent::time_point;

inline endpoint ep(std::string_view ip, std::uint16_t port) { return *endpoint::parse(ip, port); }

/// Deterministic "random" bytes so that runs repeat exactly.
inline random_fn counter_random(std::uint8_t seed) {
    return [n = std::uint32_t{seed} * 7919u](std::span<std::uint8_t> out) mutable {
        for (auto& b : out) b = static_cast<std::uint8_t>((n = n * 1103515245u + 12345u) >> 16);
        return true;
    };
}

inline agent_config config(role r, std::uint64_t tie, std::uint8_t seed) {
    agent_config c;
    c.initial_role = r;
    c.tie_breaker = tie;
    c.random = counter_random(seed);
    return c;
}

struct node {
    agent a;
    endpoint host;     ///< the socket's address
    endpoint seen_as;  ///< what others see as the source (a NAT mapping); host when not NATed
    bool reachable_at_host = true;
    std::vector<action> events;  ///< every action but send_datagram, in order

    node(agent_config cfg, credentials c, endpoint h) : a(std::move(cfg), std::move(c)), host(h), seen_as(h) {
        a.add_host_candidate(h);
    }
    template <class T>
    std::size_t count() const {
        return static_cast<std::size_t>(std::count_if(events.begin(), events.end(),
                                                      [](const action& x) { return std::holds_alternative<T>(x); }));
    }
    template <class T>
    const T* last() const {
        for (auto it = events.rbegin(); it != events.rend(); ++it)
            if (auto* p = std::get_if<T>(&*it)) return p;
        return nullptr;
    }
    bool connected() const { return a.state() == agent_state::connected; }
};

struct packet {
    time_point at;
    std::size_t from = 0;
    endpoint src, dst;
    std::vector<std::uint8_t> data;
};

struct network {
    time_point now = time_point{} + 1h;
    std::vector<node*> nodes;
    std::vector<packet> flight;
    std::chrono::milliseconds latency{10};
    std::function<bool(const packet&)> drop;  ///< true: the datagram is lost
    std::size_t sent = 0, lost = 0;
    int spins = 0;
    /// Datagrams sent to an address no node owns (a STUN server, a dead peer).
    std::vector<packet> unrouted;

    explicit network(std::vector<node*> n) : nodes(std::move(n)) {}

    void drain() {
        for (std::size_t i = 0; i < nodes.size(); ++i)
            while (auto act = nodes[i]->a.poll()) {
                if (auto* d = std::get_if<send_datagram>(&*act)) {
                    packet p{now + latency, i, nodes[i]->seen_as, d->to, {d->bytes().begin(), d->bytes().end()}};
                    ++sent;
                    if (drop && drop(p)) {
                        ++lost;
                        continue;
                    }
                    flight.push_back(std::move(p));
                } else {
                    nodes[i]->events.push_back(std::move(*act));
                }
            }
    }

    void deliver(const packet& p) {
        for (auto* n : nodes)
            if (n->seen_as == p.dst || (n->reachable_at_host && n->host == p.dst)) {
                n->a.on_datagram(now, p.src, p.data, &n->host);
                return;
            }
        unrouted.push_back(p);
    }

    /// To the next packet or deadline; false (and now = until) when there is none before `until`.
    bool step(time_point until) {
        drain();
        std::optional<time_point> t;
        for (const auto& p : flight)
            if (!t || p.at < *t) t = p.at;
        for (auto* n : nodes)
            if (auto d = n->a.next_deadline(); d && (!t || *d < *t)) t = *d;
        if (!t || *t > until) {
            now = until;
            return false;
        }
        // A deadline that stays in the past after on_timer() would make the glue's timer spin.
        spins = *t <= now ? spins + 1 : 0;
        REQUIRE(spins < 1000);
        now = std::max(now, *t);
        std::vector<packet> due;
        for (auto it = flight.begin(); it != flight.end();) {
            if (it->at <= now) {
                due.push_back(std::move(*it));
                it = flight.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& p : due) deliver(p);
        for (auto* n : nodes)
            if (auto d = n->a.next_deadline(); d && *d <= now) n->a.on_timer(now);
        drain();
        return true;
    }

    template <class Pred>
    bool run_until(Pred pred, std::chrono::milliseconds limit) {
        const time_point until = now + limit;
        drain();
        while (!pred())
            if (!step(until)) return pred();
        return true;
    }

    void run_for(std::chrono::milliseconds d) {
        const time_point until = now + d;
        while (step(until)) {
        }
    }
};

/// Signalling: `to` learns the credentials and candidates of `from`.
inline void signal(const node& from, node& to, bool end_of_candidates = true) {
    const auto& c = from.a.local_credentials();
    REQUIRE_FALSE(to.a.set_remote_credentials(c.ufrag, c.pwd));
    for (const auto& cand : from.a.local_candidates()) REQUIRE_FALSE(to.a.add_remote_candidate(cand));
    if (end_of_candidates) to.a.end_of_remote_candidates();
}

inline credentials creds(std::string u, std::string p) { return credentials{std::move(u), std::move(p)}; }

}  // namespace ice_test
