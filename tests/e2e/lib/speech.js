// Is there speech in (part of) a recording? For spoken prompts (the IVR's espeak-ng voice) that
// lib/audio.js cannot name by a tone: speech is loud enough, present most of the time, its level
// rises and falls with the syllables (a steady tone's does not), and no single frequency carries
// most of its energy (a test tone's does).
//
// CLI: node speech.js check FILE.wav [--from-ms 0] [--to-ms END] [--last-ms N] [--notch HZ[,HZ..]]
//                                    [--min-dbfs -35] [--min-active 0.3] [--min-modulation 0.3]
//                                    [--max-tone-share 0.5]
// --notch: take those test tones out first (a prompt mixed into a conference's tone).
// --last-ms: the last N ms of what the file holds now (a recording still being written: audio.js'
// readWav takes the rest of the file when the size fields are not filled in yet). Prints the
// analysis as JSON; exits 1 with a one-line reason on stderr if it is not speech-like.
"use strict";
const { readWav } = require("./audio.js");

function energy(s, from, n) {
  let e = 0;
  for (let i = from; i < from + n; i++) e += s[i] * s[i];
  return e;
}

// Share of a block's energy at freqHz (Goertzel; 1 for a pure bin-centred sine).
function shareAt(s, from, n, rate, freqHz, e) {
  const k = 2 * Math.cos(2 * Math.PI * freqHz / rate);
  let p1 = 0, p2 = 0;
  for (let i = from; i < from + n; i++) { const p = s[i] + k * p1 - p2; p2 = p1; p1 = p; }
  return e > 0 ? (p1 * p1 + p2 * p2 - k * p1 * p2) / (e * n / 2) : 0;
}

// Removes a steady tone at hz: two RBJ-cookbook notch biquads in cascade (Q 4, so about 110 Hz
// wide at -3 dB: a codec's small drift of the tone stays inside it).
function notch(samples, rate, hz) {
  const w = 2 * Math.PI * hz / rate, alpha = Math.sin(w) / (2 * 4), c = Math.cos(w), a0 = 1 + alpha;
  const b0 = 1 / a0, b1 = -2 * c / a0, b2 = 1 / a0, a1 = -2 * c / a0, a2 = (1 - alpha) / a0;
  let x = Float64Array.from(samples);
  for (let pass = 0; pass < 2; pass++) {
    const y = new Float64Array(x.length);
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let i = 0; i < x.length; i++) {
      y[i] = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1; x1 = x[i]; y2 = y1; y1 = y[i];
    }
    x = y;
  }
  return x;
}

const dbfs = (rms) => (rms > 0 ? 20 * Math.log10(rms / 32768) : -120);

function speechLike(samples, rate, opts = {}) {
  const { minDbfs = -35, minActive = 0.3, minModulation = 0.3, maxToneShare = 0.5 } = opts;
  const s = samples, problems = [];
  const win = Math.round(0.01 * rate), blk = Math.round(0.1 * rate);
  const activeLevel = 32768 * Math.pow(10, -45 / 20);  // a 10 ms window above -45 dBFS is sound
  let total = 0, windows = 0, active = 0;
  for (let i = 0; i + win <= s.length; i += win, windows++) {
    const e = energy(s, i, win);
    total += e;
    if (Math.sqrt(e / win) > activeLevel) active++;
  }
  const levels = [], loud = [];
  for (let i = 0; i + blk <= s.length; i += blk) {
    const e = energy(s, i, blk), l = Math.sqrt(e / blk);
    levels.push(l);
    if (l > activeLevel) loud.push({ from: i, e });
  }
  const mean = levels.reduce((a, b) => a + b, 0) / Math.max(1, levels.length);
  const sd = Math.sqrt(levels.reduce((a, b) => a + (b - mean) * (b - mean), 0) / Math.max(1, levels.length));
  let toneShare = 0, dominantHz = 0;
  for (let f = 100; f < Math.min(4000, rate / 2); f += 10) {
    const p = loud.reduce((a, b) => a + shareAt(s, b.from, blk, rate, f, b.e), 0) / Math.max(1, loud.length);
    if (p > toneShare) { toneShare = p; dominantHz = f; }
  }
  const r = {
    seconds: +(s.length / rate).toFixed(3),
    rmsDbfs: +dbfs(Math.sqrt(total / Math.max(1, windows * win))).toFixed(1),
    activeShare: +(active / Math.max(1, windows)).toFixed(3),
    modulation: +(mean > 0 ? sd / mean : 0).toFixed(3),
    toneShare: +toneShare.toFixed(3),
    dominantHz,
    problems,
  };
  if (levels.length < 5) problems.push(`only ${r.seconds} s of audio (need 0.5 s)`);
  if (r.rmsDbfs < minDbfs) problems.push(`too quiet: ${r.rmsDbfs} dBFS (need ${minDbfs})`);
  if (r.activeShare < minActive) problems.push(`sound in only ${(r.activeShare * 100).toFixed(0)}% of it (need ${minActive * 100}%)`);
  if (r.modulation < minModulation) problems.push(`a steady level (modulation ${r.modulation}, need ${minModulation}): not speech`);
  if (r.toneShare > maxToneShare) problems.push(`${(r.toneShare * 100).toFixed(0)}% of the energy at ${dominantHz} Hz: a tone, not speech`);
  r.ok = problems.length === 0;
  return r;
}

function main(argv) {
  const a = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--")) a[argv[i].slice(2)] = argv[++i];
    else a._.push(argv[i]);
  }
  const [cmd, file] = a._;
  if (cmd !== "check" || !file) {
    console.error("usage: speech.js check FILE [--from-ms N] [--to-ms N] [--last-ms N] [--notch HZ,..] [--min-dbfs DB] " +
                  "[--min-active SHARE] [--min-modulation X] [--max-tone-share SHARE]");
    return 2;
  }
  const { rate, samples } = readWav(file);
  const ms = (n) => Math.min(samples.length, Math.max(0, Math.round(Number(n) * rate / 1000)));
  let from = a["from-ms"] !== undefined ? ms(a["from-ms"]) : 0;
  const to = a["to-ms"] !== undefined ? ms(a["to-ms"]) : samples.length;
  if (a["last-ms"] !== undefined) from = Math.max(0, to - ms(a["last-ms"]));
  const num = (k, d) => (a[k] !== undefined ? Number(a[k]) : d);
  let part = samples.subarray(from, to);
  for (const hz of (a.notch ? String(a.notch).split(",") : [])) part = notch(part, rate, Number(hz));
  const r = speechLike(part, rate, {
    minDbfs: num("min-dbfs", -35), minActive: num("min-active", 0.3),
    minModulation: num("min-modulation", 0.3), maxToneShare: num("max-tone-share", 0.5),
  });
  console.log(JSON.stringify({ file, fromMs: Math.round(from * 1000 / rate), toMs: Math.round(to * 1000 / rate), ...r }));
  if (!r.ok) { console.error(`${file}: ${r.problems.join("; ")}`); return 1; }
  return 0;
}

module.exports = { speechLike, notch };
if (require.main === module) {
  try { process.exitCode = main(process.argv.slice(2)); }
  catch (e) { console.error(e.message); process.exitCode = 2; }
}
