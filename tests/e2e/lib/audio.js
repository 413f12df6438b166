// Audio checks for the e2e bench: WAV I/O, test tones, and an analysis that says which tones a
// recording holds and where it went silent, so a scenario can assert "the phone heard 440 Hz and
// 660 Hz, the bridge heard 1000 Hz, no gap over 60 ms after the first second".
//
// Library: readWav, writeWav, toneSamples, analyse (see below).
// CLI:     node audio.js check FILE.wav [--expect 440,660] [--absent 1000] [--skip-ms 1000]
//                                       [--max-gap-ms 60] [--min-seconds 1]
//          node audio.js tone FILE.wav --freq 440 [--seconds 10] [--rate 8000] [--amplitude 0.3]
// `check` prints the analysis as JSON and exits 1 with a one-line reason on stderr if an
// expectation fails.
"use strict";
const fs = require("fs");

// Reads a PCM16 WAV (any channel count; the first channel is used). Writers that stream (size
// fields 0 or 0xffffffff) are handled by taking the rest of the file as data.
function readWav(path) {
  const b = fs.readFileSync(path);
  if (b.length < 12 || b.toString("ascii", 0, 4) !== "RIFF" || b.toString("ascii", 8, 12) !== "WAVE")
    throw new Error(`${path}: not a RIFF/WAVE file`);
  let off = 12, fmt = null, data = null;
  while (off + 8 <= b.length) {
    const id = b.toString("ascii", off, off + 4);
    let len = b.readUInt32LE(off + 4);
    if (id === "fmt ") {
      fmt = { format: b.readUInt16LE(off + 8), channels: b.readUInt16LE(off + 10),
              rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    } else if (id === "data") {
      if (len === 0 || off + 8 + len > b.length) len = b.length - off - 8;
      data = b.subarray(off + 8, off + 8 + len);
      break;
    }
    off += 8 + len + (len & 1);
  }
  if (!fmt || !data) throw new Error(`${path}: no fmt or data chunk`);
  // 1 = PCM, 0xfffe = WAVE_FORMAT_EXTENSIBLE (libsndfile uses it for some layouts)
  if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16)
    throw new Error(`${path}: need 16-bit PCM, got format ${fmt.format} with ${fmt.bits} bits`);
  const frames = Math.floor(data.length / (2 * fmt.channels));
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = data.readInt16LE(i * 2 * fmt.channels);
  return { rate: fmt.rate, samples };
}

function writeWav(path, samples, rate) {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0); h.writeUInt32LE(36 + samples.length * 2, 4); h.write("WAVE", 8);
  h.write("fmt ", 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write("data", 36); h.writeUInt32LE(samples.length * 2, 40);
  const body = Buffer.from(samples.buffer, samples.byteOffset, samples.length * 2);
  fs.writeFileSync(path, Buffer.concat([h, body]));
}

function toneSamples(freqHz, seconds, rate, amplitude = 0.3) {
  const n = Math.round(seconds * rate), out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(32767 * amplitude * Math.sin(2 * Math.PI * freqHz * i / rate));
  return out;
}

// Squared magnitude of the DFT of s[from, from+n) at freqHz (Goertzel).
function goertzel(s, from, n, rate, freqHz) {
  const k = 2 * Math.cos(2 * Math.PI * freqHz / rate);
  let p1 = 0, p2 = 0;
  for (let i = from; i < from + n; i++) { const p = s[i] + k * p1 - p2; p2 = p1; p1 = p; }
  return p1 * p1 + p2 * p2 - k * p1 * p2;
}

const BLOCK_S = 0.1;      // 100 ms blocks: 10 Hz bins, so tones on multiples of 10 Hz do not leak
const WINDOW_S = 0.01;    // 10 ms resolution for gaps
const PRESENT_SHARE = 0.05, ABSENT_SHARE = 0.02;

// Fraction of a block's energy at freqHz: |X(f)|^2 / (E * n / 2) is 1 for a pure bin-centred sine.
function shareAt(s, from, n, rate, freqHz, energy) {
  return energy > 0 ? goertzel(s, from, n, rate, freqHz) / (energy * n / 2) : 0;
}

function blockEnergy(s, from, n) {
  let e = 0;
  for (let i = from; i < from + n; i++) e += s[i] * s[i];
  return e;
}

