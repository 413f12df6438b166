#pragma once
// A full ICE agent (RFC 8445) for one data stream with one component (BUNDLE + rtcp-mux, UDP),
// without I/O (house style 1): the call's media glue feeds it datagrams and time and performs the
// actions it queues. Toward the Jitsi bridge we are controlled (jitsi-protocol.md §4.4); the
// controlling role (regular nomination) is supported too, and a role conflict resolves per §7.3.1.1.
//
//   host candidates (the call's one socket) -> [srflx from a STUN server] -> remote credentials and
//   candidates (at once or trickled) -> pairs, paced checks every Ta, triggered checks, prflx ->
//   nomination -> connected + selected pair -> consent freshness (RFC 7675) every ~5 s ->
//   consent lost after 30 s of silence; restart() for an ICE restart (§9).
//
// Driving it: after every call, drain poll() and (re)arm one timer at next_deadline(), which may be
// in the past (then call on_timer at once).

#include "core/result.hpp"
#include "media/description.hpp"
#include "media/ice/candidate.hpp"
#include "media/ice/endpoint.hpp"
#include "media/ice/stun.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace jigasi::media::ice {

enum class role : std::uint8_t { controlled, controlling };
enum class agent_state : std::uint8_t { idle, checking, connected, failed, closed };
/// RFC 8445 §6.1.2.6.
enum class pair_state : std::uint8_t { frozen, waiting, in_progress, succeeded, failed };

std::string_view to_string(role r);
std::string_view to_string(agent_state s);
std::string_view to_string(pair_state s);

struct agent_config {
    role initial_role = role::controlled;                ///< the bridge is controlling (§4.4)
    std::optional<std::uint64_t> tie_breaker;            ///< random when absent (RFC 8445 §16.1)
    std::chrono::milliseconds ta{50};                    ///< pacing of new checks (RFC 8445 §14.2)
    std::chrono::milliseconds rto_min{500};              ///< floor of the first RTO (RFC 8445 §14.3)
    std::chrono::milliseconds rto_max{3000};             ///< the doubling RTO stops growing here
    unsigned max_transmissions = 7;                      ///< Rc (RFC 5389 §7.2.1)
    std::chrono::milliseconds connect_timeout{30000};    ///< no nominated pair by then: failed
    std::chrono::milliseconds nomination_delay{1000};    ///< controlling: wait for better pairs at most this long
    /// Controlled with a valid pair, and not one check from the peer by then: the peer is an
    /// ICE-lite agent (RFC 8445 §2.5: lite agents send no checks) that did not object to our
    /// role, so we take control and nominate (§6.1.1: with a lite peer the full agent controls).
    /// Nobody is nominated otherwise. Zero: never.
    std::chrono::milliseconds lite_peer_after{1500};
    std::chrono::milliseconds consent_interval{5000};    ///< RFC 7675 §5.1, randomized +-20 %
    std::chrono::milliseconds consent_timeout{30000};    ///< RFC 7675 §5.1
    std::optional<endpoint> stun_server;                 ///< server-reflexive gathering when set
    std::size_t max_pairs = 100;                         ///< RFC 8445 §6.1.2.5
    std::size_t max_remote_candidates = 32;              ///< signalled + peer-reflexive
    random_fn random;                                    ///< empty: OpenSSL RAND_bytes
};

/// Room for the largest message the agent writes (a check with a 513-byte USERNAME is 596 bytes).
inline constexpr std::size_t max_datagram = 640;
/// Host, srflx and peer-reflexive local candidates together.
inline constexpr std::size_t max_local_candidates = 32;

/// Send these bytes from the call's socket to `to`.
struct send_datagram {
    endpoint to;
    std::array<std::uint8_t, max_datagram> data{};
    std::uint16_t size = 0;
    std::span<const std::uint8_t> bytes() const { return {data.data(), size}; }
};
/// A server-reflexive candidate was gathered: signal it (trickle) if the offer/answer allows.
struct local_candidate_added {
    candidate c;
};
struct gathering_complete {};
/// Media goes to `remote.address` from now on (the first time, and after a re-nomination/restart).
struct selected_pair_changed {
    candidate local;
    candidate remote;
};
/// A pair is nominated: media may flow (emitted again after a completed ICE restart).
struct connected {};
struct failed {
    std::string reason;
};
/// RFC 7675 §5.1: no authenticated answer for consent_timeout; stop sending media.
struct consent_lost {};

