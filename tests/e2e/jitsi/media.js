// Audio in and out of @roamhq/wrtc: sine tones fed into RTCAudioSource tracks (libwebrtc encodes
// them as Opus) and RTCAudioSink recorders that keep what a track received at 48 kHz, then write
// it as WAV and analyse it with lib/audio.js.
"use strict";
const path = require("path");
const wrtc = require("@roamhq/wrtc");
const audio = require("../lib/audio");
const { now } = require("./xmpp");

const RATE = 48000, FRAME = 480; // 10 ms frames: the only size RTCAudioSource accepts

// All tones of a process share one timer. Frames are paced by the wall clock and caught up in a
// loop, so a busy 2-core machine delays frames instead of dropping them.
const tones = new Set();
let timer = null, started = 0, framesSent = 0;
function tick() {
  const due = Math.floor((Date.now() - started) / 10);
  for (; framesSent < due; framesSent++) for (const t of tones) t.frame(framesSent);
}

class Tone {
  constructor(freq, amplitude = 0.3) {
    this.freq = freq;
    this.amplitude = amplitude;
    this.source = new wrtc.nonstandard.RTCAudioSource();
    this.track = this.source.createTrack();
    this.playing = false;
  }
  frame(n) {
    if (!this.playing) return; // no frames -> libwebrtc sends no RTP for this SSRC
    const samples = new Int16Array(FRAME), w = 2 * Math.PI * this.freq / RATE;
    for (let i = 0; i < FRAME; i++) samples[i] = Math.round(32767 * this.amplitude * Math.sin(w * (n * FRAME + i)));
    this.source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
  }
  play() {
    this.playing = true;
    tones.add(this);
    if (!timer) { started = Date.now(); framesSent = 0; timer = setInterval(tick, 5); }
  }
  stop() {
    this.playing = false;
    tones.delete(this);
    if (!tones.size && timer) { clearInterval(timer); timer = null; }
  }
}

// Records one received track. wrtc's sink first delivers 16 kHz silence until media flows
// (test-peers.md §7), so everything before the first 48 kHz frame is dropped; firstAudioMs is
// the first frame that is not silent.
class Recorder {
  constructor(track, label) {
    this.label = label;
    this.chunks = [];
    this.length = 0;
    this.firstFrameMs = null;
    this.firstAudioMs = null;
    this.marks = [];            // mutes and unmutes (--check-mute): {at: sample, t: ms, muted}
    this.stoppedMs = null;
    this.sink = new wrtc.nonstandard.RTCAudioSink(track);
    this.sink.ondata = (d) => this.onData(d);
  }
  onData(d) {
    if (d.sampleRate !== RATE) return;
    if (this.firstFrameMs === null) this.firstFrameMs = now();
    const ch = d.channelCount, n = d.numberOfFrames, mono = new Int16Array(n);
    let loud = false;
    for (let i = 0; i < n; i++) { mono[i] = d.samples[i * ch]; if (Math.abs(mono[i]) > 300) loud = true; }
    if (loud && this.firstAudioMs === null) this.firstAudioMs = now();
    this.chunks.push(mono);
    this.length += n;
  }
  stop() { if (this.sink) { this.sink.stop(); this.sink = null; this.stoppedMs = now(); } }
  // The focus muted (or unmuted) the sender now. The sink delivers 10 ms frames of silence when no
  // RTP comes (libwebrtc's jitter buffer plays out), so the sample count follows the wall clock
  // and the mark can be a sample index.
  mark(muted) { this.marks.push({ at: this.length, t: now(), muted }); }
  samples() {
    const out = new Int16Array(this.length);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
  // Writes DIR/<label>.wav and returns {file, firstFrameMs, firstAudioMs, ...audio.analyse()}
  // (with mute marks: + parts, see analyseParts).
  finish(dir, opts) {
    this.stop();
    const s = this.samples(), file = path.join(dir, `${this.label}.wav`);
    audio.writeWav(file, s, RATE);
    const a = this.marks.length ? this.analyseParts(s, opts) : audio.analyse(s, RATE, opts);
    return Object.assign({ file: path.basename(file), firstFrameMs: this.firstFrameMs, firstAudioMs: this.firstAudioMs }, a);
  }
  // The recording cut at the marks, each part analysed on its own: unmuted parts with opts, muted
  // ones must not hold the expected tones (silence is fine). Each part's first opts.skipMs is
  // skipped, which covers what was in flight when a mute or unmute took effect. The summary
  // fields are the whole recording's (without the gap check: a mute is a gap); problems and ok
  // are the parts'.
  analyseParts(s, opts) {
    const bounds = [{ at: 0, t: this.firstFrameMs, muted: false }, ...this.marks];
    const parts = bounds.map((b, i) => {
      const next = bounds[i + 1];
      const o = b.muted ? Object.assign({}, opts, { expect: [], absent: opts.expect || [], maxGapMs: null, allowSilence: true }) : opts;
      return Object.assign({ part: i, muted: b.muted, fromMs: b.t, toMs: next ? next.t : this.stoppedMs },
        audio.analyse(s.subarray(b.at, next ? next.at : s.length), RATE, o));
    });
    const problems = parts.flatMap((p) => p.problems.map((x) => `${p.muted ? "muted" : "unmuted"} part ${p.part} (${p.fromMs}..${p.toMs} ms): ${x}`));
    return Object.assign(audio.analyse(s, RATE, Object.assign({}, opts, { maxGapMs: null })), { parts, problems, ok: !problems.length });
  }
}

module.exports = { Tone, Recorder, RATE };
