// The conference IQ to focus.<domain> and its answer (jitsi-protocol.md §3.2, §3.7).

#include "xmpp/focus.hpp"

namespace jigasi::xmpp {
namespace {

constexpr std::size_t max_properties = 64;

parse_error fail(parse_errc e, std::string diag) { return {make_error_code(e), std::move(diag)}; }

void add_property(element& conf, std::string_view name, std::string_view value) {
    conf.add("property").set_attr("name", std::string(name)).set_attr("value", std::string(value));
}

/// true/false for those texts, nullopt for anything else (absent included).
std::optional<bool> bool_text(std::optional<std::string_view> v) {
    if (v == "true") return true;
    if (v == "false") return false;
    return std::nullopt;
}

conference_refusal refusal_for(const element& iq, const stanza_error& e) {
    if (e.condition == "not-authorized") {
        const element* err = iq.child("error");
        if (err && err->child("session-invalid", ns_focus)) return conference_refusal::session_invalid;
        return conference_refusal::not_authorized;
    }
    if (e.condition == "service-unavailable") return conference_refusal::service_unavailable;
    if (e.condition == "forbidden") return conference_refusal::forbidden;
    if (e.condition == "item-not-found") return conference_refusal::item_not_found;
    if (e.condition == "bad-request") return conference_refusal::bad_request;
    return conference_refusal::other;
}

}  // namespace

std::string focus_address(std::string_view domain) { return "focus." + std::string(domain); }

element build_conference_iq(std::string_view focus, std::string_view id, const conference_request& r) {
    element iq = make_iq("set", focus, id);
    element& conf = iq.add("conference", std::string(ns_focus));
    conf.set_attr("room", r.room.to_string());
    if (!r.machine_uid.empty()) conf.set_attr("machine-uid", r.machine_uid);
    if (r.visitors_enabled) {
        add_property(conf, "visitors-version", "1");
        if (r.visitor) add_property(conf, "visitor", "true");
    }
    for (const auto& p : r.extra) add_property(conf, p.name, p.value);
    return iq;
}

const std::string* conference_answer::property(std::string_view name) const {
    for (const auto& p : properties)
        if (p.name == name) return &p.value;
    return nullptr;
}

bool conference_answer::authentication() const {
    const auto* v = property("authentication");
    return v && *v == "true";
}

bool conference_answer::sip_gateway_enabled() const {
    const auto* v = property("sipGatewayEnabled");
    return v && *v == "true";
}

bool conference_answer::visitors_supported() const {
    const auto* v = property("visitors-supported");
    return v && *v == "true";
}

parse_result<conference_reply> parse_conference_reply(const element& iq) {
    if (iq.name() != "iq") return fail(parse_errc::wrong_stanza, "not an <iq/>");
    const auto type = iq.attr_or("type");
    conference_reply r;
    if (type == "error") {
        r.error = parse_stanza_error(iq).value_or(stanza_error{});
        r.refusal = refusal_for(iq, r.error);
        return r;
    }
    if (type != "result") return fail(parse_errc::wrong_stanza, "conference answer of type '" + std::string(type) + "'");
    const element* conf = iq.child("conference", ns_focus);
    if (!conf) return fail(parse_errc::missing_element, "result without <conference xmlns='http://jitsi.org/protocol/focus'/>");

    r.accepted = true;
    conference_answer& a = r.answer;
    a.room = conf->attr_or("room");
    a.focus_jid = conf->attr_or("focusjid");
    a.vnode = conf->attr_or("vnode");
    a.session_id = conf->attr_or("session-id");
    a.identity = conf->attr_or("identity");
    // lib-jitsi-meet: anything but ready='true' means "not yet".
    a.ready = conf->attr_or("ready") == "true";
    a.live = bool_text(conf->attr("live"));
    const auto props = conf->children("property");
    if (props.size() > max_properties)
        return fail(parse_errc::limit_exceeded, std::to_string(props.size()) + " properties");
    for (const element* p : props) {
        const auto name = p->attr_or("name");
        if (name.empty()) continue;  // nothing to look up by; Jicofo never sends it
        a.properties.push_back({std::string(name), std::string(p->attr_or("value"))});
    }
    if (const auto* v = a.property("live"); v && !a.live) a.live = bool_text(*v);
    return r;
}

conference_next next_step(const conference_reply& r, bool visitors_enabled) {
    if (!r.accepted) {
        switch (r.refusal) {
            case conference_refusal::not_authorized: return conference_next::auth_required;
            case conference_refusal::session_invalid:
            case conference_refusal::service_unavailable: return conference_next::retry;
            default: return conference_next::fail;
        }
    }
    const auto& a = r.answer;
    if (!a.vnode.empty()) return visitors_enabled ? conference_next::visitor_redirect : conference_next::fail;
    if (a.live == false) return conference_next::wait_live;
    return a.ready ? conference_next::join : conference_next::retry;
}

}  // namespace jigasi::xmpp
