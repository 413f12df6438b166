#pragma once
// Two DTLS sessions wired back to back in memory: datagrams move between them, a filter may lose
// some, timers run on short real waits (OpenSSL's retransmission timer reads the real clock).

#include "media/dtls/certificate.hpp"
#include "media/dtls/session.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace jigasi::test {

namespace dtls = media::dtls;
using namespace std::chrono_literals;

inline std::shared_ptr<const dtls::certificate> make_cert() {
    auto c = dtls::certificate::generate();
    REQUIRE(c);
    return *c;
}

/// A config that expects `theirs`' SHA-256 fingerprint; quick retransmissions for tests.
inline dtls::config make_config(dtls::role r, std::shared_ptr<const dtls::certificate> ours,
                                const dtls::fingerprint& theirs) {
    dtls::config c;
    c.role = r;
    c.cert = std::move(ours);
    c.remote_fingerprint = theirs;
    c.initial_retransmit = 50ms;
    c.handshake_timeout = 5s;
    return c;
}

inline dtls::session make_session(dtls::config c) {
    auto s = dtls::session::create(std::move(c));
    REQUIRE(s);
    return std::move(*s);
}

struct dtls_pair {
    std::shared_ptr<const dtls::certificate> client_cert = make_cert();
    std::shared_ptr<const dtls::certificate> server_cert = make_cert();
    std::optional<dtls::session> client;
    std::optional<dtls::session> server;
    /// Return true to lose the datagram. `index` counts that side's datagrams from 0.
    std::function<bool(bool from_client, std::size_t index, std::span<const std::uint8_t>)> lose;
    std::size_t sent_by_client = 0;
    std::size_t sent_by_server = 0;
    std::size_t max_datagram = 0;
    std::vector<dtls::event> client_events;
    std::vector<dtls::event> server_events;

    dtls::config client_config() const {
        return make_config(dtls::role::client, client_cert, server_cert->sha256());
    }
    dtls::config server_config() const {
        return make_config(dtls::role::server, server_cert, client_cert->sha256());
    }
    void create(dtls::config c, dtls::config s) {
        client.emplace(make_session(std::move(c)));
        server.emplace(make_session(std::move(s)));
    }
    void create() { create(client_config(), server_config()); }

    /// Delivers datagrams both ways until none is left.
    void pump() {
        for (bool moved = true; moved;) {
            moved = false;
            while (auto d = client->pop_datagram()) {
                moved = true;
                max_datagram = std::max(max_datagram, d->size());
                if (!lose || !lose(true, sent_by_client++, *d))
                    server->feed(*d, dtls::clock::now());
            }
            while (auto d = server->pop_datagram()) {
                moved = true;
                max_datagram = std::max(max_datagram, d->size());
                if (!lose || !lose(false, sent_by_server++, *d))
                    client->feed(*d, dtls::clock::now());
            }
        }
        while (auto e = client->pop_event()) client_events.push_back(std::move(*e));
        while (auto e = server->pop_event()) server_events.push_back(std::move(*e));
    }

    static bool live(const dtls::session& s) {
        return s.current_state() == dtls::state::handshaking ||
               s.current_state() == dtls::state::idle;
    }

    /// Starts both and runs datagrams and timers until neither is handshaking (or `limit`).
    void run(std::chrono::milliseconds limit = 3s) {
        const auto end = dtls::clock::now() + limit;
        client->start(dtls::clock::now());
        server->start(dtls::clock::now());
        while (dtls::clock::now() < end) {
            pump();
            if (!live(*client) && !live(*server)) break;
            auto next = end;
            for (auto* s : {&*client, &*server})
                if (auto d = s->next_deadline()) next = std::min(next, *d);
            std::this_thread::sleep_until(next);
            client->on_timer(dtls::clock::now());
            server->on_timer(dtls::clock::now());
        }
        pump();
    }
};

template <class E>
const E* find_event(const std::vector<dtls::event>& events) {
    for (const auto& e : events)
        if (const auto* p = std::get_if<E>(&e)) return p;
    return nullptr;
}

}  // namespace jigasi::test
