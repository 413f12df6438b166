#pragma once
// The REST API under /api/v1 (bearer token http.api_token, RFC 6750): outgoing echo test calls
// and room probes; the call API of the gateway joins it here.

#include "app/room_probes.hpp"
#include "app/sip_service.hpp"
#include "config/store.hpp"
#include "http/router.hpp"

namespace jigasi::app {

struct api_context {
    const config::store& cfg;
    sip_service& sip;
    room_probes& probes;
};

/// The routes keep a copy of `ctx`, whose members must outlive `r`.
void add_api_routes(http::router& r, const api_context& ctx);

}  // namespace jigasi::app
