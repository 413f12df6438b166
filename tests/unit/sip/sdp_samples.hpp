#pragma once
// Real-world SDP bodies for the [sdp] tests and the fuzz seed corpus (LF line ends; the parser takes
// CRLF or LF). Addresses are documentation ranges.

namespace sdp_samples {

inline constexpr const char* baresip = R"(v=0
o=- 1297224367 1297224368 IN IP4 192.0.2.10
s=-
c=IN IP4 192.0.2.10
t=0 0
m=audio 10602 RTP/AVP 96 9 0 8 101
b=AS:128
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=ssrc:1361823145 cname:sip:alice@example.com
a=rtcp-rsize
a=ptime:20
)";

/// Asterisk (chan_pjsip) with SDES; the first key is RFC 4568's example (30 bytes).
inline constexpr const char* asterisk_srtp =
    "v=0\r\n"
    "o=- 1856357392 1856357394 IN IP4 198.51.100.5\r\n"
    "s=Asterisk\r\n"
    "c=IN IP4 198.51.100.5\r\n"
    "t=0 0\r\n"
    "m=audio 17434 RTP/SAVP 0 8 3 101\r\n"
    "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:ZmFrZWtleWZha2VrZXlmYWtla2V5ZmFrZWtleWZha2VrZXlmYWtla2V5Zg==\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31\r\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:3 GSM/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:150\r\n"
    "a=sendrecv\r\n";

/// Linphone: Opus with fmtp, SDES, rtcp-fb and rtcp-xr kept as unknown attributes.
inline constexpr const char* linphone_opus = R"(v=0
o=alice 3516 2281 IN IP4 192.0.2.20
s=Talk
c=IN IP4 192.0.2.20
t=0 0
a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
m=audio 7078 RTP/SAVP 96 97 0 8 101 100
a=rtpmap:96 opus/48000/2
a=fmtp:96 minptime=10; useinbandfec=1
a=rtpmap:97 speex/16000
a=fmtp:97 vbr=on
a=rtpmap:101 telephone-event/48000
a=rtpmap:100 telephone-event/8000
a=crypto:1 AEAD_AES_128_GCM inline:cmVhbGx5IGZha2Uga2V5IGFuZCBzYWx0MTIzNA==
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
a=rtcp-fb:* trr-int 1000
a=rtcp-fb:* ccm tmmbr
)";

/// Chrome-like WebRTC offer (audio + data), ICE, DTLS, extmap, SSRCs, BUNDLE.
inline constexpr const char* chrome = R"(v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS stream0
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:1467250027 1 udp 2122260223 192.0.2.30 46243 typ host generation 0 network-id 1
a=candidate:435653019 1 tcp 1845501695 203.0.113.7 9 typ srflx raddr 192.0.2.30 rport 0 tcptype active generation 0
a=ice-ufrag:ePq8
a=ice-pwd:ZbkGNYIuvVAyG1bLWVkBCmxB
a=ice-options:trickle
a=fingerprint:sha-256 2B:6F:9C:11:27:6E:1A:CC:7D:D8:4B:AE:2C:01:43:0E:5A:7A:A3:33:15:D6:FE:E8:4F:29:47:56:EE:8A:9A:9A
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:stream0 track0
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1757014965 cname:Ol0ZBpWN1X2GKMjy
a=ssrc:1757014965 msid:stream0 track0
a=ssrc:1757014965 name:abcd0001-a0
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=ice-ufrag:ePq8
a=ice-pwd:ZbkGNYIuvVAyG1bLWVkBCmxB
a=fingerprint:sha-256 2B:6F:9C:11:27:6E:1A:CC:7D:D8:4B:AE:2C:01:43:0E:5A:7A:A3:33:15:D6:FE:E8:4F:29:47:56:EE:8A:9A:9A
a=setup:actpass
a=mid:1
a=sctp-port:5000
)";

/// Audio + video from a video phone; the video stream must be rejected with port 0.
inline constexpr const char* audio_video = R"(v=0
o=bob 2890844526 2890844526 IN IP4 192.0.2.40
s=-
c=IN IP4 192.0.2.40
t=0 0
m=video 51372 RTP/AVP 99
a=rtpmap:99 H264/90000
m=audio 49170 RTP/AVP 8 0 101
a=rtpmap:101 telephone-event/8000
a=rtcp-mux
)";

}  // namespace sdp_samples
