#include "sip/msg.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace jigasi::sip {

namespace {

struct collect_ctx {
    std::vector<std::string>* out;
};

bool collect(const sip_hdr* hdr, const sip_msg*, void* arg) {
    static_cast<collect_ctx*>(arg)->out->push_back(str(hdr->val));
    return false;  // keep going
}

std::optional<unsigned> to_unsigned(const pl& p) {
    unsigned v = 0;
    if (!p.p || p.l == 0) return std::nullopt;
    auto [ptr, ec] = std::from_chars(p.p, p.p + p.l, v);
    if (ec != std::errc() || ptr != p.p + p.l) return std::nullopt;
    return v;
}

}  // namespace

std::vector<std::string> header_values(const sip_msg* msg, sip_hdrid id) {
    std::vector<std::string> out;
    collect_ctx ctx{&out};
    sip_msg_hdr_apply(msg, true, id, collect, &ctx);
    return out;
}

std::optional<std::string> header(const sip_msg* msg, std::string_view name) {
    const std::string n(name);
    if (const sip_hdr* h = sip_msg_xhdr(msg, n.c_str())) return str(h->val);
    return std::nullopt;
}

std::string source_of(const sip_msg* msg) {
    char addr[64] = {0};
    sa_ntop(&msg->src, addr, sizeof addr);
    const bool v6 = sa_af(&msg->src) == AF_INET6;
    std::string tp = sip_transp_name(msg->tp);  // "UDP"
    for (auto& ch : tp) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return tp + ":" + (v6 ? "[" : "") + addr + (v6 ? "]" : "") + ":" +
           std::to_string(sa_port(&msg->src));
}

std::optional<register_request> to_register_request(const sip_msg* msg) {
    register_request r;
    r.aor_user = str(msg->to.uri.user);
    r.call_id = str(msg->callid);
    r.cseq = msg->cseq.num;
    r.source = source_of(msg);
    if (msg->expires.p) {
        r.expires = to_unsigned(msg->expires);
        if (!r.expires) return std::nullopt;
    }
    r.authorization = header_values(msg, SIP_HDR_AUTHORIZATION);
    for (const auto& value : header_values(msg, SIP_HDR_CONTACT)) {
        if (value == "*") {
            r.wildcard = true;
            continue;
        }
        // sip_addr_decode accepts "<sip:a@b" and an unterminated display name; a binding must not.
        if (std::count(value.begin(), value.end(), '<') != std::count(value.begin(), value.end(), '>') ||
            std::count(value.begin(), value.end(), '"') % 2 != 0)
            return std::nullopt;
        sip_addr addr{};
        pl pv;
        pl_set_str(&pv, value.c_str());
        if (sip_addr_decode(&addr, &pv)) return std::nullopt;
        register_contact c;
        c.uri = str(addr.auri);
        c.header = value;
        pl expires;
        if (msg_param_decode(&addr.params, "expires", &expires) == 0) {
            c.expires = to_unsigned(expires);
            if (!c.expires) return std::nullopt;
        }
        r.contacts.push_back(std::move(c));
    }
    return r;
}

std::string body_of(const sip_msg* msg) {
    if (!msg->mb || mbuf_get_left(msg->mb) == 0) return {};
    return std::string(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
}

std::string contact_user(const std::string& user, const std::string& public_address, std::uint16_t port,
                         sip_transp tp) {
    if (public_address.empty()) return user;
    const bool v6 = public_address.find(':') != std::string::npos;
    std::string uri = "sip:" + user + "@" + (v6 ? "[" + public_address + "]" : public_address) + ":" + std::to_string(port);
    if (tp == SIP_TRANSP_TCP) uri += ";transport=tcp";
    else if (tp == SIP_TRANSP_TLS) uri += ";transport=tls";
    return uri;
}

}  // namespace jigasi::sip
