// Self-test of the audio checks (node --test): they must find tones, gaps and silence, and reject
// files they cannot read with a clear error.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { readWav, writeWav, toneSamples, analyse } = require("./audio");

const mix = (...parts) => {
  const out = new Int16Array(parts[0].length);
  for (const p of parts) for (let i = 0; i < out.length; i++) out[i] += p[i];
  return out;
};

test("a pure tone is found at its frequency, at 8 and 48 kHz", () => {
  for (const rate of [8000, 48000]) {
    const r = analyse(toneSamples(440, 3, rate), rate, { expect: [440], absent: [1000], maxGapMs: 60 });
    assert.ok(r.ok, r.problems.join("; "));
    assert.strictEqual(r.dominantHz, 440);
    assert.strictEqual(r.gaps.length, 0);
  }
});

test("two mixed tones are both present, a third is absent", () => {
  const s = mix(toneSamples(440, 3, 48000, 0.2), toneSamples(660, 3, 48000, 0.2));
  const r = analyse(s, 48000, { expect: [440, 660], absent: [1000] });
  assert.ok(r.ok, r.problems.join("; "));
  assert.ok(r.tones[440].share > 0.4 && r.tones[660].share > 0.4);
});

test("a missing tone and an unwanted tone are reported", () => {
  const r = analyse(toneSamples(1000, 3, 8000), 8000, { expect: [440], absent: [1000] });
  assert.ok(!r.ok);
  assert.match(r.problems.join(";"), /440 Hz missing/);
  assert.match(r.problems.join(";"), /1000 Hz present but should not be/);
});

test("an 80 ms drop-out after the first second is a gap; the same before it is not", () => {
  const s = toneSamples(440, 3, 8000);
  s.fill(0, 12000, 12640); // 1.5 s .. 1.58 s
  s.fill(0, 2000, 2640);   // 0.25 s: inside the skipped start
  const r = analyse(s, 8000, { expect: [440], maxGapMs: 60 });
  assert.deepStrictEqual(r.gaps, [{ atMs: 1500, ms: 80 }]);
  assert.match(r.problems.join(";"), /gap of 80 ms at 1500 ms/);
  assert.ok(analyse(s, 8000, { expect: [440], maxGapMs: 100 }).ok);
});

test("silence, and too little audio, are reported", () => {
  const r = analyse(new Int16Array(8000 * 3), 8000, { expect: [440], minSeconds: 1 });
  assert.match(r.problems.join(";"), /silence/);
  const short = analyse(toneSamples(440, 1.2, 8000), 8000, { expect: [440], minSeconds: 1 });
  assert.match(short.problems.join(";"), /only 0\.20 s of audio/);
});

test("allowSilence: silence passes where a sender should have stopped, its tone still does not", () => {
  const quiet = analyse(new Int16Array(48000 * 3), 48000, { absent: [1000], minSeconds: 1, allowSilence: true });
  assert.ok(quiet.ok, quiet.problems.join("; "));
  assert.strictEqual(quiet.firstSoundMs, null);
  const still = analyse(toneSamples(1000, 3, 48000), 48000, { absent: [1000], minSeconds: 1, allowSilence: true });
  assert.match(still.problems.join(";"), /1000 Hz present but should not be/);
});

test("WAV files round-trip; stereo uses the first channel; bad files give clear errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audio-test-"));
  const f = path.join(dir, "t.wav");
  writeWav(f, toneSamples(660, 1, 16000), 16000);
  const back = readWav(f);
  assert.strictEqual(back.rate, 16000);
  assert.strictEqual(back.samples.length, 16000);
  // Stereo: left = 660 Hz, right = silence.
  const mono = back.samples, buf = Buffer.alloc(44 + mono.length * 4);
  fs.readFileSync(f).copy(buf, 0, 0, 44);
  buf.writeUInt16LE(2, 22); buf.writeUInt32LE(16000 * 4, 28); buf.writeUInt16LE(4, 32);
  buf.writeUInt32LE(mono.length * 4, 40); buf.writeUInt32LE(36 + mono.length * 4, 4);
  for (let i = 0; i < mono.length; i++) buf.writeInt16LE(mono[i], 44 + i * 4);
  fs.writeFileSync(f, buf);
  assert.strictEqual(analyse(readWav(f).samples, 16000, { skipMs: 0 }).dominantHz, 660);
  fs.writeFileSync(f, "not a wav at all");
  assert.throws(() => readWav(f), /not a RIFF\/WAVE file/);
  fs.writeFileSync(f, Buffer.concat([Buffer.from("RIFF\0\0\0\0WAVE"), Buffer.alloc(3)]));
  assert.throws(() => readWav(f), /no fmt or data chunk/);
  fs.rmSync(dir, { recursive: true });
});
