// Audio in and out of werift (bridge_werift.js). werift has no codecs, so the stand-in does what
// libwebrtc does for bridge.js: sine tones are encoded as Opus with opusscript (libopus in
// WebAssembly) and written as RTP to werift tracks, and the Opus RTP a werift track receives is
// decoded with opusscript, recorded at 48 kHz and analysed with lib/audio.js, in the same result
// shape as media.js's Recorder.
"use strict";
const path = require("path");
const OpusScript = require("opusscript");
const { RtpPacket, RtpHeader } = require("werift");
const audio = require("../lib/audio");
const { now } = require("./xmpp");

const RATE = 48000, FRAME = 960; // 20 ms Opus frames, as browsers (and JVB's forwarded streams) send

// All tones share one timer. Frames are paced by the wall clock and caught up in a loop, so a busy
// machine delays frames (a burst) instead of dropping them; the RTP timestamp follows the frame
// number, so a receiver sees continuous media.
const tones = new Set();
let timer = null, started = 0, framesSent = 0;
function tick() {
  const due = Math.floor((Date.now() - started) / 20);
  for (; framesSent < due; framesSent++) for (const t of tones) t.frame(framesSent);
}

const rand = (bits) => Math.floor(Math.random() * 2 ** bits);

// One simulated participant's tone on a werift MediaStreamTrack. werift's RTCRtpSender rewrites
// SSRC and payload type to the negotiated ones and keeps the header extensions written here.
class OpusTone {
  constructor(freq, track, amplitude = 0.3) {
    this.freq = freq;
    this.track = track;
    this.amplitude = amplitude;
    this.encoder = new OpusScript(RATE, 1, OpusScript.Application.AUDIO);
    this.seq = rand(16);
    this.tsBase = rand(32);
    this.audioLevelId = 0; // RFC 6464 extension id once negotiated (bridge_werift sets it)
    // RFC 6464 level: -dBov of the tone's RMS (a sine's RMS is amplitude / sqrt 2).
    this.level = Math.min(127, Math.round(-20 * Math.log10(amplitude / Math.SQRT2)));
    this.playing = false;
    this.first = true;
    this.packets = 0;
  }
  frame(n) {
    if (!this.playing) return; // no frames -> no RTP for this SSRC
    const pcm = Buffer.alloc(FRAME * 2), w = 2 * Math.PI * this.freq / RATE;
    for (let i = 0; i < FRAME; i++) pcm.writeInt16LE(Math.round(32767 * this.amplitude * Math.sin(w * (n * FRAME + i))), i * 2);
    // opusscript takes the PCM as a byte Buffer (an Int16Array is read element by element as bytes).
    const payload = this.encoder.encode(pcm, FRAME);
    const extensions = this.audioLevelId ? [{ id: this.audioLevelId, payload: Buffer.from([0x80 | this.level]) }] : [];
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: this.seq, timestamp: (this.tsBase + n * FRAME) >>> 0,
      ssrc: 0, marker: this.first, extensions });
    this.seq = (this.seq + 1) & 0xffff;
    this.first = false;
    this.packets++;
    this.track.writeRtp(new RtpPacket(header, payload));
  }
  play() {
    this.playing = true;
    this.first = true; // RFC 3551 §4.1: marker on the first packet of a talkspurt
    tones.add(this);
    if (!timer) { started = Date.now(); framesSent = 0; timer = setInterval(tick, 5); }
  }
  stop() {
    this.playing = false;
    tones.delete(this);
    if (!tones.size && timer) { clearInterval(timer); timer = null; }
  }
}

// Records one received Opus stream. Each packet is decoded and placed by its RTP timestamp, so a
// lost packet (or a timestamp jump) is silence in the recording and shows up as a gap in the
// analysis; reordered packets land where they belong. Unlike libwebrtc's jitter buffer there is no
// playout clock: a sender that stalls and then catches up with a burst of continuous timestamps
// is not a gap here. The arrival side is reported separately (`arrival`: packets, lost by sequence
// number, the longest pause between two packets after the first second).
class OpusRecorder {
  constructor(label, payloadType = 111) {
    this.label = label;
    this.payloadType = payloadType;
    this.decoder = new OpusScript(RATE, 1);
    this.segments = [];
    this.end = 0;
    this.ts0 = null;
    this.firstFrameMs = null;
    this.firstAudioMs = null;
    this.arrival = { packets: 0, otherPayloadTypes: 0, lost: 0, decodeErrors: 0, maxInterArrivalMs: 0, maxInterArrivalAtMs: null };
    this.lastArrival = null;
    this.seqFirst = null;
    this.seqMax = null; // extended highest sequence number (RFC 3550 A.1)
    this.stopped = false;
  }
  onRtp(rtp) {
    if (this.stopped) return;
    const h = rtp.header, t = now();
    if (h.payloadType !== this.payloadType) { this.arrival.otherPayloadTypes++; return; } // e.g. telephone-event
    const a = this.arrival;
    a.packets++;
    if (this.lastArrival !== null && this.firstFrameMs !== null && t - this.firstFrameMs > 1000 && t - this.lastArrival > a.maxInterArrivalMs) {
      a.maxInterArrivalMs = t - this.lastArrival;
      a.maxInterArrivalAtMs = t;
    }
    this.lastArrival = t;
    if (this.seqFirst === null) { this.seqFirst = this.seqMax = h.sequenceNumber; }
    else {
      // extend the 16-bit sequence number relative to the highest seen
      const d = ((h.sequenceNumber - (this.seqMax & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      if (d > 0) this.seqMax += d;
    }
    if (this.ts0 === null) this.ts0 = h.timestamp;
    const off = (h.timestamp - this.ts0) | 0; // samples since the first packet (signed: reordering)
    if (off < 0 || off > RATE * 600) return;
    let pcm;
    try { pcm = this.decoder.decode(rtp.payload); } catch (e) { a.decodeErrors++; return; }
    const s = new Int16Array(pcm.length / 2);
    let loud = false;
    for (let i = 0; i < s.length; i++) { s[i] = pcm.readInt16LE(i * 2); if (Math.abs(s[i]) > 300) loud = true; }
    if (this.firstFrameMs === null) this.firstFrameMs = t;
    if (loud && this.firstAudioMs === null) this.firstAudioMs = t;
    this.segments.push({ off, s });
    this.end = Math.max(this.end, off + s.length);
  }
  stop() { this.stopped = true; }
  samples() {
    const out = new Int16Array(this.end);
    for (const { off, s } of this.segments) out.set(s, off);
    return out;
  }
  // Writes DIR/<label>.wav and returns {file, firstFrameMs, firstAudioMs, arrival, ...audio.analyse()}.
  finish(dir, opts) {
    this.stop();
    if (this.seqFirst !== null) this.arrival.lost = Math.max(0, this.seqMax - this.seqFirst + 1 - this.arrival.packets);
    const s = this.samples(), file = path.join(dir, `${this.label}.wav`);
    audio.writeWav(file, s, RATE);
    const a = audio.analyse(s, RATE, opts);
    this.decoder.delete();
    return Object.assign({ file: path.basename(file), firstFrameMs: this.firstFrameMs, firstAudioMs: this.firstAudioMs,
      arrival: this.arrival }, a);
  }
}

module.exports = { OpusTone, OpusRecorder, RATE };
