#pragma once
// XEP-0198 stream management without sockets: the counts of stanzas handled in each direction ('h',
// mod 2^32, §4), the outbound stanzas the server has not acknowledged yet, the <r/>/<a/> exchange,
// and what a resumed session (§5) must send again. stream_fsm negotiates <enable/> and <resume/>
// with the helpers below; the connection feeds this class what it writes and reads.

#include "xmpp/element.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace jigasi::xmpp {

enum class sm_errc {
    handled_count_too_high = 1,  ///< the server acknowledged more stanzas than we sent (§4)
    bad_ack,                     ///< an <a/> or <resumed/> whose 'h' is not a 32-bit number
    not_resumable,               ///< the unacknowledged stanzas were over the limit: nothing to resend
    resume_failed,               ///< the server refused <resume/> (§5): the session is gone
};
const std::error_category& sm_category() noexcept;
inline std::error_code make_error_code(sm_errc e) noexcept { return {static_cast<int>(e), sm_category()}; }

struct sm_limits {
    /// Stanzas kept for resending, and their bytes: past either, the session stops being
    /// resumable (until the server catches up) instead of the queue growing without bound.
    std::size_t max_unacked = 1000;
    std::size_t max_unacked_bytes = 1024 * 1024;
    std::uint32_t request_after = 5;  ///< ask for an ack (<r/>) once this many stanzas wait for one
};

/// What <enabled/> granted (§3).
struct sm_grant {
    std::string id;               ///< the resumption id; empty when not resumable
    bool resume = false;          ///< resume='true' with an id
    std::chrono::seconds max{0};  ///< how long the server keeps the session; 0 when it did not say
    std::string location;         ///< where to reconnect to resume (§5), "host", "host:port", "[v6]:port"
};

/// The counters of a stream, for tests of the 2^32 wraparound (a new stream starts at zero).
struct sm_counters {
    std::uint32_t sent = 0;
    std::uint32_t handled = 0;
};

/// <enable resume='true' max='N'/> (§3); max 0 leaves the window to the server.
element sm_enable(bool resume, std::chrono::seconds max);
/// <resume previd='…' h='…'/> (§5).
element sm_resume(std::string_view previd, std::uint32_t h);
/// The grant of an <enabled/>: resumable only with resume='true' (or '1') and an id.
sm_grant read_sm_enabled(const element& enabled);
/// The 'h' of an <a/>, <resumed/> or <failed/>: a decimal unsigned 32-bit number, else nullopt.
std::optional<std::uint32_t> read_sm_h(const element& e);
/// The condition of a <failed/> (§3, §5): "item-not-found", …, "undefined-condition" if none.
std::string read_sm_failed(const element& failed);
/// §4: only stanzas count (iq, message, presence); nonzas such as <r/>, <a/> and SASL never do.
bool sm_counts(const element& e);
/// An <enabled location/> (§5): "host", "host:port" or "[v6]:port" into host and port (kept when
/// absent). False, changing nothing, when it is none of these.
bool parse_sm_location(std::string_view location, std::string& host, std::uint16_t& port);

class stream_mgmt {
public:
    /// What the connection does with an element of the sm namespace read while stanzas flow.
    struct reaction {
        std::optional<element> reply;  ///< to send: <a/> for <r/>, or the <stream:error/> with ec
        std::error_code ec;            ///< the stream must end: send `reply`, then close
        std::string diagnostic;
    };

    explicit stream_mgmt(sm_limits limits = {});

    /// After <enabled/>: the counters start at zero (§4) with an empty queue.
    void start(sm_grant grant, sm_counters at = {});
    bool enabled() const { return enabled_; }
    const sm_grant& grant() const { return grant_; }
    /// The server would resume the session and we still hold every stanza it may lack.
    bool resumable() const { return enabled_ && grant_.resume && !overflow_; }

    /// A stanza was read and handed on.
    void on_inbound() { ++handled_; }
    std::uint32_t handled() const { return handled_; }

    /// A stanza written (or queued for writing), as serialized. True when it is the one that took
    /// the queue over the limit: the queue is dropped and the session is no longer resumable.
    bool on_outbound(std::string data);
    std::uint32_t sent() const { return sent_; }
    std::uint32_t unacked() const { return sent_ - acked_; }
    std::size_t queued_bytes() const { return bytes_; }

    /// <r/> or <a/> from the server; other sm elements are ignored.
    reaction on_element(const element& e);
    /// Our <a h/> (the answer to <r/>, and the last word before a clean close).
    element ack() const;
    /// Enough stanzas wait for an ack and none was asked for yet.
    bool request_due() const { return enabled_ && !awaiting_ && unacked() >= limits_.request_after; }
    /// Something waits for an ack and none was asked for: the connection asks after a while.
    bool request_pending() const { return enabled_ && !awaiting_ && unacked() > 0; }
    /// <r/>, noting that an answer is expected.
    element request();

    /// <resumed h/> (§5): drops what the server handled and returns the rest, in order, to write
    /// again on the new stream. Empty optional with `ec` set when that is impossible.
    std::optional<std::vector<std::string>> on_resumed(std::uint32_t h, std::error_code& ec, std::string& diagnostic);

private:
    /// Applies the server's h: false (with ec) when it acknowledges more than was sent.
    bool apply(std::uint32_t h, std::error_code& ec, std::string& diagnostic);

    sm_limits limits_;
    sm_grant grant_;
    bool enabled_ = false, awaiting_ = false, overflow_ = false;
    std::uint32_t sent_ = 0, acked_ = 0, handled_ = 0;
    std::deque<std::string> unacked_;  ///< stanzas acked_+1 … sent_, unless overflow_
    std::size_t bytes_ = 0;
};

}  // namespace jigasi::xmpp

template <>
struct std::is_error_code_enum<jigasi::xmpp::sm_errc> : std::true_type {};
