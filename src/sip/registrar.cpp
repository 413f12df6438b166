#include "sip/registrar.hpp"

#include <algorithm>

namespace jigasi::sip {

registrar::registrar(config::sip_registrar_config cfg, config::sip_unknown_policy unknown)
    : cfg_(std::move(cfg)), unknown_(unknown) {}

void registrar::reconfigure(config::sip_registrar_config cfg, config::sip_unknown_policy unknown) {
    cfg_ = std::move(cfg);
    unknown_ = unknown;
    // Users that were removed lose their bindings at once; the others keep theirs.
    std::erase_if(bindings_, [this](const auto& kv) { return find_user(kv.first) == nullptr; });
}

const config::sip_user_config* registrar::find_user(const std::string& name) const {
    for (const auto& u : cfg_.users)
        if (u.user == name) return &u;
    return nullptr;
}

std::optional<std::string> registrar::stored_ha1(const config::sip_user_config& u, digest::algorithm a) const {
    if (!u.password.empty()) return digest::ha1(a, u.user, cfg_.realm, u.password);
    if (a == digest::algorithm::md5 && !u.ha1_md5.empty()) return u.ha1_md5;
    if (a == digest::algorithm::sha256 && !u.ha1_sha256.empty()) return u.ha1_sha256;
    return std::nullopt;  // e.g. only an MD5 HA1 stored and the phone answered with SHA-256
}

std::vector<std::string> registrar::challenge_headers(std::string_view header_name,
                                                      digest::nonce_issuer::clock::time_point wall_now,
                                                      bool stale) const {
    const std::string nonce = nonces_.issue(wall_now);
    std::vector<std::string> out;
    for (auto a : {digest::algorithm::sha256, digest::algorithm::md5}) {
        if (a == digest::algorithm::sha256 && !cfg_.sha256) continue;
        out.push_back(std::string(header_name) + ": " + digest::challenge_header(a, cfg_.realm, nonce, stale));
    }
    return out;
}

auth_result registrar::authenticate(const std::vector<std::string>& authorization, std::string_view method,
                                    digest::nonce_issuer::clock::time_point wall_now, std::string& user,
                                    bool* stale) const {
    for (const auto& value : authorization) {
        auto cr = digest::parse_credentials(value);
        if (!cr || cr->realm != cfg_.realm) continue;  // credentials for another realm (a proxy's)
        const auto verdict = nonces_.check(cr->nonce, wall_now);
        if (verdict == digest::nonce_issuer::verdict::forged) continue;
        const auto* u = find_user(cr->username);
        if (!u) return auth_result::refused;
        auto h1 = stored_ha1(*u, cr->algo);
        if (!h1 || !digest::verify(*cr, *h1, method)) return auth_result::refused;
        // RFC 7616 3.3: right credentials with an old nonce -> stale=true, the client retries.
        if (verdict == digest::nonce_issuer::verdict::stale) {
            if (stale) *stale = true;
            return auth_result::challenge;
        }
        user = u->user;
        return auth_result::ok;
    }
    return auth_result::challenge;
}

register_outcome registrar::refuse(std::string log) const {
    register_outcome out;
    out.log = std::move(log);
    switch (unknown_) {
    case config::sip_unknown_policy::silent: out.silent = true; break;
    case config::sip_unknown_policy::challenge:  // a fresh challenge would invite guessing: 403
    case config::sip_unknown_policy::reject: out.status = 403; out.reason = "Forbidden"; break;
    }
    return out;
}

register_outcome registrar::handle(const register_request& req, clock::time_point now,
                                   digest::nonce_issuer::clock::time_point wall_now) {
    register_outcome out;
    if (!cfg_.enabled) {
        out.status = 403;
        out.reason = "Registrar Disabled";
        out.log = "registrar disabled";
        return out;
    }
    std::string user;
    bool stale = false;
    switch (authenticate(req.authorization, "REGISTER", wall_now, user, &stale)) {
    case auth_result::challenge: {
        out.status = 401;
        out.reason = "Unauthorized";
        out.headers = challenge_headers("WWW-Authenticate", wall_now, stale);
        out.log = stale ? "stale nonce, challenged again" : "challenged";
        return out;
    }
    case auth_result::refused: return refuse("wrong credentials or unknown user");
    case auth_result::ok: break;
    }
    // RFC 3261 10.3 step 5: the authenticated user may only register its own address of record.
    if (req.aor_user != user) return refuse("user " + user + " tried to register " + req.aor_user);

    expire(now);
    auto& list = bindings_[user];
    const auto* u = find_user(user);

    if (req.wildcard) {  // RFC 3261 10.3 step 6: "*" only with Expires: 0, removes everything
        if (!req.contacts.empty() || !req.expires || *req.expires != 0) {
            out.status = 400;
            out.reason = "Invalid Contact *";
            out.log = "Contact * without Expires: 0";
            return out;
        }
        list.clear();
    }
    for (const auto& c : req.contacts) {
        unsigned want = c.expires.value_or(req.expires.value_or(cfg_.default_expires_s));
        auto it = std::find_if(list.begin(), list.end(), [&](const binding& b) { return b.contact_uri == c.uri; });
        if (want == 0) {
            if (it != list.end()) list.erase(it);
            continue;
        }
        if (want < cfg_.min_expires_s) {
            out.status = 423;
            out.reason = "Interval Too Brief";
            out.headers = {"Min-Expires: " + std::to_string(cfg_.min_expires_s)};
            out.log = "asked for " + std::to_string(want) + " s";
            return out;
        }
        want = std::min(want, cfg_.max_expires_s);
        if (it != list.end()) {
            // RFC 3261 10.3 step 7: an old or repeated request of the same registration is refused.
            if (it->call_id == req.call_id && req.cseq <= it->cseq) {
                out.status = 500;
                out.reason = "Out Of Order";
                out.headers = {"Retry-After: 1"};
                out.log = "CSeq " + std::to_string(req.cseq) + " not above " + std::to_string(it->cseq);
                return out;
            }
            list.erase(it);
        } else if (list.size() >= u->max_bindings) {
            // The oldest binding goes: a phone that changed address must not be locked out.
            list.erase(std::min_element(list.begin(), list.end(), [](const binding& a, const binding& b) {
                return a.registered_at < b.registered_at;
            }));
        }
        list.insert(list.begin(), binding{c.uri, c.header, req.call_id, req.cseq, req.source,
                                          now + std::chrono::seconds(want), now});
    }
    out.status = 200;
    out.reason = "OK";
    for (const auto& b : list) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(b.expires_at - now).count();
        out.headers.push_back("Contact: <" + b.contact_uri + ">;expires=" + std::to_string(left));
    }
    out.log = std::to_string(list.size()) + " binding(s)";
    if (list.empty()) bindings_.erase(user);
    return out;
}

std::size_t registrar::expire(clock::time_point now) {
    std::size_t n = 0;
    for (auto it = bindings_.begin(); it != bindings_.end();) {
        n += std::erase_if(it->second, [now](const binding& b) { return b.expires_at <= now; });
        it = it->second.empty() ? bindings_.erase(it) : std::next(it);
    }
    return n;
}

std::vector<binding> registrar::lookup(const std::string& user, clock::time_point now) const {
    std::vector<binding> out;
    if (auto it = bindings_.find(user); it != bindings_.end())
        for (const auto& b : it->second)
            if (b.expires_at > now) out.push_back(b);
    return out;
}

std::size_t registrar::binding_count() const {
    std::size_t n = 0;
    for (const auto& [user, list] : bindings_) n += list.size();
    return n;
}

}  // namespace jigasi::sip
