#include "xmpp/stream_mgmt.hpp"

#include <charconv>

namespace jigasi::xmpp {

namespace {

class sm_category_impl : public std::error_category {
public:
    const char* name() const noexcept override { return "xmpp-sm"; }
    std::string message(int c) const override {
        switch (static_cast<sm_errc>(c)) {
        case sm_errc::handled_count_too_high: return "the server acknowledged more stanzas than were sent";
        case sm_errc::bad_ack: return "stream management element with a bad 'h'";
        case sm_errc::not_resumable: return "too many unacknowledged stanzas to resume the session";
        case sm_errc::resume_failed: return "the server could not resume the session";
        }
        return "unknown stream management error";
    }
};

std::optional<std::uint32_t> parse_u32(std::string_view s) {
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

/// §4: <undefined-condition/> with <handled-count-too-high/> saying both counts.
element too_high_error(std::uint32_t h, std::uint32_t sent) {
    element err("error", std::string(ns::stream));
    err.add("undefined-condition", std::string(ns::streams_error));
    err.add("handled-count-too-high", std::string(ns::sm))
        .set_attr("h", std::to_string(h))
        .set_attr("send-count", std::to_string(sent));
    return err;
}

}  // namespace

const std::error_category& sm_category() noexcept {
    static const sm_category_impl c;
    return c;
}

element sm_enable(bool resume, std::chrono::seconds max) {
    element e("enable", std::string(ns::sm));
    if (resume) {
        e.set_attr("resume", "true");
        if (max.count() > 0) e.set_attr("max", std::to_string(max.count()));  // §5: our preferred window
    }
    return e;
}

element sm_resume(std::string_view previd, std::uint32_t h) {
    element e("resume", std::string(ns::sm));
    e.set_attr("previd", std::string(previd)).set_attr("h", std::to_string(h));
    return e;
}

sm_grant read_sm_enabled(const element& enabled) {
    sm_grant g;
    g.id = std::string(enabled.attr_or("id"));
    const auto resume = enabled.attr_or("resume");
    g.resume = (resume == "true" || resume == "1") && !g.id.empty();
    if (!g.resume) g.id.clear();
    if (auto max = parse_u32(enabled.attr_or("max"))) g.max = std::chrono::seconds(*max);
    g.location = std::string(enabled.attr_or("location"));
    return g;
}

std::optional<std::uint32_t> read_sm_h(const element& e) {
    auto h = e.attr("h");
    return h ? parse_u32(*h) : std::nullopt;
}

std::string read_sm_failed(const element& failed) {
    for (const auto* c : failed.elements())
        if (c->ns() == ns::stanzas_error && c->name() != "text") return c->name();
    return "undefined-condition";
}

bool sm_counts(const element& e) {
    return (e.ns() == ns::client || e.ns() == ns::component || e.ns().empty()) &&
           (e.name() == "iq" || e.name() == "message" || e.name() == "presence");
}

bool parse_sm_location(std::string_view location, std::string& host, std::uint16_t& port) {
    std::string_view h = location, p;
    if (location.starts_with('[')) {
        const auto close = location.find(']');
        if (close == std::string_view::npos) return false;
        h = location.substr(1, close - 1);
        const auto rest = location.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) return false;
        if (!rest.empty()) p = rest.substr(1);
        if (rest == ":") return false;
    } else if (const auto colon = location.find(':'); colon != std::string_view::npos) {
        if (location.find(':', colon + 1) != std::string_view::npos) return false;  // bare IPv6 needs []
        h = location.substr(0, colon);
        p = location.substr(colon + 1);
        if (p.empty()) return false;
    }
    std::uint16_t n = 0;
    if (!p.empty()) {
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
        if (ec != std::errc{} || end != p.data() + p.size() || n == 0) return false;
    }
    if (h.empty()) return false;
    host = std::string(h);
    if (n) port = n;
    return true;
}

stream_mgmt::stream_mgmt(sm_limits limits) : limits_(limits) {}

void stream_mgmt::start(sm_grant grant, sm_counters at) {
    grant_ = std::move(grant);
    enabled_ = true;
    awaiting_ = overflow_ = false;
    sent_ = acked_ = at.sent;
    handled_ = at.handled;
    unacked_.clear();
    bytes_ = 0;
}

bool stream_mgmt::on_outbound(std::string data) {
    if (!enabled_) return false;
    ++sent_;
    if (overflow_) return false;
    bytes_ += data.size();
    unacked_.push_back(std::move(data));
    if (unacked_.size() <= limits_.max_unacked && bytes_ <= limits_.max_unacked_bytes) return false;
    // Keeping more would only grow memory while the server is silent; without the queue there is
    // nothing to resend, so the session will not be resumed (the counters go on).
    overflow_ = true;
    unacked_.clear();
    bytes_ = 0;
    return true;
}

bool stream_mgmt::apply(std::uint32_t h, std::error_code& ec, std::string& diagnostic) {
    const std::uint32_t newly = h - acked_;  // mod 2^32 (§4), so it works across the wrap
    if (newly > unacked()) {
        ec = sm_errc::handled_count_too_high;
        diagnostic = "the server acknowledged h=" + std::to_string(h) + " but only " + std::to_string(sent_) +
                     " stanzas were sent";
        return false;
    }
    acked_ = h;
    if (!overflow_) {
        for (std::uint32_t i = 0; i < newly; ++i) {
            bytes_ -= unacked_.front().size();
            unacked_.pop_front();
        }
    } else if (unacked() == 0) {
        overflow_ = false;  // the server caught up: nothing is missing from the (empty) queue
    }
    return true;
}

stream_mgmt::reaction stream_mgmt::on_element(const element& e) {
    reaction r;
    if (!enabled_ || e.ns() != ns::sm) return r;
    if (e.name() == "r") {
        r.reply = ack();  // §4: an <r/> MUST be answered
        return r;
    }
    if (e.name() != "a") return r;
    awaiting_ = false;
    auto h = read_sm_h(e);
    if (!h) {
        r.ec = sm_errc::bad_ack;
        r.diagnostic = "<a/> with h='" + std::string(e.attr_or("h")) + "'";
        r.reply = element("error", std::string(ns::stream));
        r.reply->add("undefined-condition", std::string(ns::streams_error));
        return r;
    }
    const std::uint32_t sent = sent_;
    if (!apply(*h, r.ec, r.diagnostic)) r.reply = too_high_error(*h, sent);
    return r;
}

element stream_mgmt::ack() const {
    element a("a", std::string(ns::sm));
    a.set_attr("h", std::to_string(handled_));
    return a;
}

element stream_mgmt::request() {
    awaiting_ = true;
    return element("r", std::string(ns::sm));
}

std::optional<std::vector<std::string>> stream_mgmt::on_resumed(std::uint32_t h, std::error_code& ec,
                                                                  std::string& diagnostic) {
    if (overflow_) {
        ec = sm_errc::not_resumable;
        diagnostic = std::to_string(unacked()) + " unacknowledged stanzas, more than kept for resending";
        return std::nullopt;
    }
    if (!apply(h, ec, diagnostic)) return std::nullopt;
    awaiting_ = false;  // an <r/> of the old stream is never answered
    return std::vector<std::string>(unacked_.begin(), unacked_.end());
}

}  // namespace jigasi::xmpp
