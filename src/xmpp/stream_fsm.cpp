#include "xmpp/stream_fsm.hpp"

#include "xmpp/component_auth.hpp"
#include "xmpp/xml_writer.hpp"

namespace jigasi::xmpp {

namespace {

class stream_category_impl : public std::error_category {
public:
    const char* name() const noexcept override { return "xmpp-stream"; }
    std::string message(int c) const override {
        switch (static_cast<stream_errc>(c)) {
        case stream_errc::unsupported_version: return "the server's stream is not XMPP 1.0";
        case stream_errc::tls_unavailable: return "TLS is required but the server does not offer STARTTLS";
        case stream_errc::tls_refused: return "the server refused STARTTLS";
        case stream_errc::tls_required_by_server: return "the server requires TLS but the config says none";
        case stream_errc::no_mechanism: return "no usable SASL mechanism";
        case stream_errc::auth_failed: return "authentication failed";
        case stream_errc::auth_protocol: return "SASL exchange failed";
        case stream_errc::bind_failed: return "resource binding failed";
        case stream_errc::handshake_failed: return "component handshake refused";
        case stream_errc::stream_error: return "stream error from the server";
        case stream_errc::closed: return "the server closed the stream";
        case stream_errc::unexpected: return "unexpected element during negotiation";
        }
        return "unknown stream error";
    }
};

element sasl_element(std::string_view name, std::string text) {
    element e(std::string(name), std::string(ns::sasl));
    if (!text.empty()) e.add_text(text);
    return e;
}

}  // namespace

const std::error_category& stream_category() noexcept {
    static const stream_category_impl c;
    return c;
}

stream_error_info read_stream_error(const element& e) {
    stream_error_info info;
    for (const auto* child : e.elements()) {
        if (child->ns() != ns::streams_error) continue;
        if (child->name() == "text") info.text = child->text();
        else if (info.condition.empty()) info.condition = child->name();
    }
    if (info.condition.empty()) info.condition = "undefined-condition";
    return info;
}

stream_fsm::stream_fsm(stream_settings settings) : settings_(std::move(settings)) {}

std::string stream_fsm::mechanism() const { return sasl_ ? std::string(sasl_->name()) : std::string(); }

std::string stream_fsm::header() const {
    if (settings_.websocket) return write(framing_open(settings_.domain));  // RFC 7395 §3.4
    return settings_.component ? component_stream_open(settings_.domain) : client_stream_open(settings_.domain);
}

/// A negotiation element as written on this stream: standalone documents on a WebSocket
/// (RFC 7395 §3.3.3), inside the jabber:client stream otherwise.
std::string stream_fsm::out(const element& e) const {
    return write(e, settings_.websocket ? write_scope{} : in_stream(ns::client));
}

stream_fsm::actions stream_fsm::start() {
    step_ = step::header;
    return {{stream_action::kind::send, header(), {}}};
}

stream_fsm::actions stream_fsm::restart_stream() {
    step_ = step::header;
    return {{stream_action::kind::restart, {}, {}}, {stream_action::kind::send, header(), {}}};
}

stream_fsm::actions stream_fsm::fail(stream_errc code, std::string why) {
    step_ = step::failed;
    return {{stream_action::kind::fail, std::move(why), make_error_code(code)}};
}

stream_fsm::actions stream_fsm::on_event(const xml_event& ev) {
    if (step_ == step::failed || step_ == step::idle) return {};
    switch (ev.type) {
    case xml_event::kind::stream_open: return on_header(ev.header);
    case xml_event::kind::stream_close: return fail(stream_errc::closed, "the server closed the stream");
    case xml_event::kind::stanza: break;
    }
    const element& e = ev.stanza;
    if (e.is("error", ns::stream)) {
        auto info = read_stream_error(e);
        return fail(settings_.component && info.condition == "not-authorized" ? stream_errc::handshake_failed
                                                                               : stream_errc::stream_error,
                    "stream error " + info.condition + (info.text.empty() ? "" : ": " + info.text));
    }
    return on_stanza(e);
}

stream_fsm::actions stream_fsm::on_header(const stream_header& h) {
    if (step_ != step::header) return fail(stream_errc::unexpected, "a second stream header");
    stream_id_ = h.id;
    if (settings_.component) {
        // XEP-0114 §3: the server's header carries the id the handshake digest is made from.
        if (h.id.empty()) return fail(stream_errc::unexpected, "component stream without an id");
        step_ = step::handshake;
        element hs("handshake", std::string(ns::component));
        hs.add_text(component_handshake(h.id, settings_.secret));
        return {{stream_action::kind::send, write(hs, settings_.websocket ? write_scope{} : in_stream(ns::component)), {}}};
    }
    // RFC 6120 §4.7.5: a server without version='1.0' speaks pre-RFC XMPP (no features, no SASL).
    if (h.version != "1.0") return fail(stream_errc::unsupported_version, "server stream version '" + h.version + "'");
    step_ = step::features;
    return {};
}

stream_fsm::actions stream_fsm::on_stanza(const element& e) {
    switch (step_) {
    case step::features:
        if (e.is("features", ns::stream)) return on_features(e);
        break;
    case step::tls:
        if (e.is("proceed", ns::tls)) return {{stream_action::kind::start_tls, {}, {}}};
        if (e.is("failure", ns::tls)) return fail(stream_errc::tls_refused, "the server answered <failure/> to <starttls/>");
        break;
    case step::sasl:
        if (e.ns() == ns::sasl) return on_sasl(e);
        break;
    case step::bind:
        if (e.name() == "iq" && e.attr_or("id") == "bind-1") return on_bind_result(e);
        break;
    case step::sm_enable:
    case step::sm_resume:
        if (e.ns() == ns::sm) return on_sm(e);
        break;
    case step::handshake:
        if (e.is("handshake", ns::component)) {
            jid_ = settings_.domain;
            return become_ready();
        }
        break;
    default: break;
    }
    return fail(stream_errc::unexpected, "<" + e.name() + " xmlns='" + e.ns() + "'> during negotiation");
}

stream_fsm::actions stream_fsm::on_features(const element& f) {
    const element* starttls = f.child("starttls", ns::tls);
    if (!settings_.tls_active) {
        if (starttls && settings_.tls != config::xmpp_tls::none) {
            step_ = step::tls;
            return {{stream_action::kind::send, out(element("starttls", std::string(ns::tls))), {}}};
        }
        // RFC 6120 §5.3.1: <required/> inside <starttls/> means the server will not go on without it.
        if (starttls && starttls->child("required", ns::tls))
            return fail(stream_errc::tls_required_by_server, "the server requires STARTTLS; set tls to starttls");
        if (settings_.tls == config::xmpp_tls::required || settings_.tls == config::xmpp_tls::direct)
            return fail(stream_errc::tls_unavailable, "the server offers no STARTTLS and tls is required");
    }
    if (!authenticated_) {
        std::vector<std::string> offered;
        if (const element* mechs = f.child("mechanisms", ns::sasl))
            for (const auto* m : mechs->children("mechanism", ns::sasl)) offered.push_back(m->text());
        auto chosen = choose_mechanism(offered, settings_.sasl, settings_.tls_active);
        if (!chosen) return fail(stream_errc::no_mechanism, chosen.error().diagnostic);
        sasl_.emplace(*chosen, settings_.sasl);
        auto first = sasl_->initial_response();
        if (!first) return fail(stream_errc::auth_protocol, first.error().diagnostic);
        element auth = sasl_element("auth", *first);
        auth.set_attr("mechanism", std::string(sasl_->name()));
        step_ = step::sasl;
        return {{stream_action::kind::send, out(auth), {}}};
    }
    sm_offered_ = f.child("sm", ns::sm) != nullptr;
    bind_offered_ = f.child("bind", ns::bind) != nullptr;
    if (settings_.resume) {
        // XEP-0198 §5: <resume/> takes the place of binding; the session keeps its JID.
        if (sm_offered_) {
            step_ = step::sm_resume;
            return {{stream_action::kind::send, out(sm_resume(settings_.resume->previd, settings_.resume->h)), {}}};
        }
        resume_failure_ = "stream management no longer offered";
    }
    return bind();
}

stream_fsm::actions stream_fsm::bind() {
    // RFC 6120 §7: bind a resource; XEP-0198 is only worth enabling once bound.
    if (!bind_offered_) return fail(stream_errc::bind_failed, "the server offers no resource binding");
    element iq("iq", std::string(ns::client));
    iq.set_attr("type", "set").set_attr("id", "bind-1");
    element& req = iq.add("bind", std::string(ns::bind));
    if (!settings_.resource.empty()) req.add("resource").add_text(settings_.resource);
    step_ = step::bind;
    return {{stream_action::kind::send, out(iq), {}}};
}

stream_fsm::actions stream_fsm::on_sasl(const element& e) {
    if (e.name() == "challenge") {
        auto reply = sasl_->on_challenge(e.text());
        if (!reply) {
            // RFC 6120 §6.4.4: abort rather than leave the server waiting.
            step_ = step::failed;
            return {{stream_action::kind::send, out(sasl_element("abort", {})), {}},
                    {stream_action::kind::fail, reply.error().diagnostic, make_error_code(stream_errc::auth_protocol)}};
        }
        return {{stream_action::kind::send, out(sasl_element("response", *reply)), {}}};
    }
    if (e.name() == "success") {
        if (auto ec = sasl_->on_success(e.text()))
            return fail(stream_errc::auth_protocol, sasl_->diagnostic().empty() ? ec.message() : sasl_->diagnostic());
        authenticated_ = true;
        return restart_stream();  // RFC 6120 §6.4.6
    }
    if (e.name() == "failure") {
        const element* cond = nullptr;
        for (const auto* c : e.elements())
            if (c->name() != "text") { cond = c; break; }
        const auto failure = parse_sasl_failure(cond ? cond->name() : "");
        const std::string text = e.child_text("text");
        return fail(stream_errc::auth_failed, std::string(sasl_->name()) + ": " + std::string(describe(failure)) +
                                                  (text.empty() ? "" : " (" + text + ")"));
    }
    return fail(stream_errc::unexpected, "SASL <" + e.name() + "/> out of place");
}

stream_fsm::actions stream_fsm::on_bind_result(const element& e) {
    if (e.attr_or("type") == "result") {
        const element* bind = e.child("bind", ns::bind);
        const std::string jid = bind ? bind->child_text("jid") : std::string();
        if (jid.empty()) return fail(stream_errc::bind_failed, "bind result without a JID");
        jid_ = jid;
        return after_bind();
    }
    std::string condition = "unknown";
    if (const element* err = e.child("error"))
        for (const auto* c : err->elements())
            if (c->ns() == ns::stanzas_error && c->name() != "text") { condition = c->name(); break; }
    return fail(stream_errc::bind_failed, "resource binding refused: " + condition);
}

stream_fsm::actions stream_fsm::after_bind() {
    // XEP-0198 §3: enabled after binding; a component's stream (XEP-0114) has no features at all.
    if (settings_.component || !settings_.stream_management || !sm_offered_) return become_ready();
    // §5: only the same authenticated identity may resume, and every ANONYMOUS login is a new one;
    // a resumable session would only linger on the server (a ghost in its rooms) after we vanish.
    const bool resume = mechanism() != "ANONYMOUS";
    step_ = step::sm_enable;
    return {{stream_action::kind::send, out(sm_enable(resume, settings_.resume_max)), {}}};
}

stream_fsm::actions stream_fsm::on_sm(const element& e) {
    if (step_ == step::sm_enable) {
        if (e.name() == "enabled") {
            sm_ = read_sm_enabled(e);
            return become_ready();
        }
        if (e.name() == "failed") {
            sm_failure_ = read_sm_failed(e);  // §3: the stream goes on without stream management
            return become_ready();
        }
    } else if (e.name() == "resumed") {
        auto h = read_sm_h(e);
        if (!h) return fail(stream_errc::unexpected, "<resumed/> with h='" + std::string(e.attr_or("h")) + "'");
        if (auto previd = e.attr("previd"); previd && *previd != settings_.resume->previd)
            return fail(stream_errc::unexpected, "<resumed/> for another session");
        resumed_h_ = *h;
        jid_ = settings_.resume->jid;
        return become_ready();
    } else if (e.name() == "failed") {
        // §5: the session is gone (expired, unknown): a fresh one, which the caller must rebuild.
        resume_failure_ = read_sm_failed(e);
        return bind();
    }
    return fail(stream_errc::unexpected, "<" + e.name() + " xmlns='" + e.ns() + "'> during stream management negotiation");
}

stream_fsm::actions stream_fsm::become_ready() {
    step_ = step::ready;
    return {{stream_action::kind::ready, {}, {}}};
}

stream_fsm::actions stream_fsm::on_tls_established() {
    if (step_ != step::tls) return fail(stream_errc::unexpected, "TLS established out of step");
    settings_.tls_active = true;
    return restart_stream();  // RFC 6120 §5.4.3.3
}

}  // namespace jigasi::xmpp