using action = std::variant<send_datagram, local_candidate_added, gathering_complete, selected_pair_changed,
                            connected, failed, consent_lost>;

struct pair_info {
    candidate local;
    candidate remote;
    std::uint64_t priority = 0;
    pair_state state = pair_state::frozen;
    bool valid = false;
    bool nominated = false;
};

/// Counters for metrics and the admin API.
struct agent_stats {
    std::uint64_t checks_sent = 0;          ///< Binding requests sent, retransmissions and consent included
    std::uint64_t retransmissions = 0;
    std::uint64_t consent_checks_sent = 0;
    std::uint64_t checks_received = 0;      ///< authenticated Binding requests
    std::uint64_t checks_refused = 0;       ///< answered with an error (400/401/420/487)
    std::uint64_t responses_received = 0;   ///< matched, authenticated responses
    std::uint64_t dropped = 0;              ///< malformed, bad fingerprint, forged or stray STUN
    std::uint64_t role_conflicts = 0;
    bool lite_peer = false;                  ///< took control after lite_peer_after (see agent_config)
    std::optional<std::chrono::microseconds> last_rtt;  ///< of the last check answered on its first try
    std::optional<pair_info> selected;
};

class agent {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    agent(agent_config cfg, credentials local);

    /// An address of the call's socket (all host candidates share its port), in preference order;
    /// loopback ones rank last. Call before start().
    void add_host_candidate(const endpoint& e);
    /// From the signalling (Jingle transport ufrag/pwd). Checks wait until these are known.
    std::optional<core::error> set_remote_credentials(std::string ufrag, std::string pwd);
    /// A signalled remote candidate (all at once or trickled); nullopt when taken.
    std::optional<core::error> add_remote_candidate(const candidate& c);
    std::optional<core::error> add_remote_candidate(const media::ice_candidate& c);
    /// RFC 8838 §13: no more remote candidates; the check list may now fail.
    void end_of_remote_candidates();

    /// Starts gathering (srflx) and checks; the overall timeout runs from here.
    void start(time_point now);
    /// A datagram from `from`; `local` is the address it arrived on when the socket knows it
    /// (IP_PKTINFO), else the agent picks a host candidate. True when it was STUN (consumed,
    /// even if dropped); false: hand it to the demultiplexer's other consumers.
    bool on_datagram(time_point now, const endpoint& from, std::span<const std::uint8_t> data,
                     const endpoint* local = nullptr);
    void on_timer(time_point now);
    std::optional<time_point> next_deadline() const;
    /// The next action, in order; nullopt when drained.
    std::optional<action> poll();

    /// RFC 8445 §9: new local credentials; the remote ones and candidates must be signalled again.
    /// Media stays on the selected pair (and consent keeps running) until a new pair is nominated.
    void restart(time_point now, credentials local);
    /// Stops everything; no more actions.
    void close();

    role current_role() const { return role_; }
    agent_state state() const { return state_; }
    std::uint64_t tie_breaker() const { return tie_breaker_; }
    const credentials& local_credentials() const { return local_creds_; }
    std::span<const candidate> local_candidates() const { return local_; }
    std::vector<pair_info> pairs() const;
    std::optional<pair_info> selected_pair() const { return stats_.selected; }
    const agent_stats& stats() const { return stats_; }

private:
    struct pair_entry {
        std::size_t local = 0, remote = 0;  ///< indices into local_ / remote_
        std::uint64_t priority = 0;
        pair_state state = pair_state::frozen;
        bool in_checklist = true;  ///< false: only a valid pair built from a mapped address (§7.2.5.3.2)
        bool valid = false;
        bool nominated = false;
        bool nominate_on_success = false;  ///< controlled: USE-CANDIDATE came before success (§7.3.1.5)
        std::optional<std::size_t> valid_pair;  ///< the valid pair a success produced
    };
    enum class tx_kind : std::uint8_t { check, consent, gather };
    struct transaction {
        stun::transaction_id id{};
        tx_kind kind = tx_kind::check;
        std::size_t pair = 0;
        endpoint to;
        endpoint base;  ///< gathering: the host candidate whose mapping is asked for
        role sent_as = role::controlled;
        std::uint32_t priority = 0;  ///< PRIORITY sent: a prflx candidate's (§7.2.2)
        bool use_candidate = false;
        bool previous_credentials = false;  ///< consent of the previous generation during a restart
        bool cancelled = false;             ///< §7.3.1.4: no more retransmissions, still answerable
        unsigned sent = 0;
        std::chrono::milliseconds rto{};
        time_point last_sent{}, next_at{};
    };

