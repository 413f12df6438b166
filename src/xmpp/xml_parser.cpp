#include "xmpp/xml_parser.hpp"

#include "xmpp/xml_expat.hpp"

#include <algorithm>
#include <climits>

namespace jigasi::xmpp {

// --- xml_parser ---

xml_parser::xml_parser(xml_limits limits)
    : s_(std::make_unique<detail::expat_state>(limits, false, std::string_view())) {}

xml_parser::~xml_parser() = default;

std::error_code xml_parser::feed(std::string_view data) {
    auto& s = *s_;
    if (s.ec) return s.ec;
    const std::size_t nul = data.find('\0');
    data = data.substr(0, nul);
    s.head.append(data.substr(0, 2 - std::min<std::size_t>(s.head.size(), 2)));
    while (!s.ec && !data.empty()) {
        const std::size_t n = std::min<std::size_t>(data.size(), 1 << 20);  // XML_Parse takes int
        s.fed += n;
        if (XML_Parse(s.p, data.data(), static_cast<int>(n), XML_FALSE) == XML_STATUS_ERROR) {
            if (!s.ec) s.fail_expat();
            break;
        }
        data.remove_prefix(n);
        // What expat holds unparsed (a partial tag) or the open stanza must fit a stanza.
        const std::uint64_t from = s.stack.empty() ? s.last_event_end : s.stanza_start;
        if (s.fed - from > s.limits.max_stanza_bytes) {
            s.ec = xml_errc::stanza_too_big;
            s.diag = "more than " + std::to_string(s.limits.max_stanza_bytes) +
                     " bytes without a complete stanza";
        }
    }
    if (!s.ec && nul != std::string_view::npos) s.fail_nul();
    return s.ec;
}

std::optional<xml_event> xml_parser::next() {
    auto& s = *s_;
    if (s.events.empty()) return std::nullopt;
    detail::queued q = std::move(s.events.front());
    s.events.pop_front();
    s.queued_bytes -= q.bytes;
    return std::move(q.ev);
}

void xml_parser::reset() {
    s_ = std::make_unique<detail::expat_state>(s_->limits, false, std::string_view());
}

std::error_code xml_parser::error() const { return s_->ec; }
const std::string& xml_parser::diagnostic() const { return s_->diag; }

fragment_result parse_fragment(std::string_view data, const xml_limits& limits,
                               std::string_view default_ns) {
    if (data.size() > limits.max_stanza_bytes || data.size() > INT_MAX) {
        return {xml_errc::stanza_too_big, "message larger than the stanza limit"};
    }
    detail::expat_state s(limits, true, default_ns);
    if (const auto nul = data.find('\0'); nul != std::string_view::npos) {
        s.fed = nul;
        s.head = data.substr(0, 2);
        s.fail_nul();
        return {s.ec, std::move(s.diag)};
    }
    if (XML_Parse(s.p, data.data(), static_cast<int>(data.size()), XML_TRUE) == XML_STATUS_ERROR &&
        !s.ec) {
        s.fail_expat();
    }
    if (s.ec) return {s.ec, std::move(s.diag)};
    // A successful final parse saw exactly one root element (XML 1.0 §2.1).
    if (s.events.empty()) return {xml_errc::malformed, "no element"};
    return std::move(s.events.front().ev.stanza);
}

// --- errors ---

namespace {

class xml_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "xmpp-xml"; }
    std::string message(int ev) const override {
        switch (static_cast<xml_errc>(ev)) {
        case xml_errc::malformed: return "XML not well-formed";
        case xml_errc::restricted_xml: return "restricted XML construct (RFC 6120 11.1)";
        case xml_errc::stanza_too_big: return "stanza too big";
        case xml_errc::too_deep: return "elements nested too deep";
        case xml_errc::too_many_attributes: return "too many attributes";
        case xml_errc::buffer_full: return "too much buffered XML";
        case xml_errc::invalid_namespace: return "invalid stream namespace";
        case xml_errc::bad_namespace_prefix: return "bad namespace prefix";
        case xml_errc::bad_format: return "not an XMPP stream";
        case xml_errc::unsupported_encoding: return "encoding is not UTF-8";
        }
        return "unknown XML error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& xml_category() noexcept {
    static const xml_category_impl instance;
    return instance;
}

std::string_view stream_error_condition(std::error_code ec) {
    if (!ec) return {};
    if (ec.category() != xml_category()) return "undefined-condition";
    switch (static_cast<xml_errc>(ec.value())) {
    case xml_errc::malformed: return "not-well-formed";          // RFC 6120 §4.9.3.13
    case xml_errc::restricted_xml: return "restricted-xml";      // §4.9.3.18
    case xml_errc::stanza_too_big:
    case xml_errc::too_deep:
    case xml_errc::too_many_attributes:
    case xml_errc::buffer_full: return "policy-violation";       // §4.9.3.14
    case xml_errc::invalid_namespace: return "invalid-namespace";  // §4.9.3.10
    case xml_errc::bad_namespace_prefix: return "bad-namespace-prefix";  // §4.9.3.2
    case xml_errc::bad_format: return "bad-format";              // §4.9.3.1
    case xml_errc::unsupported_encoding: return "unsupported-encoding";  // §4.9.3.22
    }
    return "undefined-condition";
}

}  // namespace jigasi::xmpp