// opts: expect, absent (Hz lists), skipMs (ignore the start: set-up, jitter buffers filling),
// maxGapMs (longest silence allowed between the first and the last sound), minSeconds,
// allowSilence (no sound at all is not a problem: a sender that should have stopped, e.g. muted).
// Silence is relative: a 10 ms window quieter than a tenth of the median window level (and never
// above -50 dBFS), so decoder noise between packets is still silence.
function analyse(samples, rate, opts = {}) {
  const { expect = [], absent = [], skipMs = 1000, maxGapMs = null, minSeconds = 0, allowSilence = false } = opts;
  const s = samples.subarray(Math.min(samples.length, Math.round(skipMs * rate / 1000)));
  const seconds = s.length / rate;
  const problems = [];
  const result = { rate, seconds: +seconds.toFixed(3), skippedMs: skipMs, rms: 0, dominantHz: 0,
                   tones: {}, firstSoundMs: null, lastSoundMs: null, gaps: [], maxGapMs: 0, problems };

  // Levels per 10 ms window, for gaps.
  const win = Math.max(1, Math.round(WINDOW_S * rate)), levels = [];
  let total = 0;
  for (let i = 0; i + win <= s.length; i += win) {
    const e = blockEnergy(s, i, win);
    total += e;
    levels.push(Math.sqrt(e / win));
  }
  result.rms = Math.round(Math.sqrt(total / Math.max(1, levels.length * win)));
  const sorted = levels.filter((v) => v > 0).sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
  const threshold = Math.min(Math.max(median / 10, 3), 104); // 104 ≈ -50 dBFS
  const loud = levels.map((v) => v > threshold);
  const first = loud.indexOf(true), last = loud.lastIndexOf(true);
  if (first >= 0) {
    result.firstSoundMs = Math.round(skipMs + first * WINDOW_S * 1000);
    result.lastSoundMs = Math.round(skipMs + (last + 1) * WINDOW_S * 1000);
    for (let i = first; i <= last;) {
      if (loud[i]) { i++; continue; }
      let j = i;
      while (j <= last && !loud[j]) j++;
      const ms = Math.round((j - i) * WINDOW_S * 1000);
      result.gaps.push({ atMs: Math.round(skipMs + i * WINDOW_S * 1000), ms });
      result.maxGapMs = Math.max(result.maxGapMs, ms);
      i = j;
    }
  }

  // Tone shares averaged over the loud 100 ms blocks.
  const blk = Math.round(BLOCK_S * rate), blocks = [];
  for (let i = 0; i + blk <= s.length; i += blk) {
    const e = blockEnergy(s, i, blk);
    if (Math.sqrt(e / blk) > threshold) blocks.push({ from: i, e });
  }
  const meanShare = (f) => blocks.reduce((a, b) => a + shareAt(s, b.from, blk, rate, f, b.e), 0) / Math.max(1, blocks.length);
  const nyquist = rate / 2;
  let best = 0;
  const scan = blocks.slice(-10); // the dominant tone over (up to) the last second of sound
  for (let f = 100; f < Math.min(4000, nyquist); f += 10) {
    const p = scan.reduce((a, b) => a + shareAt(s, b.from, blk, rate, f, b.e), 0);
    if (p > best) { best = p; result.dominantHz = f; }
  }
  for (const f of new Set([...expect, ...absent])) {
    const share = meanShare(f);
    result.tones[f] = { present: share >= PRESENT_SHARE, share: +share.toFixed(3) };
  }

  if (seconds < minSeconds) problems.push(`only ${seconds.toFixed(2)} s of audio after the first ${skipMs} ms (need ${minSeconds} s)`);
  if (first < 0 && !allowSilence) problems.push(`silence: no sound after the first ${skipMs} ms`);
  for (const f of expect) {
    if (!result.tones[f].present)
      problems.push(`${f} Hz missing (${(result.tones[f].share * 100).toFixed(1)}% of the energy; dominant ${result.dominantHz} Hz)`);
  }
  for (const f of absent) {
    if (result.tones[f].share >= ABSENT_SHARE) problems.push(`${f} Hz present but should not be (${(result.tones[f].share * 100).toFixed(1)}% of the energy)`);
  }
  if (maxGapMs !== null && result.maxGapMs > maxGapMs) {
    const g = result.gaps.find((x) => x.ms === result.maxGapMs);
    problems.push(`gap of ${g.ms} ms at ${g.atMs} ms (limit ${maxGapMs} ms; ${result.gaps.length} gaps in all)`);
  }
  result.ok = problems.length === 0;
  return result;
}

function parseArgs(argv) {
  const o = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--")) o[argv[i].slice(2)] = argv[++i];
    else o._.push(argv[i]);
  }
  return o;
}

function main(argv) {
  const a = parseArgs(argv), [cmd, file] = a._;
  const list = (v) => (v ? String(v).split(",").filter(Boolean).map(Number) : []);
  if (cmd === "check" && file) {
    const { rate, samples } = readWav(file);
    const r = analyse(samples, rate, {
      expect: list(a.expect), absent: list(a.absent), skipMs: Number(a["skip-ms"] ?? 1000),
      maxGapMs: a["max-gap-ms"] !== undefined ? Number(a["max-gap-ms"]) : null,
      minSeconds: Number(a["min-seconds"] ?? 0),
    });
    console.log(JSON.stringify({ file, ...r }));
    if (!r.ok) { console.error(`${file}: ${r.problems.join("; ")}`); return 1; }
    return 0;
  }
  if (cmd === "tone" && file && a.freq) {
    const rate = Number(a.rate ?? 8000);
    writeWav(file, toneSamples(Number(a.freq), Number(a.seconds ?? 10), rate, Number(a.amplitude ?? 0.3)), rate);
    return 0;
  }
  console.error("usage: audio.js check FILE [--expect HZ,..] [--absent HZ,..] [--skip-ms N] [--max-gap-ms N] [--min-seconds N]\n" +
                "       audio.js tone FILE --freq HZ [--seconds N] [--rate N] [--amplitude 0..1]");
  return 2;
}

module.exports = { readWav, writeWav, toneSamples, analyse };
if (require.main === module) {
  try { process.exitCode = main(process.argv.slice(2)); }
  catch (e) { console.error(e.message); process.exitCode = 2; }
}