    // agent.cpp: candidates, pairs, scheduling
    std::optional<std::size_t> add_local(candidate c);
    std::optional<std::size_t> find_local(const endpoint& e) const;
    std::optional<std::size_t> find_remote(const endpoint& e) const;
    std::optional<std::size_t> find_pair(std::size_t l, std::size_t r) const;
    std::optional<std::size_t> local_for(const endpoint& from, const endpoint* hint) const;
    std::optional<std::size_t> add_pair(std::size_t l, std::size_t r, pair_state s, bool in_checklist);
    void form_pairs(std::size_t remote);
    bool same_foundation(const pair_entry& a, const pair_entry& b) const;
    std::uint64_t priority_of(const pair_entry& p) const;
    void switch_role(role r);
    void unfreeze();
    void enqueue_triggered(std::size_t pair);
    void pace(time_point now);
    bool check_due() const;
    void maybe_nominate(time_point now);
    bool lite_peer_due() const;
    void check_failure(time_point now);
    void fail(std::string reason);
    bool live_check(std::size_t pair, const transaction* except) const;
    std::chrono::milliseconds consent_jitter();
    pair_info info(const pair_entry& p) const;

    // agent_checks.cpp: the wire
    void start_check(time_point now, std::size_t pair, bool use_candidate);
    void send_consent(time_point now);
    void transmit(time_point now, transaction& tx);
    void on_tx_timer(time_point now, std::size_t index);
    void handle_request(time_point now, const endpoint& from, const endpoint* local, const stun::message& m);
    void handle_response(time_point now, const endpoint& from, const stun::message& m);
    void handle_gather_response(const transaction& tx, const stun::message& m);
    void answer_error(const endpoint& to, const stun::message& req, std::uint16_t code, std::string_view reason,
                      const std::string* key);
    send_datagram* new_datagram(const endpoint& to);
    void nominate(time_point now, std::size_t valid_pair);
    void select(time_point now, std::size_t valid_pair);
    stun::transaction_id new_tid();

    agent_config cfg_;
    credentials local_creds_;
    std::optional<credentials> prev_local_creds_;   ///< accepted until the restart completes
    credentials remote_creds_;                      ///< empty until signalled
    std::optional<credentials> prev_remote_creds_;  ///< for consent on the old pair during a restart
    role role_;
    std::uint64_t tie_breaker_ = 0;
    agent_state state_ = agent_state::idle;
    bool started_ = false;
    bool end_of_remote_ = false;
    bool completed_ = false;   ///< the check list has a nominated pair (§8.1.2)
    bool nominating_ = false;  ///< controlling: a USE-CANDIDATE check is queued or out
    std::optional<std::size_t> nominate_pair_;
    std::size_t next_foundation_ = 1;
    std::size_t prflx_count_ = 0;

    std::vector<candidate> local_;
    std::vector<candidate> remote_;
    std::vector<pair_entry> pairs_;
    std::vector<std::size_t> triggered_;  ///< FIFO of pair indices (§6.1.4.1)
    std::vector<transaction> txs_;
    std::vector<action> actions_;
    std::size_t actions_head_ = 0;

    time_point start_time_{};
    time_point next_check_at_{};
    std::optional<time_point> first_valid_at_;
    bool consent_active_ = false;
    time_point consent_next_{}, consent_expiry_{};
    std::mt19937_64 rng_;
    agent_stats stats_;
};

}  // namespace jigasi::media::ice
